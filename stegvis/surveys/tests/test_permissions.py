"""The named predicates of surveys, on their own, for every persona."""

import pytest

from stegvis.surveys.permissions import (
    can_enter_tallies,
    can_manage_surveys,
    can_record_screening,
    can_view_survey_results,
)
from stegvis.surveys.tests.conftest import actor_of

pytestmark = pytest.mark.django_db

EXPECTED = {
    # persona: manage, results, screening, tallies
    "alice": (True, True, False, True),
    "dave": (True, True, False, True),
    "carol": (False, True, False, False),
    "helena": (False, True, False, False),
    "bob": (False, False, True, True),
    "petra": (False, False, True, True),
    "erin": (False, False, True, True),
    "frank": (False, False, False, False),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_predicates(world, persona):
    actor = actor_of(world, persona)
    got = (
        can_manage_surveys(actor),
        can_view_survey_results(actor),
        can_record_screening(actor),
        can_enter_tallies(actor),
    )
    assert got == EXPECTED[persona]
