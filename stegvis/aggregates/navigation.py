"""Menu entries of aggregate packages for the acting role."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from stegvis.core.actors import Actor
from stegvis.core.models import Role

from .permissions import can_compile, can_send_packages


def items(actor: Actor) -> list[tuple[str, str]]:
    if can_compile(actor) and actor.network is not None:
        url = reverse("aggregates:network_home", kwargs={"network": actor.network.slug})
        return [(_("Sammanställning"), url)]
    if can_send_packages(actor) and actor.unit is not None:
        url = reverse("aggregates:provider_packages", kwargs={"provider": actor.unit.public_id})
        return [(_("Paket till förbund"), url)]
    if actor.role == Role.OFFICE and actor.association is not None:
        url = reverse(
            "aggregates:association_packages", kwargs={"association": actor.association.slug}
        )
        compile_url = reverse(
            "aggregates:association_compilation", kwargs={"association": actor.association.slug}
        )
        return [
            (_("Uppföljning från utförare"), url),
            (_("Sammanställning till nätverk"), compile_url),
        ]
    return []
