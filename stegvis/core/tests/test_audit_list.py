"""The audit log pages: scoped to the owner, filtered, paginated, constant in queries."""

import pytest
import time_machine
from django.urls import reverse

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _events(world, persona, count, action="test.event"):
    actor = Actor(user=world[persona], assignment=world.roles[persona])
    for _ in range(count):
        audit.record(action, actor=actor)


def _url(world):
    return reverse("core:association_audit", kwargs={"association": world.a.slug})


def test_the_audit_list_has_a_constant_query_count(
    as_persona, world, django_assert_max_num_queries
):
    client = as_persona("helena")
    _events(world, "alice", 3)
    with django_assert_max_num_queries(12) as small:
        assert client.get(_url(world)).status_code == 200
    _events(world, "alice", 60)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(_url(world)).status_code == 200


def test_the_audit_list_shows_only_the_owners_events_newest_first(as_persona, world):
    _events(world, "alice", 2, action="a.handelse")
    _events(world, "dave", 1, action="b.handelse")
    page = as_persona("alice").get(_url(world)).content.decode()
    assert page.count("a.handelse") == 2
    assert "b.handelse" not in page


def test_the_audit_list_filters_by_action_and_date(as_persona, world):
    with time_machine.travel("2026-01-10 10:00 +01:00", tick=False):
        _events(world, "alice", 1, action="member.add")
    with time_machine.travel("2026-03-10 10:00 +01:00", tick=False):
        _events(world, "alice", 1, action="member.update")
    client = as_persona("alice")
    by_action = client.get(_url(world), {"action": "update"}).content.decode()
    assert "member.update" in by_action and "member.add" not in by_action
    by_date = client.get(_url(world), {"date_from": "2026-03-01"}).content.decode()
    assert "member.update" in by_date and "member.add" not in by_date
    wrong = client.get(_url(world), {"date_from": "2026-03-01", "date_to": "2026-02-01"})
    assert "Slutdatum kan inte vara före startdatum." in wrong.content.decode()


def test_the_audit_list_paginates(as_persona, world):
    _events(world, "alice", 55)
    client = as_persona("alice")
    first = client.get(_url(world)).content.decode()
    assert "Sida 1 av 2" in first
    second = client.get(_url(world), {"sida": 2})
    assert second.status_code == 200
    assert AuditEvent.objects.filter(association=world.a).count() >= 55


def test_nobody_can_change_the_log_through_the_app(as_persona, world):
    _events(world, "alice", 1)
    before = list(AuditEvent.objects.values_list("hash", flat=True))
    response = as_persona("alice").post(_url(world), {"action": "x"})
    assert response.status_code == 405
    assert list(AuditEvent.objects.values_list("hash", flat=True)) == before
