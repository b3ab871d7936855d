"""The association's report for any range of whole periods, from the packages it has received
and nothing else (the wall: never a participant row). Per intervention and in total.

Figures are summed in the database over the *current* packages (a correction replaces the
earlier) whose period lies inside the range. "Participants in the range" are those enrolled at
the start of each sender's first period in the range plus every new one (as
``aggregates.figures`` counts a year). Packages that overlap the range without lying inside it
cannot be split and are named, as are the quarters (or parts of them) no package covers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Case, Count, Q, Sum, When
from django.db.models import Value as SqlValue
from django.utils import timezone
from django.utils.translation import gettext as _

from stegvis.aggregates.figures import LATE_AFTER_DAYS, Figures, Missing, _covers, share
from stegvis.aggregates.models import PackageCell, ReceivedPackage
from stegvis.aggregates.package import GENDERS
from stegvis.aggregates.periods import Period, parse
from stegvis.core.codes import ReportGroup
from stegvis.core.models import Association
from stegvis.interventions.models import Attendance, Intervention, StructuralActivity

from .base import Report, Section
from .periods import ReportRange
from .tables import Table, Value, counts_table

SECTIONS = ("participants", "structural", "screening", "surveys", "finance")


def gender_columns() -> list[str]:
    return [_("Kvinnor"), _("Män"), _("Annat / ej angivet")]


def total_label() -> str:
    return _("Totalt")


# --- Summing the packages -------------------------------------------------------------------


def current_packages(association: Association, rng: ReportRange) -> Any:
    """The association's current packages whose period lies inside the range."""
    return ReceivedPackage.objects.filter(
        association=association,
        replaced_by__isnull=True,
        period_start__gte=rng.start,
        period_end__lte=rng.end,
    )


@dataclass(frozen=True)
class RangePackage:
    """One current package that overlaps the range (the few columns the figures need)."""

    id: int
    intervention_id: int
    intervention_name: str
    sender_id: int
    period: str
    start: date
    end: date
    inside: bool


def range_packages(association: Association, rng: ReportRange) -> list[RangePackage]:
    """The association's current packages that overlap the range, by intervention name and
    period start: those inside it give the figures, the others are named as left out, and all
    of them tell which quarters are covered. One query."""
    rows = (
        ReceivedPackage.objects.filter(
            association=association,
            replaced_by__isnull=True,
            period_start__lte=rng.end,
            period_end__gte=rng.start,
        )
        .order_by("intervention__name", "period_start")
        .values_list(
            "id",
            "intervention_id",
            "intervention__name",
            "sender_id",
            "period",
            "period_start",
            "period_end",
        )
    )
    return [
        RangePackage(*row, inside=row[5] >= rng.start and row[6] <= rng.end)  # type: ignore[misc]
        for row in rows
    ]


