"""Interventions (insatser): what an association funds and a provider runs. No personal data.

An intervention is run by one provider (a unit) and funded by one or more associations, each with
a share. It is visible to the offices and other roles of its funding associations and to the staff
of its provider; the lead association's office edits it, the provider manager assigns coaches.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stegvis.core.codes import Orientation, ReportGroup
from stegvis.core.collation import SWEDISH
from stegvis.core.models import (
    ASSOCIATION_ROLES,
    PROVIDER_ROLES,
    Association,
    Municipality,
    Organisation,
    Role,
    Unit,
    User,
)

if TYPE_CHECKING:
    from stegvis.core.actors import Actor


class InterventionQuerySet(models.QuerySet["Intervention"]):
    def visible_to(self, actor: Actor) -> InterventionQuerySet:
        """Association roles see what their association funds; provider roles what their
        provider runs, and a coach only the interventions they are assigned to."""
        if actor.association is not None and actor.role in ASSOCIATION_ROLES:
            return self.filter(fundings__association=actor.association).distinct()
        if actor.unit is not None and actor.role in PROVIDER_ROLES:
            own = self.filter(provider=actor.unit)
            if actor.role == Role.COACH:
                own = own.filter(coaches=actor.user)
            return own
        return self.none()

    def open_for_referrals(self) -> InterventionQuerySet:
        return self.filter(
            kind=Intervention.Kind.INDIVIDUAL,
            status__in=[Intervention.Status.PLANNED, Intervention.Status.RUNNING],
        )


class Intervention(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individinriktad")
        STRUCTURAL = "structural", _("Strukturövergripande")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planerad")
        RUNNING = "running", _("Pågående")
        PHASING_OUT = "phasing_out", _("Under avveckling")
        ENDED = "ended", _("Avslutad")

    class FollowUpMethod(models.TextChoices):
        INDIVIDUAL = (
            "individual",
            _("Individuppföljning hos utföraren (avidentifierad till förbundet)"),
        )
        COUNT_ONLY = "count_only", _("Endast antal per kön och år (anonymt)")
        ACTIVITIES = "activities", _("Aktiviteter och deltagarantal (strukturinsats)")

    provider = models.ForeignKey(
        Unit,
        verbose_name=_("utförare"),
        on_delete=models.PROTECT,
        related_name="interventions",
        limit_choices_to={"is_provider": True},
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lead_association = models.ForeignKey(
        Association, verbose_name=_("ansvarigt förbund"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("namn"), max_length=200, db_collation=SWEDISH)
    code = models.SlugField(
        _("kortkod"),
        max_length=30,
        help_text=_("Kort kod för import och rapporter, t.ex. steg1. Små bokstäver och siffror."),
    )
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    orientation = models.CharField(_("inriktning"), max_length=30, choices=Orientation.choices)
    responsible_manager = models.CharField(_("ansvarig chef"), max_length=200, blank=True)
    participating_members = models.ManyToManyField(
        Organisation, verbose_name=_("medverkande parter"), blank=True, related_name="+"
    )
    municipalities = models.ManyToManyField(
        Municipality,
        verbose_name=_("kommuner som insatsen vänder sig till"),
        blank=True,
        related_name="+",
    )
    start = models.DateField(_("startdatum"))
    planned_end = models.DateField(_("planerat slutdatum"), null=True, blank=True)
    ended = models.DateField(_("avslutad"), null=True, blank=True)
    places = models.PositiveIntegerField(_("platser"), default=0)
    target_group = models.TextField(_("målgrupp"), blank=True)
    follow_up_method = models.CharField(
        _("uppföljningsmetod"),
        max_length=20,
        choices=FollowUpMethod.choices,
        default=FollowUpMethod.INDIVIDUAL,
    )
    follow_up_months = models.JSONField(
        _("uppföljning efter avslut (månader)"), default=list, blank=True
    )
    eu_funded = models.BooleanField(_("EU-finansierad"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    # Eligibility rules, checked on every referral (participants.eligibility).
    min_age = models.PositiveSmallIntegerField(_("lägsta ålder"), default=16)
    max_age = models.PositiveSmallIntegerField(_("högsta ålder"), default=64)
    min_members_involved = models.PositiveSmallIntegerField(
        _("minsta antal parter med behov av samordning"), default=2
    )
    requires_area_residence = models.BooleanField(
        _("kräver folkbokföring i förbundens område"), default=True
    )
    requires_consent = models.BooleanField(_("kräver samtycke till registrering"), default=True)
    coaches = models.ManyToManyField(User, verbose_name=_("coacher"), blank=True, related_name="+")

    objects = InterventionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("insats")
        verbose_name_plural = _("insatser")
        indexes = [models.Index(fields=["provider", "status"], name="intervention_provider_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["lead_association", "code"], name="intervention_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True) | Q(planned_end__gte=models.F("start")),
                name="intervention_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended__isnull=True) | Q(ended__gte=models.F("start")),
                name="intervention_ended_after_start",
            ),
            models.CheckConstraint(
                condition=Q(min_age__lte=models.F("max_age")), name="intervention_age_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse(
            "interventions:association_detail",
            kwargs={"association": self.lead_association.slug, "intervention": self.public_id},
        )

    def months_to_follow_up(self) -> list[int]:
        return sorted({int(m) for m in self.follow_up_months or [6, 12]})

    def locked_fields(self) -> set[str]:
        """Kind, follow-up method and EU flag cannot change once participants or activities
        exist, as in the national system (they decide how the intervention is counted)."""
        if self.pk is None:
            return set()
        has_rows = self.activities.exists() or _has_enrolments(self)
        return {"kind", "follow_up_method", "eu_funded"} if has_rows else set()


def _has_enrolments(intervention: Intervention) -> bool:
    from django.apps import apps

    enrolment = apps.get_model("participants", "Enrolment")
    referral = apps.get_model("participants", "Referral")
    return bool(
        enrolment.objects.filter(intervention=intervention).exists()
        or referral.objects.filter(intervention=intervention).exists()
    )


def share_field() -> models.DecimalField:
    """A share of an intervention's funding, in per cent (above 0, at most 100)."""
    return models.DecimalField(
        _("andel (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )


class Funding(models.Model):
    """One association's share of an intervention's funding."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="fundings")
    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="fundings"
    )
    share = share_field()

    class Meta:
        ordering = ["-share"]
        verbose_name = _("finansiering")
        verbose_name_plural = _("finansiering")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "intervention"], name="funding_unique_per_association"
            ),
            models.CheckConstraint(
                condition=Q(share__gt=0) & Q(share__lte=100), name="funding_share_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association}: {self.share} %"


class FundingOfferQuerySet(models.QuerySet["FundingOffer"]):
    def open_to(self, association: Association) -> FundingOfferQuerySet:
        """The offers ``association``'s office has not answered yet."""
        return self.filter(association=association, declined_at__isnull=True)


class FundingOffer(models.Model):
    """A share of an intervention's funding that its lead association has asked another
    association to take, until that association's office accepts it (it becomes a
    :class:`Funding`) or declines it. Until then the intervention is not the other association's:
    nothing reads an offer as funding (packages, reports, lists)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="funding_offers"
    )
    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="funding_offers"
    )
    share = share_field()
    offered_at = models.DateTimeField(_("förfrågan skickad"), auto_now_add=True)
    declined_at = models.DateTimeField(_("avböjd"), null=True, blank=True)

    objects = FundingOfferQuerySet.as_manager()

    class Meta:
        ordering = ["offered_at", "pk"]
        verbose_name = _("förfrågan om finansiering")
        verbose_name_plural = _("förfrågningar om finansiering")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "intervention"], name="funding_offer_unique"
            ),
            models.CheckConstraint(
                condition=Q(share__gt=0) & Q(share__lte=100), name="funding_offer_share_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association}: {self.share} % (förfrågan)"


class Staffing(models.Model):
    """Staff a member organisation puts into the intervention, in full-time equivalents."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="staffing"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    fte = models.DecimalField(
        _("årsarbetare"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("bemanning")
        verbose_name_plural = _("bemanning")
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "organisation"], name="staffing_unique_per_org"
            ),
            models.CheckConstraint(condition=Q(fte__gte=0), name="staffing_fte_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.fte}"


class Goal(models.Model):
    """A goal as data (calculations.md §5): a measure, a target and a period."""

    class Measure(models.TextChoices):
        SHARE_EXITS_IN_GROUPS = "share_exits_in_groups", _("Andel avslut till valda grupper")
        SHARE_POSITIVE_STEP = (
            "share_positive_step",
            _("Andel avslut med positiv stegförflyttning (utöver valda grupper)"),
        )
        PARTICIPANTS_PER_FTE = "participants_per_fte", _("Deltagare per heltidstjänst")
        OCCUPANCY = "occupancy", _("Platsutnyttjande")

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="goals")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    text = models.CharField(_("mål"), max_length=300)
    measure = models.CharField(_("mått"), max_length=40, choices=Measure.choices)
    report_groups = models.JSONField(
        _("avslutsgrupper som räknas"),
        default=list,
        blank=True,
        help_text=_("För andel avslut: t.ex. Arbete och Studier."),
    )
    target = models.DecimalField(
        _("målvärde"),
        max_digits=8,
        decimal_places=2,
        help_text=_("Procent för andelar, antal för deltagare per heltidstjänst."),
    )
    period_start = models.DateField(_("period från"))
    period_end = models.DateField(_("period till"))

    class Meta:
        ordering = ["period_start", "text"]
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="goal_period_order"
            ),
            models.CheckConstraint(condition=Q(target__gte=0), name="goal_target_not_negative"),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        unknown = set(self.report_groups or []) - set(ReportGroup.values)
        if unknown:
            raise ValidationError({"report_groups": _("Okänd avslutsgrupp.")})


