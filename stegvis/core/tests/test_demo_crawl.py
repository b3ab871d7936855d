"""Click through the demo as every demo role: every link a page shows leads to a page that
answers, and no form crashes on what it is sent — its own values, nothing at all, or nonsense.
(A form that refuses bad input answers with its errors or a message, never a server error.)"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from stegvis.core.models import RoleAssignment
from stegvis.core.tests.crawl import Crawl, Fill
from stegvis.core.tests.personas import sign_in_as

pytestmark = pytest.mark.django_db

JUNK = "x'\"<>&;--" + "9" * 30


def _crawl_every_role(*fills: Fill) -> tuple[dict[str, Crawl], list[str]]:
    call_command("load_demo", stdout=StringIO())
    crawls: dict[str, Crawl] = {}
    for assignment in RoleAssignment.objects.select_related("user").order_by("pk"):
        client = sign_in_as(Client(), assignment)
        crawls[str(assignment)] = Crawl(client, per_view=1 if fills else 2, fills=fills).run()
    problems = [f"{role}: {p}" for role, crawl in crawls.items() for p in crawl.problems]
    return crawls, problems


def test_every_link_of_every_demo_role_leads_to_a_page():
    crawls, problems = _crawl_every_role()
    assert problems == []
    # The crawl reached the pages (a crawl that stopped at the start page would pass the above).
    assert all(crawl.pages >= 5 for crawl in crawls.values()), {
        role: crawl.pages for role, crawl in crawls.items()
    }
    assert sum(crawl.pages for crawl in crawls.values()) >= 600


def test_no_form_of_the_demo_crashes_on_nothing_nonsense_or_its_own_values():
    # Nothing and nonsense first: they are refused and change nothing; the form's own values
    # last, as they may delete what the next post of the same form would need.
    crawls, problems = _crawl_every_role(
        lambda _name, _value: "", lambda _name, _value: JUNK, lambda _name, value: value
    )
    assert problems == []
    assert sum(crawl.posted for crawl in crawls.values()) >= 600
