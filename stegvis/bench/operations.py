"""The operations of scale.md, each as the application does it and as hand-written bare SQL.

Each :class:`Operation` has ``app()`` and ``bare()``, both returning the same comparable figures;
the benchmark checks that they are equal before it times anything. The bare SQL is written once,
by hand, for the figures it names (table names from the models' ``db_table``).

When the reports app lands, swap :func:`annual_report` for its annual-report function: the
comparison only needs its figures in the shape of :func:`_app_figures`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from calendar import monthrange
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext as _

from stegvis.aggregates import national, package, services
from stegvis.aggregates.models import (
    EnrolmentResidence,
    PackageCell,
    PackageDispatch,
    ReceivedPackage,
)
from stegvis.aggregates.periods import parse
from stegvis.core.codes import AGE_BANDS, EXIT_REPORT_GROUP, IncomeSource, Occupation, ReportGroup
from stegvis.core.models import Association, Member, Organisation, Role, RoleAssignment, Unit
from stegvis.deviations.models import DeviationCategory, DeviationReport
from stegvis.finance.models import (
    COST_CATEGORIES,
    INCOME_CATEGORIES,
    Budget,
    BudgetLine,
    BudgetPost,
    CeilingTier,
    ContributionKey,
    EquityYear,
    Outcome,
)
from stegvis.interventions.models import (
    Attendance,
    Funding,
    Goal,
    Intervention,
    StructuralActivity,
)
from stegvis.participants import imports
from stegvis.participants.models import Enrolment, FollowUp, Participant, Pause
from stegvis.plans.models import FocusArea, Plan, PlanGoal
from stegvis.progression.models import (
    Answer,
    Instrument,
    InstrumentVersion,
    Item,
    Measurement,
    MeasurementPlan,
)
from stegvis.reports.base import Report
from stegvis.reports.kinds import KINDS
from stegvis.reports.models import SocioEconomicModel
from stegvis.reports.periods import date_range
from stegvis.surveys.models import Answer as SurveyAnswer
from stegvis.surveys.models import Item as SurveyItem
from stegvis.surveys.models import (
    Questionnaire,
    QuestionnaireVersion,
    ReferenceValue,
    SurveyResponse,
)

from .crawl import client_for
from .generator import quarters

CELL = PackageCell._meta.db_table
PACKAGE = ReceivedPackage._meta.db_table
ENROLMENT = Enrolment._meta.db_table
PARTICIPANT = Participant._meta.db_table
FUNDING = Funding._meta.db_table
INTERVENTION = Intervention._meta.db_table
ACTIVITY = StructuralActivity._meta.db_table
ATTENDANCE = Attendance._meta.db_table
GOAL = Goal._meta.db_table
MEMBER = Member._meta.db_table
ORGANISATION = Organisation._meta.db_table
DEVIATION = DeviationReport._meta.db_table
DEVIATION_CATEGORY = DeviationCategory._meta.db_table
SOCIO_MODEL = SocioEconomicModel._meta.db_table
PLAN = Plan._meta.db_table
SURVEY_RESPONSE = SurveyResponse._meta.db_table
BUDGET = Budget._meta.db_table
OUTCOME = Outcome._meta.db_table
BUDGET_LINE = BudgetLine._meta.db_table
BUDGET_POST = BudgetPost._meta.db_table
EQUITY_YEAR = EquityYear._meta.db_table
CONTRIBUTION_KEY = ContributionKey._meta.db_table
CEILING_TIER = CeilingTier._meta.db_table
QUESTIONNAIRE = Questionnaire._meta.db_table
Q_VERSION = QuestionnaireVersion._meta.db_table
SURVEY_ITEM = SurveyItem._meta.db_table
SURVEY_ANSWER = SurveyAnswer._meta.db_table
REFERENCE = ReferenceValue._meta.db_table


def sql(query: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


@dataclass
class Operation:
    key: str
    title: str
    app: Callable[[], Any]
    bare: Callable[[], Any]
    bare_note: str
    # Run before each timed call (outside the timing), e.g. to undo the last one.
    setup: Callable[[], None] | None = None
    repeats: int | None = None


# --- 1. The annual report of one association -----------------------------------------------


def annual_report(association: Association, year: int) -> Report:
    """The application's annual report of the year (the reports app's ``annual`` kind, exact
    figures): every section's tables, built as the page, the PDF and the XLSX get them, without
    rendering (no HTML, no PDF, no charts)."""
    return KINDS["annual"].build(association, date_range(date(year, 1, 1), date(year, 12, 31)))


# Tables whose row labels are fixed text (compared by position, not by label).
_POSITIONAL = {
    "exit_groups_gender",
    "intervention_goals",
    "key_figures",
    "effect",
    "lex_heller_handling",
    "budget",
    "cost_distribution",
    "equity",
}
_TOTAL = "Σ"


def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    return f"{Decimal(str(value)):.2f}"


def _app_figures(association: Association, year: int) -> dict[str, Any]:
    """Every table of the report as {section/table: {row: values}}, and how many coverage
    notes (straddling or missing packages) the individual section carries."""
    report = annual_report(association, year)
    result: dict[str, Any] = {}
    for section in report.sections:
        for table in section.tables:
            rows = {}
            for i, (label, values) in enumerate(table.rows):
                if table.has_totals and i == len(table.rows) - 1:
                    label = _TOTAL
                elif table.key in _POSITIONAL or table.key.startswith("survey_"):
                    label = str(i)
                rows[label] = tuple(_norm(v) for v in values)
            result[f"{section.key}/{table.key}"] = rows
        if section.key == "individual":
            result["individual/notes"] = len(section.notes)
    return result


def _counts_rows(rows: list[tuple[str, list[int]]]) -> dict[str, tuple[Any, ...]]:
    """A table of counts with its total column and total row, as ``counts_table`` has it."""
    out = {label: (*values, sum(values)) for label, values in rows}
    width = len(rows[0][1]) if rows else 0
    sums = [sum(values[i] for _label, values in rows) for i in range(width)]
    out[_TOTAL] = (*sums, sum(sums))
    return out


def _bare_share(part: int, whole: int) -> Any:
    if not whole:
        return None
    return _norm(
        (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    )


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


BARE_INTERVENTIONS = f"""
SELECT i.id, i.name, i.places FROM {INTERVENTION} i
WHERE i.id IN (SELECT p.intervention_id FROM {PACKAGE} p WHERE p.association_id = %s
  AND p.replaced_by_id IS NULL AND p.period_start >= %s AND p.period_end <= %s)
"""
BARE_CELL_SUMS = f"""
SELECT p.intervention_id, c."table", c."row", c.gender, SUM(c.count)
FROM {CELL} c JOIN {PACKAGE} p ON p.id = c.package_id
WHERE c.association_id = %s AND p.association_id = %s AND p.replaced_by_id IS NULL
  AND p.period_start >= %s AND p.period_end <= %s
GROUP BY p.intervention_id, c."table", c."row", c.gender
"""
BARE_FIRST_AT_START = f"""
SELECT p.intervention_id, c.gender, SUM(c.count)
FROM {CELL} c JOIN {PACKAGE} p ON p.id = c.package_id
WHERE c.association_id = %s AND p.association_id = %s AND p.replaced_by_id IS NULL
  AND p.period_start >= %s AND p.period_end <= %s
  AND c."table" = 'participants' AND c."row" = 'enrolled_at_start'
  AND p.period_start = (
    SELECT MIN(q.period_start) FROM {PACKAGE} q
    WHERE q.association_id = p.association_id AND q.intervention_id = p.intervention_id
      AND q.sender_id = p.sender_id AND q.replaced_by_id IS NULL
      AND q.period_start >= %s AND q.period_end <= %s)
GROUP BY p.intervention_id, c.gender
"""
BARE_GOALS = f"""
SELECT intervention_id, measure, report_groups, target FROM {GOAL}
WHERE intervention_id IN (SELECT p.intervention_id FROM {PACKAGE} p WHERE p.association_id = %s
  AND p.replaced_by_id IS NULL AND p.period_start >= %s AND p.period_end <= %s)
  AND period_start <= %s AND period_end >= %s
ORDER BY period_start, text
"""
BARE_SPANS = f"""
SELECT p.intervention_id, p.period_start, p.period_end, i.name, p.period,
       p.period_start >= %s AND p.period_end <= %s
FROM {PACKAGE} p JOIN {INTERVENTION} i ON i.id = p.intervention_id
WHERE p.association_id = %s AND p.replaced_by_id IS NULL
  AND p.period_start <= %s AND p.period_end >= %s
