"""Menu entry of the operating plan: the association's own roles read it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from stegvis.core.actors import Actor
from stegvis.plans.permissions import can_view_plans


def items(actor: Actor) -> list[tuple[str, str]]:
    if not can_view_plans(actor) or actor.association is None:
        return []
    return [
        (
            _("Verksamhetsplan"),
            reverse("plans:list", kwargs={"association": actor.association.slug}),
        ),
        (
            _("Årshjul"),
            reverse("plans:calendar", kwargs={"association": actor.association.slug}),
        ),
    ]