def figures_in_range(
    association: Association,
    rng: ReportRange,
    *,
    packages: list[RangePackage] | None = None,
) -> tuple[list[Figures], Figures]:
    """Per intervention (with packages in the range, by name) and in total. Three queries (two
    when the caller passes the range's ``packages``, none without packages): the packages, their
    interventions and the cell sums, which also sum the at-start counts of each sender's first
    period in the range (a flag in the grouping)."""
    if packages is None:
        packages = range_packages(association, rng)
    inside = [p for p in packages if p.inside]
    if not inside:
        return [], Figures(intervention=None, participants=dict.fromkeys(GENDERS, 0))
    # Each sender's first period in the range: its packages' enrolled-at-start are the
    # participants at the start (every package that starts that day, as before).
    first: dict[tuple[int, int], date] = {}
    for p in inside:
        key = (p.intervention_id, p.sender_id)
        if key not in first or p.start < first[key]:
            first[key] = p.start
    firsts = [p.id for p in inside if p.start == first[p.intervention_id, p.sender_id]]
    at_start = Case(
        When(
            package_id__in=firsts,
            table="participants",
            row="enrolled_at_start",
            then=SqlValue(True),
        ),
        default=SqlValue(False),
        output_field=BooleanField(),
    )
    # One row per intervention, table, row and at-start flag, with a sum per gender: a third
    # of the rows a grouping by gender would give, each summed once in Python.
    sums = (
        PackageCell.objects.filter(association=association, package_id__in=[p.id for p in inside])
        .annotate(at_start=at_start)
        .values_list("package__intervention_id", "table", "row", "at_start")
        .annotate(**{g: Sum("count", filter=Q(gender=g), default=0) for g in GENDERS})
        .order_by()
    )
    # By name, and by id where two share a name: the order of a published grid decides which
    # cells its suppression hides, so it must not change from one build to the next.
    interventions = Intervention.objects.filter(
        pk__in={p.intervention_id for p in inside}
    ).order_by("name", "pk")
    per: dict[int, Figures] = {i.pk: Figures(intervention=i) for i in interventions}
    total = Figures(intervention=None)
    # The rows are read with a plain cursor: a thousand or more of them, each already an int,
    # need no converters.
    sql, params = sums.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for intervention_id, table, row, first_period, *counts in rows:
        cell = dict(zip(GENDERS, map(int, counts), strict=True))
        tables = per[intervention_id].tables.setdefault(table, {})
        same = tables.get(row)  # the enrolled-at-start row comes in two parts
        if same is None:
            tables[row] = cell
        else:
            tables[row] = {g: same[g] + cell[g] for g in GENDERS}
        if first_period:
            people = per[intervention_id].participants
            for g in GENDERS:
                people[g] = people.get(g, 0) + cell[g]
                total.participants[g] = total.participants.get(g, 0) + cell[g]
    for figures in per.values():
        for table, table_rows in figures.tables.items():
            whole_table = total.tables.setdefault(table, {})
            for row, cell in table_rows.items():
                whole = whole_table.get(row)
                if whole is None:
                    whole_table[row] = dict(cell)
                else:
                    for g in GENDERS:
                        whole[g] += cell[g]
    for figures in [*per.values(), total]:
        new = figures.tables.get("participants", {}).get("new", dict.fromkeys(GENDERS, 0))
        figures.participants = {g: figures.participants.get(g, 0) + new[g] for g in GENDERS}
    for intervention_id, label in {(p.intervention_id, p.period) for p in inside}:
        per[intervention_id].days_covered += parse(label).days
    return list(per.values()), total


def misaligned_packages(association: Association, rng: ReportRange) -> list[ReceivedPackage]:
    """Current packages that overlap the range without lying inside it (e.g. a year package in
    a quarter's report): their counts cannot be split, so they are left out and named."""
    return list(
        ReceivedPackage.objects.filter(
            association=association,
            replaced_by__isnull=True,
            period_start__lte=rng.end,
            period_end__gte=rng.start,
        )
        .filter(Q(period_start__lt=rng.start) | Q(period_end__gt=rng.end))
        .select_related("intervention")
        .order_by("intervention__name", "period_start")
    )


def _parts(rng: ReportRange) -> list[Period]:
    """The quarters of the range, cut to it where it starts or ends inside one."""
    result = []
    for year in rng.years():
        for n in range(1, 5):
            quarter = parse(f"{year}Q{n}")
            if not quarter.overlaps(rng.as_period()):
                continue
            start, end = max(quarter.start, rng.start), min(quarter.end, rng.end)
            if (start, end) == (quarter.start, quarter.end):
                result.append(quarter)
            elif start.month == end.month:
                result.append(parse(f"{start:%Y-%m}"))
            else:
                result.append(Period(f"{start:%Y-%m}–{end:%Y-%m}", start, end))
    return result


def missing_in_range(association: Association, rng: ReportRange) -> list[Missing]:
    """Each individual intervention the association funds and each quarter (or part of one)
    of the range that has ended, in which it ran, and that no current package inside the range
    covers; late when it ended more than 30 days ago (as ``figures.missing_packages``)."""
    today = timezone.localdate()
    interventions = list(
        Intervention.objects.filter(
            fundings__association=association, kind=Intervention.Kind.INDIVIDUAL
        )
        .select_related("provider")
        .order_by("name")
    )
    covered: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for intervention_id, start, end in current_packages(association, rng).values_list(
        "intervention_id", "period_start", "period_end"
    ):
        covered[intervention_id].append((start, end))
    result = []
    for intervention in interventions:
        for part in _parts(rng):
            if part.end >= today or part.end < intervention.start:
                continue
            if intervention.ended and part.start > intervention.ended:
                continue
            if _covers(covered[intervention.pk], part):
                continue
            late = today - part.end > timedelta(days=LATE_AFTER_DAYS)
            result.append(Missing(intervention=intervention, period=part, late=late))
    return result


# --- Tables ---------------------------------------------------------------------------------


def _labels() -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    from stegvis.aggregates.views import _label_rows, _table_titles

    return _label_rows(), _table_titles()


