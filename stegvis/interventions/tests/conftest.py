"""Interventions of the personas' world (core/tests/personas.py), shared by this app's tests.

- ``steg``: A's individual intervention run by P, funded 100 % by A, bob its coach.
- ``shared``: B's individual intervention run by Q, co-funded by A (40 %) and B (60 %), erin its
  coach: A's roles see it, only B's office edits it.
- ``training``: A's structural intervention run by P.
"""

from __future__ import annotations

import pytest

from stegvis.core.actors import Actor
from stegvis.core.models import Organisation
from stegvis.interventions.models import Intervention
from stegvis.interventions.tests.factories import (
    InterventionFactory,
    StructuralInterventionFactory,
)


def actor_of(world, persona: str) -> Actor:
    return Actor(user=world[persona], assignment=world.roles[persona])


def municipal_org(world, association) -> Organisation:
    return Organisation.objects.get(
        memberships__association=association, kind=Organisation.Kind.MUNICIPALITY
    )


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
def shared(world) -> Intervention:
    return InterventionFactory(
        name="Gemensam väg",
        code="gemensam",
        provider=world.q,
        lead_association=world.b,
        fundings=[(world.b, 60), (world.a, 40)],
        coaches=[world["erin"]],
    )


@pytest.fixture
def training(world) -> Intervention:
    return StructuralInterventionFactory(
        name="Samverkansutbildning", code="samverkan", provider=world.p, lead_association=world.a
    )
