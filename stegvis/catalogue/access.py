"""Access helpers: one owned object of the catalogue for the request's actor, or 404.

Interest registrations are scoped by ``InterestRegistration.objects.visible_to(actor)`` (the
provider's staff; a coach only the interventions they work in), and reading one is audited.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from stegvis.core.access import parse_public_id
from stegvis.core.permissions import get_actor
from stegvis.interventions.access import get_intervention_for_user
from stegvis.interventions.models import Intervention

from . import services
from .models import InterestRegistration


def get_registration_for_user(request: HttpRequest, public_id: object) -> InterestRegistration:
    """The registration, if the actor may see it; the read is an ``interest.view`` event."""
    actor = get_actor(request)
    registration = (
        InterestRegistration.objects.visible_to(actor)
        .select_related("intervention", "municipality", "referral", "handled_by")
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if registration is None:
        raise Http404
    services.view_registration(actor, registration)
    return registration


def get_catalogue_intervention_for_user(request: HttpRequest, public_id: object) -> Intervention:
    """An individual intervention the office's association funds (404 otherwise), whose texts
    the office may edit (403 for a co-funder's office, which sees but does not edit)."""
    intervention = get_intervention_for_user(request, public_id)
    if intervention.kind != Intervention.Kind.INDIVIDUAL:
        raise Http404
    if not services.can_edit_catalogue(get_actor(request), intervention):
        raise PermissionDenied
    return intervention
