"""Fixtures of the surveys tests, in the personas' world (core/tests/personas.py).

- ``steg``: A's individual intervention run by P, bob its coach.
- ``loaded``: the shipped sample questionnaires loaded into A, by key.
- ``exit_round``: an open round of A's participant-at-exit questionnaire for ``steg``.
- ``violence_round``: an open round of A's violence questions for ``steg``.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from stegvis.core.actors import Actor
from stegvis.interventions.models import Intervention
from stegvis.interventions.tests.factories import InterventionFactory
from stegvis.participants.models import Enrolment, Participant
from stegvis.surveys import services
from stegvis.surveys.models import Questionnaire, SurveyRound

_serial = itertools.count(1)


def actor_of(world, persona: str) -> Actor:
    return Actor(user=world[persona], assignment=world.roles[persona])


@pytest.fixture
def steg(world) -> Intervention:
    return InterventionFactory(
        name="Steg till arbete",
        code="steg",
        provider=world.p,
        lead_association=world.a,
        coaches=[world["bob"]],
    )


@pytest.fixture
def loaded(world) -> dict[str, Questionnaire]:
    results = services.load_samples(actor_of(world, "alice"), world.a)
    return {r.questionnaire.key: r.questionnaire for r in results}


def open_round(world, questionnaire: Questionnaire, interventions, **kwargs) -> SurveyRound:
    version = questionnaire.current_version()
    assert version is not None
    return services.open_round(
        actor_of(world, "alice"),
        version,
        title=kwargs.pop("title", f"Omgång {questionnaire.key}"),
        interventions=interventions,
        opens_on=kwargs.pop("opens_on", date(2025, 1, 1)),
        closes_on=kwargs.pop("closes_on", date(2027, 12, 31)),
        **kwargs,
    )


@pytest.fixture
def exit_round(world, loaded, steg) -> SurveyRound:
    return open_round(world, loaded["deltagare-avslut"], [steg], title="Avslut 2026")


@pytest.fixture
def violence_round(world, loaded, steg) -> SurveyRound:
    return open_round(world, loaded["vald"], [steg], title="Våld 2026")


def enrolment(
    intervention: Intervention,
    *,
    start: date = date(2026, 1, 10),
    exit_date: date | None = None,
    reason: str = "arbete",
    offered: bool = False,
) -> Enrolment:
    participant = Participant.objects.create(
        provider=intervention.provider,
        identity_kind=Participant.IdentityKind.RESERVE,
        reserve_id=f"R-{next(_serial):05d}",
        gender="kvinna",
        birth_year=1990,
    )
    return Enrolment.objects.create(
        provider=intervention.provider,
        participant=participant,
        intervention=intervention,
        start=start,
        exit_date=exit_date,
        exit_reason=reason if exit_date else "",
        survey_offered_at_exit=offered,
    )