# The package tables shown for the selection, in the order of an annual report.
DETAIL_TABLES = (
    "exit_groups",
    "exit_reasons",
    "age_bands",
    "income_start",
    "income_exit",
    "occupation_start",
    "occupation_exit",
    "time_in_intervention",
    "progression",
    "steps_moved",
    "follow_up_6",
    "follow_up_12",
)


def _name(figures: Figures) -> str:
    return figures.intervention.name if figures.intervention else total_label()


def _by_gender(counts: dict[str, int]) -> list[int]:
    return [counts.get(g, 0) for g in GENDERS]


def per_intervention_tables(per: list[Figures], total: Figures) -> list[Table]:
    """Participants, new and exited per intervention by gender; exits per report group per
    intervention (the annual report's participant table)."""

    def rows(pick: Any) -> list[tuple[str, list[int]]]:
        return [(_name(f), _by_gender(pick(f))) for f in per]

    zero = dict.fromkeys(GENDERS, 0)
    people = [
        (
            "deltagare",
            _("Deltagare under perioden per insats"),
            lambda f: f.participants or zero,
        ),
        (
            "nya",
            _("Nya deltagare per insats"),
            lambda f: f.tables.get("participants", {}).get("new", zero),
        ),
        (
            "avslutade",
            _("Avslutade deltagare per insats"),
            lambda f: f.tables.get("participants", {}).get("exited", zero),
        ),
    ]
    tables = [
        counts_table(title, gender_columns(), rows(pick), total_label=total_label(), key=key)
        for key, title, pick in people
    ]
    groups = [
        (
            _name(f),
            [
                sum(f.tables.get("exit_groups", {}).get(g, zero).values())
                for g in ReportGroup.values
            ],
        )
        for f in per
    ]
    tables.append(
        counts_table(
            _("Avslut per redovisningsgrupp och insats"),
            [str(label) for _value, label in ReportGroup.choices],
            groups,
            total_label=total_label(),
            key="avslutsgrupper",
        )
    )
    return tables


def detail_tables(figures: Figures, *, prefix: str = "") -> list[Table]:
    """Every package table of one intervention or the total, by gender, with totals."""
    labels, titles = _labels()
    tables = []
    for name in DETAIL_TABLES:
        found = figures.tables.get(name, {})
        if name == "steps_moved":
            ordered = sorted(found.items(), key=lambda item: int(item[0]))
            rows = [(f"{label} steg", _by_gender(c)) for label, c in ordered]
        else:
            from stegvis.aggregates.package import TABLES

            rows = [
                (str(labels[name].get(row, row)), _by_gender(found.get(row, {})))
                for row in TABLES[name][0]
            ]
        tables.append(
            counts_table(
                titles[name],
                gender_columns(),
                rows,
                total_label=total_label(),
                key=f"{prefix}{name.replace('_', '-')}",
            )
        )
    return tables


def participant_links(
    per: list[Figures], selected: Figures | None = None
) -> list[list[tuple[str, tuple[int, int]]]]:
    """The figures the participant and screening tables share (``Report.links``): each
    intervention's exits and all exits (exited by gender, exits by report group, the violence
    screening); and, for the figures the detail tables show (``selected``, or all interventions
    together), each detail table's totals against that intervention's (or the total) row: exits
    by gender for the tables of exits, participants by gender for those of participants, and
    exits by report group for the table of report groups by gender."""
    from stegvis.aggregates.package import TABLES

    n, k, m = len(per), len(GENDERS), len(ReportGroup.values)
    row = per.index(selected) if selected is not None and selected in per else n
    links: list[list[tuple[str, tuple[int, int]]]] = [
        [("avslutade", (i, k)), ("avslutsgrupper", (i, m)), ("vald-tackning", (i, 2))]
        for i in range(n + 1)
    ]
    bases = {"exited": "avslutade", "active": "deltagare"}
    for name in DETAIL_TABLES:
        rows, base = TABLES[name]
        if base not in bases or not rows:
            continue
        key, last = name.replace("_", "-"), len(rows)
        links += [[(key, (last, g)), (bases[base], (row, g))] for g in range(k + 1)]
    links += [[("exit-groups", (j, k)), ("avslutsgrupper", (row, j))] for j in range(m)]
    return links


