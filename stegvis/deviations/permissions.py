"""Named predicates of Lex Heller reports.

- Filing: a role in a provider (provider manager, coach) or a member's unit (referrer), and the
  reporter the office invited (an association-owned role that sees nothing else).
- Setting up (categories, administrators): the office.
- Handling (review, send back, merge, take to the preparatory group, decision, feedback, close):
  the administrators the office appointed, acting in one of the association's own roles.
- Reading the association's reports: the office and the administrators all of them; the
  preparatory group what has been taken to it (``DeviationReport.objects.visible_to``).
- The compilation (counts, no text about any one situation but decisions): every association role.
"""

from __future__ import annotations

from stegvis.core.actors import Actor
from stegvis.core.models import ASSOCIATION_ROLES, PROVIDER_ROLES, Role
from stegvis.deviations.models import is_administrator

FILING_ROLES = frozenset({*PROVIDER_ROLES, Role.REFERRER, Role.REPORTER})


def can_file_reports(actor: Actor) -> bool:
    return actor.role in FILING_ROLES


def can_manage_setup(actor: Actor) -> bool:
    return actor.role == Role.OFFICE and actor.association is not None


def can_handle_reports(actor: Actor) -> bool:
    return is_administrator(actor)


def can_read_reports(actor: Actor) -> bool:
    """Whether the association's report list opens for the actor at all."""
    return actor.role in {Role.OFFICE, Role.PREPARATORY} or is_administrator(actor)


def can_comment(actor: Actor) -> bool:
    return can_read_reports(actor)


def can_view_compilation(actor: Actor) -> bool:
    return actor.role in ASSOCIATION_ROLES
