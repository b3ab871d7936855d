"""The generator and the benchmark's bare SQL, on a tiny scale: the bulk-inserted packages hold
what the provider's own computation gives, the bare SQL gives the application's numbers, and the
same seed gives the same data. (Timings are never asserted: the benchmark is not a test.)"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal
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
from stegvis.core.models import Association
from stegvis.deviations.compilation import compile_reports
from stegvis.deviations.models import DeviationReport
from stegvis.finance.figures import deviation_report
from stegvis.finance.models import BudgetLine, Outcome
from stegvis.participants.models import Enrolment, Participant, Pause
from stegvis.reports.association import survey_section
from stegvis.reports.periods import date_range
from stegvis.surveys.models import Answer as SurveyAnswer
from stegvis.surveys.models import SurveyResponse

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
    return [*people, *stays, *_association_side()]


def _association_side() -> list[tuple[object, ...]]:
    """Survey responses and answers, budget lines, outcomes and Lex Heller reports, by content
    (their random primary keys aside)."""
    responses = sorted(
        (
            r.association.slug,
            r.round.title,
            str(r.answered_on),
            r.gender,
            r.language,
            r.intervention.code if r.intervention else "",
            tuple(sorted((a.item.key, a.value, str(a.score), a.positive) for a in r.answers.all())),
        )
        for r in SurveyResponse.objects.select_related("association", "round", "intervention")
    )
    lines = sorted(
        (b.association.slug, b.budget.year, b.budget.revision, b.post.code, b.amount)
        for b in BudgetLine.objects.select_related("association", "budget", "post")
    )
    outcomes = sorted(
        (o.association.slug, o.post.code, o.year, o.month, o.months, o.amount, o.source)
        for o in Outcome.objects.select_related("association", "post")
    )
    reports = sorted(
        (
            r.association.slug,
            r.number,
            str(r.received_on),
            str(r.event_date),
            r.state,
            r.category.name,
            r.what_happened,
            str(r.decided_on),
            r.reported_by.email,
            r.merged_into.number if r.merged_into else 0,
            tuple(sorted(o.name for o in r.organisations.all())),
            tuple(s.to_state for s in r.steps.all()),
        )
        for r in DeviationReport.objects.select_related(
            "association", "category", "reported_by", "merged_into"
        )
    )
    return [*responses, *lines, *outcomes, *reports]


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
        "progression_figures",
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


def test_surveys_finance_and_reports_in_the_benchmarks_year(tiny):
    """Every association has what the annual report's survey, finance and Lex Heller figures
    read, in the benchmark's year, and the rows are valid as the services would write them."""
    associations = Association.objects.filter(slug__startswith="bench-").order_by("slug")
    assert associations.count() == 2
    for association in associations:
        responses = SurveyResponse.objects.filter(
            association=association, answered_on__year=LAST_YEAR
        )
        assert 100 <= responses.count() <= 500
        answers = SurveyAnswer.objects.filter(response__in=responses).select_related("item")
        assert answers.count() > responses.count()
        for answer in answers:
            option = answer.item.option(answer.value)
            assert option is not None, answer.value
            score = option.get("score")
            assert answer.score == (None if score is None else Decimal(score))
            expected = None if score is None else answer.value in answer.item.positive
            assert answer.positive is expected
        year = date_range(date(LAST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))
        assert survey_section(association, year).tables  # shown against the reference

        assert BudgetLine.objects.filter(association=association, budget__year=LAST_YEAR)
        assert Outcome.objects.filter(association=association, year=LAST_YEAR)
        report = deviation_report(association, LAST_YEAR)
        assert report.blocks and report.months == 12
        assert (report.income.outcome or 0) > 0 and (report.costs.outcome or 0) > 0

        reports = DeviationReport.objects.filter(
            association=association, received_on__year=LAST_YEAR
        )
        assert 5 <= reports.count() <= 50
        compiled = compile_reports(association, date(LAST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))
        assert compiled.total == reports.count()
        assert all(r.steps.exists() and r.organisations.exists() for r in reports)


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
    # The generator's own reports come first (numbers are unique per association).
    known = DeviationReport.objects.filter(association=association)
    in_2025 = known.filter(received_on__year=2025).count()
    for number, (day, category, decided) in enumerate(
        [
            (date(2025, 1, 10), kontakt, date(2025, 1, 20)),
            (date(2025, 1, 25), regler, date(2025, 2, 24)),
            (date(2025, 2, 3), kontakt, date(2025, 2, 7)),
            (date(2025, 3, 1), kontakt, None),
            (date(2025, 11, 30), regler, date(2025, 12, 3)),
            (date(2024, 12, 30), regler, date(2025, 1, 2)),  # the year before: not counted
        ],
        start=known.count() + 1,
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
    assert app["lex_heller/lex_heller_handling"]["0"] == (in_2025 + 5,)
    assert _normal(app) == _normal(op.bare())


def test_a_package_cell_that_differs_is_caught(tiny):
    """The packages comparison covers every table: one changed cell in any of them differs."""
    # The generator makes no pauses: some, clipped by the period and by the enrolment.
    days = [date(2024, 12, 20), date(2025, 3, 1), date(2025, 6, 10), date(2025, 12, 20)]
    enrolments = Enrolment.objects.filter(
        start__lte=date(2025, 12, 31), intervention__code__startswith="steg"
    ).exclude(exit_date__lt=date(2025, 1, 1))
    for n, enrolment in enumerate(enrolments.order_by("pk")[:12]):
        start = max(enrolment.start, days[n % 4])
        end = None if n % 3 == 0 else start + timedelta(days=10 + 40 * (n % 4))
        Pause.objects.create(
            provider_id=enrolment.provider_id, enrolment=enrolment, start=start, end=end
        )
    op = next(o for o in operations(2025, [2025], import_rows=5) if o.key == "packages_year")
    app = _normal(in_rollback(op.app)())
    bare = in_rollback(op.bare)()
    assert _normal(bare) == app
    # The tiny data reaches every table but follow_up_12 (no 12-month follow-up done in 2025).
    reached = {
        table
        for tables in bare.values()
        for table, rows in tables.items()
        for counts in rows.values()
        if any(counts.values())
    }
    assert set(package.TABLES) - reached <= {"follow_up_12"}, reached
    some = next(iter(bare))
    for table in package.TABLES:
        changed = copy.deepcopy(bare)
        rows = changed[some][table] or {"+1": dict.fromkeys(package.GENDERS, 0)}
        row = next(iter(rows))
        rows[row][package.GENDERS[0]] += 1
        changed[some][table] = rows
        assert _normal(changed) != app, table


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
    # The generator's own surveys and finance give way to the cases below (they are compared
    # with the rest of its data in test_bare_sql_gives_the_applications_numbers).
    for model in (
        Answer,
        SurveyResponse,
        SurveyRound,
        ReferenceValue,
        Item,
        QuestionnaireVersion,
        Questionnaire,
        BudgetLine,
        Outcome,
        Budget,
        EquityYear,
        CeilingTier,
        BudgetPost,
    ):
        model.objects.filter(association=association).delete()
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


def test_bare_sql_covers_the_operating_plans_goals(tiny):
    """Every association has a decided operating plan for the year whose goals the annual
    report follows up, and the bare side gives each goal's target, figures and verdict: a goal
    the bare side would score differently is caught, and a measure it has no bare SQL for
    stops the benchmark rather than go unchecked."""
    from stegvis.plans.models import Plan, PlanGoal

    association = Association.objects.get(slug="bench-01")
    plan = Plan.objects.get(association=association, year=LAST_YEAR)
    assert plan.status == Plan.Status.DECIDED and plan.decided_on is not None
    op = next(o for o in operations(2025, [2025], import_rows=5) if o.key == "annual_report")
    app, bare = op.app(), op.bare()
    rows = app["goals/plan_goals"]
    assert len(rows) == PlanGoal.objects.filter(area__plan=plan).count() == 8
    verdicts = [values[-1] for values in rows.values()]
    assert verdicts.count("Uppfyllt") + verdicts.count("Inte uppfyllt") >= 6
    assert _normal(app) == _normal(bare)
    goal = PlanGoal.objects.get(area__plan=plan, measure="structural_activities")
    PlanGoal.objects.filter(pk=goal.pk).update(target=(goal.target or 0) + 1000)
    assert _normal(op.app()) != _normal(bare)
    assert _normal(op.app()) == _normal(op.bare())
    PlanGoal.objects.filter(pk=goal.pk).update(measure="participants_per_coach")
    with pytest.raises(NotImplementedError, match="participants_per_coach"):
        op.bare()


def test_bare_sql_covers_the_progression_figures(tiny):
    """The generator answers only the ladder: here some of the list intervention's enrolments
    also answer the profile (the participant's own items and the coach's), on two or three
    occasions, some on the same day, and one after exit (a follow-up, left out). The bare
    figures equal the application's, and a changed count is caught."""
    import random

    from stegvis.bench.operations import list_intervention, progression_instruments
    from stegvis.progression.models import Measurement
    from stegvis.progression.tests.factories import answer

    intervention = list_intervention()
    profile, ladder = progression_instruments(intervention)
    assert profile is not None and ladder is not None
    items = list(profile.latest_version().items.all())
    rng = random.Random(5)
    enrolments = Enrolment.objects.filter(intervention=intervention).order_by("pk")[:40]
    coach = Measurement.objects.filter(provider_id=intervention.provider_id).first()
    assert coach is not None
    for n, enrolment in enumerate(enrolments):
        days = [
            date(2025, 1, 10),
            date(2025, 1, 10) + timedelta(days=40 * (n % 3)),
            date(2025, 9, 1),
        ]
        # Every seventh has a follow-up after exit, with the best score of each item after
        # two answers with the worst: counted, it would be a rise.
        after = n % 7 == 0
        for k, day in enumerate(days[: 3 if after else 2 + n % 2]):
            occasion = "follow_up" if after and k == 2 else "periodic"
            measurement = Measurement.objects.create(
                provider_id=enrolment.provider_id,
                enrolment=enrolment,
                date=day,
                occasion=occasion,
                created_by_id=coach.created_by_id,
            )
            for item in items:
                values = item.allowed_values()
                if after:
                    pick = max if k == 2 else min
                    answer(measurement, item, pick(values, key=item.score))
                elif rng.random() < 0.8:
                    answer(measurement, item, rng.choice(values))
    op = next(o for o in operations(2025, [2025], import_rows=5) if o.key == "progression_figures")
    app = op.app()
    assert app["profile"][0]["total"] > 10 and app["profile"][1]["total"] > 0
    assert any(n["total"] for _mean, n in app["items"].values())
    assert app["ladder"][0]["total"] > 0
    bare = op.bare()
    assert _normal(app) == _normal(bare)
    bare["profile"][1]["women"] += 1
    assert _normal(app) != _normal(bare)
