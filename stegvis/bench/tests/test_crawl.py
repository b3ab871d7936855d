"""The page crawl on the tiny data: it reaches the provider's and the office's pages, the
progression figures among them, and acts only as the generator's accounts."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stegvis.bench.crawl import crawl
from stegvis.bench.generator import generate
from stegvis.core.models import Role, RoleAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny():
    return generate("tiny", seed=3, log=lambda _line: None)


def test_the_crawl_reaches_every_role_of_the_generated_accounts(tiny):
    pages = crawl(per_name=1, limit=80)
    roles = {p.role for p in pages}
    assert {Role.OFFICE, Role.PROVIDER_MANAGER, Role.COACH} <= roles
    names = {p.name for p in pages}
    assert "progression:intervention_figures" in names
    assert "reports_document:document" in names
    assert not [p for p in pages if p.status >= 500]
    assert all(p.queries > 0 and p.ms > 0 for p in pages)
    assert [p.ms for p in pages] == sorted((p.ms for p in pages), reverse=True)
    # At most one page of each URL name per role.
    per_role = [(p.role, p.name) for p in pages]
    assert len(per_role) == len(set(per_role))


def test_the_command_prints_the_slowest_pages_and_a_summary(tiny):
    out = io.StringIO()
    call_command("crawl_pages", per_name=1, limit=10, top=3, stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 4
    assert all(" ms " in line and " q " in line for line in lines[:3])
    assert lines[-1].endswith("; 0 failed")


def test_the_crawl_never_acts_as_a_real_user(tiny):
    """Only the generator's ``@bench.example`` accounts: with theirs moved to other
    addresses there is nothing to crawl, and the command says so."""
    from stegvis.core.models import User

    for user in User.objects.filter(email__endswith="@bench.example"):
        user.email = user.email.replace("@bench.example", "@forbund.example")
        user.save(update_fields=["email"])
    assert RoleAssignment.objects.exists()
    assert crawl(per_name=1, limit=5) == []
    with pytest.raises(CommandError, match="No generated accounts"):
        call_command("crawl_pages")
