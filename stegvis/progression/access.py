"""Access helpers of progression: one object for the request's actor, or 404.

Reading a participant's measurements through these helpers writes the audit event.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest

from stegvis.core.permissions import get_actor
from stegvis.interventions.models import Intervention
from stegvis.participants.models import Enrolment
from stegvis.progression import services
from stegvis.progression.models import Instrument, Measurement


def _uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def get_enrolment_for_user(request: HttpRequest, public_id: object, *, what: str) -> Enrolment:
    actor = get_actor(request)
    enrolment = (
        Enrolment.objects.visible_to(actor)
        .select_related("participant", "intervention__lead_association")
        .filter(public_id=_uuid(public_id))
        .first()
    )
    if enrolment is None:
        raise Http404
    services.view_measurements(actor, enrolment, what=what)
    return enrolment


def get_measurement_for_user(request: HttpRequest, public_id: object, *, what: str) -> Measurement:
    actor = get_actor(request)
    measurement = (
        Measurement.objects.visible_to(actor)
        .select_related(
            "enrolment__participant", "enrolment__intervention__lead_association", "provider"
        )
        .filter(public_id=_uuid(public_id))
        .first()
    )
    if measurement is None:
        raise Http404
    services.view_measurements(actor, measurement.enrolment, what=what)
    return measurement


def get_instrument_for_user(request: HttpRequest, public_id: object) -> Instrument:
    """Instruments hold no personal data: no audit event for reading one."""
    actor = get_actor(request)
    instrument = Instrument.objects.visible_to(actor).filter(public_id=_uuid(public_id)).first()
    if instrument is None:
        raise Http404
    return instrument


def get_intervention_for_user(request: HttpRequest, public_id: object) -> Intervention:
    """An individual intervention the provider runs (a coach: one they are assigned to)."""
    actor = get_actor(request)
    intervention = (
        Intervention.objects.visible_to(actor)
        .filter(
            public_id=_uuid(public_id),
            provider=actor.unit,
            kind=Intervention.Kind.INDIVIDUAL,
        )
        .select_related("lead_association")
        .first()
    )
    if intervention is None:
        raise Http404
    return intervention
