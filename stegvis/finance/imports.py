"""Imports of finance files: outcomes (XLSX/CSV or SIE 4) and a whole year (XLSX/CSV).

Each reader turns a file into checked rows or a list of problems, each with its row (or line),
column or account and reason, in Swedish. Nothing is written unless the whole file is right, and
then in one transaction through ``services``. File formats: docs/anvandare/ekonomi.md.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from stegvis.core.actors import Actor
from stegvis.core.models import Association, MemberPopulation
from stegvis.finance import figures, services, sie
from stegvis.finance.models import (
    COST_CATEGORIES,
    INCOME_CATEGORIES,
    AccountMapping,
    Budget,
    BudgetPost,
    Category,
    ContributionKey,
    Outcome,
)

MAX_ROWS = 20_000
QUARTER = re.compile(r"^(?:k|kv|q)\s*([1-4])$", re.IGNORECASE)


class FileProblem(Exception):
    """The file cannot be read at all (not CSV/XLSX, empty, no header…)."""


@dataclass
class Problems:
    messages: list[str] = field(default_factory=list)

    def add(self, row: int | None, column: str, message: str) -> None:
        if row is None:
            self.messages.append(message)
        else:
            self.messages.append(
                _("Rad %(row)s, kolumn %(column)s: %(message)s")
                % {"row": row, "column": column, "message": message}
            )

    def __bool__(self) -> bool:
        return bool(self.messages)


def read_table(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for each non-empty row of the first sheet or the CSV.

    Column names are compared in lower case without surrounding spaces. Row numbers are as a
    spreadsheet shows them (the header is row 1)."""
    if filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif filename.lower().endswith((".csv", ".txt")):
        rows = _csv_rows(data)
    else:
        raise FileProblem(_("Filen ska vara en XLSX- eller CSV-fil."))
    if not rows:
        raise FileProblem(_("Filen är tom."))
    header = [str(h or "").strip().lower() for h in rows[0]]
    result = []
    for number, values in enumerate(rows[1:], start=2):
        cells = ["" if v is None else str(v).strip() for v in values]
        if not any(cells):
            continue
        result.append((number, dict(zip(header, cells, strict=False))))
    if len(result) > MAX_ROWS:
        raise FileProblem(_("Filen har fler än %(max)s rader.") % {"max": MAX_ROWS})
    return result


