"""Named permission predicates, and the one decorator that applies them to views.

Every view under an owner's URL (``/a/…``, ``/p/…``, ``/r/…``) is wrapped in :func:`role_required`,
which reads ``request.actor`` (set by ``ActorMiddleware``) and refuses every other role with 403.
The URL sweep test reads ``view.allowed_roles`` to know whom to expect a refusal from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from stegvis.core.actors import Actor
from stegvis.core.models import (
    ASSOCIATION_ROLES,
    PROVIDER_ROLES,
    Role,
    RoleAssignment,
)

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def can_manage_members(actor: Actor) -> bool:
    return actor.role == Role.OFFICE


def can_view_members(actor: Actor) -> bool:
    return actor.role in ASSOCIATION_ROLES


def can_manage_users(actor: Actor) -> bool:
    """The office manages association roles; the provider manager manages provider roles."""
    return actor.role in {Role.OFFICE, Role.PROVIDER_MANAGER}


def can_view_audit_log(actor: Actor) -> bool:
    return actor.role in {Role.OFFICE, Role.AUDITOR, Role.PROVIDER_MANAGER}


def can_view_team(actor: Actor) -> bool:
    return actor.role in PROVIDER_ROLES


def grantable_roles(actor: Actor) -> list[Role]:
    """The roles this actor may give others, in the actor's own association or provider."""
    if actor.role == Role.OFFICE:
        return [Role.OFFICE, Role.BOARD, Role.PREPARATORY, Role.AUDITOR, Role.REPORTER]
    if actor.role == Role.PROVIDER_MANAGER:
        return [Role.PROVIDER_MANAGER, Role.COACH]
    return []


def can_change_assignment(actor: Actor, assignment: RoleAssignment) -> bool:
    same_owner = (
        assignment.association_id is not None
        and actor.association is not None
        and assignment.association_id == actor.association.pk
    ) or (
        assignment.unit_id is not None
        and actor.unit is not None
        and assignment.unit_id == actor.unit.pk
    )
    return same_owner and assignment.role in grantable_roles(actor)


def get_actor(request: HttpRequest) -> Actor:
    """The request's actor; views behind :func:`role_required` always have one."""
    actor: Actor | None = getattr(request, "actor", None)
    if actor is None:
        raise Http404
    return actor


def role_required(
    roles: Iterable[Role], predicate: Callable[[Actor], bool] | None = None
) -> Callable[[View], View]:
    """Allow only actors acting in one of ``roles`` (and passing ``predicate``); 403 otherwise.

    ``ActorMiddleware`` has already answered 404 for owners the user has no role in, and sent
    users who must use two factors through verification.
    """
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            actor = get_actor(request)
            if actor.role not in allowed or (predicate is not None and not predicate(actor)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
