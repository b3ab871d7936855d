"""A new association starts with the default list of report categories."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from stegvis.core.models import Association


@receiver(post_save, sender=Association, dispatch_uid="deviations_default_categories")
def seed_categories(
    sender: type[Association], instance: Association, created: bool, **kw: Any
) -> None:
    if created and not kw.get("raw"):
        from stegvis.deviations.services import seed_default_categories

        seed_default_categories(instance)
