"""Fixtures of the plan tests, on the personas' world (core/tests/personas.py).

- ``A``: the actors by persona (``A["alice"]``), as they act in their role.
- ``steg``: A's individual intervention run by P; ``other``: B's intervention run by Q.
- ``draft``: A's draft plan for 2026 with one focus area.
"""

from __future__ import annotations

from typing import Any

import pytest

from stegvis.core.actors import Actor
from stegvis.interventions.models import Intervention
from stegvis.interventions.tests.factories import InterventionFactory
from stegvis.plans import services
from stegvis.plans.models import FocusArea, Plan


class Actors:
    def __init__(self, world: Any) -> None:
        self.world = world

    def __getitem__(self, persona: str) -> Actor:
        return Actor(user=self.world[persona], assignment=self.world.roles[persona])


@pytest.fixture
def A(world) -> Actors:
    return Actors(world)


@pytest.fixture
def steg(world) -> Intervention:
    return InterventionFactory(
        name="Steg till arbete",
        code="steg",
        provider=world.p,
        lead_association=world.a,
        coaches=[world["bob"]],
        responsible_manager="Eva Enhetschef",
    )


@pytest.fixture
def other(world) -> Intervention:
    return InterventionFactory(
        name="Annat förbunds insats", code="annan", provider=world.q, lead_association=world.b
    )


@pytest.fixture
def draft(A) -> Plan:
    return services.create_plan(
        A["alice"],
        2026,
        services.PlanTexts(vision="Alla i arbete", mission="Finansiell samordning"),
    )


@pytest.fixture
def area(A, draft) -> FocusArea:
    return services.add_area(A["alice"], draft, "Fler i arbete eller studier")
