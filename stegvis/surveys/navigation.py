"""Menu entries of surveys for the acting role."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from stegvis.core.actors import Actor
from stegvis.core.models import ASSOCIATION_ROLES, PROVIDER_ROLES


def items(actor: Actor) -> list[tuple[str, str]]:
    if actor.role in ASSOCIATION_ROLES and actor.association is not None:
        kwargs = {"association": actor.association.slug}
        return [
            (_("Enkäter"), reverse("surveys:overview", kwargs=kwargs)),
            (_("Frågor om våld"), reverse("surveys:violence", kwargs=kwargs)),
        ]
    if actor.role in PROVIDER_ROLES and actor.unit is not None:
        kwargs = {"provider": str(actor.unit.public_id)}
        return [
            (_("Enkätlänkar"), reverse("surveys:provider_surveys", kwargs=kwargs)),
            (_("Frågor om våld"), reverse("surveys:screening_overview", kwargs=kwargs)),
        ]
    return []
