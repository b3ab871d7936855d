"""Fixtures of progression: the default instruments, A's intervention "Steg" at P with bob as
its coach, and enrolled participants."""

from __future__ import annotations

from datetime import date
from itertools import count

import pytest

from stegvis.core.actors import Actor
from stegvis.interventions.models import Intervention
from stegvis.interventions.tests.factories import InterventionFactory
from stegvis.participants.models import Enrolment, Participant
from stegvis.progression.models import Instrument, Measurement
from stegvis.progression.tests.factories import instrument_from_file

_serial = count(1)


def actor_of(world, persona: str) -> Actor:
    return Actor(user=world[persona], assignment=world.roles[persona])


@pytest.fixture
def instruments(db) -> dict[str, Instrument]:
    return {
        "profile": instrument_from_file("anstallningsbarhet"),
        "ladder": instrument_from_file("trappa"),
        "health": instrument_from_file("halsa_livskvalitet"),
    }


@pytest.fixture
def steg(world) -> Intervention:
    return InterventionFactory(
        name="Steg till arbete",
        code="steg",
        provider=world.p,
        lead_association=world.a,
        coaches=[world["bob"]],
    )


def enrol(
    intervention: Intervention,
    *,
    gender: str = "kvinna",
    start: date = date(2026, 1, 10),
    exit_date: date | None = None,
    exit_reason: str = "",
) -> Enrolment:
    participant = Participant.objects.create(
        provider=intervention.provider,
        identity_kind=Participant.IdentityKind.RESERVE,
        reserve_id=f"R-{next(_serial)}",
        gender=gender,
        birth_year=1990,
    )
    return Enrolment.objects.create(
        provider=intervention.provider,
        participant=participant,
        intervention=intervention,
        start=start,
        exit_date=exit_date,
        exit_reason=exit_reason,
    )


def measure(enrolment: Enrolment, day: date, occasion: str = "periodic") -> Measurement:
    user = enrolment.intervention.coaches.first()
    return Measurement.objects.create(
        provider=enrolment.provider,
        enrolment=enrolment,
        occasion=occasion,
        date=day,
        created_by=user,
    )
