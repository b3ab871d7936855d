"""The demo in headless Chromium at a phone's width: every page a coach reaches by links, as a
coach with a phone in hand would, with axe-core on each (WCAG 2.1 AA: no serious or critical
violation). The other roles' pages share their templates and are read the same way by the
browser tests of their flows."""

from __future__ import annotations

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from stegvis.core.management.commands.load_demo import DEMO_PASSWORD
from stegvis.core.models import User
from stegvis.core.services import load_municipalities
from stegvis.core.tests.browser import assert_accessible, sign_in
from stegvis.core.tests.crawl import LEFT_ALONE, is_file, view_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_page_a_coach_reaches_on_a_phone_is_accessible(page: Page, live_server):
    # A transactional test starts from an emptied database: the municipalities that migration
    # loads are gone after an earlier such test.
    load_municipalities()
    call_command("load_demo", stdout=StringIO())
    page.set_viewport_size({"width": 360, "height": 780})
    bob = User.objects.get(email="bob@krokom.example")
    sign_in(page, live_server.url, bob, password=DEMO_PASSWORD)
    queue, seen, views = [urlsplit(page.url).path], set(), set()
    while queue:
        url = queue.pop(0)
        view = view_of(url)
        if url in seen or view is None or view in LEFT_ALONE or view in views:
            continue
        seen.add(url)
        if is_file(url, view):
            continue
        views.add(view)
        response = page.goto(live_server.url + url)
        assert response is not None and response.ok, url
        assert_accessible(page)
        links = page.eval_on_selector_all("a[href^='/']", "els => els.map(e => e.pathname)")
        queue += [link for link in links if link not in seen]
    # The crawl reached the coach's pages: participants, progression, follow-ups, referrals.
    assert len(views) >= 25, sorted(views)
