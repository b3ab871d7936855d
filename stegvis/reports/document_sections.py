"""The sections of the annual or interim report (verksamhetsberättelse), in the order of a Swedish
association's annual report, each as tables (``reports.tables.Table``) and charts.

Every figure is read from the function that computes it for its own page: participants from the
received packages (``document_figures``, never participant rows), the operating plan's goals from
``plans.followup``, surveys from ``surveys.results``, Lex Heller from ``deviations.compilation``,
money from ``finance.figures``. The web page, the PDF and the XLSX all render these sections.

With ``publish=True`` (the board, the preparatory group, the auditor, and exports marked for
publication) every table of counts is suppressed (calculations.md §6, ``tables.published``), and a
share is shown only where the counts behind it are shown and at least 5 (:func:`share_shown`);
charts of counts are drawn only when nothing in them is suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Case, Count, Sum, When
from django.db.models import Value as SqlValue
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from stegvis.aggregates.figures import Figures, share
from stegvis.aggregates.plan_measures import year_key
from stegvis.core.charts import svg_data_uri
from stegvis.core.codes import ReportGroup
from stegvis.core.models import Association
from stegvis.deviations.compilation import compile_reports
from stegvis.finance import figures as finance
from stegvis.interventions.models import Attendance, Goal, Intervention, StructuralActivity
from stegvis.plans import measures
from stegvis.plans.followup import follow_up
from stegvis.plans.models import Plan
from stegvis.reports import document_figures
from stegvis.reports.association import RangePackage, range_packages
from stegvis.reports.periods import date_range
from stegvis.reports.socioeconomic import socioeconomic_effect
from stegvis.reports.suppression import HIDDEN, SMALL, Member, mark
from stegvis.reports.tables import Table, Value, counts_table, published, published_together
from stegvis.surveys.results import year_totals

# Section keys in the order of the document; the office writes one text per section.
SECTIONS: list[tuple[str, Any]] = [
    ("intro", gettext_lazy("Förbundschefen har ordet")),
    ("mission", gettext_lazy("Uppdrag och organisation")),
    ("key_figures", gettext_lazy("Året i korthet")),
    ("individual", gettext_lazy("Individinriktade insatser")),
    ("structural", gettext_lazy("Strukturinriktade insatser")),
    ("goals", gettext_lazy("Måluppfyllelse")),
    ("surveys", gettext_lazy("Enkäter och indikatorer")),
    ("violence", gettext_lazy("Våld i nära relationer")),
    ("lex_heller", gettext_lazy("Lex Heller – brister i samverkan")),
    ("finance", gettext_lazy("Ekonomi")),
    ("effect", gettext_lazy("Samhällsekonomisk effekt")),
]
SECTION_KEYS = [key for key, _title in SECTIONS]


def _title(key: str) -> str:
    return str(dict(SECTIONS)[key])


MIN_SHARE_BASE = 5

# Socio-economic effect, calculations.md §4: the default model (an association edits its own).
SUPPORT_PER_MONTH = 10_000
ADMINISTRATION_PER_MONTH = 500
TAX_PER_MONTH = 5_700
HORIZON_MONTHS = 12


@dataclass(frozen=True)
class Chart:
    uri: str
    alt: str
    # The title of the table beside the chart that holds its numbers.
    table: str


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # True when the period holds nothing for this section (it says so instead of tables).
    empty: bool = False


@dataclass(frozen=True)
class Effect:
    persons: int
    per_month: int
    months: int
    source: str = "assumption"  # or "follow_ups": months known in work replace the assumption
    known: int = 0  # the effect from follow-ups, when source is "follow_ups"
    # Follow-ups that found someone in work, which that effect counts (amount ÷ per month ÷ 6).
    found_in_work: int = 0
    support: int = SUPPORT_PER_MONTH
    administration: int = ADMINISTRATION_PER_MONTH
    tax: int = TAX_PER_MONTH

    @property
    def amount(self) -> int:
        if self.source == "follow_ups":
            return self.known
        return self.persons * self.per_month * self.months


def effect_for(
    association: Association,
    year: int,
    end: date | None = None,
    *,
    figures: tuple[list[Figures], Figures] | None = None,
) -> Effect:
    """The socio-economic effect of the period (calculations.md §4) as the figures layer
    computes it (``reports.socioeconomic``), with the association's own model. ``figures``:
    the period's participant figures when the caller has summed them already."""
    rng = date_range(date(year, 1, 1), end or date(year, 12, 31))
    report = None
    if figures is not None:
        from stegvis.reports.association import AssociationReport

        report = AssociationReport(association, rng, per=figures[0], total=figures[1])
    effect = socioeconomic_effect(association, rng, figures=report)
    model = effect.model
    return Effect(
        persons=effect.exits_to_work,
        per_month=model.per_month,
        months=model.horizon_months,
        source="follow_ups" if effect.uses_follow_ups else "assumption",
        known=effect.known,
        found_in_work=effect.found_in_work,
        support=model.support,
        administration=model.administration,
        tax=model.tax,
    )