"""
BARE_FUNDED = f"""
SELECT i.id, i.kind, i.start, i.ended FROM {INTERVENTION} i
WHERE i.id IN (SELECT f.intervention_id FROM {FUNDING} f WHERE f.association_id = %s)
"""
BARE_MEMBERS = f"""
SELECT o.name, o.kind FROM {MEMBER} m JOIN {ORGANISATION} o ON o.id = m.organisation_id
WHERE m.association_id = %s AND m.joined <= %s AND (m."left" IS NULL OR m."left" >= %s)
"""
BARE_ACTIVITIES = f"""
SELECT i.name, COUNT(a.id), SUM(a.hours) FROM {ACTIVITY} a
JOIN {INTERVENTION} i ON i.id = a.intervention_id
WHERE i.kind = 'structural' AND a.date BETWEEN %s AND %s
  AND i.id IN (SELECT f.intervention_id FROM {FUNDING} f WHERE f.association_id = %s)
GROUP BY i.name
"""
BARE_ATTENDANCE = f"""
SELECT i.name, o.name, SUM(t.women), SUM(t.men), SUM(t.other) FROM {ATTENDANCE} t
JOIN {ACTIVITY} a ON a.id = t.activity_id JOIN {INTERVENTION} i ON i.id = a.intervention_id
JOIN {ORGANISATION} o ON o.id = t.organisation_id
WHERE i.kind = 'structural' AND a.date BETWEEN %s AND %s
  AND i.id IN (SELECT f.intervention_id FROM {FUNDING} f WHERE f.association_id = %s)
GROUP BY i.name, o.name
"""
BARE_LEX = f"""
SELECT c.name, c.position, c.active, r.received_on, r.days_to_decision
FROM {DEVIATION_CATEGORY} c LEFT JOIN {DEVIATION} r ON r.category_id = c.id
  AND r.received_on BETWEEN %s AND %s AND r.association_id = c.association_id
WHERE c.association_id = %s
"""
BARE_MODEL = f"""
SELECT support, administration, tax, horizon_months FROM {SOCIO_MODEL}
WHERE association_id = %s
"""
# Plan goals: their bare SQL is not written yet (the benchmark data has no operating plan), and
# the bare side refuses data it cannot reproduce rather than compare blindly.
OPERATING_PLAN = Plan._meta.db_table
BARE_PLAN_GOALS = f"""
SELECT g.text, g.measure, g.target, g.intervention_id, g.by_gender FROM {PlanGoal._meta.db_table} g
JOIN {FocusArea._meta.db_table} f ON f.id = g.area_id
WHERE f.plan_id = (
  SELECT p.id FROM {OPERATING_PLAN} p WHERE p.association_id = %s AND p.year = %s
  ORDER BY CASE WHEN p.status = 'decided' THEN 0 ELSE 1 END, p.version DESC LIMIT 1)
"""
# The plan measures whose bare figures are written (the generator's plans use only these).
BARE_PLAN_MEASURES = {
    "",
    "exits_work_studies",
    "positive_step",
    "screening_coverage",
    "occupancy",
    "structural_activities",
    "cost_share_interventions",
    "equity_of_ceiling",
}
BARE_QUESTIONNAIRES = f"""
SELECT q.id, q.key, q.respondent_group,
  (SELECT COUNT(*) FROM {SURVEY_RESPONSE} r JOIN {Q_VERSION} v ON v.id = r.version_id
   WHERE v.questionnaire_id = q.id AND r.association_id = q.association_id
     AND r.answered_on BETWEEN %s AND %s)
FROM {QUESTIONNAIRE} q WHERE q.association_id = %s ORDER BY q.title
"""
BARE_ANSWERS = f"""
SELECT v.questionnaire_id, i.key, COUNT(a.id), COUNT(a.score),
       SUM(CASE WHEN a.positive THEN 1 ELSE 0 END)
FROM {SURVEY_ANSWER} a JOIN {SURVEY_RESPONSE} r ON r.id = a.response_id
JOIN {Q_VERSION} v ON v.id = r.version_id JOIN {SURVEY_ITEM} i ON i.id = a.item_id
WHERE r.association_id = %s AND r.answered_on BETWEEN %s AND %s
GROUP BY v.questionnaire_id, i.key
"""
BARE_ITEMS = f"""
SELECT v.questionnaire_id, v.number, i.key, i.number, i.position, i.placeholder, i.is_gender
FROM {SURVEY_ITEM} i JOIN {Q_VERSION} v ON v.id = i.version_id
JOIN {QUESTIONNAIRE} q ON q.id = v.questionnaire_id WHERE q.association_id = %s
"""
BARE_REFERENCES = f"""
SELECT year, respondent_group, number, share_positive FROM {REFERENCE}
WHERE association_id = %s AND year <= %s
"""
BARE_BUDGET_POSTS = f"""
WITH b AS (SELECT id FROM {BUDGET} WHERE association_id = %s AND year = %s
           ORDER BY decided_on IS NULL, revision DESC LIMIT 1),
     booked AS (SELECT post_id, SUM(amount) AS amount, MAX(month) AS month FROM {OUTCOME}
                WHERE association_id = %s AND year = %s GROUP BY post_id)
SELECT p.category,
  (SELECT l.amount FROM {BUDGET_LINE} l WHERE l.budget_id = (SELECT id FROM b)
     AND l.post_id = p.id LIMIT 1),
  booked.amount,
  (SELECT COUNT(*) FROM b),
  (SELECT MAX(month) FROM booked)
FROM {BUDGET_POST} p LEFT JOIN booked ON booked.post_id = p.id WHERE p.association_id = %s
"""
BARE_BUDGET_EXISTS = f"""
SELECT COUNT(*) FROM {BUDGET} WHERE association_id = %s AND year = %s
"""
BARE_EQUITY_INPUTS = f"""
SELECT (SELECT opening FROM {EQUITY_YEAR} WHERE association_id = %s AND year = %s),
       (SELECT COUNT(*) FROM {EQUITY_YEAR} WHERE association_id = %s AND year = %s),
       (SELECT COUNT(*) FROM {EQUITY_YEAR} WHERE association_id = %s AND year = %s),
       (SELECT total FROM {CONTRIBUTION_KEY} WHERE association_id = %s AND year = %s)
"""
BARE_CEILING = f"""
SELECT lower, upper, first_amount, first_percent, above_percent FROM {CEILING_TIER}
WHERE association_id = %s AND year = %s ORDER BY lower
"""


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _bare_surveys(a: int, year: int, first: date, last: date) -> dict[str, Any]:
    """Per questionnaire with answers in the year: per shown question the answers (``<5``
    under five), share positive (nothing under five answers or five responses), the latest
    national reference up to the year and the difference. Rows by position (see _POSITIONAL)."""
    answers: dict[Any, dict[str, tuple[int, int, int]]] = defaultdict(dict)
    for q, key, n, scored, positive in sql(BARE_ANSWERS, [a, first, last]):
        answers[q][key] = (int(n), int(scored), int(positive or 0))
    items: dict[Any, list[tuple[Any, ...]]] = defaultdict(list)
    for q, *item in sql(BARE_ITEMS, [a]):
        items[q].append(tuple(item))
    newest: dict[str, int] = {}
    references: dict[tuple[str, str, int], Any] = {}
    for ref_year, group, number, share_positive in sql(BARE_REFERENCES, [a, year]):
        if ref_year > newest.get(group, 0):
            newest[group] = ref_year
        references[group, number, ref_year] = share_positive
    result: dict[str, Any] = {}
    for q, q_key, group, responses in sql(BARE_QUESTIONNAIRES, [first, last, a]):
        if not responses:
            continue
        current = max((i[0] for i in items[q]), default=None)
        shown = sorted((i for i in items[q] if i[0] == current and not i[4]), key=lambda i: i[3])
        known = {i[1] for i in shown}
        older: dict[str, tuple[Any, ...]] = {}
        for i in items[q]:
            newer = i[1] not in older or i[0] > older[i[1]][0]
            if i[1] in answers[q] and i[1] not in known and newer:
                older[i[1]] = i
        rows: dict[str, tuple[Any, ...]] = {}
        for _v, key, number, _pos, _ph, gender in [*shown, *(older[k] for k in sorted(older))]:
            if gender:
                continue
            n, scored, positive = answers[q].get(key, (0, 0, 0))
            ours = (
                (Decimal(positive) * 100 / Decimal(scored)).quantize(
                    Decimal("0.1"), rounding=ROUND_HALF_UP
                )
                if n >= 5 and responses >= 5 and scored
                else None
            )
            reference = references.get((group, number, newest.get(group, 0)))
            reference = Decimal(str(reference)) if number and reference is not None else None
            difference = ours - reference if ours is not None and reference is not None else None
            rows[str(len(rows))] = (
                n if n >= 5 or n == 0 else "<5",
                _norm(ours) if ours is not None else None,
                _norm(reference) if reference is not None else None,
                _norm(difference) if difference is not None else None,
            )
        result[q_key] = rows
    return result


def _bare_budget(a: int, year: int) -> dict[str, Any] | None:
    """Per category: budget, budget to date, outcome to date, forecast (None when no post has
    a value); None when there is neither a budget nor any post with a value."""
    posts = sql(BARE_BUDGET_POSTS, [a, year, a, year, a])
    budgets = sql(BARE_BUDGET_EXISTS, [a, year])[0][0]
    months = int(next((r[4] for r in posts if r[4] is not None), 0) or 0)
    totals: dict[str, list[int | None]] = {}
    for category, amount, outcome, _b, _m in posts:
        if amount is None and outcome is None:
            continue
        to_date = _half_up(Decimal(amount * months) / 12) if amount is not None else None
        left = _half_up(Decimal(amount * (12 - months)) / 12) if amount is not None else 0
        forecast = int(outcome or 0) + left
        entry = totals.setdefault(category, [None, None, None, None])
        for i, value in enumerate((amount, to_date, outcome, forecast)):
            if value is not None:
                entry[i] = (entry[i] or 0) + int(value)
        # (forecast is never None, so every present category has a forecast.)
    if not budgets and not totals:
        return None
    return {"months": months, "totals": totals}


def _bare_result(totals: dict[str, list[int | None]], column: int) -> int | None:
    values = {c: t[column] for c, t in totals.items()}
    if not any(v is not None for v in values.values()):
        return None
    income = sum(values.get(c) or 0 for c in INCOME_CATEGORIES if c != "eget_kapital")
    return income - sum(values.get(c) or 0 for c in COST_CATEGORIES)


def _bare_forecast_closing(a: int, year: int) -> tuple[int | None, int | None, Any]:
    """(opening, forecast result, budget) of the year's equity: the entered opening, else the
    year before's forecast closing when that year has an entry."""
    budget = _bare_budget(a, year)
    totals = budget["totals"] if budget else {}
    opening, _entered, before, _key = sql(
        BARE_EQUITY_INPUTS, [a, year, a, year, a, year - 1, a, year]
    )[0]
    if opening is None and before:
        previous_opening, previous_result, _b = _bare_forecast_closing(a, year - 1)
        opening = (
            None
            if previous_opening is None or previous_result is None
            else previous_opening + previous_result
        )
    return opening, _bare_result(totals, 3), budget


