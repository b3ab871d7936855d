"""Progression's demo data: the default instruments, a measurement plan for each individual
intervention, and the association's own names for the ladder's steps. (The core demo has no
participants yet, so there are no measurements to show.)"""

from __future__ import annotations

from pathlib import Path

from stegvis.core.models import Association, Unit
from stegvis.interventions.models import Intervention
from stegvis.progression import services
from stegvis.progression.instrument_files import read_yaml

INSTRUMENTS = Path(__file__).resolve().parent / "instruments"


def load(demo: object) -> None:
    for path in sorted(INSTRUMENTS.glob("*.yaml")):
        services.load_instrument(read_yaml(path.read_bytes()))
    owners = demo.owners  # type: ignore[attr-defined]
    for key, owner in (("petra", "P"), ("quentin", "Q")):
        provider = owners[owner]
        assert isinstance(provider, Unit)
        actor = demo.actor(key, owner)  # type: ignore[attr-defined]
        for intervention in Intervention.objects.filter(
            provider=provider, kind=Intervention.Kind.INDIVIDUAL
        ):
            services.save_plan(
                actor,
                intervention,
                instruments=services.default_instruments(),
                at_start=True,
                interval_weeks=12,
                at_exit=True,
                at_follow_up=True,
            )
    a = owners["A"]
    assert isinstance(a, Association)
    ladder = services.default_instruments().get(key="trappa")
    services.save_ladder_labels(
        demo.actor("alice", "A"),  # type: ignore[attr-defined]
        ladder,
        {1: "Utanför – ingen sysselsättning", 7: "Arbete eller studier utan stöd"},
    )
