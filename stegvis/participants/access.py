"""Access helpers of the provider side: one owned object for the request's actor, or 404.

Scoped by ``visible_to(actor)`` (provider staff) or by the referrer's own assignment. Reading a
participant through :func:`get_participant_for_user` writes the audit event.
"""

from __future__ import annotations

import uuid

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from stegvis.core.models import Role
from stegvis.core.permissions import get_actor
from stegvis.participants import services
from stegvis.participants.models import Consent, Enrolment, FollowUp, Participant, Referral


def _uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def _one(queryset: QuerySet, public_id: object) -> Model:
    obj = queryset.filter(public_id=_uuid(public_id)).first()
    if obj is None:
        raise Http404
    return obj


def get_participant_for_user(
    request: HttpRequest, public_id: object, *, what: str = ""
) -> Participant:
    actor = get_actor(request)
    participant = _one(
        Participant.objects.visible_to(actor).select_related("home_municipality"), public_id
    )
    assert isinstance(participant, Participant)
    services.view_participant(actor, participant, what=what)
    return participant


def get_referral_for_user(request: HttpRequest, public_id: object) -> Referral:
    actor = get_actor(request)
    if actor.role == Role.REFERRER:
        queryset = Referral.objects.filter(referrer=actor.assignment)
    else:
        queryset = Referral.objects.visible_to(actor)
    referral = _one(
        queryset.select_related("participant", "intervention", "referrer__user"), public_id
    )
    assert isinstance(referral, Referral)
    services.view_participant(actor, referral.participant, what="remiss")
    return referral


def get_enrolment_for_user(request: HttpRequest, public_id: object) -> Enrolment:
    actor = get_actor(request)
    enrolment = _one(
        Enrolment.objects.visible_to(actor).select_related("participant", "intervention"),
        public_id,
    )
    assert isinstance(enrolment, Enrolment)
    services.view_participant(actor, enrolment.participant, what="inskrivning")
    return enrolment


def get_consent_for_user(request: HttpRequest, public_id: object) -> Consent:
    actor = get_actor(request)
    consent = _one(Consent.objects.visible_to(actor).select_related("participant"), public_id)
    assert isinstance(consent, Consent)
    return consent


def get_follow_up_for_user(request: HttpRequest, public_id: object) -> FollowUp:
    actor = get_actor(request)
    follow_up = _one(
        FollowUp.objects.visible_to(actor).select_related(
            "enrolment__participant", "enrolment__intervention"
        ),
        public_id,
    )
    assert isinstance(follow_up, FollowUp)
    services.view_participant(actor, follow_up.enrolment.participant, what="uppföljning")
    return follow_up
