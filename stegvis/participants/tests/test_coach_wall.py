"""The wall between coaches at one provider, which the project's wall sweep cannot see (there,
every coach is assigned to every intervention): bob, assigned to ``steg`` only, requests every
provider page with an object of gustav's intervention at the same provider, and every list."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from stegvis.catalogue.tests.factories import InterestRegistrationFactory
from stegvis.core.models import Municipality
from stegvis.participants.models import Referral
from stegvis.participants.tests.test_views import (
    actor,
    consent,
    enrol,
    exit_,
    other_intervention,
    register,
)
from stegvis.progression import services as progression
from stegvis.progression.tests.conftest import instruments  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-22 10:00 +01:00", tick=False):
        yield


def test_a_coach_reaches_nothing_of_another_coachs_intervention(
    world,
    steg,
    as_persona,
    instruments,  # noqa: F811
):
    other = other_intervention(world)  # gustav's, not bob's
    david = register(world, "19700303", "251", name="David Dahl")
    given = consent(world, david)
    enrolment = enrol(world, david, other, coach="gustav", start=date(2026, 1, 15))
    eva = register(world, "19800101", "236", name="Eva Ek")
    consent(world, eva)
    ended = exit_(world, enrol(world, eva, other, coach="gustav"))
    follow_up = ended.follow_ups.first()
    measurement = progression.create_measurement(
        actor(world, "petra"),
        enrolment,
        occasion="start",
        day=date(2026, 1, 20),
        instruments=[instruments["profile"]],
    )
    referral = Referral.objects.create(
        provider=world.p,
        participant=david,
        intervention=other,
        source=Referral.Source.PROVIDER,
        planned_start=date(2026, 12, 1),
    )
    registration = InterestRegistrationFactory(
        intervention=other, municipality=Municipality.objects.get(code="2309")
    )
    p = {"provider": world.p.public_id}
    objects = {
        "participants:participant_detail": {"participant": david.public_id},
        "participants:consent_withdraw": {
            "participant": david.public_id,
            "consent": given.public_id,
        },
        "participants:enrolment_exit": {"enrolment": enrolment.public_id},
        "participants:enrolment_pause": {"enrolment": enrolment.public_id},
        "participants:exit_summary": {"enrolment": ended.public_id},
        "participants:referral_detail": {"referral": referral.public_id},
        "participants:follow_up_record": {"follow_up": follow_up.public_id},
        "progression:enrolment_progress": {"enrolment": enrolment.public_id},
        "progression:measurement_detail": {"measurement": measurement.public_id},
        "progression:intervention_figures": {"intervention": other.public_id},
        "interventions:provider_detail": {"intervention": other.public_id},
        "surveys:screening_record": {"enrolment": enrolment.public_id},
        "catalogue:registration_detail": {"registration": registration.public_id},
    }
    bob = as_persona("bob")
    reached = {
        name: status
        for name, kwargs in objects.items()
        if (status := bob.get(reverse(name, kwargs={**p, **kwargs})).status_code) != 404
    }
    assert reached == {}
    lists = [
        reverse("participants:participant_list", kwargs=p),
        reverse("participants:referral_list", kwargs=p) + "?visa=alla",
        reverse("participants:follow_up_list", kwargs=p),
        reverse("progression:work_list", kwargs=p),
        reverse("surveys:screening_overview", kwargs=p),
        reverse("catalogue:inbox", kwargs=p) + "?visa=alla",
        reverse("core:provider_home", kwargs=p),
    ]
    names = ("David Dahl", "Eva Ek", "Sara Exempel", other.name)
    shown = {url: [n for n in names if n in bob.get(url).content.decode()] for url in lists}
    assert {url: found for url, found in shown.items() if found} == {}
    # The same pages show gustav his own (the test can fail: the objects are reachable).
    gustav = as_persona("gustav")
    for name, kwargs in objects.items():
        assert gustav.get(reverse(name, kwargs={**p, **kwargs})).status_code == 200, name
    shown = gustav.get(reverse("participants:participant_list", kwargs=p)).content.decode()
    assert "David Dahl" in shown and "Eva Ek" in shown