def participant_section(
    per: list[Figures], total: Figures, selected: Figures | None = None
) -> Section:
    chosen = selected or total
    tables = [*per_intervention_tables(per, total), *detail_tables(chosen)]
    which = _name(chosen) if chosen.intervention else _("alla insatser")
    notes = [_("Tabellerna efter insatsöversikten gäller %(which)s.") % {"which": which}]
    return Section("participants", _("Deltagare i individinriktade insatser"), tables, notes)


def structural_section(association: Association, rng: ReportRange) -> Section:
    """Occasions, hours and attendees by organisation and gender of the structural
    interventions the association funds, on activities dated inside the range."""
    activities = StructuralActivity.objects.filter(
        intervention__fundings__association=association,
        intervention__kind=Intervention.Kind.STRUCTURAL,
        date__gte=rng.start,
        date__lte=rng.end,
    )
    volume = (
        activities.values("intervention__name")
        .annotate(occasions=Count("pk", distinct=True), hours=Sum("hours"))
        .order_by("intervention__name")
    )
    rows: list[tuple[str, list[Value]]] = [
        (r["intervention__name"], [r["occasions"], r["hours"]]) for r in volume
    ]
    if rows:
        occasions = sum(int(values[0] or 0) for _label, values in rows)
        hours = sum((Decimal(values[1] or 0) for _label, values in rows), Decimal(0))
        rows.append((total_label(), [occasions, hours]))
    volume_table = Table(
        title=_("Tillfällen och timmar per insats"),
        columns=[_("Tillfällen"), _("Timmar")],
        rows=rows,
        key="struktur-volym",
    )
    attendance = (
        Attendance.objects.filter(activity__in=activities.values("pk"))
        .values("organisation__name")
        .annotate(w=Sum("women"), m=Sum("men"), o=Sum("other"))
        .order_by("organisation__name")
    )
    attendees = counts_table(
        _("Deltagare vid aktiviteterna per organisation"),
        gender_columns(),
        [(r["organisation__name"], [r["w"], r["m"], r["o"]]) for r in attendance],
        total_label=total_label(),
        key="struktur-deltagare",
    )
    section = Section(
        "structural",
        _("Strukturövergripande insatser"),
        [volume_table, attendees] if rows else [],
        public={"struktur-volym"},
    )
    evaluations = _evaluation_tables(association, rng)
    section.tables.extend(evaluations)
    section.public |= {t.key for t in evaluations}
    if not rows:
        section.notes.append(_("Inga aktiviteter registrerade under perioden."))
    return section


def _evaluation_tables(association: Association, rng: ReportRange) -> list[Table]:
    from stegvis.surveys.models import Questionnaire

    # The association's own questionnaires are its evaluations (of seminars, courses…).
    return survey_tables(association, rng, kinds=[Questionnaire.Kind.OWN])


def survey_tables(
    association: Association, rng: ReportRange, *, kinds: list[str] | None = None
) -> list[Table]:
    """Per questionnaire of ``kinds`` (default: the national ones) with answers in the range's
    year: each question's answers, share
    positive and the national reference (surveys.results; nothing under five answers)."""
    from stegvis.surveys.models import Questionnaire
    from stegvis.surveys.results import questionnaire_results

    questionnaires = Questionnaire.objects.filter(
        association=association, kind__in=kinds or [Questionnaire.Kind.NATIONAL]
    ).order_by("title")
    tertial = _tertial_of(rng)
    tables = []
    for questionnaire in questionnaires:
        results = questionnaire_results(questionnaire, year=rng.year, period=tertial)
        if not results.responses:
            continue
        reference = (
            _("Nationell referens %(year)s (%%)") % {"year": results.reference_year}
            if results.reference_year
            else _("Nationell referens (%)")
        )
        rows: list[tuple[str, list[Value]]] = []
        for item in results.items:
            ref = item.reference.share_positive if item.reference else None
            rows.append(
                (
                    f"{item.label} {item.text}".strip(),
                    [
                        item.total.n if item.total.shown else None,
                        item.total.share_positive,
                        ref,
                        item.difference,
                    ],
                )
            )
        note = (
            _("Färre än fem svar: inget visas.")
            if not results.shown
            else _("%(n)s svar.") % {"n": results.responses}
        )
        tables.append(
            Table(
                title=str(questionnaire.title),
                columns=[
                    _("Antal svar"),
                    _("Andel positiva (%)"),
                    reference,
                    _("Skillnad (procentenheter)"),
                ],
                rows=rows,
                note=note,
                key=f"enkat-{questionnaire.key}",
            )
        )
    return tables


