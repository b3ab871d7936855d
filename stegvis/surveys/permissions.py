"""Named permission predicates for surveys and violence screening, tested on their own."""

from __future__ import annotations

from stegvis.core.actors import Actor
from stegvis.core.models import ASSOCIATION_ROLES, PROVIDER_ROLES, Role

# Who may see survey results: every association role (they are aggregates, suppressed under 5).
RESULT_ROLES = ASSOCIATION_ROLES


def can_manage_surveys(actor: Actor) -> bool:
    """The office loads questionnaires, opens and closes rounds, imports reference values."""
    return actor.role == Role.OFFICE and actor.association is not None


def can_view_survey_results(actor: Actor) -> bool:
    return actor.role in RESULT_ROLES and actor.association is not None


def can_record_screening(actor: Actor) -> bool:
    """Provider staff record whether the violence questions were asked (their own enrolments)."""
    return actor.role in PROVIDER_ROLES and actor.unit is not None


def can_enter_tallies(actor: Actor) -> bool:
    """Anonymous answers from paper forms: the office, or provider staff for their interventions."""
    return can_manage_surveys(actor) or can_record_screening(actor)
