"""Record where a participant lived when an enrolment started (see models.EnrolmentResidence)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from stegvis.participants.models import Enrolment
from stegvis.participants.signals import enrolments_created


@receiver(post_save, sender=Enrolment, dispatch_uid="aggregates_enrolment_residence")
def remember_residence(sender: type, instance: Enrolment, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw"):
        return
    from stegvis.aggregates.models import EnrolmentResidence

    EnrolmentResidence.objects.get_or_create(
        enrolment=instance,
        defaults={
            "provider_id": instance.provider_id,
            "municipality_id": instance.participant.home_municipality_id,
        },
    )


@receiver(enrolments_created, dispatch_uid="aggregates_enrolment_residences")
def remember_residences(sender: type, enrolments: list[Enrolment], **kwargs: Any) -> None:
    """The same, for enrolments inserted in bulk (the participant import)."""
    from stegvis.aggregates.models import EnrolmentResidence

    EnrolmentResidence.objects.bulk_create(
        [
            EnrolmentResidence(
                enrolment=enrolment,
                provider_id=enrolment.provider_id,
                municipality_id=enrolment.participant.home_municipality_id,
            )
            for enrolment in enrolments
        ],
        batch_size=1000,
    )
