"""Start-page panels per role: the office's year so far (exact), the board's (suppressed), the
provider's work counts (a coach's from their own interventions only), packages to send; each start
page in a constant number of queries."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from stegvis.core.actors import Actor
from stegvis.interventions.models import Intervention
from stegvis.interventions.tests.factories import InterventionFactory
from stegvis.participants.models import Enrolment, FollowUp, Participant, Referral
from stegvis.reports import dashboard
from stegvis.reports.tests.document_world import build, extra_intervention

A_HOME, P_HOME = "/a/forbund-a/", "/p/{}/"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(
        datetime(2026, 11, 27, 12, tzinfo=timezone.get_fixed_timezone(60)), tick=False
    ):
        yield


def actor(world, persona: str) -> Actor:
    return Actor(user=world[persona], assignment=world.roles[persona])


def _panels(world, persona):
    return {p.key: p for p in dashboard.panels(actor(world, persona))}


def test_the_office_sees_the_year_so_far_exactly(world):
    build(world)
    panels = _panels(world, "alice")
    year = panels["year"].data
    assert (year["participants"], year["new"], year["exited"]) == (44, 23, 25)
    assert year["exit_groups"] == [
        ("Arbete", 19), ("Studier", 3), ("Arb.rehab", 0), ("Sjukdom", 2), ("Annat skäl", 1),
    ]  # fmt: skip
    office = panels["office"].data
    missing = sorted((m.intervention.name, m.period.label) for m in office["missing"])
    assert missing == [("Gemensam väg", "2026Q3"), ("Steget", "2026Q2"), ("Steget", "2026Q3")]
    assert office["late"] == 3
    assert office["open_rounds"] == 0 and office["costs_budget"] is None


def test_the_board_sees_suppressed_aggregates_only(world):
    build(world)
    panels = _panels(world, "carol")
    assert set(panels) == {"year"}
    year = panels["year"].data
    assert year["publish"] and year["participants"] == 44
    assert ("Studier", "<5") in year["exit_groups"]
    assert not any(isinstance(v, int) and 0 < v < 5 for _l, v in year["exit_groups"])


def test_the_start_pages_show_the_panels(world, as_persona):
    build(world)
    office = as_persona("alice").get(A_HOME).content.decode()
    assert "2026 hittills" in office and "Sammanställningar som saknas" in office
    assert "/a/forbund-a/verksamhetsberattelse/" in office
    board = as_persona("carol").get(A_HOME).content.decode()
    assert "2026 hittills" in board and "Sammanställningar som saknas" not in board
    assert "&lt;5" in board


def _person(provider, intervention, *, enrolled: bool, referral_state=None, follow_up=None):
    participant = Participant.objects.create(
        provider=provider,
        identity_kind=Participant.IdentityKind.RESERVE,
        reserve_id=f"R-{uuid.uuid4().hex[:8]}",
        gender="kvinna",
        birth_year=1990,
    )
    if referral_state:
        Referral.objects.create(
            provider=provider,
            participant=participant,
            intervention=intervention,
            source=Referral.Source.PROVIDER,
            planned_start=date(2026, 11, 1),
            state=referral_state,
        )
    if enrolled:
        enrolment = Enrolment.objects.create(
            provider=provider,
            participant=participant,
            intervention=intervention,
            start=date(2026, 11, 20),
            exit_date=date(2026, 11, 25) if follow_up else None,
            exit_reason="arbete" if follow_up else "",
        )
        if follow_up:
            FollowUp.objects.create(provider=provider, enrolment=enrolment, months=6, due=follow_up)


def _provider_world(world) -> tuple[Intervention, Intervention]:
    bobs = InterventionFactory(
        name="Bobs insats", provider=world.p, lead_association=world.a, coaches=[world["bob"]]
    )
    others = InterventionFactory(name="Annan insats", provider=world.p, lead_association=world.a)
    _person(world.p, bobs, enrolled=True, referral_state=Referral.State.ACCEPTED)
    _person(world.p, bobs, enrolled=False, referral_state=Referral.State.RECEIVED)
    _person(world.p, others, enrolled=False, referral_state=Referral.State.VISA_BOOKED)
    _person(world.p, others, enrolled=False, referral_state=Referral.State.DECLINED)
    _person(world.p, others, enrolled=True, follow_up=date(2026, 11, 30))
    return bobs, others


def test_the_provider_manager_sees_the_whole_unit_and_the_coach_their_own(world):
    _provider_world(world)
    manager = _panels(world, "petra")
    work = manager["work"].data
    assert (work["referrals"], work["follow_ups"], work["own_caseload"]) == (2, 1, False)
    assert work["measurements"] >= 1
    coach = _panels(world, "bob")["work"].data
    assert (coach["referrals"], coach["follow_ups"], coach["own_caseload"]) == (1, 0, True)
    assert coach["measurements"] == 1  # the start measurement in Bobs insats
    assert "packages" not in _panels(world, "bob")  # the manager sends packages
    erin = _panels(world, "erin")["work"].data
    assert (erin["referrals"], erin["follow_ups"], erin["measurements"]) == (0, 0, 0)


def test_packages_to_send_are_the_ended_quarters_not_sent(world):
    bobs, others = _provider_world(world)
    Intervention.objects.filter(pk__in=[bobs.pk, others.pk]).update(start=date(2026, 5, 1))
    to_send = dashboard.packages_to_send(actor(world, "petra"))
    assert sorted((t.intervention, t.period) for t in to_send) == [
        ("Annan insats", "2026Q2"), ("Annan insats", "2026Q3"),
        ("Bobs insats", "2026Q2"), ("Bobs insats", "2026Q3"),
    ]  # fmt: skip


def test_the_association_start_page_runs_constant_queries(
    world, as_persona, django_assert_num_queries
):
    build(world)
    client = as_persona("alice")
    client.get(A_HOME)  # warm the per-process caches (app modules, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(A_HOME)
    extra_intervention(world)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(A_HOME)


def test_the_provider_start_page_runs_constant_queries(
    world, as_persona, django_assert_num_queries
):
    bobs, others = _provider_world(world)
    url = P_HOME.format(world.p.public_id)
    client = as_persona("petra")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    for _ in range(3):
        _person(world.p, bobs, enrolled=True, referral_state=Referral.State.RECEIVED)
        _person(world.p, others, enrolled=True, follow_up=date(2026, 11, 29))
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


def test_the_office_is_told_of_offers_to_co_fund(world, as_persona):
    from stegvis.interventions.models import FundingOffer

    assert _panels(world, "alice")["office"].data["offers"] == 0
    asked = InterventionFactory(
        name="Gemensam väg", provider=world.q, lead_association=world.b, fundings=[(world.b, 60)]
    )
    FundingOffer.objects.create(association=world.a, intervention=asked, share=40)
    declined = InterventionFactory(provider=world.q, lead_association=world.b)
    FundingOffer.objects.create(
        association=world.a, intervention=declined, share=10, declined_at=timezone.now()
    )
    assert _panels(world, "alice")["office"].data["offers"] == 1
    assert _panels(world, "dave")["office"].data["offers"] == 0
    page = as_persona("alice").get(f"/a/{world.a.slug}/").content.decode()
    assert "1 förfrågan om att medfinansiera en insats väntar på svar." in page
    assert f'href="/a/{world.a.slug}/insatser/"' in page
