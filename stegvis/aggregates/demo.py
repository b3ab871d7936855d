"""Demo packages: the providers' managers send the last ended quarter's packages, as they would,
so that the office's follow-up shows figures and the missing list shows the rest. Then a county
network (Länsnätverket Jämtland, owner "N" of the core demo) registers both associations' keys and
imports their compilations of the year."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone

from stegvis.aggregates import services
from stegvis.core.models import Network, Unit
from stegvis.interventions.models import Intervention

if TYPE_CHECKING:
    from stegvis.core.management.commands.load_demo import Demo


def _last_ended_quarter(today: date) -> str:
    quarter = (today.month - 1) // 3  # the previous quarter, 0 = the last of last year
    return f"{today.year - 1}Q4" if quarter == 0 else f"{today.year}Q{quarter}"


def load(demo: Demo) -> None:
    period = _last_ended_quarter(timezone.localdate())
    for manager, owner in (("petra", "P"), ("quentin", "Q")):
        actor = demo.actor(manager, owner)
        provider = demo.owners[owner]
        assert isinstance(provider, Unit)
        interventions = Intervention.objects.filter(
            provider=provider, kind=Intervention.Kind.INDIVIDUAL
        ).prefetch_related("fundings__association")
        for intervention in interventions:
            for funding in intervention.fundings.all():
                services.send(actor, intervention, funding.association, period)

    _network(demo)


def _network(demo: Demo) -> None:
    """The county network (owner "N", compiler nils) registers both associations' keys and
    imports their compilations of the year."""
    network = demo.owners["N"]
    assert isinstance(network, Network)
    compiler = demo.actor("nils", "N")
    year = timezone.localdate().year
    for owner in ("A", "B"):
        office = demo.actor("alice" if owner == "A" else "dave", owner)
        association = office.association
        assert association is not None
        key = services.association_key(association)
        services.register_association_key(
            compiler, association.slug, association.name, key.public_key
        )
        _name, raw = services.build_compilation(
            association, network.slug, year, detail=True, user=office.user, actor=office
        )
        services.receive_compilation(network, raw, user=compiler.user)
