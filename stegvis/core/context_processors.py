"""Template context: the actor and the navigation of the role the user acts as."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from stegvis.core.actors import Actor, owner_kwargs, owner_url
from stegvis.core.models import ASSOCIATION_ROLES, PROVIDER_ROLES, Role
from stegvis.core.permissions import can_manage_users, can_view_audit_log


@cache
def _app_navigations() -> list[ModuleType]:
    """The ``navigation`` modules of the project's apps, in INSTALLED_APPS order.

    An app adds its own menu entries with ``items(actor) -> list[tuple[str, str]]`` in its
    ``navigation.py``, so that its labels live in its own translation catalogue.
    """
    names = [
        f"{config.name}.navigation"
        for config in apps.get_app_configs()
        if config.name.startswith("stegvis.") and config.name != "stegvis.core"
    ]
    return [import_module(name) for name in names if find_spec(name) is not None]


@cache
def _app_dashboards() -> list[ModuleType]:
    """The ``dashboard`` modules of the project's apps, in INSTALLED_APPS order: each offers
    ``panels(actor)``, a list of objects with a ``template`` that the start pages include."""
    names = [
        f"{config.name}.dashboard"
        for config in apps.get_app_configs()
        if config.name.startswith("stegvis.") and config.name != "stegvis.core"
    ]
    return [import_module(name) for name in names if find_spec(name) is not None]


def dashboard_panels(actor: Actor) -> list[Any]:
    """The panels of every app for the actor's start page."""
    return [panel for module in _app_dashboards() for panel in module.panels(actor)]


def navigation(actor: Actor) -> list[tuple[str, str]]:
    """(label, url) pairs for the acting role's main menu."""
    items = [(_("Start"), actor.assignment.home_url())]
    if actor.role in ASSOCIATION_ROLES:
        items.append((_("Medlemmar"), owner_url(actor, "members")))
    if actor.role in ASSOCIATION_ROLES | PROVIDER_ROLES:
        prefix = "association" if actor.role in ASSOCIATION_ROLES else "provider"
        items.append(
            (
                _("Insatser"),
                reverse(f"interventions:{prefix}_list", kwargs=owner_kwargs(actor)),
            )
        )
    if actor.role in PROVIDER_ROLES and actor.unit is not None:
        provider = {"provider": actor.unit.public_id}
        items += [
            (_("Deltagare"), reverse("participants:participant_list", kwargs=provider)),
            (_("Remisser"), reverse("participants:referral_list", kwargs=provider)),
            (_("Uppföljningar"), reverse("participants:follow_up_list", kwargs=provider)),
        ]
    if actor.role == Role.REFERRER and actor.unit is not None:
        unit = {"unit": actor.unit.public_id}
        items.append(
            (_("Mina remisser"), reverse("participants:referrer_referral_list", kwargs=unit))
        )
    for module in _app_navigations():
        items += module.items(actor)
    if can_manage_users(actor):
        items.append((_("Användare"), owner_url(actor, "users")))
    if can_view_audit_log(actor):
        items.append((_("Logg"), owner_url(actor, "audit")))
    return items


def actor(request: HttpRequest) -> dict[str, Any]:
    current: Actor | None = getattr(request, "actor", None)
    if current is None:
        return {"actor": None, "nav": []}
    return {
        "actor": current,
        "nav": navigation(current),
        "is_office": current.role == Role.OFFICE,
    }
