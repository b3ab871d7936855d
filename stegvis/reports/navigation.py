"""Menu entries of reports for the acting role."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from stegvis.core.actors import Actor

from .document import can_view_document
from .permissions import can_edit_reports, can_read_association_report, can_read_provider_report


def items(actor: Actor) -> list[tuple[str, str]]:
    if actor.association is not None and can_read_association_report(actor):
        slug = actor.association.slug
        entries = [(_("Rapport"), reverse("reports:association", kwargs={"association": slug}))]
        if can_view_document(actor):
            url = reverse("reports_document:document", kwargs={"association": slug})
            entries.append((_("Verksamhetsberättelse"), url))
        if can_edit_reports(actor):
            entries += [
                (_("Måluppföljning"), reverse("reports:goals", kwargs={"association": slug})),
                (
                    _("Samhällsekonomi"),
                    reverse("reports:socioeconomic", kwargs={"association": slug}),
                ),
            ]
        return entries
    if actor.unit is not None and can_read_provider_report(actor):
        url = reverse("reports:provider", kwargs={"provider": actor.unit.public_id})
        return [(_("Utförarrapport"), url)]
    return []
