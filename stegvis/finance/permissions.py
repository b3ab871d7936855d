"""Named permission predicates for finance (tested on their own in tests/test_permissions.py).

Finance is association data: the board, the preparatory group and the auditor read it, only the
office writes. Provider and referrer roles never reach a finance page (they have no association
in their URL, and ``role_required`` refuses them anyway).
"""

from __future__ import annotations

from stegvis.core.actors import Actor
from stegvis.core.models import ASSOCIATION_ROLES, Role

READ_ROLES = ASSOCIATION_ROLES
WRITE_ROLES = frozenset({Role.OFFICE})


def can_view_finance(actor: Actor) -> bool:
    return actor.role in READ_ROLES and actor.association is not None


def can_edit_finance(actor: Actor) -> bool:
    return actor.role in WRITE_ROLES and actor.association is not None