def _tertial_of(rng: ReportRange) -> int | None:
    for n in (1, 2, 3):
        period = parse(f"{rng.start.year}T{n}")
        if (period.start, period.end) == (rng.start, rng.end):
            return n
    return None


def survey_section(association: Association, rng: ReportRange) -> Section:
    tables = survey_tables(association, rng)
    section = Section(
        "surveys", _("Enkätresultat mot nationell referens"), tables, public={t.key for t in tables}
    )
    tertial = _tertial_of(rng)
    if tertial is None:
        section.notes.append(_("Enkätsvaren gäller hela året %(year)s.") % {"year": rng.year})
    if not tables:
        section.notes.append(_("Inga enkätsvar för perioden."))
    return section


def screening_section(per: list[Figures], total: Figures) -> Section:
    """Violence screening coverage from the packages: exits asked and not asked."""
    zero = dict.fromkeys(GENDERS, 0)

    def pair(f: Figures) -> list[int]:
        table = f.tables.get("violence_screening", {})
        return [sum(table.get("asked", zero).values()), sum(table.get("not_asked", zero).values())]

    counts = counts_table(
        _("Frågor om våld: avslutade tillfrågade per insats"),
        [_("Tillfrågade"), _("Inte tillfrågade")],
        [(_name(f), pair(f)) for f in per],
        total_label=total_label(),
        key="vald-tackning",
    )
    shares = Table(
        title=_("Frågor om våld: andel tillfrågade (%)"),
        columns=[_("Kvinnor"), _("Män"), _("Totalt")],
        rows=[(_name(f), screening_shares(f)) for f in [*per, total]],
        key="vald-andel",
    )
    section = Section("screening", _("Frågor om våld i nära relationer"), [counts, shares])
    section.notes.append(_("Målet är att alla avslutade deltagare har fått frågorna."))
    return section


def screening_shares(figures: Figures) -> list[Value]:
    """Share of exits asked: women, men, total (one decimal; None without exits)."""
    table = figures.tables.get("violence_screening", {})
    asked = table.get("asked", dict.fromkeys(GENDERS, 0))
    not_asked = table.get("not_asked", dict.fromkeys(GENDERS, 0))
    out: list[Value] = []
    for genders in (("kvinna",), ("man",), GENDERS):
        a = sum(asked[g] for g in genders)
        out.append(share(a, a + sum(not_asked[g] for g in genders)))
    return out


def finance_section(association: Association, year: int) -> Section:
    """Budget against outcome per category, cost distribution and equity for ``year``
    (finance.figures)."""
    from stegvis.finance.figures import (
        budget_category_amounts,
        cost_distribution,
        deviation_report,
        equity,
        outcome_category_amounts,
        reference_budget,
    )

    report = deviation_report(association, year)
    columns = [_("Budget"), _("Budget hittills"), _("Utfall"), _("Prognos"), _("Avvikelse")]

    def line(row: Any) -> tuple[str, list[Value]]:
        return (
            str(row.name),
            [row.budget, row.budget_to_date, row.outcome, row.forecast, row.deviation],
        )

    rows = [line(b.total_row) for b in report.income_blocks]
    rows.append(line(report.income))
    rows += [line(b.total_row) for b in report.cost_blocks]
    rows += [line(report.costs), line(report.result)]
    budget_table = Table(
        title=_("Budget och utfall %(year)s (kr)") % {"year": year},
        columns=columns,
        rows=rows if report.blocks else [],
        note=_("Utfall till och med månad %(m)s.") % {"m": report.months},
        key="ekonomi-utfall",
    )
    amounts = outcome_category_amounts(association, year)
    source = _("utfall")
    if not any(amounts.values()):
        amounts = budget_category_amounts(reference_budget(association, year))
        source = _("budget")
    distribution = cost_distribution(amounts)
    dist_rows: list[tuple[str, list[Value]]] = [
        (str(s.category.label), [s.amount, s.percent]) for s in distribution.shares
    ]
    if distribution.shares:
        dist_rows.append((total_label(), [distribution.total, Decimal("100.0")]))
        met = _("uppnått") if distribution.goal_met else _("inte uppnått")
        dist_rows.append(
            (
                _("Till insatser (mål minst 75 %%: %(met)s)") % {"met": met},
                [None, distribution.interventions_percent],
            )
        )
    distribution_table = Table(
        title=_("Kostnadsfördelning %(year)s") % {"year": year},
        columns=[_("Belopp (kr)"), _("Andel (%)")],
        rows=dist_rows,
        note=_("Beräknad på %(source)s.") % {"source": source},
        key="ekonomi-fordelning",
    )
    eq = equity(association, year)
    equity_rows: list[tuple[str, list[Value]]] = [
        (_("Ingående eget kapital"), [eq.opening]),
        (_("Årets resultat, prognos"), [eq.forecast_result]),
        (_("Utgående eget kapital, prognos"), [eq.forecast_closing]),
        (_("Rekommenderat tak"), [eq.ceiling]),
    ]
    equity_table = Table(
        title=_("Eget kapital %(year)s (kr)") % {"year": year},
        columns=[_("Belopp")],
        rows=equity_rows,
        note=_("Prognosen ligger över taket.") if eq.over_ceiling else "",
        key="ekonomi-eget-kapital",
    )
    tables = [budget_table, distribution_table, equity_table]
    section = Section("finance", _("Ekonomi"), tables, public={t.key for t in tables})
    if not report.blocks:
        section.notes.append(_("Ingen budget eller utfall för %(year)s.") % {"year": year})
    return section


