"""Progression's demo data: instruments, plans and the association's step names."""

from io import StringIO

import pytest
from django.core.management import call_command

from stegvis.progression.models import Instrument, LadderStepLabel, MeasurementPlan

pytestmark = pytest.mark.django_db


def test_demo_loads_instruments_plans_and_step_names():
    call_command("load_demo", stdout=StringIO())
    assert set(Instrument.objects.values_list("key", flat=True)) == {
        "anstallningsbarhet",
        "trappa",
        "halsa-livskvalitet",
    }
    plans = MeasurementPlan.objects.select_related("intervention")
    assert {p.intervention.code for p in plans} == {"steg", "gemensam"}
    assert all(p.interval_weeks == 12 and p.instruments.count() == 3 for p in plans)
    assert LadderStepLabel.objects.filter(association__slug="fjallbygden").count() == 2
    out = StringIO()
    call_command("load_instruments", stdout=out)
    assert out.getvalue().count("unchanged") == 3