def share_shown(part: int, whole: int) -> bool:
    """Whether a share may be published: its base, its part and the rest are each 0 or at least 5,
    so that it reveals no count from 1 to 4."""

    def ok(n: int) -> bool:
        return n == 0 or n >= MIN_SHARE_BASE

    return whole >= MIN_SHARE_BASE and ok(part) and ok(whole - part)


def _counts(
    title: str,
    columns: Sequence[str],
    rows: Sequence[tuple[str, Sequence[int]]],
    key: str,
    publish: bool,
) -> Table:
    table = counts_table(title, columns, rows, total_label=_("Totalt"), key=key)
    return published(table) if publish else table


def _shown(value: Value) -> bool:
    return isinstance(value, int)


GENDER_LABELS = {"kvinna": gettext_lazy("Kvinnor"), "man": gettext_lazy("Män")}
OTHER_GENDER = gettext_lazy("Annat / ej angivet")


def _genders(total: Figures) -> list[str]:
    """Women and men, and the third gender column only when someone is in it."""
    other = total.participants.get("annat", 0) or any(
        cells.get("annat", 0) for table in total.tables.values() for cells in table.values()
    )
    return ["kvinna", "man", *(["annat"] if other else [])]


def _gender_labels(genders: list[str]) -> list[str]:
    return [str(GENDER_LABELS.get(g, OTHER_GENDER)) for g in genders]


def _bar_chart(
    labels: list[str], values: list[int | Decimal], title: str, *, counts: bool = False
) -> str:
    return _drawn_bar_chart(tuple(labels), tuple(values), title, counts)


