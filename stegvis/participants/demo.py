"""The provider side's demo data: fictional participants at P ("Steg till arbete") and Q
("Gemensam väg"), made through the services as the referrer, the coach and the provider manager
would, so that every step is an audit event.

Every person is invented: a reserve identity (the provider's own number, entered gender and birth
year) and a made-up name, never a personnummer that could belong to someone real. Every date is
fixed relative to :data:`DEMO_DATE`, which is valid on any day the demo is loaded from 2026-11-27
on: the services refuse consents, exits and follow-ups in the future.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from stegvis.core.actors import Actor
from stegvis.core.codes import (
    Education,
    ExitReason,
    Gender,
    IncomeSource,
    Occupation,
    ReferringKind,
    TimeOutside,
)
from stegvis.core.models import Municipality, Organisation, Unit
from stegvis.interventions.models import Intervention
from stegvis.participants import services
from stegvis.participants.models import Consent, Enrolment, Participant

if TYPE_CHECKING:
    from stegvis.core.management.commands.load_demo import Demo

# "Today" in the demo: the last day every date below is measured from.
DEMO_DATE = date(2026, 11, 27)

KROKOM, STROMSUND, ARE, BERG, HARJEDALEN, OSTERSUND = (
    "2309",
    "2313",
    "2321",
    "2326",
    "2361",
    "2380",
)


@dataclass(frozen=True)
class Exit:
    day: date
    reason: str
    income_source: str
    occupation: str
    summary: str = ""
    # Recorded by the surveys demo through its screening service, the one source of truth.
    violence_screening_asked: bool = True
    survey_offered: bool = True
    # Follow-ups done: months -> (done on, occupation, income source); None = not reached.
    follow_ups: dict[int, tuple[date, tuple[str, str] | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class Person:
    reserve_id: str
    name: str
    gender: str
    birth_year: int
    municipality: str  # municipality code
    source: str  # "fk" (the referrer frank), "provider" or "self"
    start: date  # enrolment start, or the wished start of an open referral
    income_source: str
    occupation: str
    time_outside: str = TimeOutside.OKAND
    education: str = Education.OKAND
    # Kinds of the members whose coordinated support the person needs, besides the referrer.
    members: tuple[str, ...] = ("fk", "region")
    referring_kinds: tuple[str, ...] = (ReferringKind.FK,)
    born_outside_nordic: str = "ej_angivet"
    intensity: int = 100
    need: str = ""
    exit: Exit | None = None
    # An open referral: not enrolled. "received" waits for a decision; "visa" has a visit booked.
    open_referral: str = ""
    visa: date | None = None


# Short names for the tables below.
K, M, X = Gender.KVINNA, Gender.MAN, Gender.ANNAT
Inc, Occ, Out, Edu, R = IncomeSource, Occupation, TimeOutside, Education, ReferringKind

# fmt: off
# "Steg till arbete" at P: Fjällbygden's five municipalities.
STEG = [
    Person(
        "KR-25-001", "Elin Myrbacke", K, 1991, KROKOM, "fk", date(2025, 2, 3),
        Inc.SJUKPENNING, Occ.OVRIGT, Out.Y1_2, Edu.GYMNASIAL, ("fk", "region"),
        need="Sjukskriven för utmattning sedan drygt ett år, vill tillbaka till arbete.",
        exit=Exit(
            date(2025, 10, 17), ExitReason.ARBETE_MED_STOD, Inc.LON, Occ.FORVARVSARBETE,
            "Anställd med lönebidrag på ett lager i Krokom, 75 procent.",
            follow_ups={
                6: (date(2026, 4, 20), (Occ.FORVARVSARBETE, Inc.LON)),
                12: (date(2026, 10, 22), (Occ.FORVARVSARBETE, Inc.LON)),
            },
        ),
    ),
    Person(
        "KR-25-002", "Johan Tjärnberg", M, 1983, STROMSUND, "provider", date(2025, 3, 10),
        Inc.AKTIVITETSSTOD, Occ.ARBETSSOKANDE, Out.Y3_5, Edu.NINE, ("af", "municipality"),
        (R.AF, R.KOMMUN_AMA),
        exit=Exit(
            date(2025, 12, 12), ExitReason.ARBETE, Inc.LON, Occ.FORVARVSARBETE,
            "Tillsvidareanställd som fordonstekniker.",
            follow_ups={6: (date(2026, 6, 15), (Occ.FORVARVSARBETE, Inc.LON))},
        ),
    ),
    Person(
        "KR-25-003", "Amina Rydsjö", K, 1998, ARE, "self", date(2025, 4, 7),
        Inc.FORSORJNINGSSTOD, Occ.OVRIGT, Out.NEVER, Edu.NINE, ("municipality", "af"), (R.SJALV,),
        born_outside_nordic="ja",
        exit=Exit(
            date(2026, 2, 20), ExitReason.STUDIER, Inc.STUDIEMEDEL, Occ.STUDIER,
            "Läser vård- och omsorgsutbildning på Komvux.",
            follow_ups={6: (date(2026, 8, 25), (Occ.STUDIER, Inc.STUDIEMEDEL))},
        ),
    ),
    Person(
        "KR-25-004", "Per-Olof Storvallen", M, 1965, BERG, "fk", date(2025, 5, 12),
        Inc.SJUKPENNING, Occ.OVRIGT, Out.OVER_5, Edu.GYMNASIAL, ("fk", "region"), intensity=50,
        exit=Exit(
            date(2025, 11, 28), ExitReason.SJUKDOM, Inc.SJUKPENNING, Occ.OVRIGT,
            "Behöver fortsatt vård innan arbetslivsinriktade steg.",
            violence_screening_asked=False,
            follow_ups={6: (date(2026, 6, 2), None)},
        ),
    ),
    Person(
        "KR-25-005", "Sofia Granlid", K, 2006, HARJEDALEN, "provider", date(2025, 8, 18),
        Inc.FORSORJNINGSSTOD, Occ.OVRIGT, Out.NEVER, Edu.NINE, ("municipality", "region"),
        (R.KOMMUN_SOCIALTJANST, R.REGION_VARD), intensity=50,
        exit=Exit(
            date(2026, 3, 13), ExitReason.EGEN_BEGARAN, Inc.FORSORJNINGSSTOD, Occ.OVRIGT,
            "Avslutade på egen begäran; välkommen tillbaka.", survey_offered=False,
        ),
    ),
    Person(
        "KR-25-006", "Mikael Åsberget", M, 1977, KROKOM, "fk", date(2025, 9, 1),
        Inc.SJUKPENNING, Occ.OVRIGT, Out.Y1_2, Edu.POST_UNDER_3, ("fk", "af"),
        exit=Exit(
            date(2026, 5, 22), ExitReason.ATER_REMITTENT, Inc.SJUKPENNING, Occ.OVRIGT,
            "Åter till Försäkringskassan för fortsatt rehabilitering hos arbetsgivaren.",
        ),
    ),
    Person(
        "KR-25-007", "Kim Lövnäs", X, 1995, ARE, "self", date(2025, 10, 13),
        Inc.FORSORJNINGSSTOD, Occ.OVRIGT, Out.Y3_5, Edu.GYMNASIAL, ("municipality", "af"),
        (R.SJALV,),
        exit=Exit(
            date(2026, 6, 26), ExitReason.ARBETSSOKANDE, Inc.AKTIVITETSSTOD, Occ.ARBETSSOKANDE,
            "Inskriven hos Arbetsförmedlingen och söker aktivt arbete inom turism.",
        ),
    ),
    Person(
        "KR-26-008", "Hanna Vikbacken", K, 1987, STROMSUND, "fk", date(2026, 1, 12),
        Inc.SJUKPENNING, Occ.OVRIGT, Out.Y1_2, Edu.POST_3, ("fk", "region"), intensity=75,
        exit=Exit(
            date(2026, 9, 25), ExitReason.ARBETE, Inc.LON, Occ.FORVARVSARBETE,
            "Åter i arbete som lärare, först på deltid.",
        ),
    ),
    Person(
        "KR-26-009", "Ahmed Sörby", M, 2001, KROKOM, "provider", date(2026, 2, 9),
        Inc.ETABLERINGSERSATTNING, Occ.ARBETSSOKANDE, Out.UNDER_1, Edu.UNDER_9,
        ("af", "municipality"), (R.AF,), born_outside_nordic="ja",
    ),
    Person(
        "KR-26-010", "Maria Ljungdal", K, 1972, BERG, "fk", date(2026, 3, 16),
        Inc.SJUKPENNING, Occ.OVRIGT, Out.Y3_5, Edu.GYMNASIAL, ("fk", "region"), intensity=50,
    ),
    Person(
        "KR-26-011", "Oskar Nyvallen", M, 2008, HARJEDALEN, "provider", date(2026, 4, 20),
        Inc.INGEN_OFFENTLIG, Occ.OVRIGT, Out.NEVER, Edu.UNDER_9, ("municipality", "region"),
        (R.KOMMUN_SOCIALTJANST,),
    ),
    Person(
        "KR-26-012", "Lena Brattmyr", K, 1969, ARE, "self", date(2026, 5, 25),
        Inc.FORSORJNINGSSTOD, Occ.OVRIGT, Out.OVER_5, Edu.NINE, ("municipality", "region"),
        (R.SJALV,),
    ),
    Person(
        "KR-26-013", "Erik Storsved", M, 1990, KROKOM, "fk", date(2026, 6, 22),
        Inc.SJUKPENNING, Occ.OVRIGT, Out.UNDER_1, Edu.GYMNASIAL, ("fk", "af"),
    ),
    Person(
        "KR-26-014", "Fatima Näsviken", K, 1994, STROMSUND, "provider", date(2026, 8, 17),
        Inc.AKTIVITETSSTOD, Occ.ARBETSSOKANDE, Out.Y1_2, Edu.POST_3, ("af", "region"), (R.AF,),
        born_outside_nordic="ja",
    ),
    Person(
        "KR-26-015", "Jonas Fjällsäter", M, 2003, KROKOM, "fk", date(2026, 9, 28),
        Inc.AKTIVITETSERSATTNING, Occ.OVRIGT, Out.NEVER, Edu.GYMNASIAL, ("fk", "municipality"),
        intensity=50,
    ),
    Person(
        "KR-26-016", "Ida Tallmon", K, 1999, BERG, "self", date(2026, 11, 16),
        Inc.FORSORJNINGSSTOD, Occ.OVRIGT, Out.Y1_2, Edu.GYMNASIAL, ("municipality", "af"),
        (R.SJALV,),
    ),
    Person(
        "KR-26-017", "Tobias Älvsund", M, 1985, HARJEDALEN, "fk", date(2026, 12, 7),
        Inc.SJUKPENNING, Occ.OVRIGT, Out.Y1_2, Edu.GYMNASIAL, ("fk", "region"),
        need="Långvarig sjukskrivning med smärtproblematik; behöver samordnat stöd för att "
        "pröva arbetsförmågan.",
        open_referral="received",
    ),
]

# "Gemensam väg" at Q: young adults from Östersund (B) and Fjällbygden's municipalities (A).
GEMENSAM = [
    Person(
        "OS-25-001", "Alva Sjöängen", K, 2002, OSTERSUND, "fk", date(2025, 4, 14),
        Inc.AKTIVITETSERSATTNING, Occ.OVRIGT, Out.NEVER, Edu.GYMNASIAL, ("fk", "region"),
        exit=Exit(
            date(2025, 12, 19), ExitReason.STUDIER, Inc.STUDIEMEDEL, Occ.STUDIER,
            "Antagen till yrkeshögskola.",
            follow_ups={6: (date(2026, 6, 22), (Occ.STUDIER, Inc.STUDIEMEDEL))},
        ),
    ),
    Person(
        "OS-25-002", "William Krokvik", M, 2000, KROKOM, "provider", date(2025, 6, 9),
        Inc.AKTIVITETSSTOD, Occ.ARBETSSOKANDE, Out.UNDER_1, Edu.GYMNASIAL, ("af", "municipality"),
        (R.AF, R.KOMMUN_AMA),
        exit=Exit(
            date(2026, 3, 27), ExitReason.ARBETE, Inc.LON, Occ.FORVARVSARBETE,
            "Visstidsanställd i en byggfirma.",
            follow_ups={6: (date(2026, 10, 1), (Occ.FORVARVSARBETE, Inc.LON))},
        ),
    ),
    Person(
        "OS-25-003", "Nora Frösvik", K, 2005, OSTERSUND, "self", date(2025, 9, 15),
        Inc.FORSORJNINGSSTOD, Occ.OVRIGT, Out.NEVER, Edu.NINE, ("municipality", "af"), (R.SJALV,),
        exit=Exit(
            date(2026, 4, 24), ExitReason.ORDINARIE_INSATS, Inc.AKTIVITETSSTOD, Occ.ARBETSSOKANDE,
            "Fortsätter i Arbetsförmedlingens program med arbetsträning.",
        ),
    ),
    Person(
        "OS-26-004", "Liam Odensjö", M, 2004, ARE, "fk", date(2026, 1, 19),
        Inc.AKTIVITETSERSATTNING, Occ.OVRIGT, Out.NEVER, Edu.NINE, ("fk", "region"), intensity=25,
        exit=Exit(
            date(2026, 8, 28), ExitReason.SJUKDOM, Inc.AKTIVITETSERSATTNING, Occ.OVRIGT,
            "Behöver vård först; kan remitteras igen.", violence_screening_asked=False,
        ),
    ),
    Person(
        "OS-26-005", "Saga Lugnvik", K, 1998, OSTERSUND, "provider", date(2026, 3, 2),
        Inc.FORSORJNINGSSTOD, Occ.OVRIGT, Out.Y1_2, Edu.GYMNASIAL, ("municipality", "region"),
        (R.KOMMUN_SOCIALTJANST, R.REGION_VARD),
    ),
    Person(
        "OS-26-006", "Elias Torvalla", M, 2007, OSTERSUND, "fk", date(2026, 5, 11),
        Inc.AKTIVITETSERSATTNING, Occ.OVRIGT, Out.NEVER, Edu.NINE, ("fk", "municipality"),
    ),
    Person(
        "OS-26-007", "Wilma Hallviken", K, 2003, STROMSUND, "self", date(2026, 7, 6),
        Inc.INGEN_OFFENTLIG, Occ.OVRIGT, Out.UNDER_1, Edu.GYMNASIAL, ("municipality", "af"),
        (R.SJALV,),
    ),
    Person(
        "OS-26-008", "Noah Ansätter", M, 1999, OSTERSUND, "provider", date(2026, 10, 5),
        Inc.A_KASSA, Occ.ARBETSSOKANDE, Out.UNDER_1, Edu.POST_UNDER_3, ("af", "municipality"),
        (R.AF, R.KOMMUN_AMA),
    ),
    Person(
        "OS-26-009", "Leo Granbo", M, 2006, BERG, "fk", date(2026, 12, 14),
        Inc.AKTIVITETSERSATTNING, Occ.OVRIGT, Out.NEVER, Edu.NINE, ("fk", "region"),
        need="Har inte kommit igång efter gymnasiet; ångest. Vill pröva praktik.",
        open_referral="visa", visa=date(2026, 12, 3),
    ),
]
# fmt: on


@dataclass(frozen=True)
class _Staff:
    manager: Actor
    coach: Actor
    referrer: Actor


def exited_people() -> list[tuple[str, Person, Exit]]:
    """(provider key, person, exit) of every demo participant who has left, for the apps that
    add their own records of the exit (the violence screening)."""
    return [
        (key, person, person.exit)
        for key, people in (("P", STEG), ("Q", GEMENSAM))
        for person in people
        if person.exit is not None
    ]


def load(demo: Demo) -> None:
    p, q = demo.owners["P"], demo.owners["Q"]
    assert isinstance(p, Unit) and isinstance(q, Unit)
    steg = Intervention.objects.get(provider=p, code="steg")
    gemensam = Intervention.objects.get(provider=q, code="gemensam")
    frank = demo.actor("frank", "fk")
    for intervention, people, staff in (
        (steg, STEG, _Staff(demo.actor("petra", "P"), demo.actor("bob", "P"), frank)),
        (gemensam, GEMENSAM, _Staff(demo.actor("quentin", "Q"), demo.actor("erin", "Q"), frank)),
    ):
        for person in people:
            _load_person(intervention, person, staff)


def _members(person: Person) -> list[Organisation]:
    """The member organisations involved: FK, AF, the region and the home municipality."""
    orgs = []
    for kind in person.members:
        if kind == "municipality":
            orgs.append(Organisation.objects.get(municipality__code=person.municipality))
        else:
            orgs.append(Organisation.objects.get(kind=kind))
    return orgs


def _load_person(intervention: Intervention, person: Person, staff: _Staff) -> None:
    municipality = Municipality.objects.get(code=person.municipality)
    identity = services.IdentityInput(
        kind=Participant.IdentityKind.RESERVE,
        reserve_id=person.reserve_id,
        name=person.name,
        gender=person.gender,
        birth_year=person.birth_year,
        home_municipality=municipality,
        born_outside_nordic=person.born_outside_nordic,
    )
    members = _members(person)
    # The referral comes in three weeks before the start (or the wished start).
    received = min(person.start - timedelta(days=21), DEMO_DATE)
    referrer = staff.referrer if person.source == "fk" else staff.coach
    kinds = list(person.referring_kinds) if person.source != "fk" else [ReferringKind.FK]
    referral = services.create_referral(
        referrer,
        intervention=intervention,
        identity=identity,
        planned_start=person.start,
        members_involved=members,
        referring_kinds=kinds,
        need=person.need,
        today=received,
    )
    participant = referral.participant
    if person.source == "fk":
        # A referrer gives no reserve number: the provider gives its own when it receives the
        # referral (DEMO persons all have one, for the other apps' demos to find them by).
        participant = services.update_identity(staff.manager, participant, identity)
    if person.open_referral:
        if person.visa is not None:
            services.book_visa(staff.coach, referral, visa_date=person.visa)
        return
    # Consent at the information visit a week before the start.
    services.record_consent(
        staff.coach,
        participant,
        given_on=person.start - timedelta(days=7),
        form=Consent.Form.PAPER,
        information_exchange=person.source == "fk",
        exchange_with=members if person.source == "fk" else (),
        follow_up=True,
        surveys=True,
    )
    services.accept_referral(staff.manager, referral)
    enrolment = services.enrol_participant(
        staff.coach,
        participant,
        intervention,
        start=person.start,
        coach=staff.coach.user,
        intensity=person.intensity,
        intro_end=person.start + timedelta(days=28),
        background=services.Background(
            income_source_start=person.income_source,
            occupation_start=person.occupation,
            time_outside=person.time_outside,
            education=person.education,
        ),
        referral=referral,
        today=DEMO_DATE,
    )
    if person.exit is not None:
        _exit(staff.coach, enrolment, person.exit)


def _exit(coach: Actor, enrolment: Enrolment, exit: Exit) -> None:
    services.record_exit(
        coach,
        enrolment,
        exit_date=exit.day,
        reason=exit.reason,
        income_source=exit.income_source,
        occupation=exit.occupation,
        summary=exit.summary,
        survey_offered=exit.survey_offered,
        today=DEMO_DATE,
    )
    for follow_up in enrolment.follow_ups.order_by("months"):
        if follow_up.months not in exit.follow_ups:
            continue
        done_on, found = exit.follow_ups[follow_up.months]
        services.record_follow_up(
            coach,
            follow_up,
            done_on=done_on,
            reached=found is not None,
            occupation=found[0] if found else "",
            income_source=found[1] if found else "",
            today=DEMO_DATE,
        )
