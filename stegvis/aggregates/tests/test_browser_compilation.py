"""The office builds its compilation for the county network; the network's compiler registers the
association's key, imports the files, is refused a tampered one, and sees the combined figures,
suppressed — in Chromium with axe after every page."""

from __future__ import annotations

import json

import pytest
import time_machine
from playwright.sync_api import Page, expect

from stegvis.aggregates import services
from stegvis.aggregates.models import ReceivedCompilation
from stegvis.core.tests.browser import assert_accessible

from .test_browser import nav, sign_in
from .test_compilation import _a_year, _register
from .test_figures import _receive, _tables

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-27 09:00 +01:00", tick=True):
        yield


def test_the_compiler_imports_compilations_and_sees_combined_suppressed_figures(
    page: Page, live_server, world, gemensam, tmp_path
):
    base = live_server.url
    _a_year(world, gemensam)
    _receive(
        world, gemensam, world.b, "2026Q1", _tables((0, 0), (7, 0), {"sjukdom": (5, 0)}, (9, 0))
    )

    # The office of A builds its file on its page (without the breakdown by intervention).
    sign_in(page, base, world["alice"], with_code=False)
    nav(page, "Sammanställning till nätverk")
    page.get_by_label("Nätverkets kortnamn").fill("natverk-n")
    page.get_by_label("Utan uppdelning per insats").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Bygg och hämta signerad fil").click()
    a_file = tmp_path / "a.json"
    download.value.save_as(a_file)
    assert (
        json.loads(a_file.read_text())["compilation"]["tables"]["new"]["totalt"]["kvinna"] == "<5"
    )
    a_key = services.association_key(world.a).public_key

    # B's file arrives by e-mail; B's key is registered already.
    _register(world, association=world.b)
    _name, raw = services.build_compilation(world.b, "natverk-n", 2026, detail=True, user=None)
    b_file = tmp_path / "b.json"
    b_file.write_bytes(raw)
    tampered = json.loads(raw)
    tampered["compilation"]["tables"]["participants"]["totalt"]["kvinna"] = 8
    bad_file = tmp_path / "andrad.json"
    bad_file.write_text(json.dumps(tampered))

    sign_in(page, base, world["nina"], with_code=False)
    nav(page, "Sammanställning")
    expect(page.get_by_text("Inga sammanställningar mottagna för året.")).to_be_visible()
    page.get_by_role("link", name="Ta emot sammanställningar och nycklar").click()
    assert_accessible(page)
    page.get_by_label("Sammanställningsfil (JSON)").set_input_files(str(a_file))
    page.get_by_role("button", name="Ta emot").click()
    assert_accessible(page)
    expect(page.locator("main")).to_contain_text("Okänd nyckel")
    page.get_by_label("Förbundets kortnamn").fill("forbund-a")
    page.get_by_label("Förbundets namn").fill("Förbund A")
    page.get_by_label("Publik nyckel").fill(a_key)
    page.get_by_role("button", name="Registrera").click()
    assert_accessible(page)
    page.get_by_label("Sammanställningsfil (JSON)").set_input_files(str(a_file))
    page.get_by_role("button", name="Ta emot").click()
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Förbund A 2026")
    new = page.get_by_role("table", name="Nya")
    expect(new.locator("tfoot")).to_contain_text("<5")

    nav(page, "Sammanställning")
    page.get_by_role("link", name="Ta emot sammanställningar och nycklar").click()
    page.get_by_label("Sammanställningsfil (JSON)").set_input_files(str(bad_file))
    page.get_by_role("button", name="Ta emot").click()
    assert_accessible(page)
    expect(page.locator("main")).to_contain_text("Signaturen stämmer inte")
    page.get_by_label("Sammanställningsfil (JSON)").set_input_files(str(b_file))
    page.get_by_role("button", name="Ta emot").click()
    assert_accessible(page)
    assert ReceivedCompilation.objects.filter(network=world.n).count() == 2

    nav(page, "Sammanställning")
    total = page.get_by_role("table", name="Alla förbund")
    # A's new women "<5" and B's 7: at least 8; A's men hidden, B's 0: "–"; total 15 + 7.
    new_row = total.locator("tr", has=page.get_by_role("rowheader", name="Nya", exact=True))
    expect(new_row).to_contain_text("≥8")
    expect(new_row).to_contain_text("22")
    expect(total.get_by_role("row", name="Deltagare under året")).to_contain_text("49")
    expect(page.get_by_role("table", name="Förbund A")).to_be_visible()
    expect(page.get_by_role("table", name=world.b.name)).to_be_visible()
