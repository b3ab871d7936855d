"""Reports' own settings: the association's socio-economic model (calculations.md §4)."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stegvis.aggregates.models import AssociationOwnedQuerySet
from stegvis.core.models import Association, User


class SocioEconomicModel(models.Model):
    """What society gains per person-month in work, and for how many months an exit to work
    is assumed to last when no follow-up says otherwise. One per association; defaults are the
    model several associations use (16 200 kr per person-month, 12 months)."""

    association = models.OneToOneField(
        Association, on_delete=models.PROTECT, related_name="+", verbose_name=_("förbund")
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    support = models.PositiveIntegerField(
        _("offentlig försörjning som inte längre betalas (kr per månad)"), default=10_000
    )
    administration = models.PositiveIntegerField(
        _("administration som inte längre behövs (kr per månad)"), default=500
    )
    tax = models.PositiveIntegerField(_("skatt från arbete (kr per månad)"), default=5_700)
    horizon_months = models.PositiveSmallIntegerField(
        _("antagen tid i arbete (månader)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    updated_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("ändrad"), default=timezone.now)

    objects = AssociationOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("samhällsekonomisk modell")
        verbose_name_plural = _("samhällsekonomiska modeller")
        constraints = [
            models.CheckConstraint(
                condition=Q(horizon_months__gte=1) & Q(horizon_months__lte=120),
                name="socioeconomic_horizon_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.per_month} kr/månad, {self.horizon_months} månader"

    @property
    def per_month(self) -> int:
        return self.support + self.administration + self.tax


from stegvis.reports.document_models import AnnualReport, ReportVersion  # noqa: E402

__all__ = ["AnnualReport", "ReportVersion", "SocioEconomicModel"]
