"""The wall sweep's view of reports: no object ids in its URLs (periods are query parameters);
a refused request must leave the socio-economic parameters unchanged."""

from __future__ import annotations

from stegvis.reports.models import SocioEconomicModel

OBJECT_KINDS: set[str] = set()


def objects_for(world, owner) -> dict[str, object]:
    return {}


def counts() -> tuple[int, ...]:
    return (SocioEconomicModel.objects.count(),)
