"""The catalogue's part of the wall sweep (core/tests/test_wall_sweep.py).

Interest registrations are provider-owned objects (``<uuid:registration>``); the catalogue texts
are reached through the association's interventions. The public pages carry no owner keyword and
are listed in ``PUBLIC`` with the reason each may be open.
"""

from __future__ import annotations

from typing import Any

from stegvis.catalogue.models import CatalogueEntry, InterestRegistration
from stegvis.catalogue.tests.factories import CatalogueEntryFactory, InterestRegistrationFactory
from stegvis.core.models import Municipality, Unit
from stegvis.interventions.models import Intervention
from stegvis.interventions.tests.factories import InterventionFactory

OBJECT_KINDS = {"registration"}

PUBLIC = {
    "catalogue:index": "the public catalogue: published texts of running interventions only",
    "catalogue:association": "one association's public catalogue: published texts only",
    "catalogue:detail": "a published intervention's public page; no registration is shown",
    "catalogue:register": "the public interest form; it shows nothing that was sent",
    "catalogue:receipt": "a thank-you page with a signed reference, none of what was sent",
    "catalogue:open_data_json": "open data: the published catalogue as JSON",
    "catalogue:open_data_csv": "open data: the published catalogue as CSV",
}


def _individual(provider: Unit) -> Intervention:
    intervention = Intervention.objects.filter(provider=provider, kind="individual").first()
    if intervention is None:
        from stegvis.core.models import Association

        lead = Association.objects.filter(fundings__intervention__provider=provider).first()
        lead = lead or Association.objects.order_by("pk").first()
        intervention = InterventionFactory(provider=provider, lead_association=lead)
    return intervention


def objects_for(world: Any, owner: object) -> dict[str, object]:
    if not isinstance(owner, Unit) or not owner.is_provider:
        return {}
    intervention = _individual(owner)
    registration = InterestRegistrationFactory(
        intervention=intervention, municipality=Municipality.objects.get(code="2309")
    )
    return {"registration": registration.public_id}


def counts() -> tuple[int, ...]:
    return (
        CatalogueEntry.objects.count(),
        CatalogueEntry.objects.filter(published=True).count(),
        InterestRegistration.objects.filter(state=InterestRegistration.State.NEW).count(),
        InterestRegistration.objects.filter(erased_at__isnull=True).count(),
    )


def public_kwargs(world: Any, name: str) -> dict[str, object] | None:
    """Arguments for the public patterns: A's catalogue, and P's intervention with texts."""
    if name == "catalogue:association":
        return {"forbund": world.a.slug}
    if name in {"catalogue:detail", "catalogue:register", "catalogue:receipt"}:
        intervention = _individual(world.p)
        if not CatalogueEntry.objects.filter(intervention=intervention).exists():
            CatalogueEntryFactory(intervention=intervention)
        return {"insats": intervention.public_id}
    return None
