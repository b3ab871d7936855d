"""Fixtures of Lex Heller tests, on the personas' world (core/tests/personas.py).

- ``A``: the actors by persona (``A["bob"]``), as they act in their role.
- ``handled_by_alice``: alice (office of A) appointed administrator of A's reports.
- ``file``: file a report to A as a persona, with sensible defaults; any field can be given.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from stegvis.core.actors import Actor
from stegvis.core.models import Organisation
from stegvis.deviations import services
from stegvis.deviations.models import DeviationAdministrator, DeviationCategory, DeviationReport

BASE = "http://testserver/"


class Actors:
    def __init__(self, world: Any) -> None:
        self.world = world

    def __getitem__(self, persona: str) -> Actor:
        return Actor(user=self.world[persona], assignment=self.world.roles[persona])


@pytest.fixture
def A(world) -> Actors:
    return Actors(world)


@pytest.fixture
def fk(world) -> Organisation:
    return Organisation.objects.get(kind=Organisation.Kind.FK)


@pytest.fixture
def krokom(world) -> Organisation:
    return Organisation.objects.get(name="Krokom kommun")


def category(association: Any, name: str) -> DeviationCategory:
    return DeviationCategory.objects.get(association=association, name=name)


@pytest.fixture
def handled_by_alice(world, A) -> DeviationAdministrator:
    return services.appoint_administrator(A["alice"], world["alice"])


@pytest.fixture
def file(world, A, fk):
    def make(persona: str = "bob", association: Any = None, **fields: Any) -> DeviationReport:
        received_on = fields.pop("received_on", None)
        details = services.ReportDetails(
            event_date=fields.pop("event_date", date(2026, 1, 5)),
            category=fields.pop("category", None)
            or category(association or world.a, "Kontakt och tillgänglighet"),
            organisations=fields.pop("organisations", None) or [fk],
            what_happened=fields.pop("what_happened", "Personen skickades mellan två myndigheter."),
            **fields,
        )
        return services.file_report(
            A[persona], association or world.a, details, base_url=BASE, received_on=received_on
        )

    return make
