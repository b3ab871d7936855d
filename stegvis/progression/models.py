"""Progression (stegförflyttning): instruments as data, measurements, self-assessment links.

Instruments are configuration without personal data: shipped defaults (no owner), or an
association's or a provider's own. Every change to an instrument that has measurements creates a
new :class:`InstrumentVersion`; a measurement keeps the versions it was made with through its
answers' items. Measurements, answers and self-assessment links are personal data: owned by the
provider (``provider`` first, first in indexes), read through ``visible_to(actor)``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stegvis.core.models import ASSOCIATION_ROLES, PROVIDER_ROLES, Association, Unit, User
from stegvis.interventions.models import Intervention
from stegvis.participants.models import Enrolment, ProviderOwnedQuerySet

if TYPE_CHECKING:
    from stegvis.core.actors import Actor


class InstrumentQuerySet(models.QuerySet["Instrument"]):
    def visible_to(self, actor: Actor) -> InstrumentQuerySet:
        """The shipped defaults, plus the actor's own: an association's roles see the
        association's instruments; provider staff see the provider's and those of the
        associations that fund the provider's interventions."""
        shared = Q(association__isnull=True, provider__isnull=True)
        if actor.association is not None and actor.role in ASSOCIATION_ROLES:
            return self.filter(shared | Q(association=actor.association))
        if actor.unit is not None and actor.role in PROVIDER_ROLES:
            funders = Association.objects.filter(fundings__intervention__provider=actor.unit)
            return self.filter(shared | Q(provider=actor.unit) | Q(association__in=funders))
        return self.none()


