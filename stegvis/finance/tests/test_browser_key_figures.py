"""Browser test: the office reads the key figures per intervention — budget per place, cost per
participant and per participant-month from the providers' packages — and downloads them as XLSX.
Last year's figures, so that every package period has ended whatever day the test runs."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from stegvis.aggregates.tests.test_figures import _receive, _tables
from stegvis.core.tests.browser import assert_accessible, log_in
from stegvis.finance import services
from stegvis.finance.models import BudgetPost
from stegvis.finance.tests.conftest import actor_of
from stegvis.interventions.tests.factories import InterventionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
YEAR = date.today().year - 1


@pytest.fixture
def world_live(world, live_server):
    """The worked example of test_key_figures.py for last year: 1 000 000 kr budget and 20
    places, 1 200 000 kr booked, 40 participants and 7 305 participant-days (240,0 months)."""
    steg = InterventionFactory(
        name="Steg till arbete",
        code="steg",
        provider=world.p,
        lead_association=world.a,
        places=20,
        start=date(YEAR - 1, 1, 1),
    )
    alice = actor_of(world, "alice")
    budget = services.create_budget(alice, world.a, YEAR)
    services.add_line(alice, budget, services.LineInput("individinriktade", "", 1_000_000, steg))
    post = BudgetPost.objects.get(intervention=steg)
    for month in (3, 6, 9, 12):
        services.record_outcome(
            alice, world.a, services.OutcomeInput(post, YEAR, month, 300_000, 3)
        )
    first = _tables(at_start=(15, 15), new=(5, 5), groups={"arbete": (2, 1)}, days=(1800, 1800))
    _receive(world, steg, world.a, f"{YEAR}H1", first)
    second = _tables(at_start=(18, 19), new=(0, 0), groups={"annat": (1, 1)}, days=(1853, 1852))
    _receive(world, steg, world.a, f"{YEAR}Q3", second)
    return world


def test_office_reads_cost_per_participant_and_downloads_it(page: Page, live_server, world_live):
    log_in(page, live_server.url, world_live["alice"].email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Ekonomi", exact=True
    ).click()
    page.get_by_role("link", name="Budget mot utfall").click()
    page.get_by_role("link", name=str(YEAR), exact=True).click()
    expect(page.get_by_role("heading", name=f"Budget mot utfall {YEAR}")).to_be_visible()
    table = page.get_by_role("table", name=f"Nyckeltal per insats {YEAR}")
    expect(table).to_be_visible()
    row = table.get_by_role("row", name="Steg till arbete")
    expect(row.get_by_role("cell")).to_have_text(
        [
            "1\u00a0000\u00a0000\u00a0kr",
            "20",
            "50\u00a0000\u00a0kr",
            "1\u00a0200\u00a0000\u00a0kr",
            "40",
            "240,0",
            "30\u00a0000\u00a0kr",
            "5\u00a0000\u00a0kr",
        ]
    )
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner nyckeltalen per insats (XLSX)").click()
    assert download.value.suggested_filename == f"nyckeltal-{YEAR}.xlsx"
