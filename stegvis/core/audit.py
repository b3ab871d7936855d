"""The audit log: one helper appends every event (one or many at a time); one function verifies
the chain.

Each event's hash covers its own fields and the previous event's hash, so that editing, inserting
or deleting a row breaks the chain at that point. The head row (``AuditChainHead``) holds the newest
sequence number and hash; writers lock it so the chain stays linear under concurrency.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from stegvis.core.models import Association, AuditChainHead, AuditEvent, Unit

if TYPE_CHECKING:
    from stegvis.core.actors import Actor
    from stegvis.core.models import Network, User

GENESIS = "0" * 64


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_fields(event: AuditEvent) -> dict[str, Any]:
    """The fields the hash covers, as they are stored."""
    return {
        "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"),
        "association": event.association_id,
        "unit": event.unit_id,
        "user": event.user_id,
        "user_label": event.user_label,
        "role": event.role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "participant_ref": str(event.participant_ref) if event.participant_ref else None,
        "reason": event.reason,
        "ip": event.ip,
    }


def compute_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(fields)).hexdigest()


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    ip = request.META.get("REMOTE_ADDR") or None
    return ip


def new_event(
    action: str,
    *,
    actor: Actor | None = None,
    user: User | None = None,
    owner: Association | Unit | Network | None = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    participant_ref: uuid.UUID | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """An event not yet in the chain: what :func:`record` writes, for :func:`append` to chain.

    ``actor`` gives user, role and (unless ``owner`` is given) owner; without an actor, pass user
    and owner explicitly. ``obj`` is any model with a ``public_id``; its type and public id are
    recorded, never its contents (so ``obj`` may still be unsaved when the event is made).
    """
    if actor is not None:
        user = actor.user
        # An explicit owner wins: a referrer's referral belongs in the provider's log.
        owner = owner if owner is not None else actor.owner
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.public_id)
    return AuditEvent(
        association=owner if isinstance(owner, Association) else None,
        unit=owner if isinstance(owner, Unit) else None,
        user=user,
        user_label=(user.email if user is not None else "")[:254],
        role=actor.role if actor is not None else "",
        action=action,
        object_type=object_type[:60],
        object_id=object_id[:64],
        participant_ref=participant_ref,
        reason=reason[:500],
        ip=client_ip(request),
    )


def append(events: Sequence[AuditEvent], *, batch_size: int = 1000) -> list[AuditEvent]:
    """Chain the events, in the order given, onto the log and save them.

    The head is locked once for all of them: each event gets the next sequence number, the time
    (when it has none yet) and the previous event's hash, exactly as if :func:`record` had written
    them one by one; more than one event is inserted ``batch_size`` at a time. Runs in its own
    atomic block, nested in the caller's transaction when there is one, so the events are kept
    exactly when the changes they describe are.
    """
    events = list(events)
    if not events:
        return events
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditChainHead.objects.create(pk=1, seq=0, hash=GENESIS)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        seq, prev_hash = head.seq, head.hash
        for event in events:
            seq += 1
            event.seq = seq
            if event.at is None:
                # Stored to the microsecond; truncated the same way before hashing.
                event.at = timezone.now()
            event.prev_hash = prev_hash
            event.hash = compute_hash(prev_hash, event_fields(event))
            prev_hash = event.hash
        if len(events) == 1:
            events[0].save()
        else:
            AuditEvent.objects.bulk_create(events, batch_size=batch_size)
        head.seq = seq
        head.hash = prev_hash
        head.save(update_fields=["seq", "hash"])
    return events


def record(
    action: str,
    *,
    actor: Actor | None = None,
    user: User | None = None,
    owner: Association | Unit | Network | None = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    participant_ref: uuid.UUID | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event (:func:`new_event`, then :func:`append`). ``actor`` gives user, role and
    (unless ``owner`` is given) owner; without an actor, pass user and owner explicitly.

    ``obj`` is any model with a ``public_id``; its type and public id are recorded, never its
    contents. Runs in its own atomic block, nested in the caller's transaction when there is one,
    so an event is kept exactly when the change it describes is.
    """
    event = new_event(
        action,
        actor=actor,
        user=user,
        owner=owner,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        participant_ref=participant_ref,
        reason=reason,
        request=request,
    )
    return append([event])[0]


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"händelse {self.seq}" if self.seq is not None else "kedjans huvud"
        return f"{where}: {self.message}"


def verify_chain(batch_size: int = 2000) -> Iterator[ChainProblem]:
    """Yield every break in the chain: edited, inserted or deleted events, and a moved head."""
    prev_hash = GENESIS
    expected_seq = 1
    last_seq = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            yield ChainProblem(
                event.seq, f"löpnummer {expected_seq} saknas (borttagen eller omnumrerad händelse)"
            )
        if event.prev_hash != prev_hash:
            yield ChainProblem(
                event.seq, "föregående hash stämmer inte (händelse infogad eller borttagen före)"
            )
        if compute_hash(event.prev_hash, event_fields(event)) != event.hash:
            yield ChainProblem(event.seq, "innehållet stämmer inte med sin hash (ändrad händelse)")
        prev_hash = event.hash
        expected_seq = event.seq + 1
        last_seq = event.seq
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != last_seq or head_hash != prev_hash:
        yield ChainProblem(
            None,
            f"huvudet pekar på händelse {head_seq} men sista händelsen är {last_seq} "
            "(de senaste händelserna har tagits bort eller ändrats)",
        )