def _csv_rows(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem(_("CSV-filen ska vara sparad som UTF-8.")) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FileProblem(_("XLSX-filen kunde inte läsas.")) from exc
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def parse_amount(text: str) -> int | None:
    """Whole kronor from '1 234 567', '1234567,00', '-500'; None when not a number or when it
    has öre (a budget or outcome in a file is in whole kronor)."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace("kr", "").replace(",", ".")
    if re.fullmatch(r"-?\d+\.0+", cleaned):
        cleaned = cleaned.split(".")[0]
    if not re.fullmatch(r"-?\d+", cleaned):
        return None
    return int(cleaned)


def parse_percent(text: str) -> Decimal | None:
    cleaned = text.replace("%", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_period(text: str) -> tuple[int, int] | None:
    """(last month, months): '3' or '03' is March, 'K1'/'kv1'/'Q1' the first quarter."""
    text = text.strip()
    match = QUARTER.match(text)
    if match:
        return int(match.group(1)) * 3, 3
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text), 1
    return None


def _posts(association: Association) -> dict[str, BudgetPost]:
    return {p.code: p for p in BudgetPost.objects.filter(association=association)}


# --- Outcomes from XLSX/CSV ----------------------------------------------------------------------

OUTCOME_COLUMNS = ["kod", "period", "belopp"]


@dataclass
class OutcomeResult:
    rows: list[services.OutcomeInput]
    problems: Problems
    months: list[int] | None = None  # SIE: the months the file covers
    year: int | None = None


def read_outcome_file(
    association: Association, year: int, data: bytes, filename: str
) -> OutcomeResult:
    """Outcomes from a table with columns kod (the post's code), period (1–12 or K1–K4) and
    belopp (whole kronor)."""
    problems = Problems()
    try:
        table = read_table(data, filename)
    except FileProblem as exc:
        problems.add(None, "", str(exc))
        return OutcomeResult([], problems)
    if table and (missing := [c for c in OUTCOME_COLUMNS if c not in table[0][1]]):
        problems.add(None, "", _("Kolumner saknas: %(cols)s.") % {"cols": ", ".join(missing)})
        return OutcomeResult([], problems)
    posts = _posts(association)
    rows = []
    seen: set[tuple[str, int]] = set()
    for number, row in table:
        ok = True
        post = posts.get(row.get("kod", ""))
        if post is None:
            problems.add(number, "kod", _("Okänd budgetpost %(code)s.") % {"code": row.get("kod")})
            ok = False
        period = parse_period(row.get("period", ""))
        if period is None:
            problems.add(number, "period", _("Ange månad 1–12 eller kvartal K1–K4."))
            ok = False
        amount = parse_amount(row.get("belopp", ""))
        if amount is None:
            problems.add(number, "belopp", _("Ange ett belopp i hela kronor."))
            ok = False
        if ok and post is not None and period is not None and amount is not None:
            if (post.code, period[0]) in seen:
                problems.add(number, "period", _("Samma post och period finns två gånger."))
                continue
            seen.add((post.code, period[0]))
            rows.append(services.OutcomeInput(post, year, period[0], amount, period[1]))
    return OutcomeResult(rows, problems, year=year)


# --- Outcomes from SIE 4 ------------------------------------------------------------------------


def read_sie_file(association: Association, data: bytes) -> OutcomeResult:
    """Monthly outcomes per post from an SIE 4 file's vouchers, through the account mapping.

    The year is the file's #RAR 0. A transaction counts in the month of its own date, or of its
    voucher's date when it has none. Income posts are credit (shown positive), cost posts debit.
    Sums per post and month are rounded half up to whole kronor."""
    parsed = sie.parse(data)
    problems = Problems(list(parsed.errors))
    if parsed.errors:
        return OutcomeResult([], problems)
    if parsed.year_start is None or parsed.year_end is None:
        problems.add(None, "", _("Filen saknar räkenskapsår (#RAR 0)."))
        return OutcomeResult([], problems)
    year = parsed.year_end.year
    if (
        parsed.year_start != parsed.year_start.replace(month=1, day=1)
        or parsed.year_start.year != year
    ):
        problems.add(
            None,
            "",
            _(
                "Räkenskapsåret %(start)s–%(end)s är inte ett kalenderår; Stegvis följer upp per "
                "kalenderår."
            )
            % {"start": parsed.year_start, "end": parsed.year_end},
        )
        return OutcomeResult([], problems)
    mapping = {
        m.account: m.post
        for m in AccountMapping.objects.filter(association=association).select_related("post")
    }
    sums: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    posts: dict[int, BudgetPost] = {}
    unmapped: dict[str, int] = {}
    months: set[int] = set()
    for voucher in parsed.vouchers:
        for t in voucher.transactions:
            if not sie.is_result_account(t.account):
                continue
            day = t.day or voucher.day
            if day.year != year:
                problems.messages.append(
                    _(
                        "Rad %(line)s: transaktionen på konto %(account)s är daterad %(day)s, "
                        "utanför räkenskapsåret."
                    )
                    % {"line": t.line, "account": t.account, "day": day}
                )
                continue
            months.add(day.month)
            post = mapping.get(t.account)
            if post is None:
                unmapped.setdefault(t.account, t.line)
                continue
            posts[post.pk] = post
            sums[post.pk, day.month] += t.amount
    for account, line in sorted(unmapped.items()):
        name = parsed.accounts.get(account, "")
        problems.messages.append(
            _(
                "Rad %(line)s: konto %(account)s %(name)s har ingen budgetpost. Koppla kontot "
                "under Kontomappning och importera filen igen."
            )
            % {"line": line, "account": account, "name": name}
        )
    rows = []
    for (post_id, month), total in sorted(sums.items()):
        post = posts[post_id]
        signed = -total if post.category in INCOME_CATEGORIES else total
        amount = int(signed.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
        rows.append(services.OutcomeInput(post, year, month, amount, 1))
    return OutcomeResult(rows, problems, months=sorted(months), year=year)


def import_outcomes(
    actor: Actor,
    association: Association,
    result: OutcomeResult,
    source: str,
    *,
    dry_run: bool = False,
) -> int:
    if result.problems or result.year is None:
        raise ValidationError(result.problems.messages or [_("Filen innehåller inga utfall.")])
    if dry_run:
        return len(result.rows)
    return services.replace_outcomes(
        actor, association, result.year, result.rows, source, months=result.months
    )


# --- A whole year --------------------------------------------------------------------------------

YEAR_COLUMNS = ["år", "typ", "kod", "benämning", "kategori", "insats", "period", "belopp", "andel"]
TOTAL_CODES = {"intakter", "kostnader", "resultat", "tilldelning", *Category.values}


@dataclass
class YearPlan:
    """What a whole-year file holds, checked; written by :func:`import_year`."""

    year: int | None = None
    total: int | None = None
    key_rows: list[tuple[int, str, Decimal]] = field(default_factory=list)
    lines: list[tuple[int, services.LineInput]] = field(default_factory=list)
    outcomes: list[tuple[int, str, int, int, int]] = field(default_factory=list)
    stated: list[tuple[int, str, int]] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    differences: list[str] = field(default_factory=list)


def read_year_file(association: Association, data: bytes, filename: str) -> YearPlan:
    """Check a whole-year file: contributions and their key, budget lines, outcomes and the
    totals the file states (each compared with what the system computes from the rows)."""
    plan = YearPlan()
    try:
        table = read_table(data, filename)
    except FileProblem as exc:
        plan.problems.add(None, "", str(exc))
        return plan
    needed = ["år", "typ", "kod", "belopp"]
    if table and (missing := [c for c in needed if c not in table[0][1]]):
        plan.problems.add(None, "", _("Kolumner saknas: %(cols)s.") % {"cols": ", ".join(missing)})
        return plan
    interventions = {i.code: i for i in services.interventions_for(association)}
    years = set()
    codes: set[str] = set()
    for number, row in table:
        p = plan.problems
        year_text = row.get("år", "")
        if not (year_text.isdigit() and 2000 <= int(year_text) <= 2100):
            p.add(number, "år", _("Ange ett år mellan 2000 och 2100."))
        else:
            years.add(int(year_text))
        kind = row.get("typ", "").lower()
        code = row.get("kod", "")
        amount = parse_amount(row.get("belopp", ""))
        if kind in {"tilldelning", "budget", "utfall", "summa"} and amount is None:
            p.add(number, "belopp", _("Ange ett belopp i hela kronor."))
            continue
        if kind == "tilldelning":
            if amount is not None and amount < 0:
                p.add(number, "belopp", _("Beloppet kan inte vara negativt."))
            plan.total = amount
        elif kind == "nyckel":
            percent = parse_percent(row.get("andel", ""))
            if percent is None or percent < 0:
                p.add(number, "andel", _("Ange andelen i procent, t.ex. 12,5."))
            elif services.member_by_org_number(association, code) is None:
                p.add(
                    number,
                    "kod",
                    _("%(code)s är inte medlem i förbundet (ange organisationsnummer).")
                    % {"code": code},
                )
            else:
                plan.key_rows.append((number, code, percent))
        elif kind == "budget":
            category = row.get("kategori", "")
            intervention_code = row.get("insats", "")
            intervention = interventions.get(intervention_code) if intervention_code else None
            if category not in Category.values:
                p.add(number, "kategori", _("Okänd kategori %(value)s.") % {"value": category})
            elif intervention_code and intervention is None:
                # The same message whether or not another association funds an intervention
                # with this code: what other associations fund is not this one's to learn.
                p.add(
                    number,
                    "insats",
                    _("Okänd insats %(code)s: förbundet finansierar ingen insats med den koden.")
                    % {"code": intervention_code},
                )
            elif amount is not None and amount < 0:
                p.add(number, "belopp", _("Ett budgetbelopp kan inte vara negativt."))
            elif not code:
                p.add(number, "kod", _("Ange radens kod."))
            elif code in codes:
                p.add(number, "kod", _("Koden %(code)s finns två gånger.") % {"code": code})
            elif category == Category.INDIVIDINRIKTADE and intervention is None:
                p.add(number, "insats", _("En individinriktad rad ska ha en insats."))
            else:
                codes.add(code)
                plan.lines.append(
                    (
                        number,
                        services.LineInput(
                            category,
                            row.get("benämning", "") or code,
                            amount or 0,
                            intervention,
                            code,
                        ),
                    )
                )
        elif kind == "utfall":
            period = parse_period(row.get("period", ""))
            if period is None:
                p.add(number, "period", _("Ange månad 1–12 eller kvartal K1–K4."))
            elif amount is not None:
                plan.outcomes.append((number, code, period[0], period[1], amount))
        elif kind == "summa":
            if code not in TOTAL_CODES:
                p.add(number, "kod", _("Okänd summa %(code)s.") % {"code": code})
            elif amount is not None:
                plan.stated.append((number, code, amount))
        else:
            p.add(
                number,
                "typ",
                _("Okänd typ %(value)s: tilldelning, nyckel, budget, utfall eller summa.")
                % {"value": kind},
            )
    if len(years) > 1:
        plan.problems.add(
            None,
            "",
            _("Filen ska gälla ett enda år; den har %(years)s.")
            % {"years": ", ".join(str(y) for y in sorted(years))},
        )
    plan.year = min(years) if years else None
    known = codes | set(_posts(association))
    for number, code, *_rest in plan.outcomes:
        if code not in known:
            plan.problems.add(number, "kod", _("Okänd budgetpost %(code)s.") % {"code": code})
    if plan.key_rows:
        total = sum((pct for _n, _c, pct in plan.key_rows), Decimal(0))
        if total != 100:
            plan.problems.add(
                None,
                "",
                _("Nyckeln ska summera till exakt 100 %%; nu är summan %(sum)s %%.")
                % {"sum": services.format_percent(total)},
            )
    _compare_stated(plan)
    return plan


def _compare_stated(plan: YearPlan) -> None:
    """Each stated total against the sum of the file's rows: every difference is reported."""
    budget: dict[str, int] = defaultdict(int)
    for _n, line in plan.lines:
        budget[line.category] += line.amount
    income = sum(budget[c] for c in INCOME_CATEGORIES)
    costs = sum(budget[c] for c in COST_CATEGORIES)
    computed = {
        **{c: budget[c] for c in Category.values},
        "intakter": income,
        "kostnader": costs,
        "resultat": income - costs,
        "tilldelning": plan.total,
    }
    for number, code, stated in plan.stated:
        value = computed.get(code)
        if value != stated:
            plan.differences.append(
                _(
                    "Rad %(row)s: summan %(code)s är %(stated)s kr i filen men raderna summerar "
                    "till %(computed)s kr (skillnad %(diff)s kr). Stegvis använder raderna."
                )
                % {
                    "row": number,
                    "code": code,
                    "stated": stated,
                    "computed": value if value is not None else "–",
                    "diff": stated - value if value is not None else "–",
                }
            )


def latest_population_year(association: Association, year: int) -> int:
    """The newest year before ``year`` with populations recorded (the year before if none)."""
    newest = MemberPopulation.objects.filter(association=association, year__lt=year).aggregate(
        y=Max("year")
    )["y"]
    return int(newest) if newest else year - 1


@dataclass
class YearImportResult:
    budget: Budget | None
    lines: int
    outcomes: int


def import_year(
    actor: Actor, association: Association, plan: YearPlan, *, dry_run: bool = False
) -> YearImportResult:
    """Write a checked whole-year file, all or nothing: the contributions and key, the lines of
    the year's draft budget (made when there is none; a decided budget is refused) and the
    outcomes. Raises ValidationError with every problem."""
    if plan.problems or plan.year is None:
        raise ValidationError(plan.problems.messages or [_("Filen innehåller inget år.")])
    year = plan.year
    with transaction.atomic():
        if plan.total is not None:
            fixed = {
                services.member_by_org_number(association, code): pct
                for _n, code, pct in plan.key_rows
            }
            services.save_contribution_key(
                actor,
                association,
                services.KeyInput(
                    year=year,
                    total=plan.total,
                    kind=ContributionKey.Kind.FIXED if fixed else ContributionKey.Kind.POPULATION,
                    fixed={m: p for m, p in fixed.items() if m is not None},
                    population_year=latest_population_year(association, year),
                ),
            )
        budget = figures.current_budget(association, year)
        if plan.lines:
            if budget is None:
                budget = services.create_budget(actor, association, year)
            if budget.is_locked:
                raise ValidationError(
                    _(
                        "Budgeten för %(year)s är beslutad och låst; skapa en ny revision innan du "
                        "importerar budgetrader."
                    )
                    % {"year": year}
                )
            services.clear_lines(actor, budget)
            errors = []
            for number, line in plan.lines:
                try:
                    services.add_line(actor, budget, line)
                except ValidationError as exc:
                    errors += [
                        _("Rad %(row)s: %(message)s") % {"row": number, "message": m}
                        for m in exc.messages
                    ]
            if errors:
                raise ValidationError(errors)
        posts = _posts(association)
        rows = [
            services.OutcomeInput(posts[code], year, month, amount, months)
            for _n, code, month, months, amount in plan.outcomes
        ]
        if rows:
            services.replace_outcomes(actor, association, year, rows, Outcome.Source.FILE)
        if dry_run:
            transaction.set_rollback(True)
    return YearImportResult(budget, len(plan.lines), len(rows))


def year_rows(association: Association, year: int) -> list[list[Any]]:
    """The whole year in the import format (header first): what the export writes."""
    rows: list[list[Any]] = [YEAR_COLUMNS]
    key = ContributionKey.objects.filter(association=association, year=year).first()
    if key is not None:
        rows.append([year, "tilldelning", "", "", "", "", "", key.total, ""])
        if key.kind == ContributionKey.Kind.FIXED:
            for share in key.shares.select_related("member__organisation"):
                rows.append(
                    [
                        year,
                        "nyckel",
                        share.member.organisation.org_number,
                        share.member.organisation.name,
                        "",
                        "",
                        "",
                        "",
                        str(share.percent),
                    ]
                )
    budget = figures.current_budget(association, year)
    if budget is not None:
        table = figures.budget_table(budget)
        for block in table.blocks:
            for line in block.rows:
                rows.append(
                    [
                        year,
                        "budget",
                        line.code,
                        line.name,
                        block.category.value,
                        line.intervention,
                        "",
                        line.amount,
                        "",
                    ]
                )
            rows.append(
                [
                    year,
                    "summa",
                    block.category.value,
                    str(block.category.label),
                    "",
                    "",
                    "",
                    block.totals["amount"],
                    "",
                ]
            )
        rows.append([year, "summa", "intakter", _("Summa intäkter"), "", "", "", table.income, ""])
        rows.append([year, "summa", "kostnader", _("Summa kostnader"), "", "", "", table.costs, ""])
        rows.append([year, "summa", "resultat", _("Resultat"), "", "", "", table.result, ""])
    for code, month, months, amount in (
        Outcome.objects.filter(association=association, year=year)
        .order_by("post__code", "month")
        .values_list("post__code", "month", "months", "amount")
    ):
        period = f"K{month // 3}" if months == 3 else str(month)
        rows.append([year, "utfall", code, "", "", "", period, amount, ""])
    return rows
