"""No stored answer holds anything that links it to a person or a user.

Two proofs: the schema (no column of a kind that could hold a person, a user, an address or a
time of day, and random primary keys), and the rows themselves after a logged-in user with a
known address, browser and session answered at a known moment.
"""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.db import models
from django.urls import reverse
from django.utils import timezone

from stegvis.core.models import AuditEvent, RoleAssignment, Throttle, User
from stegvis.participants.models import Enrolment, Participant
from stegvis.surveys.models import Answer, SurveyResponse, ViolenceTally

pytestmark = pytest.mark.django_db

ANSWER_MODELS = [SurveyResponse, Answer, ViolenceTally]
PERSON_MODELS = {User, RoleAssignment, Participant, Enrolment}
SUSPECT_NAME = (
    "user",
    "ip",
    "address",
    "national",
    "participant",
    "session",
    "device",
    "agent",
    "email",
    "name",
    "token",
    "time",
    "created",
    "enrolment",
)
MOMENT = datetime(2026, 3, 10, 10, 42, 17, tzinfo=timezone.get_fixed_timezone(60))


@pytest.mark.parametrize("model", ANSWER_MODELS, ids=lambda m: m.__name__)
def test_the_schema_has_no_place_for_a_person(model):
    for field in model._meta.concrete_fields:
        where = f"{model.__name__}.{field.name}"
        assert not isinstance(field, models.DateTimeField | models.TimeField), where
        assert not isinstance(field, models.GenericIPAddressField), where
        if field.is_relation:
            assert field.related_model not in PERSON_MODELS, where
        assert not any(s in field.name.lower() for s in SUSPECT_NAME), where
    if model is not ViolenceTally:
        # Random keys: the order of rows says nothing about who answered when.
        assert isinstance(model._meta.pk, models.UUIDField), model.__name__


def test_stored_rows_hold_nothing_of_the_person_who_answered(world, as_persona, exit_round):
    # A logged-in coach answers from a known address, browser and session, at a known moment.
    client = as_persona("bob")
    user = world["bob"]
    address, agent = "203.0.113.77", "Mozilla/5.0 (Linux; Android 14) Testbrowser/1.0"
    url = reverse("surveys:answer", kwargs={"token": exit_round.token})
    events = AuditEvent.objects.count()
    with time_machine.travel(MOMENT, tick=False):
        response = client.post(
            url,
            {"q_d1": "5", "q_d6": "4", "q_kon": "man"},
            REMOTE_ADDR=address,
            HTTP_USER_AGENT=agent,
        )
    assert response.status_code == 302
    row = SurveyResponse.objects.values().get()
    answers = list(Answer.objects.values())
    assert len(answers) == 3  # the gender question is an answer like the others
    # The date only: no time of day anywhere.
    assert row["answered_on"] == MOMENT.date()
    identifying = [
        str(user.public_id),
        user.public_id.hex,
        user.email,
        user.full_name,
        address,
        agent,
        client.session.session_key,
        "10:42",
        "09:42",
        MOMENT.isoformat(),
    ]
    for stored in [row, *answers]:
        for column, value in stored.items():
            text = str(value)
            for secret in identifying:
                assert secret not in text, f"{column}={text!r} holds {secret!r}"
    # No audit event: its exact time would tie the answer to the moment it was given.
    assert AuditEvent.objects.count() == events
    # The rate limit stores a keyed hash, never the address.
    assert Throttle.objects.exists()
    assert not Throttle.objects.filter(key__contains=address).exists()


def test_violence_answers_are_only_counts(world, client, violence_round):
    url = reverse("surveys:answer", kwargs={"token": violence_round.token})
    response = client.post(url, {"q_v1": "ja", "q_v2": "nej"}, REMOTE_ADDR="203.0.113.8")
    assert response.status_code == 302
    assert not SurveyResponse.objects.exists()
    assert not Answer.objects.exists()
    assert sorted(ViolenceTally.objects.values_list("item__key", "value", "count")) == [
        ("v1", "ja", 1),
        ("v2", "nej", 1),
    ]
