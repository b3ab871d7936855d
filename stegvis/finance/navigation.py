"""Menu entry of finance: every association role reads it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from stegvis.core.actors import Actor
from stegvis.finance.permissions import can_view_finance


def items(actor: Actor) -> list[tuple[str, str]]:
    if not can_view_finance(actor) or actor.association is None:
        return []
    return [
        (_("Ekonomi"), reverse("finance:overview", kwargs={"association": actor.association.slug}))
    ]