# --- The report -----------------------------------------------------------------------------


@dataclass
class AssociationReport:
    """The figures behind the association's report, and the report built from them."""

    association: Association
    range: ReportRange
    per: list[Figures]
    total: Figures
    missing: list[Missing] = field(default_factory=list)
    misaligned: list[ReceivedPackage] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.per

    def figures_for(self, public_id: str) -> Figures | None:
        return next(
            (f for f in self.per if f.intervention and str(f.intervention.public_id) == public_id),
            None,
        )

    def notes(self) -> list[str]:
        notes = []
        if self.empty:
            notes.append(
                _(
                    "Inga mottagna paket för perioden %(period)s: "
                    "rapporten har inga deltagarsiffror."
                )
                % {"period": self.range.label}
            )
        for m in self.missing:
            notes.append(
                _("Paket saknas: %(intervention)s (%(provider)s), %(period)s%(late)s.")
                % {
                    "intervention": m.intervention.name,
                    "provider": m.intervention.provider.name,
                    "period": m.period.label,
                    "late": _(", sent") if m.late else "",
                }
            )
        for p in self.misaligned:
            notes.append(
                _(
                    "Paketet för %(intervention)s %(period)s sträcker sig utanför perioden och "
                    "är inte medräknat: välj en period som rymmer hela paketet."
                )
                % {"intervention": p.intervention.name, "period": p.period}
            )
        return notes


def participant_report(
    association: Association, start: ReportRange | str, end: str | None = None
) -> AssociationReport:
    """The association's participant figures for a range (a :class:`ReportRange`, or a first
    and last period label such as ``"2026Q1"``, ``"2026Q3"``)."""
    from .periods import period_range

    rng = start if isinstance(start, ReportRange) else period_range(start, end)
    per, total = figures_in_range(association, rng)
    return AssociationReport(
        association=association,
        range=rng,
        per=per,
        total=total,
        missing=missing_in_range(association, rng),
        misaligned=misaligned_packages(association, rng),
    )


def association_report(
    association: Association,
    rng: ReportRange,
    *,
    sections: tuple[str, ...] = SECTIONS,
    intervention: str = "",
) -> Report:
    """The association's report: the sections asked for, each from its own source (packages,
    structural activities, surveys, finance). ``intervention`` (a public id) chooses whose
    detail tables the participant section shows (default: all interventions together)."""
    figures = participant_report(association, rng)
    built: list[Section] = []
    selected = figures.figures_for(intervention) if intervention else None
    for key in sections:
        if key == "participants":
            built.append(participant_section(figures.per, figures.total, selected))
        elif key == "structural":
            built.append(structural_section(association, rng))
        elif key == "screening":
            built.append(screening_section(figures.per, figures.total))
        elif key == "surveys":
            built.append(survey_section(association, rng))
        elif key == "finance":
            built.append(finance_section(association, rng.year))
    uses_packages = {"participants", "screening"} & set(sections)
    return Report(
        kind="participants",
        title=_("Rapport %(period)s") % {"period": rng.label},
        owner_name=association.name,
        owner_key=association.slug,
        range=rng,
        sections=built,
        notes=figures.notes() if uses_packages else [],
        empty=figures.empty if uses_packages else not any(s.tables for s in built),
        links=participant_links(figures.per, selected) if uses_packages else [],
    )
