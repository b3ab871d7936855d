"""SIE 4 import: a realistic PC8 file with Swedish characters and several accounts, and every way
a file can be refused (encoding, unbalanced voucher, unmapped account) with nothing saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from stegvis.finance import figures, imports, services, sie
from stegvis.finance.models import AccountMapping, BudgetPost, Outcome

pytestmark = pytest.mark.django_db

SIE_FILE = Path(__file__).parent / "data" / "fjallbygden-2026.se"


@pytest.fixture
def mapped(world, alice, steg) -> dict[str, BudgetPost]:
    budget = services.create_budget(alice, world.a, 2026)
    lines = {
        "bidrag": services.LineInput("medlemsbidrag", "Medlemsbidrag", 4_000_000, code="bidrag"),
        "personal": services.LineInput(
            "administration", "Kansli, personal", 800_000, code="personal"
        ),
        "drift": services.LineInput("administration", "Kansli, drift", 120_000, code="drift"),
        "steg": services.LineInput("individinriktade", "", 960_000, steg, code="steg"),
    }
    posts = {k: services.add_line(alice, budget, v).post for k, v in lines.items()}
    for account, key in (
        ("3010", "bidrag"),
        ("3020", "bidrag"),
        ("3030", "bidrag"),
        ("7010", "personal"),
        ("7510", "personal"),
        ("5010", "drift"),
        ("6110", "drift"),
        ("6420", "drift"),
        ("4010", "steg"),
    ):
        services.save_mapping(alice, world.a, account, posts[key])
    return posts


def test_parse_reads_pc8_with_swedish_characters():
    parsed = sie.parse(SIE_FILE.read_bytes())
    assert parsed.errors == []
    assert parsed.company == "Samordningsförbundet Fjällbygden"
    assert parsed.accounts["7510"] == "Arbetsgivaravgifter 31,42 %"
    assert parsed.accounts["8999"] == "Årets resultat"
    assert len(parsed.vouchers) == 8
    assert parsed.vouchers[1].text == "Lön januari, Åsa Östlund"
    assert str(parsed.year_start) == "2026-01-01"


def test_import_books_each_account_to_its_post_per_month(world, alice, mapped):
    result = imports.read_sie_file(world.a, SIE_FILE.read_bytes())
    assert not result.problems, result.problems.messages
    assert imports.import_outcomes(alice, world.a, result, Outcome.Source.SIE) == 7
    got = {
        (code, month): amount
        for code, month, amount in Outcome.objects.values_list("post__code", "month", "amount")
    }
    assert got == {
        ("bidrag", 1): 1_000_000,  # credit on an income account is a positive income
        ("personal", 1): 63_739,  # 48 500 + 15 238,70, half up
        ("personal", 2): 63_739,
        ("personal", 3): 63_739,
        ("drift", 2): 6_000,
        ("drift", 3): -1_751,  # credit note -3 000 + 1 249,50
        ("steg", 3): 240_000,
    }
    report = figures.deviation_report(world.a, 2026)
    assert report.months == 3
    assert report.costs.outcome == 63_739 * 3 + 6_000 - 1_751 + 240_000


def test_importing_again_replaces_the_months_of_the_file(world, alice, mapped):
    services.record_outcome(alice, world.a, services.OutcomeInput(mapped["drift"], 2026, 1, 99_999))
    result = imports.read_sie_file(world.a, SIE_FILE.read_bytes())
    imports.import_outcomes(alice, world.a, result, Outcome.Source.SIE)
    imports.import_outcomes(alice, world.a, result, Outcome.Source.SIE)
    # January has no 5010/6110 transactions in the ledger: the typed value is gone.
    assert not Outcome.objects.filter(post=mapped["drift"], month=1).exists()
    assert Outcome.objects.count() == 7


def test_unmapped_accounts_are_named_with_line_and_nothing_is_saved(world, alice, mapped):
    AccountMapping.objects.filter(account__in=["6110", "4010"]).delete()
    result = imports.read_sie_file(world.a, SIE_FILE.read_bytes())
    messages = result.problems.messages
    assert any(
        "Rad 53: konto 4010 Köpta tjänster, Steg till arbete har ingen budgetpost" in m
        for m in messages
    ), messages
    assert any("konto 6110 Kontorsmateriel och trycksaker" in m for m in messages)
    with pytest.raises(ValidationError):
        imports.import_outcomes(alice, world.a, result, Outcome.Source.SIE)
    assert not Outcome.objects.exists()


def test_unbalanced_voucher_is_refused_with_its_line():
    data = SIE_FILE.read_bytes().replace(b"#TRANS 5010 {} 6000.00", b"#TRANS 5010 {} 6500.00")
    parsed = sie.parse(data)
    assert any(
        "Rad 40: verifikation A 3 balanserar inte" in e and "500,00" in e for e in parsed.errors
    ), parsed.errors


def test_res_that_disagrees_with_the_transactions_is_reported():
    data = SIE_FILE.read_bytes().replace(b"#RES 0 5010 3000.00", b"#RES 0 5010 3500.00")
    parsed = sie.parse(data)
    assert any(
        "#RES för konto 5010 är 3500,00 kr men transaktionerna summerar till 3000,00 kr" in e
        for e in parsed.errors
    ), parsed.errors


def test_unknown_encoding_is_refused(world):
    data = SIE_FILE.read_bytes().replace(b"#FORMAT PC8", b"#FORMAT UTF8")
    result = imports.read_sie_file(world.a, data)
    assert result.problems.messages == [
        "Okänd teckenkodning UTF8 i #FORMAT: en SIE 4-fil ska vara PC8 (IBM-teckentabell 437). "
        "Exportera filen igen med PC8."
    ]


def test_a_file_that_is_not_sie(world):
    result = imports.read_sie_file(world.a, b"kod;period;belopp\nkansli;1;100\n")
    assert "inte ut som en SIE-fil" in result.problems.messages[0]


def test_sie_type_1_without_vouchers_is_refused():
    parsed = sie.parse(b"#FLAGGA 0\r\n#FORMAT PC8\r\n#SIETYP 1\r\n#RAR 0 20260101 20261231\r\n")
    assert "SIE typ 1" in parsed.errors[0]


def test_split_fields_handles_quotes_and_object_lists():
    assert sie.split_fields('#TRANS 7010 {1 "10"} 48500.00 20260131 "Lön \\"jan\\""') == [
        "#TRANS",
        "7010",
        '{1 "10"}',
        "48500.00",
        "20260131",
        'Lön "jan"',
    ]


def test_a_pc8_file_resaved_as_utf8_or_windows_1252_is_refused(world):
    text = SIE_FILE.read_bytes().decode("cp437")
    as_utf8 = imports.read_sie_file(world.a, text.encode("utf-8"))
    assert "sparad som UTF-8 men säger att den är PC8" in as_utf8.problems.messages[0]
    as_ansi = imports.read_sie_file(world.a, text.encode("cp1252"))
    assert "Windows-1252/ISO 8859-1" in as_ansi.problems.messages[0]
    assert not Outcome.objects.exists()
