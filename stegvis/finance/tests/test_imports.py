"""XLSX/CSV imports: outcomes by the template, a whole year (with stated totals checked against
the rows), the ``import_budget`` command, and the export that writes the same format."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from stegvis.finance import figures, imports, services
from stegvis.finance.models import Budget, BudgetLine, ContributionKey, Outcome

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def budget(world, alice, steg) -> Budget:
    budget = services.create_budget(alice, world.a, 2026)
    services.add_line(
        alice, budget, services.LineInput("administration", "Kansli", 240_000, code="kansli")
    )
    services.add_line(
        alice, budget, services.LineInput("individinriktade", "", 960_000, steg, code="steg")
    )
    return budget


def test_outcomes_from_csv_with_months_and_quarters(world, alice, budget):
    data = b"kod;period;belopp\nkansli;1;20 000\nkansli;2;21000\nsteg;K1;230 000\n"
    result = imports.read_outcome_file(world.a, 2026, data, "utfall.csv")
    assert not result.problems
    assert imports.import_outcomes(alice, world.a, result, Outcome.Source.FILE) == 3
    quarter = Outcome.objects.get(post__code="steg")
    assert (quarter.month, quarter.months, quarter.amount) == (3, 3, 230_000)
    assert figures.deviation_report(world.a, 2026).costs.outcome == 271_000


def test_outcomes_from_xlsx(world, alice, budget):
    data = _xlsx([["kod", "period", "belopp"], ["kansli", 4, 19500], ["steg", "K2", 240000]])
    result = imports.read_outcome_file(world.a, 2026, data, "utfall.xlsx")
    assert not result.problems
    imports.import_outcomes(alice, world.a, result, Outcome.Source.FILE)
    assert Outcome.objects.count() == 2


def test_bad_outcome_rows_are_reported_by_row_and_column_and_nothing_is_saved(world, alice, budget):
    data = b"kod;period;belopp\nkansli;1;100\nokand;13;12,50\n"
    result = imports.read_outcome_file(world.a, 2026, data, "utfall.csv")
    assert result.problems.messages == [
        "Rad 3, kolumn kod: Okänd budgetpost okand.",
        "Rad 3, kolumn period: Ange månad 1–12 eller kvartal K1–K4.",
        "Rad 3, kolumn belopp: Ange ett belopp i hela kronor.",
    ]
    with pytest.raises(ValidationError):
        imports.import_outcomes(alice, world.a, result, Outcome.Source.FILE)
    assert not Outcome.objects.exists()


def test_a_file_of_another_kind_is_refused(world):
    result = imports.read_outcome_file(world.a, 2026, b"%PDF-1.4", "utfall.pdf")
    assert result.problems.messages == ["Filen ska vara en XLSX- eller CSV-fil."]
    result = imports.read_outcome_file(world.a, 2026, b"a;b\n1;2\n", "utfall.csv")
    assert result.problems.messages == ["Kolumner saknas: kod, period, belopp."]


YEAR_CSV = """år;typ;kod;benämning;kategori;insats;period;belopp;andel
2027;tilldelning;;;;;;8 000 000;
2027;budget;bidrag;Medlemsbidrag;medlemsbidrag;;;8000000;
2027;budget;kansli;Kansli, personal;administration;;;1 200 000;
2027;budget;steg;Steg till arbete;individinriktade;steg;;5 000 000;
2027;budget;nytt;Ej fördelat;nya_insatser;;;1 000 000;
2027;summa;kostnader;Summa kostnader;;;;7 300 000;
2027;summa;intakter;Summa intäkter;;;;8 000 000;
2027;utfall;kansli;;;;1;95 000;
"""


def test_whole_year_import_reports_every_stated_total_that_differs(world, alice, steg, a_members):
    plan = imports.read_year_file(world.a, YEAR_CSV.encode(), "ar.csv")
    assert not plan.problems, plan.problems.messages
    assert plan.differences == [
        "Rad 7: summan kostnader är 7300000 kr i filen men raderna summerar till 7200000 kr "
        "(skillnad 100000 kr). Stegvis använder raderna."
    ]
    result = imports.import_year(alice, world.a, plan)
    assert (result.lines, result.outcomes) == (4, 1)
    table = figures.budget_table(figures.current_budget(world.a, 2027))
    assert (table.income, table.costs, table.result) == (8_000_000, 7_200_000, 800_000)
    assert ContributionKey.objects.get(association=world.a, year=2027).total == 8_000_000


def test_whole_year_dry_run_saves_nothing(world, alice, steg, a_members):
    plan = imports.read_year_file(world.a, YEAR_CSV.encode(), "ar.csv")
    result = imports.import_year(alice, world.a, plan, dry_run=True)
    assert result.lines == 4
    assert not Budget.objects.exists()
    assert not ContributionKey.objects.exists()
    assert not Outcome.objects.exists()


def test_whole_year_bad_input(world, alice, steg, other, a_members):
    bad = (
        "år;typ;kod;benämning;kategori;insats;period;belopp;andel\n"
        "2027;budget;annan;Annat;individinriktade;annan;;100;\n"
        "2027;budget;minus;Minus;administration;;;-5;\n"
        "2027;nyckel;212000-0000;;;;;;60\n"
        "2027;budget;x;X;okand;;;1;\n"
        "2028;utfall;kansli;;;;14;1;\n"
        "2027;foo;;;;;;1;\n"
    )
    plan = imports.read_year_file(world.a, bad.encode(), "ar.csv")
    messages = plan.problems.messages
    # Another association funds "annan": the message is the one for a code nobody uses.
    assert (
        "Rad 2, kolumn insats: Okänd insats annan: förbundet finansierar ingen insats med den "
        "koden." in messages
    )
    assert "Rad 3, kolumn belopp: Ett budgetbelopp kan inte vara negativt." in messages
    assert any(m.startswith("Rad 4, kolumn kod: 212000-0000 är inte medlem") for m in messages)
    assert "Rad 5, kolumn kategori: Okänd kategori okand." in messages
    assert "Rad 6, kolumn period: Ange månad 1–12 eller kvartal K1–K4." in messages
    assert any(m.startswith("Rad 7, kolumn typ: Okänd typ foo") for m in messages)
    assert "Filen ska gälla ett enda år; den har 2027, 2028." in messages
    with pytest.raises(ValidationError):
        imports.import_year(alice, world.a, plan)
    assert not BudgetLine.objects.exists()


def test_key_rows_must_sum_to_100(world, alice, a_members):
    own = a_members["A"].organisation.org_number
    data = (
        "år;typ;kod;benämning;kategori;insats;period;belopp;andel\n"
        "2027;tilldelning;;;;;;1000;\n"
        f"2027;nyckel;{own};;;;;;60\n"
    )
    plan = imports.read_year_file(world.a, data.encode(), "ar.csv")
    assert "Nyckeln ska summera till exakt 100 %; nu är summan 60 %." in plan.problems.messages


def test_a_decided_budget_is_not_overwritten_by_an_import(world, alice, steg, a_members):
    from datetime import date

    plan = imports.read_year_file(world.a, YEAR_CSV.encode(), "ar.csv")
    imports.import_year(alice, world.a, plan)
    services.decide_budget(alice, figures.current_budget(world.a, 2027), date(2026, 11, 1))
    with pytest.raises(ValidationError, match="beslutad och låst"):
        imports.import_year(alice, world.a, plan)


def test_export_writes_the_import_format_and_reads_back_the_same(world, alice, steg, a_members):
    plan = imports.read_year_file(world.a, YEAR_CSV.encode(), "ar.csv")
    imports.import_year(alice, world.a, plan)
    rows = imports.year_rows(world.a, 2027)
    assert rows[0] == imports.YEAR_COLUMNS
    again = imports.read_year_file(world.a, _xlsx(rows), "export.xlsx")
    assert not again.problems, again.problems.messages
    assert again.differences == []  # the exported totals are the computed ones
    assert len(again.lines) == 4 and len(again.outcomes) == 1


def test_import_budget_command(world, alice, steg, a_members, tmp_path):
    path = tmp_path / "ar.csv"
    path.write_text(YEAR_CSV, encoding="utf-8")
    out = io.StringIO()
    call_command("import_budget", "forbund-a", str(path), "--dry-run", stdout=out)
    assert "4 budgetrader och 1 utfall kan importeras" in out.getvalue()
    assert "Avvikelse: Rad 7" in out.getvalue()
    assert not Budget.objects.exists()
    call_command("import_budget", "forbund-a", str(path), stdout=io.StringIO())
    assert BudgetLine.objects.count() == 4
    path.write_text(YEAR_CSV.replace("1 200 000", "-1"), encoding="utf-8")
    with pytest.raises(CommandError, match="ingenting är sparat"):
        call_command(
            "import_budget", "forbund-a", str(path), stdout=io.StringIO(), stderr=io.StringIO()
        )
    with pytest.raises(CommandError, match="Inget förbund"):
        call_command("import_budget", "finns-inte", str(path))


def test_parse_helpers():
    assert imports.parse_amount("1 234 567") == 1_234_567
    assert imports.parse_amount("1234,00") == 1234
    assert imports.parse_amount("12,50") is None
    assert imports.parse_period("K4") == (12, 3)
    assert imports.parse_period("03") == (3, 1)
    assert imports.parse_percent("12,5 %") == Decimal("12.5")
