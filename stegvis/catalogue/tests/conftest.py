"""Fixtures of the catalogue: A's "Steg till arbete" at P (bob its coach) with published texts,
and B's "Gemensam väg" at Q, co-funded by A (erin its coach)."""

from __future__ import annotations

from datetime import date

import pytest

from stegvis.catalogue.models import CatalogueEntry
from stegvis.catalogue.tests.factories import CatalogueEntryFactory
from stegvis.core.actors import Actor
from stegvis.core.models import Municipality
from stegvis.interventions.models import Intervention
from stegvis.interventions.tests.factories import InterventionFactory


def actor_of(world, persona: str) -> Actor:
    return Actor(user=world[persona], assignment=world.roles[persona])


@pytest.fixture
def krokom(world) -> Municipality:
    return Municipality.objects.get(code="2309")  # association A's area


@pytest.fixture
def ostersund(world) -> Municipality:
    return Municipality.objects.get(code="2380")  # association B's area


@pytest.fixture
def steg(world) -> Intervention:
    return InterventionFactory(
        name="Steg till arbete",
        code="steg",
        provider=world.p,
        lead_association=world.a,
        coaches=[world["bob"]],
        places=2,
        start=date(2025, 1, 1),
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
def entry(steg) -> CatalogueEntry:
    return CatalogueEntryFactory(intervention=steg)
