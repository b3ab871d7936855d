"""Named permission predicates for interventions (DESIGN.md §5.3), tested on their own.

The role part is applied by ``role_required`` on the views; the predicates that need the object
(only the lead association's office edits) are checked in the view after the access helper has
found the intervention, and again in the services.
"""

from __future__ import annotations

from stegvis.core.actors import Actor
from stegvis.core.models import ASSOCIATION_ROLES, PROVIDER_ROLES, Role
from stegvis.interventions.models import FundingOffer, Intervention


def can_view_interventions(actor: Actor) -> bool:
    return actor.role in ASSOCIATION_ROLES | PROVIDER_ROLES


def can_create_intervention(actor: Actor) -> bool:
    """The association's office creates interventions, with its association as the lead."""
    return actor.role == Role.OFFICE and actor.association is not None


def can_edit_intervention(actor: Actor, intervention: Intervention) -> bool:
    """Only the office of the lead association edits; other funders' offices only read."""
    return (
        can_create_intervention(actor)
        and actor.association is not None
        and intervention.lead_association_id == actor.association.pk
    )


def can_assign_coaches(actor: Actor, intervention: Intervention) -> bool:
    """The manager of the provider that runs the intervention assigns its coaches."""
    return (
        actor.role == Role.PROVIDER_MANAGER
        and actor.unit is not None
        and intervention.provider_id == actor.unit.pk
    )


def can_answer_funding_offer(actor: Actor, offer: FundingOffer) -> bool:
    """The office of the association asked to co-fund answers, while the offer is open."""
    return (
        can_create_intervention(actor)
        and actor.association is not None
        and offer.association_id == actor.association.pk
        and offer.declined_at is None
    )
