"""Shared look-ups of the aggregates commands, with Swedish errors."""

from __future__ import annotations

from django.core.management.base import CommandError

from stegvis.core.models import Association, Unit
from stegvis.interventions.models import Intervention


def provider(value: str) -> Unit:
    unit = (
        Unit.objects.filter(is_provider=True, public_id__iexact=value.strip()).first()
        if _uuid(value)
        else None
    )
    if unit is None:
        raise CommandError(f"Ingen utförare med id {value} (ange utförarens UUID).")
    return unit


def association(slug: str) -> Association:
    found = Association.objects.filter(slug=slug).first()
    if found is None:
        raise CommandError(f"Inget förbund med kortnamnet {slug}.")
    return found


def intervention(unit: Unit, code: str) -> Intervention:
    found = Intervention.objects.filter(provider=unit, code=code).first()
    if found is None:
        raise CommandError(f"Utföraren driver ingen insats med koden {code}.")
    return found


def _uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value.strip())
    except ValueError:
        return False
    return True
