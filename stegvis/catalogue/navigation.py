"""Menu entries of the catalogue: the office's texts, the provider staff's inbox."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from stegvis.core.actors import Actor
from stegvis.core.models import Role


def items(actor: Actor) -> list[tuple[str, str]]:
    if actor.role == Role.OFFICE and actor.association is not None:
        return [
            (
                _("Katalog"),
                reverse("catalogue:office_list", kwargs={"association": actor.association.slug}),
            )
        ]
    if actor.role in {Role.PROVIDER_MANAGER, Role.COACH} and actor.unit is not None:
        return [
            (
                _("Intresseanmälningar"),
                reverse("catalogue:inbox", kwargs={"provider": actor.unit.public_id}),
            )
        ]
    return []
