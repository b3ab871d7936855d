"""The generator and the benchmark's bare SQL, on a tiny scale: the bulk-inserted packages hold
what the provider's own computation gives, the bare SQL gives the application's numbers, and the
same seed gives the same data. (Timings are never asserted: the benchmark is not a test.)"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.db import transaction
from stdnum import luhn

from stegvis.aggregates import package
from stegvis.aggregates.models import ReceivedPackage
from stegvis.aggregates.periods import parse
from stegvis.bench.generator import LAST_YEAR, SCALES, Generator, generate
from stegvis.bench.management.commands.bench import _normal
from stegvis.bench.operations import in_rollback, operations
from stegvis.participants.models import Enrolment, Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny():
    return generate("tiny", seed=3, log=lambda _line: None)


def _fingerprint() -> list[tuple[object, ...]]:
    people = sorted(
        (p.national_id, p.name, p.gender, p.birth_year, p.identity_kind)
        for p in Participant.objects.all()
    )
    stays = sorted(
        (str(e.start), str(e.exit_date), e.exit_reason, e.intervention.code)
        for e in Enrolment.objects.select_related("intervention")
    )
    return [*people, *stays]


def test_every_package_holds_what_the_provider_computes(tiny):
    packages = ReceivedPackage.objects.select_related("sender", "association", "intervention")
    assert packages.count() > tiny.rows["packages via services"] > 0
    for received in packages:
        tables = package.compute_tables(
            received.sender, received.association, received.intervention, parse(received.period)
        )
        assert received.document["tables"] == tables, received.period
        assert not package.inconsistencies(tables)


def test_bare_sql_gives_the_applications_numbers(tiny):
    ops = operations(2025, [2025], import_rows=25)
    assert {op.key for op in ops} == {
        "annual_report",
        "national_1y",
        "national_10y",
        "participant_list",
        "import_10k",
        "packages_year",
    }
    for op in ops:
        app = in_rollback(op.app)()
        assert app, op.key
        assert _normal(app) == _normal(in_rollback(op.bare)()), op.key


def test_a_figure_that_differs_is_caught(tiny):
    """The comparison is not blind: one changed cell makes the bare result differ."""
    op = next(o for o in operations(2025, [2025], import_rows=5) if o.key == "annual_report")
    bare = op.bare()
    assert _normal(op.app()) == _normal(bare)
    rows = bare["individual/exited"]
    label = next(k for k in rows if k != "Σ")
    rows[label] = (rows[label][0] + 1, *rows[label][1:])
    assert _normal(op.app()) != _normal(bare)


def test_same_seed_same_data_and_fictional_numbers():
    with transaction.atomic():
        generate("tiny", seed=5, log=lambda _line: None)
        first = _fingerprint()
        transaction.set_rollback(True)
    generate("tiny", seed=5, log=lambda _line: None)
    assert _fingerprint() == first
    numbers = [p.national_id for p in Participant.objects.exclude(national_id_encrypted="")]
    assert numbers
    for number in numbers:
        assert 980 <= int(number[9:12]) <= 999  # the test-person serial range
        assert luhn.is_valid(number[2:8] + number[9:])


def test_the_list_interventions_run_through_the_country_decade():
    """The list page's intervention (steg1 of bench-01) is still running in the last year, so
    its 2 000 participants have real stays; the others are staggered 30-month runs."""
    stub = SimpleNamespace(scale=SCALES["country"])
    first, *others = Generator.intervention_plan(stub, 0, None)
    assert first == (date(2015, 1, 1), None)
    assert any(end is not None and end.year < LAST_YEAR for _start, end in others)
    neighbour_first = Generator.intervention_plan(stub, 1, None)[0]
    assert neighbour_first[1] is not None and neighbour_first[1].year < 2016


def test_bare_sql_covers_goals_and_lex_heller(tiny):
    """The generator makes no intervention goals and no Lex Heller reports: add some to the tiny
    data, so that the annual report's goal and Lex Heller tables are compared too."""
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from stegvis.core.models import Association, Role
    from stegvis.deviations.models import DeviationCategory, DeviationReport
    from stegvis.interventions.models import Goal

    association = Association.objects.get(slug="bench-01")
    received = ReceivedPackage.objects.filter(
        association=association, replaced_by__isnull=True, period_start__year=2025
    ).select_related("intervention")
    for intervention in {r.intervention for r in received}:
        for measure, groups, target in (
            (Goal.Measure.SHARE_EXITS_IN_GROUPS, ["arbete", "studier"], "30"),
            (Goal.Measure.SHARE_POSITIVE_STEP, ["arbete"], "10"),
            (Goal.Measure.OCCUPANCY, [], "80"),
            (Goal.Measure.PARTICIPANTS_PER_FTE, [], "5"),
        ):
            Goal.objects.create(
                intervention=intervention,
                text=f"Mål {measure}",
                measure=measure,
                report_groups=groups,
                target=target,
                period_start=date(2025, 1, 1),
                period_end=date(2025, 12, 31),
            )
    user = get_user_model().objects.first()
    kontakt = DeviationCategory.objects.create(association=association, name="Kontakt", position=1)
    DeviationCategory.objects.create(association=association, name="Oanvänd", position=2)
    regler = DeviationCategory.objects.create(association=association, name="Regler", position=3)
    for number, (day, category, decided) in enumerate(
        [
            (date(2025, 1, 10), kontakt, date(2025, 1, 20)),
            (date(2025, 1, 25), regler, date(2025, 2, 24)),
            (date(2025, 2, 3), kontakt, date(2025, 2, 7)),
            (date(2025, 3, 1), kontakt, None),
            (date(2025, 11, 30), regler, date(2025, 12, 3)),
            (date(2024, 12, 30), regler, date(2025, 1, 2)),  # the year before: not counted
        ],
        start=1,
    ):
        DeviationReport.objects.create(
            association=association,
            number=number,
            state="decided" if decided else "received",
            event_date=day,
            received_on=day,
            reported_by=user,
            reporter_role=Role.COACH,
            category=category,
            what_happened="Fiktiv händelse.",
            taken_at=timezone.now() if decided else None,
            decided_on=decided,
            days_to_decision=(decided - day).days if decided else None,
            action="Åtgärd." if decided else "",
        )
    op = next(o for o in operations(2025, [2025], import_rows=5) if o.key == "annual_report")
    app = op.app()
    assert app["goals/intervention_goals"]
    assert app["lex_heller/lex_heller_handling"]["0"] == (5,)
    assert _normal(app) == _normal(op.bare())


