"""The operating plan (verksamhetsplan) as data: association side, no personal data.

A plan is one version of an association's plan for a year (with the two following planning
years). Versions move draft → sent for consultation → decided; a decided version is locked and a
change means a new version. Goals point at figures of the system through the measure registry
(``measures.py``), so the follow-up reads the outcome instead of having it typed in.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stegvis.core.models import Association, OwnedByAssociationQuerySet
from stegvis.interventions.models import Intervention

if TYPE_CHECKING:
    from stegvis.plans.measures import Measure

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]
PLANNING_YEARS = 2  # the plan year and two following planning years


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        CONSULTATION = "consultation", _("Skickad på samråd")
        DECIDED = "decided", _("Beslutad")

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    introduction = models.TextField(_("inledning"), blank=True)
    vision = models.TextField(_("vision"), blank=True)
    mission = models.TextField(_("uppdrag"), blank=True)
    target_groups = models.TextField(_("målgrupper"), blank=True)
    organisation = models.TextField(_("organisation"), blank=True)
    sent_on = models.DateField(_("skickad på samråd"), null=True, blank=True)
    decided_on = models.DateField(_("beslutsdatum"), null=True, blank=True)
    decision_number = models.CharField(_("beslutsnummer"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-version"]
        verbose_name = _("verksamhetsplan")
        verbose_name_plural = _("verksamhetsplaner")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "year", "version"], name="plan_year_version"
            ),
            models.CheckConstraint(
                condition=(Q(status="decided") & Q(decided_on__isnull=False))
                | (~Q(status="decided") & Q(decided_on__isnull=True)),
                name="plan_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} v{self.version}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.DECIDED

    @property
    def years(self) -> list[int]:
        return [self.year + i for i in range(PLANNING_YEARS + 1)]


class FocusArea(models.Model):
    """A målområde of the plan."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("målområde"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("målområde")
        verbose_name_plural = _("målområden")

    def __str__(self) -> str:
        return self.name


class PlanGoal(models.Model):
    """A goal: a text, and where measurable a measure (a key of ``measures.MEASURES``), a target
    and a scope (the association, or one intervention it funds)."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("mål"), max_length=400)
    measure = models.CharField(_("mått"), max_length=40, blank=True)
    target = models.DecimalField(
        _("målvärde"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("insats"),
    )
    by_gender = models.BooleanField(_("uppdelat på kön"), default=False)
    questionnaire = models.ForeignKey(
        "surveys.Questionnaire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enkät"),
    )
    item_key = models.CharField(_("fråga"), max_length=60, blank=True)
    at_least_reference = models.BooleanField(_("minst nationell nivå föregående år"), default=False)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        constraints = [
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target__gte=0), name="plangoal_target_sign"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def measure_info(self) -> Measure | None:
        from stegvis.plans.measures import MEASURES

        return MEASURES.get(self.measure)


class PlanActivity(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planerad")
        ONGOING = "ongoing", _("Pågår")
        DONE = "done", _("Genomförd")
        CANCELLED = "cancelled", _("Inställd")

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="activities")
    text = models.CharField(_("aktivitet"), max_length=400)
    responsible = models.CharField(_("ansvarig"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    quarter = models.PositiveSmallIntegerField(
        _("kvartal"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    comment = models.TextField(_("kommentar"), blank=True)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["year", "quarter", "id"]
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktiviteter")
        constraints = [
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="planactivity_quarter"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Consultation(models.Model):
    """A member consultation (medlemssamråd): officials of the members meet the association
    before the plan is decided. No private data beyond officials' names."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    date = models.DateField(_("datum"))
    title = models.CharField(_("rubrik"), max_length=200)
    agenda = models.TextField(_("dagordning"), blank=True)
    strategic_questions = models.TextField(_("strategiska frågor"), blank=True)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("medlemssamråd")
        verbose_name_plural = _("medlemssamråd")

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class ConsultationParticipant(models.Model):
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="participants"
    )
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("roll"), max_length=200)
    name = models.CharField(_("namn (tjänsteperson)"), max_length=200, blank=True)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "id"]
        verbose_name = _("deltagare i samråd")
        verbose_name_plural = _("deltagare i samråd")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.role}"


class Conclusion(models.Model):
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="conclusions"
    )
    text = models.TextField(_("slutsats"))

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("slutsats")
        verbose_name_plural = _("slutsatser")

    def __str__(self) -> str:
        return self.text[:80]


class Consideration(models.Model):
    """How a part of a plan (a focus area, a goal or an activity) considers a conclusion of a
    member consultation."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    conclusion = models.ForeignKey(
        Conclusion, on_delete=models.CASCADE, related_name="considerations"
    )
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="considerations")
    area = models.ForeignKey(
        FocusArea, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    goal = models.ForeignKey(
        PlanGoal, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    activity = models.ForeignKey(
        PlanActivity, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    how = models.TextField(_("hur slutsatsen beaktas"))

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("beaktande")
        verbose_name_plural = _("beaktanden")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(area__isnull=False, goal__isnull=True, activity__isnull=True)
                    | Q(area__isnull=True, goal__isnull=False, activity__isnull=True)
                    | Q(area__isnull=True, goal__isnull=True, activity__isnull=False)
                ),
                name="consideration_one_part",
            ),
        ]

    def __str__(self) -> str:
        return self.how[:80]

    @property
    def part(self) -> FocusArea | PlanGoal | PlanActivity:
        part = self.area or self.goal or self.activity
        assert part is not None
        return part


class Obligation(models.Model):
    """One recurring date of the governance year (årshjul): what is due, when each year, and
    which role is reminded by e-mail how many days before."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Medlemssamråd")
        ANNUAL_REPORT = "annual_report", _("Årsredovisning")
        INTERIM_REPORT = "interim_report", _("Delårsrapport")
        PLAN_DECISION = "plan_decision", _("Verksamhetsplan och budget beslutas")
        SURVEY_COMPILATION = "survey_compilation", _("Sammanställning av indikatorenkäter")
        PACKAGE_DEADLINE = "package_deadline", _("Utförarnas sammanställningar ska vara inne")
        OTHER = "other", _("Annat")

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("typ"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("åtagande"), max_length=200)
    month = models.PositiveSmallIntegerField(
        _("månad"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("dag"), validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    responsible_role = models.CharField(_("ansvarig roll"), max_length=20)
    remind_days_before = models.PositiveSmallIntegerField(
        _("påminnelse dagar före"), default=14, validators=[MaxValueValidator(120)]
    )
    active = models.BooleanField(_("aktiv"), default=True)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["month", "day", "id"]
        verbose_name = _("åtagande i årshjulet")
        verbose_name_plural = _("åtaganden i årshjulet")
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12) & Q(day__gte=1) & Q(day__lte=31),
                name="obligation_month_day",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_responsible_role_display(self) -> str:
        from stegvis.core.models import Role

        return str(Role(self.responsible_role).label)


class ReminderSent(models.Model):
    """That the reminder of one occurrence (due date) of an obligation was sent: at most once."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="reminders")
    due = models.DateField(_("förfallodag"))
    sent_on = models.DateField(_("skickad"))
    recipients = models.PositiveIntegerField(_("mottagare"), default=0)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        verbose_name = _("skickad påminnelse")
        verbose_name_plural = _("skickade påminnelser")
        constraints = [
            models.UniqueConstraint(fields=["obligation", "due"], name="reminder_once_per_due"),
        ]

    def __str__(self) -> str:
        return f"{self.obligation} {self.due}"
