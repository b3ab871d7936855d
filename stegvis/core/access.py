"""Access helpers: fetch one owned object for the request's actor, or raise 404.

Views never call ``Model.objects.get`` on owned data; they call these, which scope by owner.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest

from stegvis.core.models import Invitation, Member, RoleAssignment
from stegvis.core.permissions import get_actor


def parse_public_id(value: object) -> uuid.UUID:
    """A URL's public id as a UUID; anything else is a 404, like an id that does not exist."""
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def get_member_for_user(request: HttpRequest, public_id: object) -> Member:
    actor = get_actor(request)
    member = (
        Member.objects.visible_to(actor)
        .select_related("organisation__municipality", "association")
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if member is None:
        raise Http404
    return member


def get_assignment_for_user(request: HttpRequest, public_id: object) -> RoleAssignment:
    actor = get_actor(request)
    assignment = (
        RoleAssignment.objects.visible_to(actor)
        .select_related("user", "association", "unit")
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def get_invitation_for_user(request: HttpRequest, public_id: object) -> Invitation:
    actor = get_actor(request)
    invitation = (
        Invitation.objects.visible_to(actor)
        .select_related("association", "unit")
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if invitation is None:
        raise Http404
    return invitation
