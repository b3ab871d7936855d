"""The national count export: participants by gender from packages; structural volume."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse

from stegvis.aggregates import services
from stegvis.aggregates.national import national_counts
from stegvis.core.models import Organisation
from stegvis.interventions.models import Attendance, StructuralActivity
from stegvis.interventions.tests.factories import StructuralInterventionFactory

from .conftest import actor_of


def _structural(world):
    training = StructuralInterventionFactory(
        name="Utbildning i samverkan", provider=world.p, lead_association=world.a
    )
    fk = Organisation.objects.get(name="Försäkringskassan")
    municipality = world.p.organisation
    for day, hours, rows in (
        (date(2026, 3, 3), Decimal("3.5"), [(fk, 4, 1, 0), (municipality, 6, 2, 1)]),
        (date(2026, 9, 9), Decimal("2"), [(fk, 2, 2, 0)]),
        (date(2025, 9, 9), Decimal("8"), [(fk, 9, 9, 9)]),  # another year
    ):
        activity = StructuralActivity.objects.create(
            intervention=training, date=day, title="Tillfälle", type="utbildning", hours=hours
        )
        for org, women, men, other in rows:
            Attendance.objects.create(
                activity=activity, organisation=org, women=women, men=men, other=other
            )
    return training


def test_the_national_counts_by_hand(example, world, gemensam):
    """Gemensam in 2026 from its Q3 package: women 2 + 0 new, men 0 + 2 new, other 1. The
    training: 2 occasions in 2026, 5.5 hours, women 4 + 6 + 2 = 12, men 1 + 2 + 2 = 5, other 1."""
    _structural(world)
    services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    individual, structural = national_counts(world.a, 2026)
    assert [(r.intervention.code, r.women, r.men, r.other) for r in individual] == [
        ("gemensam", 2, 2, 1)
    ]
    (row,) = structural
    assert (row.occasions, row.hours, row.women, row.men, row.other, row.total) == (
        2,
        Decimal("5.5"),
        12,
        5,
        1,
        18,
    )


def test_the_export_page_and_csv(example, world, gemensam, as_persona):
    _structural(world)
    services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    url = reverse("aggregates:association_national", kwargs={"association": world.a.slug})
    page = as_persona("alice").get(url, {"ar": 2026})
    assert page.status_code == 200 and "Utbildning i samverkan" in page.content.decode()
    csv = as_persona("alice").get(url, {"ar": 2026, "format": "csv"}).content.decode()
    assert "2026;gemensam;Gemensam väg;individinriktad;2;2;1;5;;" in csv
    assert ";strukturovergripande;12;5;1;18;2;5,5" in csv
    assert as_persona("carol").get(url).status_code == 403
    assert as_persona("dave").get(url).status_code == 404
