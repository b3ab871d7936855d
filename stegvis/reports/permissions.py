"""Who may see which report (named predicates)."""

from __future__ import annotations

from stegvis.core.actors import Actor
from stegvis.core.models import Role

# Association roles that see the report; every role but the office sees it suppressed.
ASSOCIATION_READERS = [Role.OFFICE, Role.BOARD, Role.PREPARATORY, Role.AUDITOR]


def can_read_association_report(actor: Actor) -> bool:
    return actor.association is not None and actor.role in ASSOCIATION_READERS


def sees_exact_figures(actor: Actor) -> bool:
    """Only the office sees exact small counts (calculations.md §6)."""
    return actor.role == Role.OFFICE and actor.association is not None


def can_edit_reports(actor: Actor) -> bool:
    """The office reads goal follow-up and the socio-economic effect and sets its parameters."""
    return actor.role == Role.OFFICE and actor.association is not None


def can_read_provider_report(actor: Actor) -> bool:
    return actor.role == Role.PROVIDER_MANAGER and actor.unit is not None