class Instrument(models.Model):
    """A measuring instrument, identified by its key within its owner. Its content lives in
    versions; the newest version is used for new measurements."""

    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.SlugField(_("nyckel"), max_length=60)
    created_at = models.DateTimeField(default=timezone.now)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instrument")
        indexes = [models.Index(fields=["provider", "key"], name="instrument_provider_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(association__isnull=True) | Q(provider__isnull=True),
                name="instrument_one_owner",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(association__isnull=True, provider__isnull=True),
                name="instrument_unique_shared_key",
            ),
            models.UniqueConstraint(
                fields=["association", "key"],
                condition=Q(association__isnull=False),
                name="instrument_unique_association_key",
            ),
            models.UniqueConstraint(
                fields=["provider", "key"],
                condition=Q(provider__isnull=False),
                name="instrument_unique_provider_key",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def is_shared(self) -> bool:
        return self.association_id is None and self.provider_id is None

    def latest_version(self) -> InstrumentVersion:
        version = self.versions.order_by("-number").first()
        assert version is not None
        return version


class InstrumentVersion(models.Model):
    class Kind(models.TextChoices):
        SELF = "self", _("Självskattning av deltagaren")
        COACH = "coach", _("Bedömning av coachen")
        BOTH = "both", _("Deltagare och coach sida vid sida")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    kind = models.CharField(_("typ"), max_length=10, choices=Kind.choices)
    is_ladder = models.BooleanField(_("trappa"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["instrument", "-number"]
        verbose_name = _("instrumentversion")
        verbose_name_plural = _("instrumentversioner")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="instrument_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class Item(models.Model):
    """One question or rating of an instrument version, with its scale and direction."""

    class Audience(models.TextChoices):
        PARTICIPANT = "participant", _("Deltagaren")
        COACH = "coach", _("Coachen")

    class ScaleType(models.TextChoices):
        NUMERIC = "numeric", _("Heltal i ett intervall")
        CATEGORIES = "categories", _("Ordnade svarsalternativ")

    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(_("nyckel"), max_length=60)
    order = models.PositiveSmallIntegerField(default=0)
    audience = models.CharField(_("besvaras av"), max_length=12, choices=Audience.choices)
    area = models.CharField(_("område"), max_length=200, blank=True)
    text = models.TextField(_("fråga"))
    scale_type = models.CharField(_("skala"), max_length=12, choices=ScaleType.choices)
    min_value = models.IntegerField(_("lägsta värde"))
    max_value = models.IntegerField(_("högsta värde"))
    min_label = models.CharField(max_length=100, blank=True)
    max_label = models.CharField(max_length=100, blank=True)
    # For ordered categories: [{"value": 1, "label": "…"}, …], values strictly increasing.
    options = models.JSONField(default=list, blank=True)
    higher_is_better = models.BooleanField(_("högre är bättre"), default=True)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("fråga")
        verbose_name_plural = _("frågor")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="item_unique_key"),
            models.CheckConstraint(
                condition=Q(min_value__lt=models.F("max_value")), name="item_scale_order"
            ),
        ]

    def __str__(self) -> str:
        return self.key

    def allowed_values(self) -> list[int]:
        if self.scale_type == self.ScaleType.CATEGORIES:
            return [int(o["value"]) for o in self.options]
        return list(range(self.min_value, self.max_value + 1))

    def label_for(self, value: int | None, labels: dict[int, str] | None = None) -> str:
        if value is None:
            return "–"
        if labels and value in labels:
            return labels[value]
        for option in self.options:
            if int(option["value"]) == value:
                return str(option["label"])
        return str(value)

    def score(self, value: int) -> int:
        """The value turned so that higher is always better (for change and movement)."""
        return value if self.higher_is_better else self.min_value + self.max_value - value

    def scale_signature(self) -> dict[str, Any]:
        return {
            "type": self.scale_type,
            "min": self.min_value,
            "max": self.max_value,
            "values": self.allowed_values(),
            "higher_is_better": self.higher_is_better,
        }


class LadderStepLabel(models.Model):
    """An association's own name for a step of a ladder instrument (association side, no
    personal data). Steps without a row keep the instrument's name."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")
    value = models.IntegerField(_("steg"))
    label = models.CharField(_("namn på steget"), max_length=200)

    class Meta:
        ordering = ["association", "instrument", "value"]
        verbose_name = _("namn på trappsteg")
        verbose_name_plural = _("namn på trappsteg")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "instrument", "value"], name="ladder_label_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value}: {self.label}"


class MeasurementPlan(models.Model):
    """When an intervention's participants are measured, and with which instruments.

    Provider-owned configuration. An intervention without a plan uses :data:`DEFAULT_PLAN`.
    """

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    intervention = models.OneToOneField(
        Intervention, on_delete=models.CASCADE, related_name="measurement_plan"
    )
    instruments = models.ManyToManyField(Instrument, verbose_name=_("instrument"), related_name="+")
    at_start = models.BooleanField(_("vid start"), default=True)
    interval_weeks = models.PositiveSmallIntegerField(
        _("därefter var N:e vecka"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        null=True,
        blank=True,
        help_text=_("Tomt: inga mätningar mellan start och avslut."),
    )
    at_exit = models.BooleanField(_("vid avslut"), default=True)
    at_follow_up = models.BooleanField(_("vid uppföljning efter avslut"), default=True)

    class Meta:
        verbose_name = _("mätplan")
        verbose_name_plural = _("mätplaner")
        indexes = [models.Index(fields=["provider", "intervention"], name="plan_provider_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_weeks__isnull=True)
                | Q(interval_weeks__gte=1, interval_weeks__lte=52),
                name="plan_interval_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Mätplan {self.intervention_id}"


class MeasurementQuerySet(ProviderOwnedQuerySet):
    coach_path = "enrolment__intervention__coaches"


class Measurement(models.Model):
    """One measuring occasion of one enrolment: a date, a kind and the instrument versions used.

    The participant's answers come through a self-assessment link or are entered by the coach
    on the participant's behalf (marked so); the coach's own ratings are entered by the coach.
    """

    class Occasion(models.TextChoices):
        START = "start", _("Vid start")
        PERIODIC = "periodic", _("Under insatsen")
        EXIT = "exit", _("Vid avslut")
        FOLLOW_UP = "follow_up", _("Uppföljning efter avslut")

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="measurements")
    occasion = models.CharField(_("tillfälle"), max_length=12, choices=Occasion.choices)
    date = models.DateField(_("datum"))
    versions = models.ManyToManyField(
        InstrumentVersion, verbose_name=_("instrument"), related_name="+"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    self_assessment_submitted_at = models.DateTimeField(null=True, blank=True)

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["date", "created_at"]
        verbose_name = _("mätning")
        verbose_name_plural = _("mätningar")
        indexes = [
            models.Index(fields=["provider", "enrolment", "date"], name="measurement_provider_idx")
        ]

    def __str__(self) -> str:
        return f"Mätning {self.date}"


class Answer(models.Model):
    """One answer to one item at one measurement. ``score`` is the value turned so that higher
    is better; figures use it."""

    class By(models.TextChoices):
        PARTICIPANT = "participant", _("Deltagaren själv (länk)")
        ON_BEHALF = "on_behalf", _("Coachen åt deltagaren")
        COACH = "coach", _("Coachen")

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    value = models.IntegerField(_("svar"))
    score = models.IntegerField()
    by = models.CharField(_("besvarad av"), max_length=12, choices=By.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["measurement", "item__order"]
        verbose_name = _("svar")
        verbose_name_plural = _("svar")
        indexes = [models.Index(fields=["provider", "measurement"], name="answer_provider_idx")]
        constraints = [
            models.UniqueConstraint(fields=["measurement", "item"], name="answer_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}={self.value}"


class SelfAssessmentLinkQuerySet(ProviderOwnedQuerySet):
    coach_path = "measurement__enrolment__intervention__coaches"


class SelfAssessmentLink(models.Model):
    """A one-time link for the participant's own answers at one measurement. Only the hash of
    its token is stored. It ends when submitted, when replaced, or after :data:`LIFETIME`."""

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = SelfAssessmentLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("självskattningslänk")
        verbose_name_plural = _("självskattningslänkar")
        indexes = [models.Index(fields=["provider", "measurement"], name="link_provider_idx")]

    def __str__(self) -> str:
        return f"Länk {str(self.public_id)[:8]}"

    @property
    def state(self) -> str:
        if self.submitted_at is not None:
            return str(_("inskickad"))
        if self.revoked_at is not None:
            return str(_("ersatt av en ny länk"))
        if self.expires_at <= timezone.now():
            return str(_("har gått ut"))
        return str(_("öppen"))

    def is_open(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.submitted_at is None and self.revoked_at is None and self.expires_at > now
