"""Pauses in an enrolment, and correcting a participant's identity afterwards."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from stegvis.core.actors import Actor
from stegvis.core.models import AuditEvent
from stegvis.participants import services
from stegvis.participants.models import Pause
from stegvis.participants.tests.conftest import national_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(world, steg):
    petra = Actor(user=world["petra"], assignment=world.roles["petra"])
    with time_machine.travel("2026-03-01 10:00 +01:00", tick=False):
        participant, _ = services.register_participant(
            petra,
            services.IdentityInput(kind="personnummer", national_id=national_id("19900315")),
        )
        services.record_consent(petra, participant, given_on=date(2026, 3, 1), form="papper")
        enrolment = services.enrol_participant(petra, participant, steg, start=date(2026, 3, 2))
    return petra, participant, enrolment


def test_a_pause_inside_the_enrolment_is_recorded_and_audited(enrolled):
    petra, participant, enrolment = enrolled
    pause = services.add_pause(petra, enrolment, start=date(2026, 4, 1), end=date(2026, 4, 14))
    assert (pause.start, pause.end) == (date(2026, 4, 1), date(2026, 4, 14))
    event = AuditEvent.objects.get(action="enrolment.pause")
    assert event.participant_ref == participant.public_id


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (date(2026, 3, 1), None, "start", "Uppehållet kan inte börja före inskrivningen."),
        (date(2026, 4, 10), date(2026, 4, 9), "end", "Uppehållet kan inte sluta före det börjar."),
        (date(2026, 4, 10), None, "start", "Uppehållet överlappar ett annat uppehåll."),
    ],
)
def test_a_pause_is_checked(enrolled, start, end, field, message):
    petra, _participant, enrolment = enrolled
    services.add_pause(petra, enrolment, start=date(2026, 4, 1), end=date(2026, 4, 14))
    with pytest.raises(ValidationError) as error:
        services.add_pause(petra, enrolment, start=start, end=end)
    assert error.value.message_dict == {field: [message]}
    assert Pause.objects.count() == 1


def test_a_pause_ends_by_the_exit(enrolled):
    petra, _participant, enrolment = enrolled
    with time_machine.travel("2026-05-29 10:00 +02:00", tick=False):
        services.record_exit(
            petra,
            enrolment,
            exit_date=date(2026, 5, 29),
            reason="arbete",
            income_source="lon",
            occupation="forvarvsarbete",
        )
    with pytest.raises(ValidationError) as error:
        services.add_pause(petra, enrolment, start=date(2026, 5, 1), end=None)
    assert error.value.message_dict == {
        "end": ["Uppehållet måste sluta senast vid avslutet 2026-05-29."]
    }


def test_the_pause_page_records_it_and_the_timeline_shows_it(as_persona, world, enrolled):
    _petra, _participant, enrolment = enrolled
    client = as_persona("bob")
    url = reverse(
        "participants:enrolment_pause",
        kwargs={"provider": world.p.public_id, "enrolment": enrolment.public_id},
    )
    response = client.post(url, {"start": "2026-04-01", "end": "2026-04-14"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Uppehåll i Steg till arbete" in page
    assert "till 2026-04-14" in page


def test_the_pause_page_refuses_other_owners(as_persona, world, enrolled):
    _petra, _participant, enrolment = enrolled
    url = reverse(
        "participants:enrolment_pause",
        kwargs={"provider": world.p.public_id, "enrolment": enrolment.public_id},
    )
    for persona in ("alice", "erin", "frank"):
        assert as_persona(persona).post(url, {"start": "2026-04-01"}).status_code == 404
    assert not Pause.objects.exists()


def test_the_gender_derived_from_the_number_can_be_corrected(as_persona, world, enrolled):
    _petra, participant, _enrolment = enrolled
    assert participant.gender == "kvinna"
    url = reverse(
        "participants:participant_edit",
        kwargs={"provider": world.p.public_id, "participant": participant.public_id},
    )
    client = as_persona("petra")
    form = client.get(url)
    assert national_id("19900315") in form.content.decode()
    response = client.post(
        url,
        {
            "identity_kind": "personnummer",
            "national_id": national_id("19900315"),
            "gender": "annat",
            "born_outside_nordic": "ej_angivet",
        },
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.gender == "annat"
    assert AuditEvent.objects.filter(
        action="participant.update", participant_ref=participant.public_id
    ).exists()


def test_an_invalid_number_on_edit_changes_nothing(as_persona, world, enrolled):
    _petra, participant, _enrolment = enrolled
    url = reverse(
        "participants:participant_edit",
        kwargs={"provider": world.p.public_id, "participant": participant.public_id},
    )
    response = as_persona("petra").post(
        url,
        {
            "identity_kind": "personnummer",
            "national_id": "19900315-0000",
            "born_outside_nordic": "nej",
        },
    )
    assert response.status_code == 200
    assert "Kontrollsiffran stämmer inte" in response.content.decode()
    participant.refresh_from_db()
    assert participant.national_id == national_id("19900315")


def test_the_edit_page_refuses_other_owners(as_persona, world, enrolled):
    _petra, participant, _enrolment = enrolled
    url = reverse(
        "participants:participant_edit",
        kwargs={"provider": world.p.public_id, "participant": participant.public_id},
    )
    for persona in ("alice", "dave", "erin", "frank"):
        assert as_persona(persona).get(url).status_code == 404
