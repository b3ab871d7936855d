"""Every figure against a hand-computed worked example (docs/dev/surveys.md has the same one).

Participants at exit, 2026, seven anonymous answers to questions 1 and 6 (vet ej = don't know):

    response   q1      q6      gender
    R1         5       5       kvinna
    R2         4       5       kvinna
    R3         3       4       man
    R4         2       vet ej  man
    R5         vet ej  4       man
    R6         1       2       kvinna
    R7         5       4       man

q1: n 7, scored 6 (5 4 3 2 1 5), positive (4–5) 3 → 3/6 = 50.0 %, mean 20/6 = 3.33.
q6: n 7, scored 6 (5 5 4 4 2 4), positive 5 → 5/6 = 83.3 %, mean 24/6 = 4.00.
National reference 2025: q1 71.0 %, q6 80.0 % → differences −21.0 and +3.3 points.
The association's 2025: five answers to q6 (5 5 5 4 1) → 4/5 = 80.0 %.
Goals 2026: q6 at least the national level of 2025 → 83.3 ≥ 80.0 met; q6 at least 95 % → not
met; q1 at least the national level → 50.0 < 71.0 not met.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stegvis.surveys import services
from stegvis.surveys.models import SurveyGoal
from stegvis.surveys.results import (
    Figures,
    _complement,
    questionnaire_results,
    screening_coverage,
    share,
    suppress,
    suppress_total,
    violence_tallies,
)
from stegvis.surveys.tests.conftest import actor_of, enrolment

pytestmark = pytest.mark.django_db

ROWS_2026 = [
    ("5", "5", "kvinna"),
    ("4", "5", "kvinna"),
    ("3", "4", "man"),
    ("2", "vet_ej", "man"),
    ("vet_ej", "4", "man"),
    ("1", "2", "kvinna"),
    ("5", "4", "man"),
]


def answer(survey_round, rows, day):
    for q1, q6, gender in rows:
        answers = {"kon": gender} if gender else {}
        if q1:
            answers["d1"] = q1
        if q6:
            answers["d6"] = q6
        services.submit_response(survey_round, answers, intervention=None, language="sv", today=day)


def reference_file(rows: list[str]) -> bytes:
    return ("år;respondentgrupp;fråga;andel_positiva;medelvärde;antal\n" + "\n".join(rows)).encode()


@pytest.fixture
def worked(world, loaded, exit_round):
    answer(exit_round, ROWS_2026, date(2026, 3, 10))
    answer(exit_round, [("", v, "") for v in ["5", "5", "5", "4", "1"]], date(2025, 10, 1))
    alice = actor_of(world, "alice")
    services.import_reference_values(
        alice,
        reference_file(
            ["2025;deltagare_avslut;1;71,0;4,1;2100", "2025;deltagare_avslut;6;80,0;;2100"]
        ),
        "nationellt.csv",
    )
    questionnaire = loaded["deltagare-avslut"]
    services.add_goal(alice, questionnaire, item_key="d6", year=2026, kind="national")
    services.add_goal(
        alice, questionnaire, item_key="d6", year=2026, kind="share", target=Decimal("95")
    )
    services.add_goal(alice, questionnaire, item_key="d1", year=2026, kind="national")
    return questionnaire


def test_the_worked_example(worked, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        results = questionnaire_results(worked, year=2026)
    assert results.responses == 7
    assert results.shown
    assert results.reference_year == 2025
    rows = {r.key: r for r in results.items}
    q1, q6 = rows["d1"], rows["d6"]
    assert (q1.total.n, q1.total.scored, q1.total.positive) == (7, 6, 3)
    assert q1.total.share_positive == Decimal("50.0")
    assert q1.total.shown_mean == Decimal("3.33")
    assert (q6.total.n, q6.total.scored, q6.total.positive) == (7, 6, 5)
    assert q6.total.share_positive == Decimal("83.3")
    assert q6.total.shown_mean == Decimal("4.00")
    assert q1.total.distribution == {"5": 2, "4": 1, "3": 1, "2": 1, "1": 1, "vet_ej": 1}
    # Side by side with the national value and the association's own previous year.
    assert q1.reference.share_positive == Decimal("71.0")
    assert q1.difference == Decimal("-21.0")
    assert q6.difference == Decimal("3.3")
    assert q6.previous.share_positive == Decimal("80.0")
    assert q1.previous is None
    # Unanswered questions are listed, with nothing to show; the gender question is not a row.
    assert rows["d2"].total.n == 0 and rows["d2"].total.share_positive is None
    assert "kon" not in rows
    goals = [(g.goal.item_key, g.goal.kind, g.outcome, g.target, g.met) for g in results.goals]
    assert sorted(goals) == [
        ("d1", "national", Decimal("50.0"), Decimal("71.0"), False),
        ("d6", "national", Decimal("83.3"), Decimal("80.0"), True),
        ("d6", "share", Decimal("83.3"), Decimal("95.0"), False),
    ]


def test_distribution_rows_share_of_all_answers(worked):
    q1 = next(r for r in questionnaire_results(worked, year=2026).items if r.key == "d1")
    rows = q1.distribution_rows()
    assert rows[0] == ("Instämmer inte alls", 1, Decimal("14.3"))
    assert rows[-1] == ("Vet ej", 1, Decimal("14.3"))
    assert sum(count for _label, count, _share in rows) == 7


def test_published_distribution_rows_suppress_small_counts(worked):
    """Question 6 published: 3 "agree", 2 "fully agree", 1 "disagree", 1 "don't know" of 7 are
    each "<5" with no share; zeros stay 0. A table whose total would have to be hidden is not
    published at all."""
    rows = {r.key: r for r in questionnaire_results(worked, year=2026, publish=True).items}
    assert [count for _label, count, _share in rows["d6"].distribution_rows()] == [
        0, "<5", 0, "<5", "<5", "<5",
    ]  # fmt: skip
    assert {share for _label, count, share in rows["d6"].distribution_rows() if count} == {None}
    four_and_four = rows["d6"]
    four_and_four.options = four_and_four.options[:2]
    four_and_four.total.distribution = {
        four_and_four.options[0][0]: 4,
        four_and_four.options[1][0]: 4,
    }
    assert four_and_four.distribution_rows() == []


def test_nothing_is_shown_below_five_answers(world, loaded, exit_round):
    answer(exit_round, ROWS_2026[:4], date(2026, 3, 10))
    results = questionnaire_results(loaded["deltagare-avslut"], year=2026)
    assert results.responses == 4
    assert not results.shown
    assert all(r.total.share_positive is None and r.total.shown_mean is None for r in results.items)
    answer(exit_round, ROWS_2026[4:5], date(2026, 3, 10))
    assert questionnaire_results(loaded["deltagare-avslut"], year=2026).shown


def test_split_by_gender_hides_small_groups(worked):
    results = questionnaire_results(worked, year=2026, split="gender")
    assert [label for _key, label in results.groups] == ["Kvinna", "Man"]
    q6 = next(r for r in results.items if r.key == "d6")
    women, men = q6.groups["kvinna"], q6.groups["man"]
    assert (women.n, men.n) == (3, 4)
    assert women.share_positive is None and men.share_positive is None


def test_split_by_period_and_filter_on_period(worked, exit_round):
    answer(exit_round, ROWS_2026[:5], date(2026, 9, 2))
    results = questionnaire_results(worked, year=2026, split="period")
    q6 = next(r for r in results.items if r.key == "d6")
    assert {k: f.n for k, f in q6.groups.items()} == {1: 7, 3: 5}
    assert q6.groups[1].share_positive == Decimal("83.3")
    assert q6.groups[3].share_positive == Decimal("100.0")
    assert [label for _key, label in results.groups] == ["januari–april", "september–december"]
    only_autumn = questionnaire_results(worked, year=2026, period=3)
    assert only_autumn.responses == 5


def test_complementary_hiding_in_a_split():
    small, middle, large = Figures(n=3), Figures(n=6), Figures(n=9)
    _complement([small, middle, large])
    assert not small.shown and not middle.shown and large.shown
    two_small = [Figures(n=2), Figures(n=3), Figures(n=9)]
    _complement(two_small)
    assert two_small[2].shown
    # 4 + 4 beside a total of 17 can only be 4 and 4: the 9 is hidden too.
    two_fours = [Figures(n=4), Figures(n=4), Figures(n=9)]
    _complement(two_fours)
    assert not any(f.shown for f in two_fours)
    # Empty groups stay empty, and nothing is hidden where nothing is small.
    empty = [Figures(n=0), Figures(n=6), Figures(n=7)]
    _complement(empty)
    assert [f.hidden for f in empty] == [False, False, False]


def test_share_rounds_half_up():
    assert share(1, 8) == Decimal("12.5")
    assert share(2, 3) == Decimal("66.7")
    assert share(0, 0) is None


def test_suppression_worked_example_of_calculations_section_6():
    # Women 3, men 12, total 15 → women "<5", men "–", total 15.
    assert suppress([3, 12]) == ["<5", "–"]
    assert suppress_total([3, 12]) == "15"
    assert suppress([0, 7, 2, 9]) == ["0", "–", "<5", "9"]
    assert suppress([5, 0]) == ["5", "0"]
    # Two "<5" adding up to 8 would both be 4: a third cell is hidden too.
    assert suppress([4, 4, 10]) == ["<5", "<5", "–"]
    # Nothing left to hide but the total: 4 + 4 under a total of 8 would tell.
    assert suppress([4, 4]) == ["<5", "<5"]
    assert suppress_total([4, 4]) == "–"
    assert suppress_total([3, 0]) == "<5"


def _offered_package(world, intervention, period: str, exits: tuple, offered: tuple) -> None:
    """A received package whose exits (women, men) were offered the survey as given."""
    from stegvis.aggregates.tests.test_figures import _receive, _tables

    tables = _tables(exits, (0, 0), {"annat": exits}, (90, 90))
    tables["survey_at_exit"] = {
        "offered": {"kvinna": offered[0], "man": offered[1], "annat": 0},
        "not_offered": {"kvinna": exits[0] - offered[0], "man": exits[1] - offered[1], "annat": 0},
    }
    _receive(world, intervention, world.a, period, tables)


def test_response_rate_counts_exits_offered_the_survey(world, worked, steg):
    """The base of the response rate is the exits offered the survey in the association's
    packages of the year (Q1 4 + 2, Q2 2 + 2 = 10; 7 responses → 70 %), never the provider's
    rows: an enrolment marked offered but in no package counts nowhere, nor does 2025."""
    _offered_package(world, steg, "2026Q1", (6, 5), (4, 2))
    _offered_package(world, steg, "2026Q2", (2, 2), (2, 2))
    _offered_package(world, steg, "2025Q4", (5, 5), (5, 5))
    enrolment(steg, exit_date=date(2026, 2, 1), offered=True)
    results = questionnaire_results(worked, year=2026)
    assert results.offered == 10
    assert results.response_rate == Decimal("70.0")
    # Fewer than 5 offered in one intervention: the count is a small cell, no rate is shown.
    from stegvis.interventions.tests.factories import InterventionFactory

    other = InterventionFactory(
        code="annan", provider=steg.provider, lead_association=steg.lead_association
    )
    _offered_package(world, other, "2026Q1", (3, 0), (3, 0))
    small = questionnaire_results(worked, year=2026, intervention=other)
    assert (small.offered, small.response_rate) == (3, None)
    assert questionnaire_results(worked, year=2026, intervention=steg).offered == 10


def test_violence_tallies_are_suppressed(world, violence_round, steg):
    for value in ["ja", "ja", "nej", "nej", "nej", "nej", "nej", "nej"]:
        services.submit_response(
            violence_round,
            {"v1": value},
            intervention=None,
            language="sv",
            today=date(2026, 4, 1),
        )
    from stegvis.surveys.models import ViolenceTally

    rows = violence_tallies(ViolenceTally.objects.filter(year=2026))
    assert [r.label for r in rows] == ["1", "2"]
    v1, v2 = rows
    assert v1.total == 8 and v2.total == 8
    # ja 2 → <5, nej 6 → complement "–", vill ej 0, no answer 0.
    assert [cell for _label, cell in v1.cells] == ["<5", "–", "0", "0"]
    assert [cell for _label, cell in v2.cells] == ["0", "0", "0", "8"]


def test_screening_coverage_worked_example(world, steg):
    """4 exits in 2026 (a misregistration left out, one still enrolled): 2 asked, 1 could not
    be asked, 1 not registered → 2/4 = 50.0 %, goal of 100 % not met."""
    bob = actor_of(world, "bob")
    exits = [enrolment(steg, exit_date=date(2026, 5, 1)) for _ in range(4)]
    enrolment(steg, exit_date=date(2026, 5, 1), reason="felregistrering")
    enrolment(steg)
    enrolment(steg, start=date(2025, 1, 10), exit_date=date(2025, 5, 1))
    day = date(2026, 6, 1)
    services.record_screening(bob, exits[0], outcome="asked", on=date(2026, 2, 1), today=day)
    services.record_screening(bob, exits[1], outcome="asked", on=date(2026, 2, 1), today=day)
    services.record_screening(
        bob,
        exits[2],
        outcome="not_possible",
        reason="Tolk saknades",
        on=date(2026, 2, 1),
        today=day,
    )
    from stegvis.participants.models import Enrolment

    [row] = screening_coverage(Enrolment.objects.visible_to(bob), year=2026)
    assert (row.exits, row.asked, row.not_possible, row.not_asked) == (4, 2, 1, 1)
    assert row.share_asked == Decimal("50.0")
    assert row.goal_met is False


def test_goal_without_reference_cannot_be_evaluated(world, loaded, exit_round):
    answer(exit_round, ROWS_2026, date(2026, 3, 10))
    services.add_goal(
        actor_of(world, "alice"),
        loaded["deltagare-avslut"],
        item_key="d2",
        year=2026,
        kind=SurveyGoal.Kind.NATIONAL,
    )
    [goal] = questionnaire_results(loaded["deltagare-avslut"], year=2026).goals
    assert goal.met is None


def test_the_chart_is_an_svg_image_with_the_question_labels():
    import base64

    from stegvis.surveys.charts import share_chart

    uri = share_chart(["1", "6"], [("Förbundet", [Decimal("50.0"), Decimal("83.3")])])
    assert uri is not None and uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "Förbundet" in svg
    assert share_chart([], []) is None
    assert share_chart(["1"], [("Förbundet", [None])]) is None
