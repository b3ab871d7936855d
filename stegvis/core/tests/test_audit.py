"""The audit log: append-only, hash-chained, verified, and behind the wall."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.models import AuditChainHead, AuditEvent, Role

NOW = datetime(2026, 3, 2, 8, 30, 0, 123456, tzinfo=UTC)


def actor(world, persona: str) -> Actor:
    return Actor(user=world.users[persona], assignment=world.roles[persona])


def record_three(world) -> list[AuditEvent]:
    alice = actor(world, "alice")
    with time_machine.travel(NOW, tick=False):
        return [
            audit.record("test.one", actor=alice, reason="första"),
            audit.record("test.two", actor=alice, reason="andra"),
            audit.record("test.three", actor=alice, reason="tredje"),
        ]


def problems() -> list[tuple[int | None, str]]:
    return [(p.seq, p.message) for p in audit.verify_chain()]


def assert_command_fails(expected_count: int) -> str:
    err = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("verify_audit", stdout=StringIO(), stderr=err)
    assert str(info.value) == f"Loggen är inte intakt: {expected_count} fel."
    return err.getvalue()


MISSING = "löpnummer {} saknas (borttagen eller omnumrerad händelse)"
PREV = "föregående hash stämmer inte (händelse infogad eller borttagen före)"
CHANGED = "innehållet stämmer inte med sin hash (ändrad händelse)"


def head_problem(head_seq: int, last_seq: int) -> str:
    return (
        f"huvudet pekar på händelse {head_seq} men sista händelsen är {last_seq} "
        "(de senaste händelserna har tagits bort eller ändrats)"
    )


# --- Writing ----------------------------------------------------------------------------------


def test_record_numbers_chains_and_sets_owner_from_actor(world):
    events = record_three(world)

    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == audit.GENESIS
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert len({e.hash for e in events}) == 3
    for event in events:
        stored = AuditEvent.objects.get(seq=event.seq)
        assert stored.association == world.a
        assert stored.unit is None
        assert stored.user == world.users["alice"]
        assert stored.user_label == "alice@test.example"
        assert stored.role == Role.OFFICE
        assert stored.at == NOW
        assert stored.hash == audit.compute_hash(stored.prev_hash, audit.event_fields(stored))
    assert [e.action for e in AuditEvent.objects.order_by("seq")] == [
        "test.one",
        "test.two",
        "test.three",
    ]
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (3, events[2].hash)


def test_record_with_a_provider_actor_is_owned_by_the_unit(world):
    event = audit.record("test.provider", actor=actor(world, "petra"))
    assert event.unit == world.p
    assert event.association is None
    assert event.role == Role.PROVIDER_MANAGER


def test_record_keeps_the_object_type_and_public_id_not_its_contents(world):
    member = world.a.members.first()
    event = audit.record("member.update", actor=actor(world, "alice"), obj=member)
    assert event.object_type == "core.member"
    assert event.object_id == str(member.public_id)


# --- Verifying an intact log -----------------------------------------------------------------


def test_verify_chain_is_silent_for_an_intact_log(world):
    record_three(world)
    assert problems() == []


def test_verify_chain_is_silent_for_an_empty_log(db):
    assert problems() == []


def test_verify_audit_command_reports_success(world):
    record_three(world)
    out, err = StringIO(), StringIO()
    call_command("verify_audit", stdout=out, stderr=err)
    assert out.getvalue().strip() == "Loggen är intakt: 3 händelser kontrollerade."
    assert err.getvalue() == ""


# --- Tampering -------------------------------------------------------------------------------


def test_an_edited_row_is_detected(world):
    record_three(world)
    AuditEvent.objects.filter(seq=2).update(reason="något annat")

    assert problems() == [(2, CHANGED)]
    err = assert_command_fails(1)
    assert f"FEL händelse 2: {CHANGED}" in err


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link(world):
    record_three(world)
    event = AuditEvent.objects.get(seq=2)
    event.reason = "något annat"
    new_hash = audit.compute_hash(event.prev_hash, audit.event_fields(event))
    AuditEvent.objects.filter(seq=2).update(reason="något annat", hash=new_hash)

    assert problems() == [(3, PREV)]
    assert_command_fails(1)


def test_a_row_inserted_at_the_end_is_detected(world):
    events = record_three(world)
    forged = AuditEvent(
        seq=4,
        at=NOW,
        association=world.a,
        user=world.users["alice"],
        user_label="alice@test.example",
        role=Role.OFFICE,
        action="test.forged",
        prev_hash=events[2].hash,
    )
    # A plausible hash: chained correctly to the last real event.
    forged.hash = audit.compute_hash(forged.prev_hash, audit.event_fields(forged))
    AuditEvent.objects.bulk_create([forged])

    assert problems() == [(None, head_problem(3, 4))]
    err = assert_command_fails(1)
    assert f"FEL kedjans huvud: {head_problem(3, 4)}" in err


def test_a_row_inserted_before_the_first_is_detected(world):
    record_three(world)
    forged = AuditEvent(
        seq=0,
        at=NOW,
        association=world.a,
        user_label="alice@test.example",
        role=Role.OFFICE,
        action="test.forged",
        prev_hash=audit.GENESIS,
    )
    forged.hash = audit.compute_hash(forged.prev_hash, audit.event_fields(forged))
    AuditEvent.objects.bulk_create([forged])

    assert problems() == [(0, MISSING.format(1)), (1, PREV)]
    assert_command_fails(2)


def test_a_row_deleted_in_the_middle_is_detected(world):
    record_three(world)
    deleted = AuditEvent.objects.filter(seq=2)._raw_delete(using="default")
    assert deleted == 1

    assert problems() == [(3, MISSING.format(2)), (3, PREV)]
    err = assert_command_fails(2)
    assert f"FEL händelse 3: {MISSING.format(2)}" in err


def test_the_last_row_deleted_is_detected_by_the_head(world):
    record_three(world)
    AuditEvent.objects.filter(seq=3)._raw_delete(using="default")

    assert problems() == [(None, head_problem(3, 2))]
    assert_command_fails(1)


def test_every_row_deleted_is_detected_by_the_head(world):
    record_three(world)
    AuditEvent.objects.all()._raw_delete(using="default")

    assert problems() == [(None, head_problem(3, 0))]
    assert_command_fails(1)


# --- Append-only in the model ------------------------------------------------------------------


def test_saving_an_existing_event_is_refused(world):
    event = audit.record("test.one", actor=actor(world, "alice"), reason="första")
    event.reason = "ändrad"
    with pytest.raises(ValidationError):
        event.save()
    assert AuditEvent.objects.get(seq=1).reason == "första"


def test_deleting_an_event_is_refused(world):
    event = audit.record("test.one", actor=actor(world, "alice"))
    with pytest.raises(ValidationError):
        event.delete()
    assert AuditEvent.objects.filter(seq=1).exists()


# --- Constraints -----------------------------------------------------------------------------


def test_a_participant_ref_with_an_association_owner_is_refused_by_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        audit.record("participant.view", owner=world.a, participant_ref=uuid.uuid4())
    assert AuditEvent.objects.count() == 0
    # The head moved back with the rolled-back event: the chain is still intact.
    assert problems() == []


def test_a_participant_ref_at_a_unit_is_accepted(world):
    ref = uuid.uuid4()
    event = audit.record("participant.view", actor=actor(world, "bob"), participant_ref=ref)
    assert AuditEvent.objects.get(pk=event.pk).participant_ref == ref


def test_an_event_with_two_owners_is_refused_by_the_database(world):
    event = AuditEvent(
        seq=1, at=NOW, association=world.a, unit=world.p, action="x", prev_hash=audit.GENESIS
    )
    event.hash = audit.compute_hash(event.prev_hash, audit.event_fields(event))
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.bulk_create([event])


# --- Visibility ------------------------------------------------------------------------------


@pytest.fixture
def events_everywhere(world) -> dict[str, set[int]]:
    """Two events each in A, B, P, Q and the FK unit; returns their primary keys by owner."""
    owners = {"A": "alice", "B": "dave", "P": "petra", "Q": "erin", "FK": "frank"}
    pks: dict[str, set[int]] = {}
    for owner, persona in owners.items():
        pks[owner] = {
            audit.record(f"test.{owner}.{n}", actor=actor(world, persona)).pk for n in range(2)
        }
    return pks


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("alice", "A"),
        ("helena", "A"),
        ("carol", None),
        ("petra", "P"),
        ("bob", None),
        ("dave", "B"),
        ("erin", None),
        ("frank", None),
    ],
)
def test_visible_to(world, events_everywhere, persona, expected):
    visible = set(AuditEvent.objects.visible_to(actor(world, persona)).values_list("pk", flat=True))
    assert visible == (events_everywhere[expected] if expected else set())