def test_bare_sql_covers_surveys_and_finance(tiny):
    """Add survey answers with national reference values, budgets with outcomes and equity to
    the tiny data, so that the annual report's survey and finance tables are compared too (and
    under five responses, a question answered only in an older version, a post with outcome
    but no budget, an opening equity carried from the year before)."""
    from datetime import date

    from stegvis.core.models import Association
    from stegvis.finance.models import (
        Budget,
        BudgetLine,
        BudgetPost,
        CeilingTier,
        EquityYear,
        Outcome,
    )
    from stegvis.surveys.models import (
        Answer,
        Item,
        Questionnaire,
        QuestionnaireVersion,
        ReferenceValue,
        SurveyResponse,
        SurveyRound,
    )

    association = Association.objects.get(slug="bench-01")
    a = {"association": association}
    for key, title, count in (("remittent", "Remittenter", 9), ("styrelse", "Styrelsen", 3)):
        q = Questionnaire.objects.create(
            **a, key=key, kind="national", respondent_group=key, title=title
        )
        versions = [
            QuestionnaireVersion.objects.create(**a, questionnaire=q, number=n, content_hash="x")
            for n in (1, 2)
        ]
        old, new = versions
        items = {
            "old_q1": Item.objects.create(**a, version=old, position=1, key="q1", number="1"),
            "old_q2": Item.objects.create(**a, version=old, position=2, key="q2", number="2"),
            "q3": Item.objects.create(**a, version=new, position=1, key="q3", part="local"),
            "q1": Item.objects.create(**a, version=new, position=2, key="q1", number="1"),
            "kon": Item.objects.create(**a, version=new, position=3, key="kon", is_gender=True),
        }
        for n, version in enumerate(versions):
            survey_round = SurveyRound.objects.create(
                **a,
                version=version,
                title="Runda",
                opens_on=date(2025, 1, 1),
                closes_on=date(2025, 12, 31),
                token_hash=f"{key}{n}",
                token_encrypted="x",
            )
            keys = ["old_q1", "old_q2"] if version is old else ["q1", "q3", "kon"]
            for i in range(count if version is new else 4):
                day = date(2025 if i else 2024, 1 + i, 3)  # the first one the year before
                response = SurveyResponse.objects.create(
                    **a, round=survey_round, version=version, answered_on=day, language="sv"
                )
                for k in keys:
                    score = None if i % 4 == 3 else 1 + i % 4
                    Answer.objects.create(
                        **a,
                        response=response,
                        item=items[k],
                        value=str(score or "vet ej"),
                        score=score,
                        positive=None if score is None else score >= 2,
                    )
        for year, share in ((2024, "40.0"), (2025, "55.5"), (2026, "90.0")):
            for number in ("1", "2"):
                ReferenceValue.objects.create(
                    **a, year=year, respondent_group=key, number=number, share_positive=share
                )
    # Finance: the decided revision is compared, not the newer draft; 2024's forecast gives the
    # opening equity of 2025.
    posts = {
        category: BudgetPost.objects.create(
            **a, code=category, name=category.title(), category=category
        )
        for category in ("medlemsbidrag", "eget_kapital", "administration", "individinriktade")
    }
    for year in (2024, 2025):
        decided = Budget.objects.create(**a, year=year, revision=0, decided_on=date(year, 1, 1))
        draft = Budget.objects.create(**a, year=year, revision=1)
        for category, amount in (
            ("medlemsbidrag", 1_000_001),
            ("eget_kapital", 50_000),
            ("administration", 200_003),
        ):
            BudgetLine.objects.create(**a, budget=decided, post=posts[category], amount=amount)
            BudgetLine.objects.create(**a, budget=draft, post=posts[category], amount=amount * 2)
        for month in range(1, 6):
            for category, amount in (
                ("medlemsbidrag", 83_333),
                ("administration", 17_001),
                ("individinriktade", 55_555),  # no budget line
            ):
                Outcome.objects.create(
                    **a,
                    post=posts[category],
                    year=year,
                    month=month,
                    amount=amount,
                    source="manual",
                )
    EquityYear.objects.create(**a, year=2024, opening=300_000)
    CeilingTier.objects.create(
        **a, year=2025, lower=0, first_amount=3_000_000, first_percent="10", above_percent="3"
    )
    op = next(o for o in operations(2025, [2025], import_rows=5) if o.key == "annual_report")
    app = op.app()
    remittent = app["surveys/survey_remittent"]
    assert remittent and any(v[1] is not None for v in remittent.values())
    assert any(v[0] == "<5" for v in app["surveys/survey_styrelse"].values())
    assert app["finance/budget"] and app["finance/cost_distribution"]
    assert app["finance/equity"]["0"][0] is not None  # carried from 2024
    assert app["finance/equity"]["3"][0] is not None
    assert _normal(app) == _normal(op.bare())
