"""The shared table shape: CSV for Swedish Excel, XLSX read back by LibreOffice, publication."""

from __future__ import annotations

from decimal import Decimal

import pytest

from stegvis.core.tests.readers import xlsx_sheets
from stegvis.reports.tables import Table, counts_table, published, sheet_title, to_csv, to_xlsx


def _exits() -> Table:
    return counts_table(
        "Avslut per grupp",
        ["Kvinnor", "Män"],
        [("Arbete", [3, 12]), ("Studier", [6, 7])],
        key="exit_groups",
    )


def test_counts_table_totals_are_computed_from_cells():
    table = _exits()
    assert table.columns == ["Kvinnor", "Män", "Totalt"]
    assert table.rows == [
        ("Arbete", [3, 12, 15]),
        ("Studier", [6, 7, 13]),
        ("Totalt", [9, 19, 28]),
    ]


def test_csv_opens_in_swedish_excel():
    data = to_csv([_exits()])
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.split("\r\n")[:2] == [";Kvinnor;Män;Totalt", "Arbete;3;12;15"]


def test_csv_writes_decimal_comma_and_titles_between_tables():
    share = Table("Andel", ["Andel %"], [("Arbete", [Decimal("43.3")])])
    text = to_csv([_exits(), share]).decode("utf-8-sig")
    assert "Avslut per grupp\r\n" in text
    assert "\r\n\r\nAndel\r\n;Andel %\r\nArbete;43,3\r\n" in text


def test_published_hides_small_cells_and_their_complements():
    table = published(_exits())
    assert table.suppressed
    assert table.rows[0] == ("Arbete", ["<5", "–", 15])
    flat = [v for _, values in table.rows for v in values]
    assert not any(isinstance(v, int) and 0 < v < 5 for v in flat)


def test_a_table_without_totals_is_not_published():
    with pytest.raises(ValueError, match="saknar summor"):
        published(Table("Andel", ["Andel %"], [("Arbete", [Decimal("43.3")])]))


def test_sheet_titles_are_valid_and_unique():
    taken: set[str] = set()
    first = sheet_title("Inkomst före/efter: [alla] insatser i förbundet totalt", taken)
    second = sheet_title("Inkomst före/efter: [alla] insatser i förbundet totalt", taken)
    assert len(first) <= 31 and "/" not in first and "[" not in first
    assert second != first and len(second) <= 31


def test_xlsx_read_by_libreoffice_has_the_same_figures():
    share = Table("Andel", ["Andel %"], [("Arbete", [Decimal("43.3")])])
    sheets = xlsx_sheets(to_xlsx([_exits(), share]))
    assert len(sheets) == 2
    assert sheets[0][0][0] == "Avslut per grupp"
    assert sheets[0][1][1:4] == ["Kvinnor", "Män", "Totalt"]
    assert sheets[0][2][:4] == ["Arbete", "3", "12", "15"]
    assert sheets[0][4][:4] == ["Totalt", "9", "19", "28"]
    assert sheets[1][2][:2] == ["Arbete", "43.3"]


def test_empty_workbook_says_so():
    sheets = xlsx_sheets(to_xlsx([]))
    assert sheets == [[["Inga tabeller för vald period."]]]
