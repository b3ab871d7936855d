"""Test helpers of progression: instruments from the shipped files, and measurements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stegvis.core.models import Association, Unit
from stegvis.progression import services
from stegvis.progression.instrument_files import read_yaml
from stegvis.progression.models import Answer, Instrument, Item, Measurement

INSTRUMENTS = Path(__file__).resolve().parents[1] / "instruments"


def instrument_from_file(
    name: str, *, association: Association | None = None, provider: Unit | None = None
) -> Instrument:
    spec = read_yaml((INSTRUMENTS / f"{name}.yaml").read_bytes())
    instrument, _outcome = services.load_instrument(
        spec, association=association, provider=provider
    )
    return instrument


def answer(measurement: Measurement, item: Item, value: int, by: str = "") -> Answer:
    """An answer written directly (for figure tests, where the services' rules are not the
    point)."""
    return Answer.objects.create(
        provider_id=measurement.provider_id,
        measurement=measurement,
        item=item,
        value=value,
        score=item.score(value),
        by=by or ("coach" if item.audience == "coach" else "participant"),
    )


def answers(measurement: Measurement, instrument: Instrument, values: dict[str, Any]) -> None:
    version = instrument.latest_version()
    measurement.versions.add(version)
    for key, value in values.items():
        answer(measurement, version.items.get(key=key), value)
