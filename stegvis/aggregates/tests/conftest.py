"""Fixtures of aggregates: the co-funded intervention "Gemensam" at P (A 60 %, B 40 %) with the
worked example's participants (see test_package.py), time pinned to 2026-11-27."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import count

import pytest
import time_machine
from django.utils import timezone

from stegvis.core.actors import Actor
from stegvis.core.models import Municipality
from stegvis.interventions.models import Intervention
from stegvis.interventions.tests.factories import InterventionFactory
from stegvis.participants.models import Enrolment, FollowUp, Participant
from stegvis.progression.models import Instrument, Measurement
from stegvis.progression.tests.factories import answers, instrument_from_file

KROKOM, OSTERSUND, STOCKHOLM = "2309", "2380", "0180"  # A's area, B's area, neither
TODAY = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.get_fixed_timezone(60))
_serial = count(1)


def actor_of(world, persona: str) -> Actor:
    return Actor(user=world[persona], assignment=world.roles[persona])


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def ladder(db) -> Instrument:
    return instrument_from_file("trappa")


@pytest.fixture
def gemensam(world) -> Intervention:
    return InterventionFactory(
        name="Gemensam väg",
        code="gemensam",
        provider=world.p,
        lead_association=world.a,
        fundings=[(world.a, 60), (world.b, 40)],
        coaches=[world["bob"]],
        places=10,
        start=date(2025, 1, 1),
    )


@dataclass
class Person:
    gender: str
    born: int
    home: str
    start: date
    exit: date | None = None
    reason: str = ""
    income: tuple[str, str] = ("okand", "")
    occupation: tuple[str, str] = ("ovrigt", "")
    screened: bool = False
    survey: bool = False
    steps: tuple[int, ...] = ()
    moved_to: str = ""
    follow_up: tuple[int, date, str] | None = None  # months, done on, occupation ("" = not reached)


def enrol(intervention: Intervention, person: Person, ladder: Instrument | None) -> Enrolment:
    participant = Participant.objects.create(
        provider=intervention.provider,
        identity_kind=Participant.IdentityKind.RESERVE,
        reserve_id=f"R-{next(_serial)}",
        gender=person.gender,
        birth_year=person.born,
        home_municipality=Municipality.objects.get(code=person.home),
    )
    enrolment = Enrolment.objects.create(
        provider=intervention.provider,
        participant=participant,
        intervention=intervention,
        start=person.start,
        exit_date=person.exit,
        exit_reason=person.reason,
        income_source_start=person.income[0],
        income_source_exit=person.income[1],
        occupation_start=person.occupation[0],
        occupation_exit=person.occupation[1],
        violence_screening_asked=person.screened,
        survey_offered_at_exit=person.survey,
    )
    if person.moved_to:
        participant.home_municipality = Municipality.objects.get(code=person.moved_to)
        participant.save(update_fields=["home_municipality"])
    for i, step in enumerate(person.steps):
        assert ladder is not None
        measurement = Measurement.objects.create(
            provider=intervention.provider,
            enrolment=enrolment,
            occasion="start" if i == 0 else "exit",
            date=person.start,
            created_by=intervention.coaches.first(),
        )
        answers(measurement, ladder, {"steg": step})
    if person.follow_up:
        months, done_on, occupation = person.follow_up
        FollowUp.objects.create(
            provider=intervention.provider,
            enrolment=enrolment,
            months=months,
            due=done_on,
            done_on=done_on,
            reached=bool(occupation),
            occupation=occupation,
            income_source="lon" if occupation else "",
        )
    return enrolment


# The worked example (test_package.py has every count by hand).
PEOPLE = {
    "W1": Person("kvinna", 1990, KROKOM, date(2026, 3, 2)),
    "W2": Person(
        "kvinna",
        2000,
        KROKOM,
        date(2026, 2, 1),
        date(2026, 8, 15),
        "arbete",
        ("forsorjningsstod", "lon"),
        ("arbetssokande", "forvarvsarbete"),
        True,
        True,
        (2, 4),
    ),
    "M1": Person(
        "man",
        1985,
        KROKOM,
        date(2026, 7, 10),
        date(2026, 9, 30),
        "egen_begaran",
        ("sjukpenning", "sjukpenning"),
        ("ovrigt", "ovrigt"),
        False,
        False,
        (3,),
    ),
    "M2": Person("man", 1970, KROKOM, date(2026, 9, 20)),
    "O1": Person(
        "annat",
        2008,
        KROKOM,
        date(2026, 6, 1),
        date(2026, 7, 5),
        "studier",
        ("aktivitetsstod", "studiemedel"),
        ("arbetssokande", "studier"),
        True,
        False,
        (3, 3),
    ),
    # Enrolled while living in Östersund (B), moved to Krokom (A) in August: counts for B.
    "W3": Person(
        "kvinna",
        1995,
        OSTERSUND,
        date(2026, 1, 15),
        date(2026, 9, 10),
        "sjukdom",
        ("sjukpenning", "sjukersattning"),
        ("ovrigt", "ovrigt"),
        True,
        True,
        (4, 3),
        moved_to=KROKOM,
    ),
    "M3": Person("man", 1992, OSTERSUND, date(2026, 8, 1)),
    "W4": Person(
        "kvinna",
        1980,
        OSTERSUND,
        date(2025, 6, 1),
        date(2026, 1, 15),
        "arbete",
        follow_up=(6, date(2026, 7, 20), "forvarvsarbete"),
    ),
    "M4": Person("man", 1988, KROKOM, date(2026, 7, 1), date(2026, 7, 2), "felregistrering"),
    "M5": Person("man", 1991, STOCKHOLM, date(2026, 7, 1)),
    "M6": Person(
        "man",
        1975,
        KROKOM,
        date(2025, 9, 1),
        date(2025, 12, 20),
        "ater_remittent",
        follow_up=(6, date(2026, 7, 1), ""),
    ),
    "W5": Person(
        "kvinna",
        1983,
        KROKOM,
        date(2025, 1, 10),
        date(2025, 8, 1),
        "studier",
        follow_up=(12, date(2026, 8, 5), "studier"),
    ),
}


@pytest.fixture
def example(world, gemensam, ladder) -> dict[str, Enrolment]:
    return {key: enrol(gemensam, person, ladder) for key, person in PEOPLE.items()}