def _bare_plan_goals(
    goals: list[tuple[Any, ...]],
    *,
    cells: Callable[[Any, str, str, str], int],
    places: dict[int, int | None],
    days: dict[int, int],
    activities: int,
    finance: dict[str, Any],
) -> dict[str, tuple[Any, ...]]:
    """The operating plan's goals (plans.followup, exact figures) from the sums the bare side
    has already made: package cells per intervention (``None``: the association), days
    covered, the structural activities, the cost distribution and equity. Per goal: target,
    women, men, total and the verdict of the total."""
    ladder = {"exits_work_studies": [("exit_groups", "arbete"), ("exit_groups", "studier")]}
    ladder["positive_step"] = [("progression", "positiv")]
    ladder["screening_coverage"] = [("violence_screening", "asked")]
    genders = {"women": ("kvinna",), "men": ("man",), "total": ("kvinna", "man", "annat")}
    rows: dict[str, tuple[Any, ...]] = {}
    for text, measure, target, intervention, by_gender in goals:
        if measure not in BARE_PLAN_MEASURES:
            raise NotImplementedError(f"bare SQL for the plan measure {measure} is not written")
        target = Decimal(str(target)) if target is not None else None
        groups = ("women", "men", "total") if by_gender else ("total",)
        values: dict[str, Decimal | None] = {}
        has_packages = intervention in days if intervention is not None else bool(days)
        if measure in ladder and has_packages:
            for group in groups:
                whole = sum(
                    cells(intervention, "participants", "exited", g) for g in genders[group]
                )
                part = sum(
                    cells(intervention, t, r, g) for t, r in ladder[measure] for g in genders[group]
                )
                values[group] = Decimal(_bare_share(part, whole)) if whole >= 5 else None
        elif measure == "occupancy" and has_packages:
            capacity = (places.get(intervention) or 0) * days.get(intervention, 0)
            used = sum(
                cells(intervention, "participants", "participant_days", g) for g in genders["total"]
            )
            share = _bare_share(used, capacity) if capacity else None
            if share is not None:
                values["total"] = Decimal(share)
        elif measure == "structural_activities":
            values["total"] = Decimal(activities)
        elif measure == "cost_share_interventions" and "finance/cost_distribution" in finance:
            shares = finance["finance/cost_distribution"]
            values["total"] = Decimal(shares["1"][1]) + Decimal(shares["2"][1])
        elif measure == "equity_of_ceiling":
            equity = finance.get("finance/equity", {})
            closing, ceiling = equity.get("2", (None,))[0], equity.get("3", (None,))[0]
            if closing is not None and ceiling:
                values["total"] = Decimal(_bare_share(closing, ceiling))
        at_most = measure == "equity_of_ceiling"
        total = values.get("total")
        if measure == "" or total is None or target is None:
            verdict = _("Inte mätbart ännu")
        else:
            met = total <= target if at_most else total >= target
            verdict = _("Uppfyllt") if met else _("Inte uppfyllt")
        shown = [_norm(values.get(g)) if values.get(g) is not None else None for g in groups]
        if not by_gender:
            shown = [None, None, *shown]
        rows[text] = (_norm(target) if target is not None else None, *shown, verdict)
    return rows


def _bare_finance(a: int, year: int) -> dict[str, Any]:
    opening, forecast_result, budget = _bare_forecast_closing(a, year)
    if budget is None:
        return {}
    totals = budget["totals"]
    result: dict[str, Any] = {}
    rows = []
    for category in [*INCOME_CATEGORIES, *COST_CATEGORIES]:
        if category in totals:
            rows.append(tuple(totals[category]))

    def summed(categories: Any) -> list[int | None]:
        chosen = [totals[c] for c in categories if c in totals]
        out = []
        for i in range(4):
            present = [t[i] for t in chosen if t[i] is not None]
            out.append(sum(present) if present else None)
        return out

    income, costs = summed(INCOME_CATEGORIES), summed(COST_CATEGORIES)
    rows += [tuple(income), tuple(costs)]
    rows.append(
        tuple(
            None if i is None and c is None else (i or 0) - (c or 0)
            for i, c in zip(income, costs, strict=True)
        )
    )
    result["finance/budget"] = {str(i): r for i, r in enumerate(rows)}
    # Cost distribution of the outcomes, in tenths of a per cent by largest remainder.
    spent = [max(0, int((totals.get(c) or [None, None, 0])[2] or 0)) for c in COST_CATEGORIES]
    whole = sum(spent)
    if whole:
        quotas = [Fraction(1000 * v, whole) for v in spent]
        tenths = [int(q) for q in quotas]
        order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - tenths[i]), i))
        for i in order[: 1000 - sum(tenths)]:
            tenths[i] += 1
        result["finance/cost_distribution"] = {
            str(i): (v, _norm(Decimal(t) / 10))
            for i, (v, t) in enumerate(zip(spent, tenths, strict=True))
        }
    _o, _e, _b, key_total = sql(BARE_EQUITY_INPUTS, [a, year, a, year, a, year - 1, a, year])[0]
    contributions = (
        int(key_total) if key_total is not None else (totals.get("medlemsbidrag") or [None])[0]
    )
    ceiling = None
    if contributions is not None:
        for lower, upper, first_amount, first_percent, above_percent in sql(
            BARE_CEILING, [a, year]
        ):
            if lower <= contributions and (upper is None or contributions <= upper):
                low = min(contributions, first_amount)
                above = max(0, contributions - first_amount)
                ceiling = _half_up(
                    Decimal(str(first_percent)) * low / 100
                    + Decimal(str(above_percent)) * above / 100
                )
                break
    closing = None if opening is None or forecast_result is None else opening + forecast_result
    result["finance/equity"] = {
        "0": (opening,),
        "1": (forecast_result,),
        "2": (closing,),
        "3": (ceiling,),
    }
    return result


