"""Progression's part of the wall sweep (core/tests/test_wall_sweep.py)."""

from __future__ import annotations

from datetime import date

from stegvis.core.models import Association, RoleAssignment, Unit
from stegvis.participants.models import Enrolment
from stegvis.progression.models import (
    Answer,
    Instrument,
    LadderStepLabel,
    Measurement,
    MeasurementPlan,
    SelfAssessmentLink,
)
from stegvis.progression.tests.factories import instrument_from_file

OBJECT_KINDS = {"measurement", "instrument"}

PUBLIC = {
    "progression:self_assessment": (
        "the participant's self-assessment: opened only by a one-time secret token (256 bits, "
        "only its hash stored, guesses rate-limited); shows no identity"
    ),
}


def objects_for(world: object, owner: object) -> dict[str, object]:
    """At a provider: its own instrument and a measurement with an answer and a link. At an
    association: its own instrument (a ladder, so that its step names can be swept)."""
    if isinstance(owner, Association):
        return {"instrument": instrument_from_file("trappa", association=owner).public_id}
    if not isinstance(owner, Unit) or not owner.is_provider:
        return {}
    instrument = instrument_from_file("halsa_livskvalitet", provider=owner)
    enrolment = Enrolment.objects.filter(provider=owner).order_by("pk").first()
    assert enrolment is not None
    user = RoleAssignment.objects.filter(unit=owner).order_by("pk").first().user
    measurement = Measurement.objects.create(
        provider=owner,
        enrolment=enrolment,
        occasion="start",
        date=date(2026, 1, 12),
        created_by=user,
    )
    version = instrument.latest_version()
    measurement.versions.set([version])
    item = version.items.order_by("order").first()
    Answer.objects.create(
        provider=owner, measurement=measurement, item=item, value=60, score=60, by="participant"
    )
    return {"measurement": measurement.public_id, "instrument": instrument.public_id}


def counts() -> tuple[int, ...]:
    return (
        Instrument.objects.count(),
        LadderStepLabel.objects.count(),
        MeasurementPlan.objects.count(),
        Measurement.objects.count(),
        Answer.objects.count(),
        SelfAssessmentLink.objects.filter(revoked_at__isnull=True).count(),
    )
