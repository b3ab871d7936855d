"""Progression's demo data: the default instruments, a measurement plan for each individual
intervention, the association's own names for the ladder's steps, and measurements of the
participants that the participants demo enrolled (through the services, by their coach).

Each enrolment is measured at start, after twelve weeks and at exit. Its movement follows its
outcome: work or studies move most, a return to the referrer or a break on one's own request not
at all, sickness backwards; the running enrolments take their turn from :data:`RUNNING_TRENDS`.
The newest enrolment at P waits for the participant's own answers through a self-assessment link
(its token is thrown away, never printed); the newest at Q has not been measured yet, so that the
work lists show both.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from stegvis.core.actors import Actor
from stegvis.core.codes import ExitReason
from stegvis.core.models import Association, Unit
from stegvis.interventions.models import Intervention
from stegvis.participants.demo import DEMO_DATE
from stegvis.participants.models import Enrolment
from stegvis.progression import services
from stegvis.progression.instrument_files import read_yaml
from stegvis.progression.models import Item, Measurement

if TYPE_CHECKING:
    from stegvis.core.management.commands.load_demo import Demo

INSTRUMENTS = Path(__file__).resolve().parent / "instruments"
INTERVAL = timedelta(weeks=12)

# Movement by exit reason: 2 strong, 1 some, 0 none, -1 backwards.
EXIT_TRENDS = {
    ExitReason.ARBETE: 2,
    ExitReason.STUDIER: 2,
    ExitReason.ARBETE_MED_STOD: 2,
    ExitReason.ARBETSSOKANDE: 1,
    ExitReason.ORDINARIE_INSATS: 1,
    ExitReason.ATER_REMITTENT: 0,
    ExitReason.EGEN_BEGARAN: 0,
    ExitReason.SJUKDOM: -1,
}
# Ladder step at exit when the outcome says where the person stands.
EXIT_STEPS = {ExitReason.ARBETE: 7, ExitReason.STUDIER: 7, ExitReason.ARBETE_MED_STOD: 6}
# How far each of six items in a row moves per unit of trend.
AREA_WEIGHTS = (2, 1, 3, 2, 1, 2)
# Running enrolments, oldest first, take these in turn.
RUNNING_TRENDS = [1, 2, 0, 1, 1, -1, 2, 1]


def load(demo: Demo) -> None:
    for path in sorted(INSTRUMENTS.glob("*.yaml")):
        services.load_instrument(read_yaml(path.read_bytes()))
    for key, owner in (("petra", "P"), ("quentin", "Q")):
        provider = demo.owners[owner]
        assert isinstance(provider, Unit)
        for intervention in Intervention.objects.filter(
            provider=provider, kind=Intervention.Kind.INDIVIDUAL
        ):
            services.save_plan(
                demo.actor(key, owner),
                intervention,
                instruments=services.default_instruments(),
                at_start=True,
                interval_weeks=12,
                at_exit=True,
                at_follow_up=True,
            )
    a = demo.owners["A"]
    assert isinstance(a, Association)
    ladder = services.default_instruments().get(key="trappa")
    services.save_ladder_labels(
        demo.actor("alice", "A"),
        ladder,
        {1: "Utanför – ingen sysselsättning", 7: "Arbete eller studier utan stöd"},
    )
    for key, owner in (("bob", "P"), ("erin", "Q")):
        _measure_enrolments(demo.actor(key, owner), newest_gets_link=owner == "P")


def _measure_enrolments(coach: Actor, *, newest_gets_link: bool) -> None:
    enrolments = list(
        Enrolment.objects.visible_to(coach)
        .filter(intervention__kind=Intervention.Kind.INDIVIDUAL)
        .select_related("intervention")
        .order_by("start", "pk")
    )
    if not enrolments:
        return
    *measured, newest = enrolments
    running = 0
    for index, enrolment in enumerate(measured):
        if enrolment.exit_date is None:
            trend = RUNNING_TRENDS[running % len(RUNNING_TRENDS)]
            running += 1
        else:
            trend = EXIT_TRENDS.get(ExitReason(enrolment.exit_reason), 0)
        _measure(coach, enrolment, index, trend)
    if newest_gets_link:
        start = services.create_measurement(
            coach, newest, occasion=Measurement.Occasion.START, day=newest.start, today=DEMO_DATE
        )
        values = _values(start, len(measured), trend=0, step=0, steps=1)
        coach_items = {i.pk for i in services.measurement_items(start)}
        coach_items -= {i.pk for i in services.participant_items(start)}
        services.record_answers(coach, start, {k: v for k, v in values.items() if k in coach_items})
        services.create_link(coach, start)  # the token is shown to the coach only, never here


def _occasions(enrolment: Enrolment) -> list[tuple[str, date]]:
    """Start, twelve weeks (unless the exit came before or within four weeks after) and exit.
    The later twelve-week measurements of a long enrolment are left for the work list."""
    occasions: list[tuple[str, date]] = [(Measurement.Occasion.START, enrolment.start)]
    day, end = enrolment.start + INTERVAL, enrolment.exit_date
    if day <= DEMO_DATE if end is None else day < end - timedelta(weeks=4):
        occasions.append((Measurement.Occasion.PERIODIC, day))
    if end is not None:
        occasions.append((Measurement.Occasion.EXIT, end))
    return occasions


def _measure(coach: Actor, enrolment: Enrolment, index: int, trend: int) -> None:
    occasions = _occasions(enrolment)
    final_step = EXIT_STEPS.get(ExitReason(enrolment.exit_reason)) if enrolment.exit_date else None
    for step, (occasion, day) in enumerate(occasions):
        measurement = services.create_measurement(
            coach, enrolment, occasion=occasion, day=day, today=DEMO_DATE
        )
        values = _values(measurement, index, trend, step, len(occasions), final_step=final_step)
        services.record_answers(coach, measurement, values)


def _values(
    measurement: Measurement,
    index: int,
    trend: int,
    step: int,
    steps: int,
    *,
    final_step: int | None = None,
) -> dict[int, int]:
    """Every item's answer at the ``step``-th of ``steps`` measurements: a starting level that
    varies by enrolment and item, moved by ``trend`` in even parts up to the last measurement."""
    part = step / (steps - 1) if steps > 1 else 0.0
    values: dict[int, int] = {}
    for order, item in enumerate(services.measurement_items(measurement)):
        low, high = item.min_value, item.max_value
        if item.scale_type == Item.ScaleType.CATEGORIES:  # the ladder
            allowed = item.allowed_values()
            low, high = allowed[0], allowed[-1]
            first = low + 1 + index % 3
            last = final_step if final_step is not None else first + trend
        elif high - low > 20:  # health today, 0–100
            first = 35 + (index * 7) % 25
            last = first + 12 * trend
        else:  # 1–10: the profile and quality of life
            first = 3 + (index + order) % 3
            # Some areas move more than others; -1, 0 or +1 per item around that, which evens
            # out over the six profile items, so a trend of 0 leaves the mean where it was.
            last = first + trend * AREA_WEIGHTS[order % 6] + ((index + order) % 3 - 1)
        value = round(first + (last - first) * part)
        values[item.pk] = max(low, min(high, value))
    return values
