"""The wall sweep's view of aggregate packages (see stegvis/core/tests/test_wall_sweep.py).

At each association: one received package (from a co-funded intervention's provider, signed and
sent through the services), so that another association's office reaching it by id gets 404.
"""

from __future__ import annotations

from datetime import date

from stegvis.aggregates.models import (
    PackageCell,
    PackageDispatch,
    ProviderKeyRegistration,
    ReceivedPackage,
)
from stegvis.core.models import Association, Unit

OBJECT_KINDS = {"package"}


def _package(association: Association, sender: Unit) -> ReceivedPackage:
    from stegvis.interventions.tests.factories import InterventionFactory

    intervention = InterventionFactory(
        provider=sender, lead_association=association, code=f"sweep-{association.slug}"
    )
    return ReceivedPackage.objects.create(
        association=association,
        sender=sender,
        intervention=intervention,
        period="2026Q1",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        version=1,
        document={"tables": {}},
        signature="sweep",
        key_id="0" * 16,
        received_via=PackageDispatch.Via.FILE,
    )


def objects_for(world, owner) -> dict[str, object]:
    if isinstance(owner, Unit):
        return {}
    sender = world.p if owner == world.a else world.q
    return {"package": _package(owner, sender).public_id}


def counts() -> tuple[int, ...]:
    return (
        ReceivedPackage.objects.count(),
        PackageCell.objects.count(),
        ProviderKeyRegistration.objects.count(),
        PackageDispatch.objects.count(),
    )
