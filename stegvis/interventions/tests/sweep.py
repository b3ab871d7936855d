"""The interventions' part of the wall sweep (core/tests/test_wall_sweep.py): an offer of
co-funding made to each association (by the other one), for the ``offer`` keyword. Interventions,
goals and activities are the sweep's own (``_intervention_for``)."""

from __future__ import annotations

from stegvis.core.models import Association
from stegvis.interventions.models import Funding, FundingOffer
from stegvis.interventions.tests.factories import InterventionFactory

OBJECT_KINDS = {"offer"}


def objects_for(world, owner) -> dict[str, object]:
    if not isinstance(owner, Association) or owner.pk not in {world.a.pk, world.b.pk}:
        return {}
    lead, provider = (world.b, world.q) if owner.pk == world.a.pk else (world.a, world.p)
    intervention = InterventionFactory(
        provider=provider, lead_association=lead, fundings=[(lead, 60)]
    )
    offer = FundingOffer.objects.create(association=owner, intervention=intervention, share=40)
    return {"offer": offer.public_id}


def counts() -> tuple[int, ...]:
    return (
        Funding.objects.count(),
        FundingOffer.objects.count(),
        FundingOffer.objects.filter(declined_at__isnull=False).count(),
    )
