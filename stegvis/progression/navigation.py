"""Menu entries of progression for the acting role."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from stegvis.core.actors import Actor
from stegvis.core.models import Role


def items(actor: Actor) -> list[tuple[str, str]]:
    if actor.role in {Role.PROVIDER_MANAGER, Role.COACH} and actor.unit is not None:
        return [
            (
                _("Stegförflyttning"),
                reverse("progression:work_list", kwargs={"provider": actor.unit.public_id}),
            )
        ]
    if actor.role == Role.OFFICE and actor.association is not None:
        return [
            (
                _("Instrument"),
                reverse(
                    "progression:association_instrument_list",
                    kwargs={"association": actor.association.slug},
                ),
            )
        ]
    return []
