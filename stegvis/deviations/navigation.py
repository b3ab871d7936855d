"""Menu entries of Lex Heller reports for the acting role."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from stegvis.core.actors import Actor
from stegvis.core.models import ASSOCIATION_ROLES, Role
from stegvis.deviations.permissions import can_file_reports, can_read_reports


def items(actor: Actor) -> list[tuple[str, str]]:
    if actor.role == Role.REPORTER:
        return []  # their start page is their list of reports
    if actor.role == Role.COMPILER and actor.network is not None:
        url = reverse("deviations:network_compilation", kwargs={"network": actor.network.slug})
        return [(_("Lex Heller-sammanställning"), url)]
    if can_file_reports(actor) and actor.unit is not None:
        prefix = "provider" if actor.unit.is_provider else "unit"
        url = reverse(f"deviations:{prefix}_list", kwargs={prefix: actor.unit.public_id})
        return [(_("Lex Heller"), url)]
    if actor.role in ASSOCIATION_ROLES and actor.association is not None:
        owner = {"association": actor.association.slug}
        entries = []
        if can_read_reports(actor):
            entries.append((_("Lex Heller"), reverse("deviations:association_list", kwargs=owner)))
        entries.append(
            (
                _("Lex Heller-sammanställning"),
                reverse("deviations:association_compilation", kwargs=owner),
            )
        )
        return entries
    return []
