"""Exports laid out like an operating plan's budget pages: XLSX (openpyxl) and PDF (WeasyPrint,
from the same table templates as the web page). Every figure comes from ``figures``."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from stegvis.core.pdf import html_to_pdf
from stegvis.finance.figures import (
    BudgetTable,
    DeviationReport,
    InterventionKeyFigures,
    MultiYearPlan,
)
from stegvis.reports.suppression import SMALL

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KR = '#,##0" kr";-#,##0" kr"'
PCT = '0.0" %"'


def _bold(sheet: Worksheet) -> None:
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _numbers(sheet: Worksheet, first_col: int, fmt: str = KR) -> None:
    for cell in sheet[sheet.max_row][first_col:]:
        if isinstance(cell.value, int | float):
            cell.number_format = fmt


def _append(sheet: Worksheet, row: Sequence[Any], *, bold: bool = False) -> None:
    sheet.append(list(row))
    _numbers(sheet, 1)
    if bold:
        _bold(sheet)


def budget_workbook(table: BudgetTable, plan: MultiYearPlan, association: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Budget %(year)s") % {"year": table.budget.year}
    sheet.append([f"{association} – " + _("Budget %(year)s") % {"year": table.budget.year}])
    _bold(sheet)
    state = (
        _("Beslutad %(date)s") % {"date": table.budget.decided_on}
        if table.budget.decided_on
        else _("Utkast")
    )
    sheet.append([_("Revision %(n)s") % {"n": table.budget.revision}, state])
    sheet.append([])
    _append(sheet, [_("Post"), _("Belopp (kr)")], bold=True)
    for heading, blocks, total in (
        (_("Intäkter"), table.income_blocks, table.income),
        (_("Kostnader"), table.cost_blocks, table.costs),
    ):
        _append(sheet, [heading], bold=True)
        for block in blocks:
            for row in block.rows:
                _append(sheet, [row.name, row.amount])
            _append(
                sheet,
                [_("Summa %(c)s") % {"c": block.category.label.lower()}, block.totals["amount"]],
                bold=True,
            )
        _append(sheet, [_("Summa %(c)s") % {"c": heading.lower()}, total], bold=True)
    _append(sheet, [_("Resultat"), table.result], bold=True)
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 18

    years = book.create_sheet(_("Flerårsplan"))
    _append(years, [_("Post"), *[str(y) for y in plan.years]], bold=True)
    for block in plan.blocks:
        _append(years, [str(block.category.label)], bold=True)
        for item in block.rows:
            _append(years, [item.name, *item.amounts])
        _append(
            years, [_("Summa"), *[block.totals[str(i)] for i in range(len(plan.years))]], bold=True
        )
    _append(years, [_("Summa intäkter"), *plan.income], bold=True)
    _append(years, [_("Summa kostnader"), *plan.costs], bold=True)
    _append(years, [_("Resultat"), *plan.results], bold=True)
    years.column_dimensions["A"].width = 48
    return _save(book)


def report_workbook(report: DeviationReport, association: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Uppföljning %(year)s") % {"year": report.year}
    sheet.append([f"{association} – " + _("Budget och utfall %(year)s") % {"year": report.year}])
    _bold(sheet)
    sheet.append([_("Utfall till och med månad %(m)s") % {"m": report.months}])
    sheet.append([])
    header = [
        _("Post"),
        _("Årsbudget"),
        _("Budget t.o.m. perioden"),
        _("Utfall t.o.m. perioden"),
        _("Avvikelse (kr)"),
        _("Avvikelse (%)"),
        _("Prognos helår"),
        _("Prognos mot budget (kr)"),
    ]
    _append(sheet, header, bold=True)

    def write(row: Any, bold: bool = False) -> None:
        pct = float(row.deviation_percent) if row.deviation_percent is not None else None
        _append(
            sheet,
            [
                row.name,
                row.budget,
                row.budget_to_date,
                row.outcome,
                row.deviation,
                pct,
                row.forecast,
                row.forecast_deviation,
            ],
            bold=bold,
        )
        sheet.cell(sheet.max_row, 6).number_format = PCT

    for blocks, total in (
        (report.income_blocks, report.income),
        (report.cost_blocks, report.costs),
    ):
        for block in blocks:
            _append(sheet, [str(block.category.label)], bold=True)
            for row in block.rows:
                write(row)
            write(block.total_row, bold=True)
        write(total, bold=True)
    write(report.result, bold=True)
    sheet.column_dimensions["A"].width = 48
    for col in "BCDEFGH":
        sheet.column_dimensions[col].width = 18
    return _save(book)


def key_figures_workbook(rows: list[InterventionKeyFigures], association: str, year: int) -> bytes:
    """The key figures per intervention as on the report page: kronor as whole numbers,
    participant-months with one decimal; an empty cell where the page shows "–"."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Nyckeltal %(year)s") % {"year": year}
    sheet.append([f"{association} – " + _("Nyckeltal per insats %(year)s") % {"year": year}])
    _bold(sheet)
    sheet.append([])
    header = [
        _("Insats"),
        _("Budget"),
        _("Platser"),
        _("Budget per plats"),
        _("Kostnader (utfall)"),
        _("Deltagare"),
        _("Deltagarmånader"),
        _("Kostnad per deltagare"),
        _("Kostnad per deltagarmånad"),
    ]
    sheet.append(header)
    _bold(sheet)
    for row in rows:
        months = float(row.participant_months) if row.participant_months is not None else None
        sheet.append(
            [
                row.intervention.name,
                row.budget,
                row.places or None,
                row.per_place,
                row.cost,
                SMALL if row.small else row.participants,
                months,
                row.per_participant,
                row.per_participant_month,
            ]
        )
        cells = sheet[sheet.max_row]
        for index in (1, 3, 4, 7, 8):
            cells[index].number_format = KR
        cells[6].number_format = "0.0"
    sheet.column_dimensions["A"].width = 36
    for col in "BCDEFGHI":
        sheet.column_dimensions[col].width = 16
    return _save(book)


def rows_workbook(rows: list[list[Any]], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    _bold_first(sheet)
    return _save(book)


def _bold_first(sheet: Worksheet) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def pdf(request: HttpRequest, template: str, context: dict[str, Any]) -> bytes:
    """The print template rendered by WeasyPrint (its styles inline, no network)."""
    return html_to_pdf(render_to_string(template, context, request=request))
