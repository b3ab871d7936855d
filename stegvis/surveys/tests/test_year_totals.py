"""``year_totals``: every questionnaire's year at once, the same as ``questionnaire_results``."""

from __future__ import annotations

import pytest

from stegvis.bench.generator import generate
from stegvis.core.models import Association
from stegvis.surveys.models import (
    Item,
    Questionnaire,
    QuestionnaireVersion,
    ReferenceValue,
    SurveyResponse,
)
from stegvis.surveys.results import Results, questionnaire_results, year_totals

pytestmark = pytest.mark.django_db


def _shape(results: Results) -> tuple[object, ...]:
    return (
        results.questionnaire.pk,
        results.responses,
        results.reference_year,
        [
            (
                row.key,
                row.label,
                row.text,
                row.number,
                row.part,
                row.total.n,
                row.total.scored,
                row.total.positive,
                row.total.mean,
                row.total.share_positive,
                row.reference.pk if row.reference else None,
                row.difference,
            )
            for row in results.items
        ],
    )


@pytest.fixture
def data():
    generate("tiny", seed=4, log=lambda _line: None)
    return Association.objects.get(slug="bench-01")


def test_every_questionnaire_as_its_own_results_give_it(data, django_assert_max_num_queries):
    # A question answered only in an older version, and a newer version without it: the old
    # wording is shown after the current questions.
    questionnaire = (
        Questionnaire.objects.filter(association=data, versions__responses__isnull=False)
        .distinct()
        .first()
    )
    old = questionnaire.current_version()
    new = QuestionnaireVersion.objects.create(
        association=data, questionnaire=questionnaire, number=old.number + 1, content_hash="y"
    )
    dropped = old.items.filter(is_gender=False, placeholder=False).last()
    for item in old.items.exclude(pk=dropped.pk):
        Item.objects.create(
            association=data,
            version=new,
            position=item.position,
            key=item.key,
            number=item.number,
            part=item.part,
            texts=item.texts,
            options=item.options,
            positive=item.positive,
            is_gender=item.is_gender,
        )
    # A reference year after the report's is never used, and an earlier one gives way to the
    # latest up to it.
    years = set(ReferenceValue.objects.filter(association=data).values_list("year", flat=True))
    assert years and max(years) <= 2025
    for value in ReferenceValue.objects.filter(association=data, year=max(years)):
        for later in (2026, min(years) - 1):
            ReferenceValue.objects.create(
                association=data,
                respondent_group=value.respondent_group,
                year=later,
                number=value.number,
                share_positive=value.share_positive,
            )
    with django_assert_max_num_queries(4):
        totals = year_totals(data, 2025)
    expected = {}
    for q in Questionnaire.objects.filter(association=data).order_by("title"):
        results = questionnaire_results(q, year=2025)
        if results.responses:
            expected[q.pk] = _shape(results)
    assert len(expected) > 1
    assert list(totals) == list(expected)  # in title order
    assert {pk: _shape(r) for pk, r in totals.items()} == expected
    assert dropped.key in [row.key for row in totals[questionnaire.pk].items]
    assert {r.reference_year for r in totals.values()} - {None} == {max(years)}


def test_nothing_answered_is_nothing(data, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert year_totals(data, 2024) == {}  # the tiny data answers in 2025 only
    SurveyResponse.objects.filter(association=data).delete()
    with django_assert_num_queries(1):
        assert year_totals(data, 2025) == {}
