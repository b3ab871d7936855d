"""Fixtures of the provider side: an intervention of P funded by A, with bob as its coach."""

from datetime import date

import pytest
from stdnum import luhn

from stegvis.interventions.models import Funding, Intervention


def national_id(birth: str, serial: str = "238") -> str:
    """A valid fictional personnummer YYYYMMDD-NNNC from a birth date and three digits."""
    ten = birth[2:] + serial
    return f"{birth}-{serial}{luhn.calc_check_digit(ten)}"


@pytest.fixture
def steg(world):
    intervention = Intervention.objects.create(
        provider=world.p,
        lead_association=world.a,
        name="Steg till arbete",
        code="steg",
        kind=Intervention.Kind.INDIVIDUAL,
        orientation="rehabiliterande",
        start=date(2025, 1, 1),
        status=Intervention.Status.RUNNING,
        places=20,
    )
    Funding.objects.create(association=world.a, intervention=intervention, share=100)
    intervention.coaches.add(world["bob"])
    return intervention
