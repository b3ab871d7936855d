"""Finance fixtures on top of the personas' world (core/tests/personas.py).

- ``a_members``: A's members for the §1 worked example: region, and municipalities with
  61 000, 23 000 and 9 000 inhabitants (the world's own municipality is given 61 000).
- ``steg``: an individual intervention funded by A; ``other``: one funded only by B.
"""

from __future__ import annotations

from datetime import date

import pytest

from stegvis.core.actors import Actor
from stegvis.core.models import Member, MemberPopulation, Municipality, Organisation
from stegvis.core.tests.factories import MemberFactory, OrganisationFactory
from stegvis.interventions.models import Intervention
from stegvis.interventions.tests.factories import InterventionFactory


def actor_of(world, persona: str) -> Actor:
    return Actor(user=world[persona], assignment=world.roles[persona])


@pytest.fixture
def alice(world) -> Actor:
    return actor_of(world, "alice")


@pytest.fixture
def a_members(world) -> dict[str, Member]:
    region = OrganisationFactory(name="Region Jämtland Härjedalen", kind=Organisation.Kind.REGION)
    members = {
        "region": MemberFactory(association=world.a, organisation=region, joined=date(2015, 1, 1))
    }
    own = Member.objects.get(association=world.a, organisation__kind="municipality")
    members["A"] = own
    for key, code in (("B", "2313"), ("C", "2321")):
        municipality = Municipality.objects.get(code=code)
        org = OrganisationFactory(
            name=f"{municipality.name} kommun",
            kind=Organisation.Kind.MUNICIPALITY,
            municipality=municipality,
        )
        members[key] = MemberFactory(association=world.a, organisation=org, joined=date(2015, 1, 1))
    for key, population in (("A", 61_000), ("B", 23_000), ("C", 9_000)):
        MemberPopulation.objects.create(
            association=world.a, member=members[key], year=2025, population=population
        )
    return members


@pytest.fixture
def steg(world) -> Intervention:
    return InterventionFactory(
        name="Steg till arbete", code="steg", provider=world.p, lead_association=world.a, places=20
    )


@pytest.fixture
def other(world) -> Intervention:
    return InterventionFactory(
        name="Annat förbunds insats", code="annan", provider=world.q, lead_association=world.b
    )
