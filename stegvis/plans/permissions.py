"""Named permission predicates of the operating plan (tested on their own).

The plan is association data: the board, the preparatory group and the auditor read it, only the
office writes. Provider, referrer and reporter roles never reach a plan page.
"""

from __future__ import annotations

from stegvis.core.actors import Actor
from stegvis.core.models import Role

READ_ROLES = frozenset({Role.OFFICE, Role.BOARD, Role.PREPARATORY, Role.AUDITOR})
WRITE_ROLES = frozenset({Role.OFFICE})


def can_view_plans(actor: Actor) -> bool:
    return actor.role in READ_ROLES and actor.association is not None


def can_edit_plans(actor: Actor) -> bool:
    return actor.role in WRITE_ROLES and actor.association is not None
