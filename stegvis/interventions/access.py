"""Access helpers: one intervention, goal or activity for the request's actor, or 404.

Scoped by ``Intervention.objects.visible_to(actor)``: an association role reaches what its
association funds, a provider role what its provider runs (a coach only what they are assigned).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from stegvis.core.access import parse_public_id
from stegvis.core.permissions import get_actor
from stegvis.interventions.models import FundingOffer, Goal, Intervention, StructuralActivity


def get_intervention_for_user(request: HttpRequest, public_id: object) -> Intervention:
    actor = get_actor(request)
    intervention = (
        Intervention.objects.visible_to(actor)
        .select_related("provider__organisation", "lead_association")
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if intervention is None:
        raise Http404
    return intervention


def get_goal_for_user(request: HttpRequest, intervention: Intervention, public_id: object) -> Goal:
    """A goal of ``intervention`` (itself visible to the actor), or 404."""
    visible = Intervention.objects.visible_to(get_actor(request)).filter(pk=intervention.pk)
    goal = (
        Goal.objects.filter(intervention__in=visible, public_id=parse_public_id(public_id))
        .select_related("intervention")
        .first()
    )
    if goal is None:
        raise Http404
    return goal


def get_activity_for_user(
    request: HttpRequest, intervention: Intervention, public_id: object
) -> StructuralActivity:
    """An activity of ``intervention`` (itself visible to the actor), or 404."""
    visible = Intervention.objects.visible_to(get_actor(request)).filter(pk=intervention.pk)
    activity = (
        StructuralActivity.objects.filter(
            intervention__in=visible, public_id=parse_public_id(public_id)
        )
        .select_related("intervention")
        .first()
    )
    if activity is None:
        raise Http404
    return activity


def get_offer_for_user(request: HttpRequest, public_id: object) -> FundingOffer:
    """An offer of funding made to the actor's association, or 404 (the offer is not yet the
    association's intervention, so ``visible_to`` does not reach it)."""
    actor = get_actor(request)
    if actor.association is None:
        raise Http404
    offer = (
        FundingOffer.objects.filter(
            association=actor.association, public_id=parse_public_id(public_id)
        )
        .select_related("intervention")
        .first()
    )
    if offer is None:
        raise Http404
    return offer
