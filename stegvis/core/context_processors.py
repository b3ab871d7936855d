"""Template context: the actor and the navigation of the role the user acts as."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from stegvis.core.actors import Actor, owner_kwargs, owner_url
from stegvis.core.models import ASSOCIATION_ROLES, PROVIDER_ROLES, Role
from stegvis.core.permissions import can_manage_users, can_view_audit_log


def navigation(actor: Actor) -> list[tuple[str, str]]:
    """(label, url) pairs for the acting role's main menu."""
    items = [(_("Start"), actor.owner.get_absolute_url())]
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