def _bare_figures(association_id: int, year: int) -> dict[str, Any]:
    """The same tables from hand-written SQL (about 19 queries) and plain Python arithmetic."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    a = association_id
    result: dict[str, Any] = {}
    # Members.
    kinds = dict(Organisation._meta.get_field("kind").choices or [])
    members = {name: (str(kinds[kind]),) for name, kind in sql(BARE_MEMBERS, [a, last, first])}
    if members:
        result["mission/members"] = members
    # Participant sums per intervention and in total.
    interventions = {
        pk: (name, places) for pk, name, places in sql(BARE_INTERVENTIONS, [a, first, last])
    }
    cells: dict[Any, dict[tuple[str, str, str], int]] = defaultdict(lambda: defaultdict(int))
    for pk, table, row, gender, n in sql(BARE_CELL_SUMS, [a, a, first, last]):
        cells[pk][table, row, gender] += int(n)
        cells[None][table, row, gender] += int(n)
    people: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for pk, gender, n in sql(BARE_FIRST_AT_START, [a, a, first, last, first, last]):
        people[pk][gender] += int(n)
        people[None][gender] += int(n)
    genders_all = ("kvinna", "man", "annat")
    for pk in [*interventions, None]:
        for g in genders_all:
            people[pk][g] += cells[pk]["participants", "new", g]
    other = people[None]["annat"] or any(
        n for (_t, _r, g), n in cells[None].items() if g == "annat"
    )
    genders = ["kvinna", "man", *(["annat"] if other else [])]
    order = sorted(interventions, key=lambda pk: interventions[pk][0])

    def cell(pk: Any, table: str, row: str, g: str) -> int:
        return cells[pk].get((table, row, g), 0)

    def total(pk: Any, table: str, row: str) -> int:
        return sum(cell(pk, table, row, g) for g in genders_all)

    groups = ReportGroup.values
    if order:
        name = {pk: interventions[pk][0] for pk in order}
        result["individual/participants"] = _counts_rows(
            [(name[pk], [people[pk][g] for g in genders]) for pk in order]
        )
        for key, row in (("new", "new"), ("exited", "exited")):
            result[f"individual/{key}"] = _counts_rows(
                [(name[pk], [cell(pk, "participants", row, g) for g in genders]) for pk in order]
            )
        result["individual/exit_groups"] = _counts_rows(
            [(name[pk], [total(pk, "exit_groups", x) for x in groups]) for pk in order]
        )
        result["individual/exit_groups_gender"] = _counts_rows(
            [
                (str(i), [cell(None, "exit_groups", x, g) for g in genders])
                for i, x in enumerate(groups)
            ]
        )
    # Days covered (occupancy) and the coverage notes: straddling packages, missing quarters.
    days: dict[int, set[tuple[str, date, date]]] = defaultdict(set)
    spans: dict[int, list[tuple[date, date]]] = defaultdict(list)
    notes = 0
    for pk, start, end, _name, label, inside in sql(BARE_SPANS, [first, last, a, last, first]):
        start, end = _day(start), _day(end)
        spans[pk].append((start, end))
        if inside:
            days[pk].add((label, start, end))
        else:
            notes += 1
    today = timezone.localdate()
    for pk, kind, start, ended in sql(BARE_FUNDED, [a]):
        if kind != "individual":
            continue
        for q in range(4):
            q_start = date(year, 3 * q + 1, 1)
            q_end = date(year, 3 * q + 3, monthrange(year, 3 * q + 3)[1])
            if q_end >= today or q_end < _day(start) or q_end > last:
                continue
            if ended is not None and q_start > _day(ended):
                continue
            day = q_start
            for s, e in sorted(spans[pk]):
                if s <= day <= e:
                    day = e + timedelta(days=1)
            if day <= q_end:
                notes += 1
    result["individual/notes"] = notes
    # The interventions' goals (calculations.md §5), from the same sums.
    goal_rows: dict[str, tuple[Any, ...]] = {}
    goals = sorted(
        sql(BARE_GOALS, [a, first, last, last, first]), key=lambda r: interventions[r[0]][0]
    )
    for pk, measure, report_groups, target in goals:
        if isinstance(report_groups, str):
            report_groups = json.loads(report_groups)
        exited = {g: cell(pk, "participants", "exited", g) for g in genders_all}
        exited["total"] = sum(exited.values())
        if measure in ("share_exits_in_groups", "share_positive_step"):
            table = "exit_groups" if measure == "share_exits_in_groups" else "positive_by_group"
            chosen = (
                report_groups
                if measure == "share_exits_in_groups"
                else [x for x in groups if x not in report_groups]
            )
            part = {g: sum(cell(pk, table, x, g) for x in chosen) for g in genders_all}
            part["total"] = sum(part.values())
            outcome = [_bare_share(part[g], exited[g]) for g in ("kvinna", "man", "total")]
        elif measure == "occupancy":
            places = interventions[pk][1]
            covered = sum((e - s).days + 1 for _l, s, e in days[pk])
            share = (
                _bare_share(total(pk, "participants", "participant_days"), places * covered)
                if places and covered
                else None
            )
            outcome = [None, None, share]
        else:
            continue
        met = None if outcome[-1] is None else Decimal(outcome[-1]) >= Decimal(str(target))
        verdict = _("Uppfyllt") if met else _("Inte uppfyllt") if met is False else "–"
        goal_rows[str(len(goal_rows))] = (_norm(Decimal(str(target))), *outcome, verdict)
    if goal_rows:
        result["goals/intervention_goals"] = goal_rows
    # Structural activities and their attendance.
    volume = {
        name: (int(n), _norm(Decimal(str(hours or 0))))
        for name, n, hours in sql(BARE_ACTIVITIES, [first, last, a])
    }
    if volume:
        result["structural/activities"] = volume
        by_intervention: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        by_organisation: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for intervention, organisation, w, m, o in sql(BARE_ATTENDANCE, [first, last, a]):
            for target_rows, key in (
                (by_intervention, intervention),
                (by_organisation, organisation),
            ):
                for i, n in enumerate((w, m, o)):
                    target_rows[key][i] += int(n or 0)
        if by_intervention:
            result["structural/attendance"] = _counts_rows(list(by_intervention.items()))
            result["structural/attendance_org"] = _counts_rows(list(by_organisation.items()))
    # Violence screening of the exits.
    screened = [
        (
            interventions[pk][0],
            [
                total(pk, "violence_screening", "asked"),
                total(pk, "violence_screening", "not_asked"),
            ],
        )
        for pk in order
        if total(pk, "participants", "exited")
    ]
    if screened:
        result["violence/violence_screening"] = _counts_rows(screened)
        result["violence/violence_share"] = {
            name: (_bare_share(asked, asked + not_asked),) for name, (asked, not_asked) in screened
        }
    # Lex Heller: reports per category and month, time to decision.
    categories: dict[str, list[Any]] = {}
    decided: list[int] = []
    for name, position, active, received, days_to in sql(BARE_LEX, [first, last, a]):
        entry = categories.setdefault(name, [position, active, [0] * 12])
        if received is not None:
            entry[2][_day(received).month - 1] += 1
            if days_to is not None:
                decided.append(int(days_to))
    lex = [(name, months) for name, (_p, _a, months) in categories.items() if sum(months)]
    lex_total = sum(sum(months) for _name, months in lex)
    if lex_total:
        result["lex_heller/lex_heller_months"] = _counts_rows(lex)
        decided.sort()
        n = len(decided)
        middle = decided[(n - 1) // 2 : n // 2 + 1]
        tenth = Decimal("0.1")
        result["lex_heller/lex_heller_handling"] = {
            "0": (lex_total,),
            "1": (n,),
            "2": (
                _norm((Decimal(sum(middle)) / len(middle)).quantize(tenth, ROUND_HALF_UP))
                if n
                else None,
            ),
            "3": (
                _norm((Decimal(sum(decided)) / n).quantize(tenth, ROUND_HALF_UP)) if n else None,
            ),
        }
    # The socio-economic effect (calculations.md §4).
    model = sql(BARE_MODEL, [a])
    default = SocioEconomicModel()
    support, administration, tax, horizon = (
        model[0]
        if model
        else (default.support, default.administration, default.tax, default.horizon_months)
    )
    per_month = support + administration + tax
    to_work = total(None, "exit_groups", ReportGroup.ARBETE)
    followed = sum(
        n for (t, _r, _g), n in cells[None].items() if t in ("follow_up_6", "follow_up_12")
    )
    if followed:
        months = sum(
            6 * total(None, t, Occupation.FORVARVSARBETE)
            for m, t in ((6, "follow_up_6"), (12, "follow_up_12"))
            if m <= horizon
        )
        amount = months * per_month
    else:
        amount = to_work * per_month * horizon
    for q_key, survey_rows in _bare_surveys(a, year, first, last).items():
        result[f"surveys/survey_{q_key}"] = survey_rows
    result.update(_bare_finance(a, year))
    result["effect/effect"] = {"0": (to_work,), "1": (per_month,), "2": (horizon,), "3": (amount,)}

    plan_rows = _bare_plan_goals(
        sql(BARE_PLAN_GOALS, [a, year]),
        cells=lambda pk, table, row, g: cell(pk, table, row, g),
        places={pk: places for pk, (_name, places) in interventions.items()},
        days={pk: sum((e - s).days + 1 for _l, s, e in spans) for pk, spans in days.items()},
        activities=sum(n for n, _h in volume.values()),
        finance=result,
    )
    if plan_rows:
        result["goals/plan_goals"] = plan_rows

    # The year in brief.
    def grand(key: str) -> int:
        table = result.get(f"individual/{key}")
        return table[_TOTAL][-1] if table else 0

    brief = [grand("participants"), grand("new"), grand("exited")]
    if order:
        brief.append(total(None, "exit_groups", "arbete") + total(None, "exit_groups", "studier"))
    brief += [sum(n for n, _h in volume.values()), lex_total]
    distribution = result.get("finance/cost_distribution")
    if distribution:  # individual and structural interventions: the 2nd and 3rd cost category
        brief.append(_norm(sum(Decimal(distribution[i][1]) for i in ("1", "2"))))
    brief.append(amount)
    result["key_figures/key_figures"] = {str(i): (v,) for i, v in enumerate(brief)}
    return result


# --- 2. The national compilation -----------------------------------------------------------


def _app_national(years: list[int]) -> dict[str, Any]:
    """The whole country at once: ``national.country_counts`` (2 queries), as the
    ``national_export`` command calls it."""
    result: dict[str, Any] = {}
    counts = national.country_counts(years)
    for (association_id, year), rows in counts.individual.items():
        for row in rows:
            result[f"{association_id}/{year}/{row.intervention.pk}"] = (
                row.women,
                row.men,
                row.other,
            )
    for (association_id, year), rows in counts.structural.items():
        for row in rows:
            if row.occasions:
                result[f"{association_id}/{year}/{row.intervention.pk}/s"] = (
                    row.women,
                    row.men,
                    row.other,
                    row.occasions,
                    f"{Decimal(row.hours or 0):.2f}",
                )
    return result


BARE_NATIONAL = f"""
WITH current AS (
  SELECT id, association_id, intervention_id, sender_id, period_start,
         EXTRACT(YEAR FROM period_start) AS y
  FROM {PACKAGE} WHERE replaced_by_id IS NULL AND period_start BETWEEN %s AND %s
), firsts AS (
  SELECT association_id, intervention_id, sender_id, y, MIN(period_start) AS first_start
  FROM current GROUP BY association_id, intervention_id, sender_id, y
)
SELECT k.association_id, k.y, k.intervention_id, c.gender, SUM(c.count)
FROM current k JOIN {CELL} c ON c.package_id = k.id AND c.association_id = k.association_id
LEFT JOIN firsts f ON f.association_id = k.association_id AND f.intervention_id = k.intervention_id
  AND f.sender_id = k.sender_id AND f.y = k.y
