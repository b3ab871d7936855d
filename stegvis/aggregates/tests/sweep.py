"""The wall sweep's view of aggregate packages (see stegvis/core/tests/test_wall_sweep.py).

At each association: one received package (from a co-funded intervention's provider, signed and
sent through the services), so that another association's office reaching it by id gets 404. At
each network: one received compilation, so that another network's compiler reaching it gets 404.
"""

from __future__ import annotations

from datetime import date

from stegvis.aggregates.models import (
    AssociationKey,
    AssociationKeyRegistration,
    CompilationCell,
    CompilationDispatch,
    PackageCell,
    PackageDispatch,
    ProviderKeyRegistration,
    ReceivedCompilation,
    ReceivedPackage,
)
from stegvis.core.models import Association, Network, RoleAssignment, Unit

OBJECT_KINDS = {"package", "compilation"}


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


def network_objects_for(world, network: Network) -> dict[str, object]:
    compiler = RoleAssignment.objects.filter(network=network).first().user
    registration = AssociationKeyRegistration.objects.create(
        network=network,
        association_slug="sweep-forbund",
        association_name=f"Svepförbund {network.slug}",
        public_key="A" * 44,
        key_id=f"{network.pk:016x}",
        registered_by=compiler,
    )
    compilation = ReceivedCompilation.objects.create(
        network=network,
        registration=registration,
        association_slug="sweep-forbund",
        period="2025",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        version=1,
        detail=False,
        document={"tables": {"participants": {}, "new": {}, "exits": {}}},
        signature="sweep",
        key_id=registration.key_id,
    )
    return {"compilation": compilation.public_id}


def counts() -> tuple[int, ...]:
    return (
        ReceivedCompilation.objects.count(),
        CompilationCell.objects.count(),
        AssociationKeyRegistration.objects.count(),
        AssociationKey.objects.count(),
        CompilationDispatch.objects.count(),
        ReceivedPackage.objects.count(),
        PackageCell.objects.count(),
        ProviderKeyRegistration.objects.count(),
        PackageDispatch.objects.count(),
    )