@lru_cache(maxsize=64)
def _drawn_bar_chart(
    labels: tuple[str, ...], values: tuple[int | Decimal, ...], title: str, counts: bool
) -> str:
    """The chart as an SVG data URI, drawn once per content: a pure function of its labels,
    values and title (translated already), so a cached drawing can never be stale. Drawing is
    most of a report page's time (about 40 ms a chart), and an office saving its texts, or
    printing the PDF after the page, shows the same charts again. Only aggregate figures are
    drawn here; a participant's own charts are never cached."""
    figure = Figure(figsize=(6.5, 2.8))
    axes = figure.subplots()
    axes.bar(labels, [float(v) for v in values], color="#2b6777")
    axes.set_title(title, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    if counts:
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return svg_data_uri(figure)


# --- The sections ---------------------------------------------------------------------------


@dataclass
class Context:
    association: Association
    start: date
    end: date
    publish: bool
    per: list[Figures]
    total: Figures
    genders: list[str]
    # Draw the charts (the web page and the PDF); the report object and the XLSX need none.
    charts: bool = True
    # The period's current packages (``association.range_packages``), read once for the sums
    # and the coverage notes.
    packages: list[RangePackage] | None = None
    # The tables of exits, built (and published together) once: see ``exit_tables``; the exact
    # ones too, for the shares computed from them.
    exits: dict[str, Table] | None = None
    exact_exits: dict[str, Table] = field(default_factory=dict)
    # The year's equity, once the finance section has computed it (the plan's goals read it).
    equity: finance.Equity | None = None

    @property
    def year(self) -> int:
        return self.start.year


def _mission(c: Context) -> Section:
    section = Section("mission", _title("mission"))
    members = finance.members_in_year(c.association, c.year)
    if members:
        section.tables.append(
            Table(
                _("Medlemmar"),
                [_("Slag")],
                [(m.organisation.name, [str(m.organisation.get_kind_display())]) for m in members],
                key="members",
            )
        )
    else:
        section.empty = True
    return section


def _individual(c: Context) -> Section:
    section = Section("individual", _title("individual"))
    coverage = document_figures.coverage(c.association, c.start, c.end, packages=c.packages)
    for name, period in coverage.straddling:
        section.notes.append(
            _(
                "Paketet för %(name)s, period %(period)s, sträcker sig utanför rapportperioden "
                "och är inte medräknat."
            )
            % {"name": name, "period": period}
        )
    for missing in coverage.missing:
        section.notes.append(
            _("Sammanställning saknas: %(name)s, %(period)s.")
            % {"name": missing.intervention.name, "period": missing.period.label}
        )
    if not c.per:
        section.empty = True
        return section
    section.tables = individual_tables(c)
    exits = section.tables[3]
    groups = ReportGroup.choices
    totals = exits.rows[-1][1][:-1]
    if c.charts and all(_shown(v) for v in totals) and any(totals):
        title = _("Avslut per avslutsgrupp")
        section.charts.append(
            Chart(
                _bar_chart(
                    [str(label) for _v, label in groups],
                    list(totals),  # type: ignore[arg-type]
                    title,
                    counts=True,
                ),
                _("Stapeldiagram: avslut per avslutsgrupp. Siffrorna finns i tabellen %(t)s.")
                % {"t": exits.title},
                exits.title,
            )
        )
    return section


def exit_links(n_interventions: int, n_genders: int, n_groups: int) -> list[list[Member]]:
    """The figures that exits by gender (0: interventions × genders), exits by report group (1:
    interventions × groups) and exits by group and gender (2: groups × genders) share: each
    intervention's exits, each gender's, each group's, and all exits."""
    n, k, m = n_interventions, n_genders, n_groups
    return [
        *([(0, (i, k)), (1, (i, m))] for i in range(n)),
        *([(0, (n, g)), (2, (m, g))] for g in range(k)),
        *([(1, (n, j)), (2, (j, k))] for j in range(m)),
        [(0, (n, k)), (1, (n, m)), (2, (m, k))],
    ]


def exit_tables(c: Context) -> dict[str, Table]:
    """Exits per intervention and gender, per report group and intervention, per group and
    gender, and the violence screening of the exits per intervention (only interventions with
    exits). Published (``c.publish``), the four are suppressed together: they share each
    intervention's exits, each gender's, each group's and all exits, and a figure hidden in one
    table but shown in another would give hidden cells back (``exit_links``; the screening's
    row totals are the exits where every exit was screened or not). Built once per context."""
    if c.exits is not None:
        return c.exits
    per = [(f.intervention.name, f) for f in c.per if f.intervention is not None]
    if not per:
        c.exits = {}
        return c.exits
    labels = _gender_labels(c.genders)
    groups = ReportGroup.choices
    screened = [i for i, (_n, f) in enumerate(per) if f.row("participants", "exited")["total"]]
    tables = [
        counts_table(
            _("Avslutade deltagare per insats"),
            labels,
            [(n, [f.row("participants", "exited").get(g, 0) for g in c.genders]) for n, f in per],
            total_label=_("Totalt"),
            key="exited",
        ),
        counts_table(
            _("Avslut per avslutsgrupp och insats"),
            [str(label) for _value, label in groups],
            [(n, [f.row("exit_groups", g)["total"] for g, _l in groups]) for n, f in per],
            total_label=_("Totalt"),
            key="exit_groups",
        ),
        counts_table(
            _("Avslut per avslutsgrupp och kön"),
            labels,
            [
                (str(label), [c.total.row("exit_groups", g)[x] for x in c.genders])
                for g, label in groups
            ],
            total_label=_("Totalt"),
            key="exit_groups_gender",
        ),
    ]
    if screened:
        tables.append(
            counts_table(
                _("Avslutade deltagare som fått frågor om våld"),
                [_("Tillfrågade"), _("Inte tillfrågade")],
                [
                    (
                        per[i][0],
                        [
                            per[i][1].row("violence_screening", "asked")["total"],
                            per[i][1].row("violence_screening", "not_asked")["total"],
                        ],
                    )
                    for i in screened
                ],
                total_label=_("Totalt"),
                key="violence_screening",
            )
        )
    c.exact_exits = {t.key: t for t in tables}
    if c.publish:
        n, k = len(per), len(c.genders)
        links = exit_links(n, k, len(groups))
        if screened:
            links += [[(0, (i, k)), (3, (row, 2))] for row, i in enumerate(screened)]
            links.append([(0, (n, k)), (3, (len(screened), 2))])
        tables = published_together(tables, links)
    c.exits = {t.key: t for t in tables}
    return c.exits


def individual_tables(c: Context) -> list[Table]:
    """Participants, new and exited per intervention and gender; exits per report group and
    intervention, and per group and gender (suppressed when ``c.publish``; the tables of exits
    together, see ``exit_tables``)."""
    labels = _gender_labels(c.genders)
    names = [f.intervention.name for f in c.per if f.intervention is not None]

    def by_gender(pick: Any) -> list[tuple[str, list[int]]]:
        rows = []
        for n, f in zip(names, c.per, strict=True):
            counts = pick(f)
            rows.append((n, [counts.get(g, 0) for g in c.genders]))
        return rows

    exits = exit_tables(c)
    return [
        _counts(
            _("Deltagare per insats"),
            labels,
            by_gender(lambda f: f.participants),
            "participants",
            c.publish,
        ),
        _counts(
            _("Nya deltagare per insats"),
            labels,
            by_gender(lambda f: f.row("participants", "new")),
            "new",
            c.publish,
        ),
        exits["exited"],
        exits["exit_groups"],
        exits["exit_groups_gender"],
    ]


def _structural(c: Context) -> Section:
    section = Section("structural", _title("structural"))
    interventions = Intervention.objects.filter(
        fundings__association=c.association, kind=Intervention.Kind.STRUCTURAL
    )
    activities = StructuralActivity.objects.filter(
        intervention__in=interventions.values("pk"), date__gte=c.start, date__lte=c.end
    )
    volume = list(
        activities.values("intervention__name")
        .annotate(n=Count("id"), hours=Sum("hours"))
        .order_by("intervention__name")
    )
    if not volume:
        section.empty = True
        return section
    section.tables.append(
        Table(
            _("Aktiviteter per insats"),
            [_("Tillfällen"), _("Timmar")],
            [(r["intervention__name"], [r["n"], r["hours"] or Decimal(0)]) for r in volume],
            key="activities",
        )
    )
    # Attendance per intervention and organisation in one query, ordered by organisation (the
    # database's collation); the interventions keep the volume table's order.
    attendance = (
        Attendance.objects.filter(activity__in=activities.values("pk"))
        .values_list("organisation__name", "activity__intervention__name")
        .annotate(w=Sum("women"), m=Sum("men"), o=Sum("other"))
        .order_by("organisation__name", "activity__intervention__name")
    )
    by_organisation: dict[str, list[int]] = {}
    by_intervention: dict[str, list[int]] = {}
    for organisation, intervention, *counts in attendance:
        for totals, name in ((by_organisation, organisation), (by_intervention, intervention)):
            row = totals.setdefault(name, [0, 0, 0])
            for i, n in enumerate(counts):
                row[i] += n
    labels = [_("Kvinnor"), _("Män"), str(OTHER_GENDER)]
    per_intervention = [
        (name, by_intervention[name])
        for name in dict.fromkeys(r["intervention__name"] for r in volume)
        if name in by_intervention
    ]
    if not per_intervention:
        return section
    attendance_tables = [
        counts_table(
            _("Deltagare i aktiviteterna per insats"),
            labels,
            per_intervention,
            total_label=_("Totalt"),
            key="attendance",
        ),
        counts_table(
            _("Deltagare i aktiviteterna per organisation"),
            labels,
            list(by_organisation.items()),
            total_label=_("Totalt"),
            key="attendance_org",
        ),
    ]
    if c.publish:
        # The two tables share their total row (per gender and in all): suppressed together.
        n, m = len(per_intervention), len(by_organisation)
        attendance_tables = published_together(
            attendance_tables, [[(0, (n, g)), (1, (m, g))] for g in range(len(labels) + 1)]
        )
    section.tables.extend(attendance_tables)
    return section


# Goal measures that are a share of the intervention's exits (calculations.md §5).
_SHARES_OF_EXITS = {Goal.Measure.SHARE_EXITS_IN_GROUPS, Goal.Measure.SHARE_POSITIVE_STEP}


def _goal_part(f: Figures, goal: Goal, g: str) -> int:
    """The exits a share-of-exits goal counts (``aggregates.figures.goal_outcome``): those in
    the goal's report groups, or those with a positive step beyond them."""
    if goal.measure == Goal.Measure.SHARE_EXITS_IN_GROUPS:
        return sum(f.row("exit_groups", group)[g] for group in goal.report_groups)
    return sum(
        f.row("positive_by_group", group)[g]
        for group in ReportGroup.values
        if group not in goal.report_groups
    )


def _goal_rows(
    c: Context, exits: Table | None, exited: Table | None
) -> list[tuple[str, list[Value]]]:
    rows: list[tuple[str, list[Value]]] = []
    for i, f in enumerate(c.per):
        assert f.intervention is not None
        exited_counts = f.row("participants", "exited")
        for outcome in f.goals:
            goal = outcome.goal
            values: list[Value] = [goal.target]
            for g in ("kvinna", "man", "total"):
                shown_value: Decimal | None = outcome.outcome.get(g)
                if c.publish and goal.measure in _SHARES_OF_EXITS:
                    ok = share_shown(_goal_part(f, goal, g), exited_counts[g])
                    in_groups = goal.measure == Goal.Measure.SHARE_EXITS_IN_GROUPS
                    if in_groups and g == "total" and exits is not None:
                        row = exits.rows[i][1]
                        columns = [ReportGroup.values.index(x) for x in goal.report_groups]
                        ok = ok and all(_shown(row[col]) for col in columns)
                    elif exited is not None:
                        # The exits it is a share of, as the exited table publishes them.
                        column = -1 if g == "total" else c.genders.index(g)
                        ok = ok and _shown(exited.rows[i][1][column])
                    if not ok:
                        shown_value = None
                values.append(shown_value)
            met = outcome.met.get("total") if values[-1] is not None else None
            values.append(_("Uppfyllt") if met else _("Inte uppfyllt") if met is False else "–")
            rows.append((f"{f.intervention.name}: {goal.text}", values))
    return rows


def _goals(c: Context, individual: Section) -> Section:
    section = Section("goals", _title("goals"))
    columns = [_("Målvärde"), _("Kvinnor"), _("Män"), _("Totalt"), _("Bedömning")]
    tables = {t.key: t for t in individual.tables}
    goal_rows = _goal_rows(c, tables.get("exit_groups"), tables.get("exited"))
    if goal_rows:
        section.tables.append(
            Table(_("Insatsernas mål"), columns, goal_rows, key="intervention_goals")
        )
    # The newest decided version, else the newest version: one query.
    plan = (
        Plan.objects.filter(association=c.association, year=c.year)
        .order_by(
            Case(When(status=Plan.Status.DECIDED, then=SqlValue(0)), default=SqlValue(1)),
            "-version",
        )
        .first()
    )
    if plan is not None:
        # Published, counts of people are suppressed as one row (followup's docstring).
        # A whole year's package sums and the year's equity are the report's own: the plan's
        # goals read them rather than computing them again.
        whole_year = (c.start, c.end) == (date(c.year, 1, 1), date(c.year, 12, 31))
        seed: dict[Any, Any] = {}
        if whole_year:
            seed[year_key(c.association.pk, c.year)] = (c.per, c.total)
        if c.equity is not None:
            seed[measures.equity_key(c.association.pk, c.year)] = c.equity
        with measures.shared_figures(seed):
            result = follow_up(plan, measures.Period(c.start, c.end), publish=c.publish)
        plan_rows: list[tuple[str, list[Value]]] = []
        for area in result.areas:
            for row in area.goals:
                cells = {cell.group: cell.mark or cell.outcome for cell in row.cells}
                values: list[Value] = [row.target]
                values.extend(cells.get(g) for g in ("women", "men", "total"))
                values.append(row.total.verdict_label)
                plan_rows.append((row.goal.text, values))
        if plan_rows:
            section.tables.append(
                Table(
                    _("Verksamhetsplanens mål %(year)s") % {"year": plan.year},
                    columns,
                    plan_rows,
                    key="plan_goals",
                )
            )
    if not section.tables:
        section.empty = True
    elif c.publish:
        section.notes.append(_("Andelar som bygger på färre än 5 personer visas inte (”–”)."))
    return section


def _surveys(c: Context) -> Section:
    section = Section("surveys", _title("surveys"))
    answered = year_totals(c.association, c.year)  # a constant number of queries
    for results in answered.values():
        questionnaire = results.questionnaire
        rows: list[tuple[str, list[Value]]] = []
        for item in results.items:
            n = item.total.n
            rows.append(
                (
                    f"{item.label} {item.text}".strip(),
                    [
                        n if n >= MIN_SHARE_BASE or n == 0 else SMALL,
                        item.total.share_positive,
                        item.reference.share_positive if item.reference else None,
                        item.difference,
                    ],
                )
            )
        section.tables.append(
            Table(
                questionnaire.title,
                [
                    _("Antal svar"),
                    _("Andel positiva %"),
                    _("Nationell referens %"),
                    _("Skillnad (procentenheter)"),
                ],
                rows,
                note=_("Frågor med färre än 5 svar visas inte."),
                key=f"survey_{questionnaire.key}",
            )
        )
    if not section.tables:
        section.empty = True
    else:
        section.notes.append(_("Svar under %(year)s till och med rapportdagen.") % {"year": c.year})
    return section


def _violence(c: Context) -> Section:
    section = Section("violence", _title("violence"))
    table = exit_tables(c).get("violence_screening")
    if table is None:
        section.empty = True
        return section
    section.tables.append(table)
    exact = c.exact_exits["violence_screening"]
    shares: list[tuple[str, list[Value]]] = []
    for (name, (asked, not_asked, _total)), (_label, shown) in zip(
        exact.rows[:-1], table.rows[:-1], strict=True
    ):
        assert isinstance(asked, int) and isinstance(not_asked, int)
        value = share(asked, asked + not_asked)
        if c.publish and not (
            share_shown(asked, asked + not_asked) and all(_shown(v) for v in shown)
        ):
            value = None
        shares.append((name, [value]))
    section.tables.append(
        Table(_("Andel tillfrågade"), [_("Andel %")], shares, key="violence_share")
    )
    return section


def _lex_heller(c: Context) -> Section:
    section = Section("lex_heller", _title("lex_heller"))
    compilation = compile_reports(c.association, c.start, c.end, breakdowns=False)
    if not compilation.total:
        section.empty = True
        return section
    months = [date_format(m, "M") for m in compilation.months]
    by_month = counts_table(
        _("Rapporter per kategori och månad"),
        months,
        [(label, counts) for label, counts in compilation.by_month],
        total_label=_("Totalt"),
        key="lex_heller_months",
    )
    # Decided and undecided add up to the reports of the table by month: published, the three
    # are suppressed together, or the total minus the decided would give the undecided back.
    handled = counts_table(
        "",
        [_("Beslutade"), _("Utan beslut")],
        [(_("Rapporter"), [compilation.decided, compilation.total - compilation.decided])],
        total_label=_("Totalt"),
    )
    if c.publish:
        rows, columns = len(compilation.by_month), len(months)
        by_month, handled = published_together(
            [by_month, handled],
            [[(0, (rows, columns)), (1, (0, 2)), (1, (1, 2))]],
        )
    section.tables.append(by_month)
    total: Value = by_month.rows[-1][1][-1]
    decided: Value = handled.rows[0][1][0]
    section.tables.append(
        Table(
            _("Handläggning av rapporterna"),
            [_("Värde")],
            [
                (_("Rapporter totalt"), [total]),
                (_("Beslutade"), [decided]),
                (_("Mediantid till beslut (dagar)"), [compilation.median_days]),
                (_("Medeltid till beslut (dagar)"), [compilation.mean_days]),
            ],
            key="lex_heller_handling",
        )
    )
    return section


def _finance(c: Context) -> Section:
    section = Section("finance", _title("finance"))
    report = finance.deviation_report(c.association, c.year)
    if report.budget is None and not report.blocks:
        section.empty = True
        return section
    rows: list[tuple[str, list[Value]]] = []
    for block in report.blocks:
        t = block.totals
        rows.append(
            (
                str(block.category.label),
                [t["budget"], t["budget_to_date"], t["outcome"], t["forecast"]],
            )
        )
    for r in (report.income, report.costs, report.result):
        rows.append((str(r.name), [r.budget, r.budget_to_date, r.outcome, r.forecast]))
    section.tables.append(
        Table(
            _("Budget och utfall (kr)"),
            [_("Budget"), _("Budget hittills"), _("Utfall"), _("Prognos helår")],
            rows,
            note=_("Utfall till och med månad %(m)s.") % {"m": report.months},
            key="budget",
        )
    )
    # The outcomes per category are the report's category outcome totals (every post with an
    # outcome is in the report): the same as outcome_category_amounts(), without a query.
    distribution = finance.cost_distribution(
        {b.category: b.totals["outcome"] or 0 for b in report.blocks}
    )
    if distribution.shares:
        table = Table(
            _("Kostnadsfördelning (utfall)"),
            [_("Kronor"), _("Andel %")],
            [(str(s.category.label), [s.amount, s.percent]) for s in distribution.shares],
            key="cost_distribution",
        )
        section.tables.append(table)
        section.notes.append(
            _("Andel av kostnaderna till insatser: %(p)s %% (målet är minst 75 %%): %(v)s.")
            % {
                "p": number_format(distribution.interventions_percent or 0, 1, use_l10n=True),
                "v": _("uppfyllt") if distribution.goal_met else _("inte uppfyllt"),
            }
        )
        if c.charts:
            section.charts.append(
                Chart(
                    _bar_chart(
                        [str(s.category.label).split(" ")[0] for s in distribution.shares],
                        [s.percent for s in distribution.shares],
                        _("Kostnadsfördelning, procent"),
                    ),
                    _(
                        "Stapeldiagram: kostnadernas fördelning i procent. "
                        "Siffrorna finns i tabellen %(t)s."
                    )
                    % {"t": table.title},
                    table.title,
                )
            )
    eq = c.equity = finance.equity(c.association, c.year, report)
    section.tables.append(
        Table(
            _("Eget kapital (kr)"),
            [_("Kronor")],
            [
                (_("Ingående eget kapital"), [eq.opening]),
                (_("Årets resultat enligt prognos"), [eq.forecast_result]),
                (_("Utgående eget kapital enligt prognos"), [eq.forecast_closing]),
                (_("Rekommenderat tak"), [eq.ceiling]),
            ],
            key="equity",
        )
    )
    if eq.over_ceiling:
        section.notes.append(_("Det egna kapitalet beräknas överstiga det rekommenderade taket."))
    return section


def _effect(c: Context) -> Section:
    section = Section("effect", _title("effect"))
    effect = effect_for(c.association, c.year, c.end, figures=(c.per, c.total))
    persons: Value = effect.persons
    amount: Value = effect.amount
    if c.publish and 0 < effect.persons < MIN_SHARE_BASE:
        persons, amount = SMALL, HIDDEN
    # From follow-ups the amount is (follow-ups in work) × 6 months × the kronor per month shown
    # beside it: a count the board may not read when it is 1 to 4.
    if c.publish and effect.source == "follow_ups" and 0 < effect.found_in_work < MIN_SHARE_BASE:
        amount = HIDDEN
    section.tables.append(
        Table(
            _("Samhällsekonomisk effekt"),
            [_("Värde")],
            [
                (_("Personer som avslutats till arbete"), [persons]),
                (_("Kronor per person och månad"), [effect.per_month]),
                (_("Antal månader"), [effect.months]),
                (_("Effekt (kr)"), [amount]),
            ],
            key="effect",
        )
    )
    section.notes.append(
        _(
            "Beräknat med förbundets modell: utebliven ersättning %(s)s kr, "
            "administration %(a)s kr och skatt %(t)s kr per person och månad, under antagna "
            "%(m)s månader i arbete."
        )
        % {
            "s": number_format(effect.support, 0, use_l10n=True, force_grouping=True),
            "a": number_format(effect.administration, 0, use_l10n=True, force_grouping=True),
            "t": number_format(effect.tax, 0, use_l10n=True, force_grouping=True),
            "m": effect.months,
        }
    )
    if effect.source == "follow_ups":
        section.notes.append(
            _(
                "Uppföljningar finns för perioden: effekten bygger på de månader i arbete som "
                "uppföljningarna visar, inte på antagandet."
            )
        )
    return section


def _key_figures(c: Context, sections: dict[str, Section]) -> Section:
    """The year in brief, each figure copied from the table that shows it (so the board sees
    the same marks as in that table)."""
    section = Section("key_figures", _title("key_figures"))
    tables = {t.key: t for s in sections.values() for t in s.tables}
    rows: list[tuple[str, list[Value]]] = []

    def grand(key: str) -> Value:
        table = tables.get(key)
        return table.rows[-1][1][-1] if table is not None else 0

    for key, label in (
        ("participants", _("Deltagare i individinriktade insatser")),
        ("new", _("varav nya under perioden")),
        ("exited", _("Avslutade deltagare")),
    ):
        rows.append((label, [grand(key)]))
    exits = tables.get("exit_groups")
    if exits is not None:
        work, studies = exits.rows[-1][1][0], exits.rows[-1][1][1]
        if _shown(work) and _shown(studies):
            both: Value = int(work) + int(studies)  # type: ignore[arg-type]
        else:
            exact = (
                c.total.row("exit_groups", "arbete")["total"]
                + c.total.row("exit_groups", "studier")["total"]
            )
            both = mark(exact)
        rows.append((_("Avslut till arbete eller studier"), [both]))
    activities = tables.get("activities")
    rows.append(
        (
            _("Strukturinriktade aktiviteter"),
            [sum(int(v[0] or 0) for _l, v in activities.rows) if activities else 0],
        )
    )
    lex = tables.get("lex_heller_handling")
    rows.append((_("Lex Heller-rapporter"), [lex.rows[0][1][0] if lex else 0]))
    distribution = tables.get("cost_distribution")
    if distribution is not None:
        interventions = sum(
            Decimal(str(v[1])) for label, v in distribution.rows if label in _intervention_labels()
        )
        rows.append((_("Andel av kostnaderna till insatser %"), [interventions]))
    effect = tables.get("effect")
    if effect is not None:
        rows.append((_("Samhällsekonomisk effekt (kr)"), [effect.rows[-1][1][0]]))
    section.tables.append(Table(_("Året i korthet"), [_("Värde")], rows, key="key_figures"))
    return section


def _intervention_labels() -> set[str]:
    from stegvis.finance.models import Category

    return {str(Category.INDIVIDINRIKTADE.label), str(Category.STRUKTUROVERGRIPANDE.label)}


def build_sections(
    association: Association, start: date, end: date, *, publish: bool, charts: bool = True
) -> list[Section]:
    """Every section of the report for the period, in document order. The participant figures
    are summed once and shared by every section that shows them (individual, goals, violence,
    effect, key figures); ``charts=False`` leaves out the charts (drawing them is rendering)."""
    packages = range_packages(association, date_range(start, end))
    per, total = document_figures.participant_figures(association, start, end, packages=packages)
    c = Context(association, start, end, publish, per, total, _genders(total), charts, packages)
    built: dict[str, Section] = {"intro": Section("intro", _title("intro"))}
    built["mission"] = _mission(c)
    built["individual"] = _individual(c)
    built["structural"] = _structural(c)
    built["finance"] = _finance(c)  # before the goals, which read its equity
    built["goals"] = _goals(c, built["individual"])
    built["surveys"] = _surveys(c)
    built["violence"] = _violence(c)
    built["lex_heller"] = _lex_heller(c)
    built["effect"] = _effect(c)
    built["key_figures"] = _key_figures(c, built)
    return [built[key] for key in SECTION_KEYS]


def has_data(sections: list[Section]) -> bool:
    """False when the period holds no figures at all (an honest empty report)."""
    return any(
        not s.empty and s.tables
        for s in sections
        if s.key not in {"mission", "key_figures", "effect"}
    )


def annual_tables(
    association: Association, start: date, end: date, *, publish: bool
) -> list[Table]:
    """Every table of the report, in document order (for the XLSX and ``export_report``)."""
    sections = build_sections(association, start, end, publish=publish, charts=False)
    return [t for s in sections for t in s.tables]


__all__ = [
    "SECTIONS",
    "Chart",
    "Effect",
    "Section",
    "annual_tables",
    "build_sections",
    "effect_for",
    "has_data",
    "share_shown",
]