WHERE c."table" = 'participants'
  AND (c."row" = 'new' OR (c."row" = 'enrolled_at_start' AND k.period_start = f.first_start))
GROUP BY k.association_id, k.y, k.intervention_id, c.gender
"""
BARE_STRUCTURAL = f"""
SELECT f.association_id, EXTRACT(YEAR FROM a.date) AS y, a.intervention_id,
       COUNT(*), SUM(a.hours),
       SUM((SELECT COALESCE(SUM(t.women), 0) FROM {ATTENDANCE} t WHERE t.activity_id = a.id)),
       SUM((SELECT COALESCE(SUM(t.men), 0) FROM {ATTENDANCE} t WHERE t.activity_id = a.id)),
       SUM((SELECT COALESCE(SUM(t.other), 0) FROM {ATTENDANCE} t WHERE t.activity_id = a.id))
FROM {ACTIVITY} a JOIN {FUNDING} f ON f.intervention_id = a.intervention_id
JOIN {INTERVENTION} i ON i.id = a.intervention_id AND i.kind = 'structural'
WHERE a.date BETWEEN %s AND %s
GROUP BY f.association_id, EXTRACT(YEAR FROM a.date), a.intervention_id
"""


def _year_sql(query: str) -> str:
    if connection.vendor == "sqlite":
        return query.replace(
            "EXTRACT(YEAR FROM period_start)", "CAST(strftime('%%Y', period_start) AS INTEGER)"
        ).replace("EXTRACT(YEAR FROM a.date)", "CAST(strftime('%%Y', a.date) AS INTEGER)")
    return query


def _bare_national(years: list[int]) -> dict[str, Any]:
    first, last = date(min(years), 1, 1), date(max(years), 12, 31)
    people: dict[str, dict[str, int]] = defaultdict(lambda: {"kvinna": 0, "man": 0, "annat": 0})
    for association_id, y, intervention_id, g, n in sql(_year_sql(BARE_NATIONAL), [first, last]):
        people[f"{association_id}/{int(y)}/{intervention_id}"][g] += int(n)
    result: dict[str, Any] = {key: (c["kvinna"], c["man"], c["annat"]) for key, c in people.items()}
    for association_id, y, intervention_id, n, hours, women, men, other in sql(
        _year_sql(BARE_STRUCTURAL), [first, last]
    ):
        result[f"{association_id}/{int(y)}/{intervention_id}/s"] = (
            int(women),
            int(men),
            int(other),
            int(n),
            f"{Decimal(str(hours)):.2f}",
        )
    return result


# --- 3. The participant list page ----------------------------------------------------------


PUBLIC_ID = re.compile(r"/deltagare/([0-9a-f-]{36})/")


def _list_client(intervention: Intervention) -> tuple[Client, str]:
    assignment = (
        RoleAssignment.objects.filter(unit=intervention.provider, role=Role.PROVIDER_MANAGER)
        .select_related("user")
        .first()
    )
    assert assignment is not None
    client = client_for(assignment)
    url = f"/p/{intervention.provider.public_id}/deltagare/?intervention={intervention.pk}"
    return client, url


BARE_LIST = f"""
SELECT p.public_id, p.name_encrypted, p.identity_kind, p.identity_erased_at
FROM {PARTICIPANT} p
WHERE p.provider_id = %s
  AND EXISTS (SELECT 1 FROM {ENROLMENT} e WHERE e.participant_id = p.id
              AND e.provider_id = %s AND e.intervention_id = %s)
ORDER BY p.created_at DESC, p.id DESC
LIMIT 50
"""
BARE_LIST_ENROLMENTS = f"""
SELECT e.participant_id, e.start, e.exit_date, i.name FROM {ENROLMENT} e
JOIN {INTERVENTION} i ON i.id = e.intervention_id
WHERE e.provider_id = %s AND e.participant_id IN (
  SELECT p.id FROM {PARTICIPANT} p WHERE p.provider_id = %s AND EXISTS (
    SELECT 1 FROM {ENROLMENT} x WHERE x.participant_id = p.id AND x.provider_id = %s
      AND x.intervention_id = %s)
  ORDER BY p.created_at DESC, p.id DESC LIMIT 50)
ORDER BY e.start DESC
"""


def _bare_list(intervention: Intervention) -> list[str]:
    from stegvis.core import crypto

    provider_id = intervention.provider_id
    rows = sql(BARE_LIST, [provider_id, provider_id, intervention.pk])
    sql(BARE_LIST_ENROLMENTS, [provider_id, provider_id, provider_id, intervention.pk])
    for _id, name, _kind, _erased in rows:
        if name:
            crypto.decrypt(name)  # the page shows each name
    return [str(uuid_value).replace("-", "") for uuid_value, *_rest in rows]


def _app_list(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    seen: list[str] = []
    for found in PUBLIC_ID.findall(response.content.decode()):
        short = found.replace("-", "")
        if short not in seen:
            seen.append(short)
    return seen


# --- 4. The import of 10 000 participant rows ----------------------------------------------


def import_file_bytes(intervention: Intervention, rows: int, seed: int) -> bytes:
    """A CSV of ``rows`` fictional people (test-range personnummer) for the intervention."""
    import random

    from .generator import national_id

    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["personnummer", "namn", "hemkommun", "insats", "startdatum", "samtycke_datum"])
    seen: set[str] = set()
    area = list(intervention.lead_association.area().values_list("code", flat=True))
    while len(seen) < rows:
        born = date(1965, 1, 1).toordinal() + rng.randint(0, 14000)
        number = national_id(rng, date.fromordinal(born))
        if number in seen:
            continue
        seen.add(number)
        start = date(2025, 1, 1).toordinal() + rng.randint(0, 300)
        day = date.fromordinal(start).isoformat()
        writer.writerow(
            [number, f"Testperson {len(seen)}", rng.choice(area), intervention.code, day, day]
        )
    return out.getvalue().encode()


def _bare_parse(data: bytes) -> int:
    reader = csv.reader(io.StringIO(data.decode()), delimiter=";")
    next(reader)
    return sum(1 for _row in reader)


# --- 5. Packages: every provider's packages for one year, built and received ----------------

# The bare side of the package: every table and cell, by hand, in 5 plain queries per package
# (the period's enrolments, their paused days, the period's exits, the exits' ladder answers,
# the follow-ups), plus the ladder's items once per intervention, then one row and all cells
# inserted. It signs, validates and audits nothing.

PAUSE = Pause._meta.db_table
FOLLOW_UP = FollowUp._meta.db_table
RESIDENCE = EnrolmentResidence._meta.db_table
MEASUREMENT = Measurement._meta.db_table
LADDER_ANSWER = Answer._meta.db_table
LADDER_ITEM = Item._meta.db_table
VERSION = InstrumentVersion._meta.db_table
INSTRUMENT = Instrument._meta.db_table
PLAN = MeasurementPlan._meta.db_table
PLAN_INSTRUMENTS = MeasurementPlan.instruments.through._meta.db_table
DEFAULT_INSTRUMENTS = ("anstallningsbarhet", "trappa", "halsa-livskvalitet")

Tables = dict[str, dict[str, dict[str, int]]]


def _days(end: str, start: str) -> str:
    """Whole days from ``start`` to ``end`` (SQL dates)."""
    if connection.vendor == "sqlite":
        return f"CAST(ROUND(julianday({end}) - julianday({start})) AS INTEGER)"
    return f"({end} - {start})"


def _least(*args: str) -> str:
    return ("MIN({})" if connection.vendor == "sqlite" else "LEAST({})").format(", ".join(args))


def _greatest(*args: str) -> str:
    return ("MAX({})" if connection.vendor == "sqlite" else "GREATEST({})").format(", ".join(args))


def _base(area: list[int], join: str = "") -> str:
    """FROM/WHERE of the intervention's enrolments at the provider whose participant lived in
    the area at the start (params: provider, intervention)."""
    places = ", ".join(["%s"] * len(area)) or "NULL"
    return f"""
