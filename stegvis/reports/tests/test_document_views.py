"""The report's pages: versions and locking, who sees what (office exact, board suppressed, others
refused), bad input, and the PDF and XLSX read by other programs showing the page's figures."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from stegvis.core.actors import Actor
from stegvis.core.models import AuditEvent
from stegvis.core.tests.readers import pdf_text, xlsx_sheets
from stegvis.reports import document
from stegvis.reports.document_models import AnnualReport, ReportVersion
from stegvis.reports.tests.document_world import build

PAGE = "/a/forbund-a/verksamhetsberattelse/"
HALF = "?ar=2026&till=6"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(
        datetime(2026, 11, 27, 12, tzinfo=timezone.get_fixed_timezone(60)), tick=False
    ):
        yield


def actor(world, persona: str) -> Actor:
    return Actor(user=world[persona], assignment=world.roles[persona])


def _save(client, **texts):
    return client.post(PAGE + "texter/", {"ar": "2026", "till": "6", **texts})


# --- Versions ---------------------------------------------------------------------------------


def test_saving_edits_the_draft_and_a_final_version_is_locked(world):
    alice = actor(world, "alice")
    half = document.period(2026, 6)
    v1 = document.save_texts(alice, world.a, half, {"intro": "Ett bra år."})
    assert (v1.number, v1.texts["intro"], v1.created_by) == (1, "Ett bra år.", world["alice"])
    again = document.save_texts(alice, world.a, half, {"intro": "Ett mycket bra år."})
    assert again.pk == v1.pk and again.texts["intro"] == "Ett mycket bra år."
    final = document.finalise(alice, world.a, half)
    assert final.final and final.finalised_by == world["alice"]
    v2 = document.save_texts(alice, world.a, half, {"intro": "Rättat."})
    assert v2.number == 2 and not v2.final
    v1.refresh_from_db()
    assert v1.texts["intro"] == "Ett mycket bra år."  # the final version did not change
    assert AnnualReport.objects.get().kind == AnnualReport.Kind.INTERIM
    with pytest.raises(ValidationError):
        document.finalise(alice, world.a, document.period(2026, 12))  # nothing saved for the year
    actions = list(
        AuditEvent.objects.filter(action__startswith="reports.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "reports.document.version",
        "reports.document.save",
        "reports.document.finalise",
        "reports.document.version",
    ]


def test_only_the_office_of_the_association_writes(world):
    half = document.period(2026, 6)
    with pytest.raises(PermissionDenied):
        document.save_texts(actor(world, "carol"), world.a, half, {"intro": "x"})
    with pytest.raises(PermissionDenied):
        document.save_texts(actor(world, "dave"), world.a, half, {"intro": "x"})
    assert not ReportVersion.objects.exists()


def test_a_text_too_long_is_refused_with_a_message(world, as_persona):
    response = _save(as_persona("alice"), intro="x" * 20_001, effect="Min text")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Texten får vara högst 20 000 tecken." in page
    assert "Min text</textarea>" in page  # what the office wrote is kept in the form
    assert not ReportVersion.objects.exists()


def test_the_office_saves_finalises_and_the_board_sees_only_the_final_text(world, as_persona):
    build(world)
    office = as_persona("alice")
    _save(office, intro="Förbundschefens ord.")
    assert "Förbundschefens ord." not in as_persona("carol").get(PAGE + HALF).content.decode()
    office.post(PAGE + "faststall/", {"ar": "2026", "till": "6"})
    _save(office, intro="Ett utkast efter fastställandet.")
    board = as_persona("carol").get(PAGE + HALF).content.decode()
    assert "Förbundschefens ord." in board
    assert "Ett utkast efter fastställandet." not in board
    assert "<textarea" not in board
    own = office.get(PAGE + HALF).content.decode()
    assert "Ett utkast efter fastställandet." in own and "<textarea" in own
    old = office.get(PAGE + HALF + "&version=1").content.decode()
    assert "Förbundschefens ord." in old
    assert "<textarea" not in old and "Du läser version 1" in old  # never saved over
    assert office.get(PAGE + HALF + "&version=9").status_code == 404


# --- Who sees what ------------------------------------------------------------------------------


def test_the_office_sees_exact_figures_and_the_board_suppressed(world, as_persona):
    build(world)
    office = as_persona("alice").get(PAGE + HALF)
    board = as_persona("carol").get(PAGE + HALF)
    assert office.status_code == board.status_code == 200

    def steget(response):
        tables = {t.table.key: t for s in response.context["sections"] for t in s["tables"]}
        return tables["participants"].rows[1]

    assert steget(office) == ("Steget", ["3", "1", "4"])
    assert steget(board) == ("Steget", ["<5", "<5", "<5"])
    assert "Avidentifierad version" in board.content.decode()


@pytest.mark.parametrize("persona", ["bob", "petra", "dave", "erin", "frank"])
def test_outsiders_get_404(world, as_persona, persona):
    for suffix in ("", "pdf/", "xlsx/"):
        assert as_persona(persona).get(PAGE + suffix + HALF).status_code == 404


def test_the_board_cannot_write(world, as_persona):
    assert _save(as_persona("carol"), intro="x").status_code == 403
    assert as_persona("carol").post(PAGE + "faststall/", {"ar": "2026"}).status_code == 403
    assert not ReportVersion.objects.exists()


def test_finalising_without_texts_says_what_to_do(world, as_persona):
    client = as_persona("alice")
    response = client.post(PAGE + "faststall/", {"ar": "2026", "till": "6"}, follow=True)
    assert "Skriv och spara texterna innan du fastställer en version." in response.content.decode()
    assert response.redirect_chain[-1][0].endswith("?ar=2026&till=6")
    assert client.post(PAGE + "faststall/", {"ar": "2026", "till": "7"}).status_code == 400
    assert not ReportVersion.objects.exists()


def test_the_reporter_is_refused(world, as_persona):
    assert as_persona("rita").get(PAGE + HALF).status_code in {403, 404}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?ar=2026&till=5", "april, juni, augusti eller december"),
        ("?ar=tjugo&till=12", "Ange år och period med siffror"),
        ("?ar=1900&till=12", "mellan 2000 och 2100"),
    ],
)
def test_a_bad_period_gets_a_clear_message(world, as_persona, query, message):
    response = as_persona("alice").get(PAGE + query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert as_persona("alice").get(PAGE + "pdf/" + query).status_code == 400


def test_an_empty_period_is_an_honest_empty_report(world, as_persona):
    response = as_persona("dave").get("/a/forbund-b/verksamhetsberattelse/?ar=2026&till=12")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Det finns inga uppgifter om insatser" in text
    assert "Inga uppgifter för perioden." in text


def test_the_page_runs_a_bounded_number_of_queries(
    world, as_persona, django_assert_max_num_queries
):
    build(world)
    client = as_persona("alice")
    with django_assert_max_num_queries(60):
        client.get(PAGE + HALF)
    from stegvis.reports.tests.document_world import extra_intervention

    extra_intervention(world)
    with django_assert_max_num_queries(60):
        client.get(PAGE + HALF)


# --- Exports show the page's figures ------------------------------------------------------------


def _page_tables(response):
    return [t for s in response.context["sections"] for t in s["tables"]]


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_the_pdf_shows_the_page_figures(world, as_persona, persona):
    build(world)
    client = as_persona(persona)
    _save(as_persona("alice"), intro="Året då samverkan tog fart.")
    as_persona("alice").post(PAGE + "faststall/", {"ar": "2026", "till": "6"})
    page = client.get(PAGE + HALF)
    response = client.get(PAGE + "pdf/" + HALF)
    assert response["Content-Type"] == "application/pdf"
    text = _words(pdf_text(response.content))
    assert "Året då samverkan tog fart." in text
    assert "Innehåll" in text and "Delårsrapport 2026" in text
    for shown in _page_tables(page):
        for label, values in shown.rows:
            if len(label) > 40:
                continue  # long labels wrap in the PDF; their numbers are checked elsewhere
            assert _words(f"{label} {' '.join(values)}") in text, (shown.table.title, label)


def _same(shown: str, read: str) -> bool:
    """A page cell ("1 234", "87,5", "–" for nothing) against LibreOffice's CSV of the sheet."""
    if shown == "–" and read in {"", "–"}:
        return True
    plain = _words(shown).replace(" ", "").replace(",", ".")
    try:
        return float(plain) == float(read)
    except ValueError:
        return plain == read


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_the_xlsx_has_one_sheet_per_table_with_the_page_figures(world, as_persona, persona):
    build(world)
    client = as_persona(persona)
    page = client.get(PAGE + HALF)
    response = client.get(PAGE + "xlsx/" + HALF)
    sheets = xlsx_sheets(response.content)
    tables = _page_tables(page)
    assert len(sheets) == len(tables)
    for shown, sheet in zip(tables, sheets, strict=True):
        assert sheet[0][0] == shown.table.title
        for (label, values), row in zip(shown.rows, sheet[2:], strict=False):
            assert row[0] == label
            for value, read in zip(values, row[1:], strict=False):
                assert _same(value, read), (shown.table.title, label, value, read)
    if persona == "carol":
        assert "avidentifierad" in response["Content-Disposition"]
