"""One shape for every table a report shows and exports, so that the web page, the CSV, the
XLSX (and the PDF, which renders the same template) show the same numbers.

A :class:`Table` has a title, column headings and rows of a label and values. ``to_csv`` writes
what Swedish Excel opens with a double click (UTF-8 with BOM, semicolons, CRLF); ``to_xlsx`` one
sheet per table. ``published`` applies small-cell suppression (``suppression.py``) to a table of
counts whose last column and last row are totals, for the board and exports marked for
publication.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from .suppression import Grid, Member, suppress_grid, suppress_linked

Value = int | Decimal | str | None


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[tuple[str, list[Value]]]
    # The last row and the last column are totals computed from the cells.
    has_totals: bool = False
    note: str = ""
    suppressed: bool = False
    key: str = field(default="", compare=False)

    def is_empty(self) -> bool:
        return not self.rows


def counts_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[tuple[str, Sequence[int]]],
    *,
    total_label: str = "Totalt",
    key: str = "",
) -> Table:
    """A table of counts with a total column and a total row computed from the cells."""
    body: list[tuple[str, list[Value]]] = [
        (label, [*values, sum(values)]) for label, values in rows
    ]
    sums = [sum(values[i] for _, values in rows) for i in range(len(columns))]
    totals: list[Value] = [*sums, sum(sums)]
    return Table(
        title=title,
        columns=[*columns, total_label],
        rows=[*body, (total_label, totals)],
        has_totals=True,
        key=key,
    )


def _cells(table: Table) -> list[list[int]]:
    if not table.has_totals or len(table.rows) < 2:
        raise ValueError(f"Tabellen ”{table.title}” saknar summor och kan inte publiceras.")
    return [[int(v) for v in values[:-1]] for _, values in table.rows[:-1]]  # type: ignore[arg-type]


def _shown(table: Table, grid: Grid) -> Table:
    rows: list[tuple[str, list[Value]]] = []
    for (label, _), shown, total in zip(table.rows[:-1], grid.cells, grid.row_totals, strict=True):
        rows.append((label, [*shown, total]))
    rows.append((table.rows[-1][0], [*grid.column_totals, grid.total]))
    return replace(table, rows=rows, suppressed=True)


def published(table: Table) -> Table:
    """The table as it may leave the office: counts 1–4 as "<5", and complementary cells
    hidden so that no hidden count can be recomputed from the totals shown."""
    if table.suppressed:
        return table
    return _shown(table, suppress_grid(_cells(table)))


def published_together(tables: Sequence[Table], links: Sequence[Sequence[Member]]) -> list[Table]:
    """Tables of counts that publish the same figures, as they may leave the office together
    (``suppression.suppress_linked``; ``links`` name the entries, counting each table's total
    row and total column, that hold one figure)."""
    if any(t.suppressed for t in tables):
        raise ValueError(
            "Tabeller som publiceras tillsammans får inte vara publicerade var för sig."
        )
    grids = suppress_linked([_cells(t) for t in tables], links)
    return [_shown(t, grid) for t, grid in zip(tables, grids, strict=True)]


def _csv_value(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    return str(value)


def to_csv(tables: Sequence[Table]) -> bytes:
    """The tables one after another, each under its title, separated by an empty line."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for i, table in enumerate(tables):
        if i:
            writer.writerow([])
        if len(tables) > 1:
            writer.writerow([table.title])
        writer.writerow(["", *table.columns])
        for label, values in table.rows:
            writer.writerow([label, *(_csv_value(v) for v in values)])
    return out.getvalue().encode("utf-8-sig")


def sheet_title(title: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = re.sub(r"[\[\]:*?/\\]", "-", title).strip() or "Tabell"
    name = base[:31]
    n = 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def _xlsx_value(value: Value) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table: the title, the headings in bold, the rows; numbers as numbers."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(sheet_title(table.title, taken))
        sheet.append([table.title])
        sheet["A1"].font = bold
        sheet.append(["", *table.columns])
        for cell in sheet[2]:
            cell.font = bold
        for label, values in table.rows:
            sheet.append([label, *(_xlsx_value(v) for v in values)])
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        sheet.column_dimensions["A"].width = max([12, *(len(label) + 2 for label, _ in table.rows)])
    if not tables:
        book.create_sheet("Tom").append(["Inga tabeller för vald period."])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