class StructuralActivity(models.Model):
    """One occasion of a structural intervention: counted, never named attendees."""

    class Type(models.TextChoices):
        UTBILDNING = "utbildning", _("Utbildning")
        NATVERK = "natverk", _("Nätverk")
        SEMINARIUM = "seminarium", _("Seminarium / konferens")
        KARTLAGGNING = "kartlaggning", _("Kartläggning")
        KOMMUNIKATION = "kommunikation", _("Kommunikation")
        ANNAT = "annat", _("Annat")

    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="activities"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    date = models.DateField(_("datum"))
    title = models.CharField(_("rubrik"), max_length=200)
    type = models.CharField(_("typ"), max_length=20, choices=Type.choices)
    hours = models.DecimalField(
        _("timmar"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["-date"]
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktiviteter")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gte=0), name="activity_hours_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class Attendance(models.Model):
    """Attendees of an activity from one organisation, counted by gender."""

    activity = models.ForeignKey(
        StructuralActivity, on_delete=models.CASCADE, related_name="attendance"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    women = models.PositiveIntegerField(_("kvinnor"), default=0)
    men = models.PositiveIntegerField(_("män"), default=0)
    other = models.PositiveIntegerField(_("annat / ej angivet"), default=0)

    class Meta:
        verbose_name = _("deltagande")
        verbose_name_plural = _("deltagande")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "organisation"], name="attendance_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.total}"

    @property
    def total(self) -> int:
        return self.women + self.men + self.other
