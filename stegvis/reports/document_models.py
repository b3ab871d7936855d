"""The annual or interim report (verksamhetsberättelse) of an association: one report per
association and period, and its versions, each holding the office's own text per section.

Figures are never stored: they are computed from the received packages and the association's own
data each time the report is shown or exported. A version marked final is locked; the office's next
edit makes a new version.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stegvis.core.models import Association, OwnedByAssociationQuerySet, User


class AnnualReport(models.Model):
    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Verksamhetsberättelse")
        INTERIM = "interim", _("Delårsrapport")

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("typ"), max_length=10, choices=Kind.choices)
    start = models.DateField(_("från"))
    end = models.DateField(_("till"))
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["-end"]
        verbose_name = _("verksamhetsberättelse")
        verbose_name_plural = _("verksamhetsberättelser")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "kind", "start", "end"], name="annualreport_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="annualreport_end_not_before_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start}–{self.end}"


class ReportVersion(models.Model):
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    # The office's text per section key (document_sections.SECTIONS).
    texts = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    saved_at = models.DateTimeField(default=timezone.now)
    final = models.BooleanField(_("fastställd"), default=False)
    finalised_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["report", "-number"]
        verbose_name = _("version av verksamhetsberättelse")
        verbose_name_plural = _("versioner av verksamhetsberättelser")
        indexes = [models.Index(fields=["association", "report"], name="reportversion_owner_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"], name="reportversion_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(final=True, finalised_at__isnull=False, finalised_by__isnull=False)
                | Q(final=False, finalised_at__isnull=True, finalised_by__isnull=True),
                name="reportversion_final_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"