FROM {ENROLMENT} e
JOIN {PARTICIPANT} p ON p.id = e.participant_id
LEFT JOIN {RESIDENCE} r ON r.enrolment_id = e.id {join}
WHERE e.provider_id = %s AND e.intervention_id = %s AND e.exit_reason <> 'felregistrering'
  AND COALESCE(r.municipality_id, p.home_municipality_id) IN ({places})"""


IN_PERIOD = " AND e.start <= %s AND (e.exit_date IS NULL OR e.exit_date >= %s)"
EXITED = " AND e.exit_date >= %s AND e.exit_date <= %s"


def _ladder_items(intervention_id: int) -> list[int]:
    """The items of the ladder in the intervention's plan (default plan without one): the
    first instrument by key whose latest version is a ladder, its latest item's key, that
    key's items in every version. Empty without a ladder."""
    plan = sql(f"SELECT id FROM {PLAN} WHERE intervention_id = %s", [intervention_id])
    if plan:
        chosen = f"SELECT instrument_id FROM {PLAN_INSTRUMENTS} WHERE measurementplan_id = %s"
        params: list[Any] = [plan[0][0]]
    else:
        chosen = (
            f"SELECT id FROM {INSTRUMENT} WHERE association_id IS NULL AND provider_id IS NULL"
            " AND key IN (%s, %s, %s)"
        )
        params = list(DEFAULT_INSTRUMENTS)
    versions = sql(
        f"SELECT i.key, i.id, v.id, v.number, v.is_ladder FROM {INSTRUMENT} i"
        f" JOIN {VERSION} v ON v.instrument_id = i.id WHERE i.id IN ({chosen})"
        " ORDER BY i.key, i.id, v.number DESC",
        params,
    )
    latest: dict[int, tuple[int, bool]] = {}
    for _key, instrument, version, _number, is_ladder in versions:
        latest.setdefault(instrument, (version, bool(is_ladder)))
    ladder = next((i for i, (_v, is_ladder) in latest.items() if is_ladder), None)
    if ladder is None:
        return []
    items = sql(
        f"SELECT it.id, it.version_id, it.key FROM {LADDER_ITEM} it"
        f" JOIN {VERSION} v ON v.id = it.version_id WHERE v.instrument_id = %s",
        [ladder],
    )
    (key,) = [k for _pk, version, k in items if version == latest[ladder][0]]
    return [pk for pk, _version, k in items if k == key]


def _bare_tables(
    area: list[int], provider_id: int, intervention_id: int, ladder: list[int], start: Any, end: Any
) -> Tables:
    base, who = _base(area), [provider_id, intervention_id, *area]
    rows = {name: list(spec[0]) for name, spec in package.TABLES.items()}
    tables: Tables = {t: {row: dict.fromkeys(package.GENDERS, 0) for row in rows[t]} for t in rows}
    people = tables["participants"]

    # The period's enrolments by gender, start before the period, exit in it and birth year.
    in_days = _days(_least("COALESCE(e.exit_date, %s)", "%s"), _greatest("e.start", "%s"))
    for g, at_start, is_exit, born, n, days in sql(
        f"SELECT p.gender, CASE WHEN e.start < %s THEN 1 ELSE 0 END,"
        " CASE WHEN e.exit_date >= %s AND e.exit_date <= %s THEN 1 ELSE 0 END,"
        f" p.birth_year, COUNT(*), SUM({in_days} + 1) {base}{IN_PERIOD} GROUP BY 1, 2, 3, 4",
        [start, start, end, end, end, start, *who, end, start],
    ):
        if g not in package.GENDERS:
            continue
        people["enrolled_at_start" if at_start else "new"][g] += n
        people["active"][g] += n
        people["exited"][g] += n if is_exit else 0
        people["participant_days"][g] += int(days or 0)
        age = None if born is None else end.year - born
        band = next(
            (f"{low}_{high}" for low, high in AGE_BANDS if age is not None and low <= age <= high),
            "ovriga",
        )
        tables["age_bands"][band][g] += n

    # Paused days: each pause clipped to the period and the enrolment.
    paused = _days(
        _least('COALESCE(pa."end", %s)', "COALESCE(e.exit_date, %s)", "%s"),
        _greatest("pa.start", "e.start", "%s"),
    )
    for g, days in sql(
        f"SELECT gender, SUM(d) FROM (SELECT p.gender AS gender, {paused} + 1 AS d"
        f" {_base(area, f'JOIN {PAUSE} pa ON pa.enrolment_id = e.id')}"
        f"{IN_PERIOD}) x WHERE d > 0 GROUP BY gender",
        [end, end, end, start, *who, end, start],
    ):
        if g in package.GENDERS:
            people["participant_days"][g] -= int(days or 0)

    # The period's exits by gender and every code the exit tables count.
    time_in = _days("e.exit_date", "e.start")
    band_sql = " ".join(
        f"WHEN {time_in} >= {low}"
        + (f" AND {time_in} <= {high}" if high is not None else "")
        + f" THEN '{key}'"
        for key, (low, high) in package.TIME_BANDS.items()
    )
    for g, reason, inc_start, inc_exit, occ_start, occ_exit, time_band, asked, offered, n in sql(
        "SELECT p.gender, e.exit_reason, e.income_source_start, e.income_source_exit,"
        f" e.occupation_start, e.occupation_exit, CASE {band_sql} ELSE NULL END,"
        " e.violence_screening_asked, e.survey_offered_at_exit, COUNT(*)"
        f" {base}{EXITED} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9",
        [*who, start, end],
    ):
        if g not in package.GENDERS:
            continue
        for table, row in (
            ("exit_reasons", reason),
            ("exit_groups", EXIT_REPORT_GROUP.get(reason)),
            ("income_start", inc_start),
            ("income_exit", inc_exit or IncomeSource.OKAND),
            ("occupation_start", occ_start or package.NOT_STATED),
            ("occupation_exit", occ_exit or package.NOT_STATED),
            ("time_in_intervention", time_band),
            ("violence_screening", "asked" if asked else "not_asked"),
            ("survey_at_exit", "offered" if offered else "not_offered"),
        ):
            if row in tables[table]:
                tables[table][row][g] += n

    # Ladder movement of each exit, first to latest answer in the intervention.
    answers: dict[int, list[Any]] = {}  # enrolment -> [gender, reason, first, latest, count]
    if ladder:
        items = ", ".join(["%s"] * len(ladder))
        answers_join = (
            f"JOIN {MEASUREMENT} m ON m.enrolment_id = e.id"
            f" JOIN {LADDER_ANSWER} a ON a.measurement_id = m.id"
        )
        for enrolment, g, reason, value in sql(
            f"SELECT e.id, p.gender, e.exit_reason, a.value"
            f" {_base(area, answers_join)}"
            f"{EXITED} AND a.item_id IN ({items}) AND m.occasion <> 'follow_up'"
            " ORDER BY e.id, m.date, m.created_at, m.id",
            [*who, start, end, *ladder],
        ):
            seen = answers.setdefault(enrolment, [g, reason, value, value, 0])
            seen[3] = value
            seen[4] += 1
    measured = dict.fromkeys(package.GENDERS, 0)
    steps: dict[int, dict[str, int]] = {}
    for g, reason, first, latest, count in answers.values():
        if g not in package.GENDERS or count < 2:
            continue
        moved = latest - first
        measured[g] += 1
        tables["progression"]["positiv" if moved > 0 else "negativ" if moved < 0 else "ingen"][
            g
        ] += 1
        group = EXIT_REPORT_GROUP.get(reason)
        if moved > 0 and group in tables["positive_by_group"]:
            tables["positive_by_group"][group][g] += 1
        steps.setdefault(moved, dict.fromkeys(package.GENDERS, 0))[g] += 1
    for g in package.GENDERS:
        tables["progression"]["ej_matt"][g] = people["exited"][g] - measured[g]
    tables["steps_moved"] = {"0" if m == 0 else f"{m:+d}": steps[m] for m in sorted(steps)}

    # Follow-ups at 6 and 12 months done in the period.
    for months, reached, occupation, g, n in sql(
        f"SELECT f.months, f.reached, f.occupation, p.gender, COUNT(*)"
        f" {_base(area, f'JOIN {FOLLOW_UP} f ON f.enrolment_id = e.id')}"
        " AND f.months IN (6, 12) AND f.done_on >= %s AND f.done_on <= %s GROUP BY 1, 2, 3, 4",
        [*who, start, end],
    ):
        if g in package.GENDERS:
            tables[f"follow_up_{months}"][occupation if reached else "ej_nadd"][g] += n
    return tables


