"""Writes of the reports app: the association's socio-economic parameters, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.models import Association

from .models import SocioEconomicModel
from .permissions import can_edit_reports

FIELDS = ("support", "administration", "tax", "horizon_months")


def socioeconomic_model(association: Association) -> SocioEconomicModel:
    """The association's saved model, or the defaults (unsaved) when it has none."""
    found = SocioEconomicModel.objects.filter(association=association).first()
    return found or SocioEconomicModel(association=association)


@transaction.atomic
def save_socioeconomic_model(actor: Actor, values: dict[str, Any]) -> SocioEconomicModel:
    """Store the office's parameters; the audit event names what changed, from and to."""
    if not can_edit_reports(actor) or actor.association is None:
        raise PermissionDenied
    model = socioeconomic_model(actor.association)
    changes = []
    for name in FIELDS:
        before, after = getattr(model, name), values[name]
        if before != after:
            changes.append(f"{name}: {before} → {after}")
            setattr(model, name, after)
    model.updated_by = actor.user
    model.updated_at = timezone.now()
    model.full_clean()
    model.save()
    audit.record("reports.socioeconomic.save", actor=actor, obj=model, reason="; ".join(changes))
    return model
