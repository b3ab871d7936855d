"""Sending, receiving and every refusal: nothing of a refused package is saved."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from stegvis.aggregates import services, signing
from stegvis.aggregates.models import (
    PackageCell,
    PackageDispatch,
    ProviderKeyRegistration,
    ReceivedPackage,
)
from stegvis.aggregates.services import PackageRefused
from stegvis.core.audit import AuditEvent
from stegvis.core.tests.factories import ProviderFactory
from stegvis.interventions.tests.factories import InterventionFactory

from .conftest import actor_of


def _signed(world, gemensam, association=None, period="2026Q3") -> dict:
    prepared = services.prepare(actor_of(world, "petra"), gemensam, association or world.a, period)
    return services.sign(world.p, prepared.document)


def _register(world, association=None) -> None:
    key = services.provider_key(world.p)
    office = "alice" if association in (None, world.a) else "dave"
    services.register_key(actor_of(world, office), world.p, key.public_key)


def _counts() -> tuple[int, int]:
    return ReceivedPackage.objects.count(), PackageCell.objects.count()


def _refused(association, signed_or_raw, match: str) -> None:
    raw = signed_or_raw if isinstance(signed_or_raw, bytes) else signing.to_bytes(signed_or_raw)
    before = _counts()
    with pytest.raises(PackageRefused) as info:
        services.receive(association, raw, user=None, via="file")
    assert any(match in m for m in info.value.messages), info.value.messages
    assert _counts() == before


def test_the_provider_manager_sends_and_the_association_receives(example, world, gemensam):
    received = services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    assert received.association == world.a and received.sender == world.p
    assert received.version == 1 and not received.is_correction
    dispatch = PackageDispatch.objects.get()
    assert dispatch.sent_by == world["petra"] and dispatch.recipient == world.a
    cells = {(c.table, c.row, c.gender): c.count for c in received.cells.all()}
    assert cells[("participants", "exited", "kvinna")] == 1
    assert cells[("participants", "participant_days", "man")] == 94
    assert AuditEvent.objects.filter(action="aggregates.package_sent", unit=world.p).exists()
    assert AuditEvent.objects.filter(
        action="aggregates.package_received", association=world.a
    ).exists()


def test_a_coach_cannot_prepare_a_package(example, world, gemensam):
    with pytest.raises(PermissionDenied):
        services.prepare(actor_of(world, "bob"), gemensam, world.a, "2026Q3")


def test_a_correction_replaces_the_earlier_package_and_lists_what_changed(example, world, gemensam):
    first = services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    # The provider corrects an exit reason: W2 left for studies, not work.
    example["W2"].exit_reason = "studier"
    example["W2"].save(update_fields=["exit_reason"])
    second = services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    first.refresh_from_db()
    assert first.replaced_by == second
    assert second.version == 2 and second.is_correction
    assert {
        (c["table"], c["row"], c["gender"], c["before"], c["after"]) for c in second.changes
    } == {
        ("exit_reasons", "arbete", "kvinna", 1, 0),
        ("exit_reasons", "studier", "kvinna", 0, 1),
        ("exit_groups", "arbete", "kvinna", 1, 0),
        ("exit_groups", "studier", "kvinna", 0, 1),
        # She had moved up the ladder: her positive step moves group with her.
        ("positive_by_group", "arbete", "kvinna", 1, 0),
        ("positive_by_group", "studier", "kvinna", 0, 1),
    }
    assert ReceivedPackage.objects.filter(replaced_by__isnull=True).count() == 1


def test_each_funding_association_gets_its_own_package(example, world, gemensam):
    a = services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    b = services.send(actor_of(world, "petra"), gemensam, world.b, "2026Q3")
    assert a.document["tables"]["participants"]["active"]["kvinna"] == 2
    assert b.document["tables"]["participants"]["active"]["kvinna"] == 1
    assert ReceivedPackage.objects.visible_to(actor_of(world, "dave")).get() == b


def test_a_period_not_yet_ended_cannot_be_built(example, world, gemensam):
    with pytest.raises(PackageRefused, match="inte slut"):
        services.prepare(actor_of(world, "petra"), gemensam, world.a, "2026Q4")


def test_an_unknown_period_is_refused_in_swedish(example, world, gemensam):
    with pytest.raises(PackageRefused, match="Okänd period"):
        services.prepare(actor_of(world, "petra"), gemensam, world.a, "2026Q5")


def test_an_association_that_does_not_fund_cannot_get_a_package(world):
    own = InterventionFactory(provider=world.p, lead_association=world.a)
    with pytest.raises(PackageRefused, match="finansierar inte"):
        services.prepare(actor_of(world, "petra"), own, world.b, "2026Q3")


# --- Refusals ----------------------------------------------------------------------------------


def test_a_tampered_number_breaks_the_signature(example, world, gemensam):
    signed = _signed(world, gemensam)
    _register(world)
    # One number changed, totals kept consistent, so only the signature can tell.
    tables = signed["package"]["tables"]
    tables["exit_reasons"]["arbete"]["kvinna"] = 0
    tables["exit_reasons"]["studier"]["kvinna"] = 1
    _refused(world.a, signed, "Signaturen stämmer inte")


def test_an_unknown_key_is_refused(example, world, gemensam):
    _refused(world.a, _signed(world, gemensam), "Okänd nyckel")


def test_a_package_for_another_association_is_refused(example, world, gemensam):
    signed = _signed(world, gemensam, association=world.b)
    _register(world)  # A knows the key, but the package is addressed to B
    _refused(world.a, signed, "ställt till förbundet forbund-b")


def test_an_unknown_intervention_is_refused(example, world, gemensam):
    signed = _signed(world, gemensam)
    _register(world)
    gemensam.code = "annan"
    gemensam.save(update_fields=["code"])
    _refused(world.a, signed, "Okänd insats gemensam")


def test_a_provider_that_no_longer_runs_the_intervention_is_refused(example, world, gemensam):
    signed = _signed(world, gemensam)
    _register(world)
    gemensam.provider = ProviderFactory(organisation=world.p.organisation)
    gemensam.save(update_fields=["provider"])
    _refused(world.a, signed, "driver inte längre insatsen")


def test_a_period_after_the_intervention_ended_is_refused(example, world, gemensam):
    signed = _signed(world, gemensam)
    _register(world)
    gemensam.ended = date(2026, 6, 30)
    gemensam.save(update_fields=["ended"])
    _refused(world.a, signed, "avslutades 2026-06-30, före perioden 2026Q3")


def test_an_overlapping_period_is_refused(example, world, gemensam):
    services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    _refused(world.a, _signed(world, gemensam, period="2026-08"), "överlappar")


def test_an_older_version_after_a_newer_one_is_refused(example, world, gemensam):
    old = _signed(world, gemensam)  # version 1, not sent
    services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")  # version 1, sent
    services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")  # version 2
    _refused(world.a, old, "äldre än eller samma")


def test_an_unsupported_schema_version_is_refused(example, world, gemensam):
    signed = _signed(world, gemensam)
    _register(world)
    signed["package"]["schema_version"] = 2
    _refused(world.a, signed, "schemaversion 2 stöds inte")


def test_a_period_in_the_future_is_refused(example, world, gemensam):
    prepared = services.prepare(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    document = copy.deepcopy(prepared.document)
    document["period"] = "2027Q1"
    _register(world)
    _refused(world.a, services.sign(world.p, document), "ligger i framtiden")


def test_inconsistent_totals_are_refused_even_when_signed(example, world, gemensam):
    prepared = services.prepare(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    document = copy.deepcopy(prepared.document)
    document["tables"]["exit_groups"]["sjukdom"]["man"] = 3
    _register(world)
    _refused(world.a, services.sign(world.p, document), "exit_groups (man) summerar till 4, inte 1")


def test_a_file_that_is_not_json_is_refused(world):
    _refused(world.a, b"\x89PNG not a package", "inte ett paket")


def test_a_json_file_that_is_not_a_package_is_refused(world):
    _refused(world.a, json.dumps({"hello": 1}).encode(), "inte ett signerat paket")


def test_a_file_of_50_mb_is_refused(world):
    _refused(world.a, b" " * (50 * 1024 * 1024), "för stor")


def test_a_key_is_registered_once_and_must_be_a_key(world):
    office = actor_of(world, "alice")
    key = services.provider_key(world.p)
    services.register_key(office, world.p, key.public_key)
    with pytest.raises(PackageRefused, match="redan registrerad"):
        services.register_key(office, world.p, key.public_key)
    with pytest.raises(PackageRefused, match="ingen giltig publik nyckel"):
        services.register_key(office, world.p, "not a key")
    with pytest.raises(PermissionDenied):
        services.register_key(actor_of(world, "carol"), world.p, key.public_key)
    assert ProviderKeyRegistration.objects.count() == 1