def _package_jobs(association: Association, year: int) -> list[tuple[Intervention, str]]:
    jobs = []
    for intervention in (
        Intervention.objects.filter(
            fundings__association=association,
            kind=Intervention.Kind.INDIVIDUAL,
            code__startswith="steg",
        )
        .select_related("provider", "lead_association")
        .order_by("pk")
    ):
        for label, start, end in quarters(year):
            if end < intervention.start or (intervention.ended and start > intervention.ended):
                continue
            jobs.append((intervention, label))
    return jobs


def _app_packages(association: Association, year: int) -> dict[str, Tables]:
    """Build each signed file (provider side) and receive it (association side), as a
    correction of the package already there; every table of each received document. The
    caller rolls the writes back."""
    result = {}
    for intervention, label in _package_jobs(association, year):
        provider = intervention.provider
        raw = services.build_file(provider, intervention, association, label)
        # build_file numbers versions from the dispatches; raise it above the received one.
        signed = json.loads(raw)
        current = ReceivedPackage.objects.filter(
            association=association,
            intervention=intervention,
            period=label,
            replaced_by__isnull=True,
        ).first()
        if current is not None and signed["package"]["version"] <= current.version:
            signed["package"]["version"] = current.version + 1
            signed = services.sign(provider, signed["package"])
            raw = json.dumps(signed).encode()
        received = services.receive(association, raw, user=None, via=PackageDispatch.Via.FILE)
        result[f"{intervention.pk}/{label}"] = received.document["tables"]
    return result


def _bare_packages(association: Association, year: int) -> dict[str, Tables]:
    """Every table of each package by hand-written SQL, then a package row and all its cells
    inserted (no signature, no validation, no audit: what the remaining ratio measures)."""
    area = [int(pk) for pk in association.area().values_list("pk", flat=True)]
    ladders: dict[int, list[int]] = {}
    result = {}
    for intervention, label in _package_jobs(association, year):
        period = parse(label)
        if intervention.pk not in ladders:
            ladders[intervention.pk] = _ladder_items(intervention.pk)
        tables = _bare_tables(
            area,
            intervention.provider_id,
            intervention.pk,
            ladders[intervention.pk],
            period.start,
            period.end,
        )
        result[f"{intervention.pk}/{label}"] = tables
        # …and store the package and its cells, as receiving does.
        with connection.cursor() as cursor:
            public_id = uuid.uuid4().hex
            cursor.execute(
                f"INSERT INTO {PACKAGE} (association_id, public_id, sender_id, intervention_id,"
                " period, period_start, period_end, version, document, signature, key_id,"
                " received_at, received_via, changes) VALUES"
                " (%s, %s, %s, %s, %s, %s, %s, 99, %s, '', '', %s, 'file', '[]') RETURNING id",
                [
                    association.pk,
                    public_id,
                    intervention.provider_id,
                    intervention.pk,
                    label + "b",
                    period.start,
                    period.end,
                    json.dumps({"tables": tables}),
                    timezone.now(),
                ],
            )
            (package_id,) = cursor.fetchone()
            cells = [
                (association.pk, package_id, table, row, g, n)
                for table, rows in tables.items()
                for row, counts in rows.items()
                for g, n in counts.items()
            ]
            for first in range(0, len(cells), 500):  # one multi-row INSERT per 500 cells
                chunk = cells[first : first + 500]
                cursor.execute(
                    f'INSERT INTO {CELL} (association_id, package_id, "table", "row", gender,'
                    " count) VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk)),
                    [value for cell in chunk for value in cell],
                )
    return result


# --- 6. The progression figures of the intervention with 2 000 participants ------------------


def progression_instruments(intervention: Intervention) -> tuple[Instrument | None, ...]:
    """The profile and the ladder the intervention's figures page shows by default."""
    from stegvis.progression.services import pick_instrument, plan_for

    instruments = plan_for(intervention).instruments
    return pick_instrument(instruments, ladder=False), pick_instrument(instruments, ladder=True)


def _progression_numbers(f: Any) -> dict[str, Any]:
    """Every number of the figures page (the step labels left out), as the bare side gives it."""
    left = f.left_without
    return {
        "enrolments": f.enrolments,
        "profile": (f.profile_measured, f.profile_positive),
        "ladder": (f.ladder_measured, f.ladder_positive, _norm_groups(f.ladder_mean_steps)),
        "items": {row.item.key: (_norm_groups(row.mean), row.n) for row in f.items},
        "steps": {step.value: (step.start, step.exit) for step in f.steps},
        "left": (
            left["exited"],
            left["profile_measured"],
            left["profile_positive"],
            left["ladder_measured"],
            left["ladder_positive"],
            _norm_groups(left["ladder_mean_steps"]),
        ),
    }


def _norm_groups(values: dict[str, Any]) -> dict[str, Any]:
    return {g: None if v is None else _norm(v) for g, v in values.items()}


def _app_progression(
    intervention: Intervention, profile: Instrument | None, ladder: Instrument | None
) -> dict[str, Any]:
    from stegvis.progression import figures

    return _progression_numbers(
        figures.intervention_figures(intervention, profile=profile, ladder=ladder)
    )


# The progression tables (LADDER_ANSWER and LADDER_ITEM hold every instrument's answers and
# items, the profile's too). The enrolments counted: the intervention's, registration errors
# left out.
BARE_COUNTED = f"""
SELECT e.id, p.gender, e.exit_date IS NOT NULL,
       e.exit_date IS NOT NULL AND e.exit_reason NOT IN ('arbete', 'arbete_med_stod', 'studier')
FROM {ENROLMENT} e JOIN {PARTICIPANT} p ON p.id = e.participant_id
WHERE e.intervention_id = %s AND e.exit_reason <> 'felregistrering'
"""
BARE_SCOPE = f"""
SELECT e.id FROM {ENROLMENT} e
WHERE e.intervention_id = %s AND e.exit_reason <> 'felregistrering'
"""
# Each counted enrolment's answers to the instrument's items of the given keys in the
# intervention (no follow-up after exit): first and latest (by measurement date, creation time
# and id) and their number, per enrolment and key.
BARE_ANSWER_SPANS = f"""
SELECT enrolment_id, key, first, last, n FROM (
  SELECT m.enrolment_id, i.key,
    FIRST_VALUE(a.{{field}}) OVER (PARTITION BY m.enrolment_id, i.key
      ORDER BY m.date, m.created_at, a.measurement_id) AS first,
    FIRST_VALUE(a.{{field}}) OVER (PARTITION BY m.enrolment_id, i.key
      ORDER BY m.date DESC, m.created_at DESC, a.measurement_id DESC) AS last,
    COUNT(*) OVER (PARTITION BY m.enrolment_id, i.key) AS n,
    ROW_NUMBER() OVER (PARTITION BY m.enrolment_id, i.key
      ORDER BY m.date, m.created_at, a.measurement_id) AS up
  FROM {LADDER_ANSWER} a
  JOIN {MEASUREMENT} m ON m.id = a.measurement_id
  JOIN {LADDER_ITEM} i ON i.id = a.item_id
  JOIN {VERSION} v ON v.id = i.version_id
  WHERE a.provider_id = %s AND v.instrument_id = %s AND i.key IN ({{keys}})
    AND m.occasion <> 'follow_up'
    AND m.enrolment_id IN ({BARE_SCOPE})
) s WHERE up = 1
"""
# The participant's own profile answers per measurement: score sum and number.
BARE_OWN_MEANS = f"""
SELECT m.enrolment_id, m.date, m.created_at, m.id, SUM(a.score), COUNT(*)
FROM {LADDER_ANSWER} a
JOIN {MEASUREMENT} m ON m.id = a.measurement_id
JOIN {LADDER_ITEM} i ON i.id = a.item_id
JOIN {VERSION} v ON v.id = i.version_id
WHERE a.provider_id = %s AND v.instrument_id = %s AND i.audience = 'participant'
  AND m.occasion <> 'follow_up'
  AND m.enrolment_id IN ({BARE_SCOPE})
GROUP BY m.enrolment_id, m.date, m.created_at, m.id
"""


