"""Who the user is acting as: one role in one association, provider or member's unit.

The owner comes from the URL (``/a/<association>/``, ``/p/<provider>/``, ``/r/<unit>/``); the role
comes from the session, where the user chose it after log-in. ``ActorMiddleware`` resolves both on
every request with :func:`resolve_actor`; a request for an owner the user has no role in is a 404,
so that nothing reveals whether that owner exists.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import Http404, HttpRequest

from stegvis.core.models import (
    PERSONAL_DATA_ROLES,
    Association,
    Network,
    Role,
    RoleAssignment,
    Unit,
)

if TYPE_CHECKING:
    from stegvis.core.models import User

SESSION_KEY = "stegvis_role"

# URL keyword arguments that name an owner, and the kind of owner each one names.
OWNER_KWARGS = {
    "association": "association",
    "provider": "provider",
    "unit": "unit",
    "network": "network",
}


@dataclass(frozen=True)
class Actor:
    """The acting identity of one request. Every owned queryset is filtered by it."""

    user: User
    assignment: RoleAssignment

    @property
    def role(self) -> Role:
        return Role(self.assignment.role)

    @property
    def association(self) -> Association | None:
        return self.assignment.association

    @property
    def unit(self) -> Unit | None:
        return self.assignment.unit

    @property
    def network(self) -> Network | None:
        return self.assignment.network

    @property
    def owner(self) -> Association | Unit | Network:
        return self.assignment.owner

    @property
    def needs_two_factor(self) -> bool:
        return self.role in PERSONAL_DATA_ROLES


class RoleChoiceNeeded(Exception):
    """The user has a role at the URL's owner but has not chosen it as their acting role."""


def active_assignments(user: User) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.active()
        .filter(user=user)
        .select_related("association", "unit__organisation", "network")
        .order_by("association__name", "unit__name", "network__name", "role")
    )


def chosen_assignment(request: HttpRequest) -> RoleAssignment | None:
    """The role the user chose in this session, if it is still active."""
    raw = request.session.get(SESSION_KEY)
    if not raw or not request.user.is_authenticated:
        return None
    try:
        public_id = uuid.UUID(str(raw))
    except ValueError:
        return None
    return (
        RoleAssignment.objects.active()
        .filter(user=request.user, public_id=public_id)
        .select_related("association", "unit__organisation", "network")
        .first()
    )


def _matches(assignment: RoleAssignment, kind: str, key: object) -> bool:
    if kind == "association":
        return assignment.association is not None and assignment.association.slug == key
    if kind == "network":
        return assignment.network is not None and assignment.network.slug == key
    unit = assignment.unit
    if unit is None or str(unit.public_id) != str(key):
        return False
    return unit.is_provider if kind == "provider" else assignment.role in {Role.REFERRER}


def resolve_actor(request: HttpRequest, kind: str, key: object) -> Actor:
    """The actor for a URL whose owner is ``kind``/``key``; raise Http404 when there is none.

    Raises RoleChoiceNeeded when the user holds a role at that owner but is acting as another.
    """
    user = request.user
    if not user.is_authenticated:
        raise Http404
    assignment = chosen_assignment(request)
    if assignment is not None and _matches(assignment, kind, key):
        return Actor(user=user, assignment=assignment)
    if any(_matches(a, kind, key) for a in active_assignments(user)):
        raise RoleChoiceNeeded
    raise Http404


def owner_prefix(actor: Actor) -> str:
    """The URL name prefix of the actor's owner: association, provider, unit or network."""
    if actor.association is not None:
        return "association"
    if actor.network is not None:
        return "network"
    assert actor.unit is not None
    return "provider" if actor.unit.is_provider else "unit"


def owner_kwargs(actor: Actor) -> dict[str, object]:
    if actor.association is not None:
        return {"association": actor.association.slug}
    if actor.network is not None:
        return {"network": actor.network.slug}
    assert actor.unit is not None
    return {owner_prefix(actor): actor.unit.public_id}


def owner_url(actor: Actor, name: str, **kwargs: object) -> str:
    """Reverse ``core:<prefix>_<name>`` for the actor's owner, e.g. ``owner_url(a, "users")``."""
    from django.urls import reverse

    return reverse(f"core:{owner_prefix(actor)}_{name}", kwargs={**owner_kwargs(actor), **kwargs})
