"""Who may do what with aggregate packages (named predicates)."""

from __future__ import annotations

from stegvis.core.actors import Actor
from stegvis.core.models import ASSOCIATION_ROLES, Role

# The association roles that see received figures (the reporter files Lex Heller reports only).
READERS = list(ASSOCIATION_ROLES)


def can_send_packages(actor: Actor) -> bool:
    """The provider manager reviews, signs and sends the provider's packages."""
    return actor.role == Role.PROVIDER_MANAGER and actor.unit is not None


def can_receive_packages(actor: Actor) -> bool:
    """The office registers providers' keys and uploads packages."""
    return actor.role == Role.OFFICE and actor.association is not None


def can_read_packages(actor: Actor) -> bool:
    return actor.role in ASSOCIATION_ROLES and actor.association is not None


def can_compile(actor: Actor) -> bool:
    """The network's compiler registers associations' keys and imports their compilations."""
    return actor.role == Role.COMPILER and actor.network is not None
