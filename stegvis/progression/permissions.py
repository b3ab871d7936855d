"""Named permission predicates of progression."""

from __future__ import annotations

from stegvis.core.actors import Actor
from stegvis.core.models import Role

STAFF = frozenset({Role.PROVIDER_MANAGER, Role.COACH})


def can_measure(actor: Actor) -> bool:
    """Provider staff measure; a coach only in the interventions they are assigned to
    (enforced by the querysets)."""
    return actor.role in STAFF


def can_plan(actor: Actor) -> bool:
    return actor.role == Role.PROVIDER_MANAGER


def can_load_instruments(actor: Actor) -> bool:
    """The provider manager for the provider; the office for the association."""
    return actor.role in {Role.PROVIDER_MANAGER, Role.OFFICE}


def can_name_ladder_steps(actor: Actor) -> bool:
    return actor.role == Role.OFFICE