def _bare_progression(
    intervention: Intervention, profile: Instrument | None, ladder: Instrument | None
) -> dict[str, Any]:
    """The same numbers from hand-written SQL (at most five queries) and plain arithmetic."""
    groups_of = {"kvinna": ("women", "total"), "man": ("men", "total")}
    zero = {"women": 0, "men": 0, "total": 0}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict(zero))
    sums: dict[str, dict[str, int]] = defaultdict(lambda: dict(zero))

    def add(name: str, groups: tuple[str, ...], value: int | None = None) -> None:
        for g in groups:
            counts[name][g] += 1
            sums[name][g] += value or 0

    def mean(name: str) -> dict[str, Any]:
        return {
            g: _norm(
                (Decimal(sums[name][g]) / counts[name][g]).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
            )
            if counts[name][g]
            else None
            for g in zero
        }

    def spans(instrument: Instrument, keys: list[str], field: str) -> dict[Any, tuple[int, ...]]:
        query = BARE_ANSWER_SPANS.format(field=field, keys=", ".join(["%s"] * len(keys)))
        rows = sql(query, [intervention.provider_id, instrument.pk, *keys, intervention.pk])
        return {(e, key): (first, last, n) for e, key, first, last, n in rows}

    people = sql(BARE_COUNTED, [intervention.pk])
    items: list[tuple[int, str]] = []
    item_spans: dict[Any, tuple[int, ...]] = {}
    own: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    if profile is not None:
        version = profile.versions.order_by("-number").values_list("pk", flat=True)[:1]
        items = list(
            Item.objects.filter(version__in=version).order_by("order").values_list("pk", "key")
        )
        item_spans = spans(profile, [key for _pk, key in items], "score")
        for e, day, created, pk, total, n in sql(
            BARE_OWN_MEANS, [intervention.provider_id, profile.pk, intervention.pk]
        ):
            own[e].append((_day(day), str(created), pk, Fraction(int(total), n)))
    steps: dict[int, tuple[dict[str, int], dict[str, int]]] = {}
    step_spans: dict[Any, tuple[int, ...]] = {}
    step_key = ""
    if ladder is not None:
        step_item = Item.objects.filter(version=ladder.versions.order_by("-number")[:1].get()).get()
        step_key = step_item.key
        steps = {v: (dict(zero), dict(zero)) for v in step_item.allowed_values()}
        step_spans = spans(ladder, [step_key], "value")
    for e, gender, exited, left in people:
        groups = groups_of.get(gender, ("total",))
        mine = [("", groups), ("left_", groups if left else ())]
        add("n", groups)
        add("left", groups if left else ())
        occasions = sorted(own.get(e, []), key=lambda o: o[:3])
        for prefix, where in mine:
            if len(occasions) >= 2:
                add(f"{prefix}pm", where)
                if occasions[-1][3] > occasions[0][3]:
                    add(f"{prefix}pp", where)
        for pk, key in items:
            span = item_spans.get((e, key))
            if span is not None and span[2] >= 2:
                add(f"i{pk}", groups, span[1] - span[0])
        span = step_spans.get((e, step_key))
        if span is None:
            continue
        first, last, n = span
        for value, at in ((first, 0), (last, 1)):
            if value in steps and (at == 0 or exited):
                for g in groups:
                    steps[value][at][g] += 1
        if n >= 2:
            for prefix, where in mine:
                add(f"{prefix}lm", where, last - first)
                if last > first:
                    add(f"{prefix}lp", where)
    return {
        "enrolments": counts["n"],
        "profile": (counts["pm"], counts["pp"]),
        "ladder": (counts["lm"], counts["lp"], mean("lm")),
        "items": {key: (mean(f"i{pk}"), counts[f"i{pk}"]) for pk, key in items},
        "steps": steps,
        "left": (
            counts["left"],
            counts["left_pm"],
            counts["left_pp"],
            counts["left_lm"],
            counts["left_lp"],
            mean("left_lm"),
        ),
    }


# --- The list -------------------------------------------------------------------------------


def list_intervention() -> Intervention:
    """The first association's first intervention: the one with the most participants."""
    return (
        Intervention.objects.filter(lead_association__slug="bench-01", code="steg1")
        .select_related("provider", "lead_association")
        .get()
    )


def operations(year: int, years: list[int], import_rows: int = 10_000) -> list[Operation]:
    association = Association.objects.get(slug="bench-01")
    intervention = list_intervention()
    client, url = _list_client(intervention)
    data = import_file_bytes(intervention, import_rows, seed=7)

    def fresh_provider() -> tuple[Unit, bytes]:
        """A provider and intervention of its own for each import (rolled back with it)."""
        unit = Unit.objects.create(
            organisation=intervention.provider.organisation,
            name="Importenheten",
            is_provider=True,
        )
        twin = Intervention.objects.create(
            provider=unit,
            lead_association=association,
            name="Importinsatsen",
            code="importinsats",
            kind=Intervention.Kind.INDIVIDUAL,
            orientation="rehabiliterande",
            start=date(2024, 1, 1),
            status=Intervention.Status.RUNNING,
        )
        Funding.objects.create(association=association, intervention=twin, share=100)
        return unit, data.replace(f";{intervention.code};".encode(), f";{twin.code};".encode())

    def app_import() -> tuple[int, int]:
        unit, rows = fresh_provider()
        result = imports.import_file(unit, "deltagare.csv", rows)
        assert not result.errors, result.errors[:3]
        return result.rows, result.rows

    def bare_import() -> tuple[int, int]:
        n = _bare_parse(data)
        return n, n

    profile, ladder = progression_instruments(intervention)
    return [
        Operation(
            "annual_report",
            f"Annual report of one association, {year} (every table, no rendering)",
            lambda: _app_figures(association, year),
            lambda: _bare_figures(association.pk, year),
            "about 19 queries: package cells (sums, at-start of first period), interventions,"
            " goals, package spans, funded interventions, members, structural activities and"
            " attendance, Lex Heller reports, survey answers with their reference values,"
            " budget, outcomes and equity, the effect model, and the operating plan's goals"
            " (scored from those sums)",
        ),
        Operation(
            "national_1y",
            f"National compilation, every association, {year}",
            lambda: _app_national([year]),
            lambda: _bare_national([year]),
            "2 queries for the whole country (participants; structural volume)",
        ),
        Operation(
            "national_10y",
            f"National compilation, every association, {min(years)}–{max(years)}",
            lambda: _app_national(years),
            lambda: _bare_national(years),
            "the same 2 queries over the decade",
            repeats=3,
        ),
        Operation(
            "participant_list",
            "Participant list page of an intervention with 2 000 participants (test client)",
            lambda: _app_list(client, url),
            lambda: _bare_list(intervention),
            "2 queries (the page's 50 participants and their enrolments) + decrypting the names",
        ),
        Operation(
            "progression_figures",
            "Progression figures of the intervention with 2 000 participants (every figure of"
            " its page, no rendering)",
            lambda: _app_progression(intervention, profile, ladder),
            lambda: _bare_progression(intervention, profile, ladder),
            "4 queries (the enrolments; first and latest answer per enrolment and item with"
            " window functions, for the profile and for the ladder; the profile means per"
            " measurement) + the instruments' items, then plain arithmetic",
        ),
        Operation(
            "import_10k",
            f"Import of {import_rows} participant rows (CSV) through the import service",
            app_import,
            bare_import,
            "parsing the same CSV file with csv.reader (no validation, no writes)",
            repeats=2,
        ),
        Operation(
            "packages_year",
            f"Every provider's packages of one association for {year}: build + receive",
            lambda: _app_packages(association, year),
            lambda: _bare_packages(association, year),
            "every table and cell by hand: 5 queries per package (+ the ladder's items once per"
            " intervention), then the package row and all its cells inserted; no signing,"
            " validation or audit",
            repeats=2,
        ),
    ]


def in_rollback(function: Callable[[], Any]) -> Callable[[], Any]:
    """Run ``function`` in a transaction that is rolled back (for operations that write)."""

    def run() -> Any:
        with transaction.atomic():
            value = function()
            transaction.set_rollback(True)
        return value

    return run
