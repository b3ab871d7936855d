"""Indicator surveys (association side, anonymous) and violence screening (both sides).

Association side — every table carries ``association`` first and first in its indexes:

- ``Questionnaire`` → ``QuestionnaireVersion`` → ``Item``: questionnaires as data, loaded from a
  questionnaire file (``questionnaire_file.py``). A version never changes once loaded; a change
  (a new file, a local item added) makes a new version, and every answer keeps its version.
- ``SurveyRound``: the office opens a round of one version for interventions or an activity and a
  period; respondents reach it by a secret link.
- ``SurveyResponse`` / ``Answer``: one anonymous filled-in form and its answers. They hold no
  user, no address, no time of day (the date only), and random primary keys, so that not even
  their order tells who answered when.
- ``ViolenceTally``: the answers to the violence questions, only as counts per question, answer
  and year; never a row per person.
- ``ReferenceValue``, ``SurveyGoal``, ``ViolenceSupport``: national comparison figures, goals,
  and where to get help.

Provider side — ``ViolenceScreening``: whether the violence questions were asked in an enrolment
(owned by the provider, behind the provider wall, like the enrolment it belongs to).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from stegvis.core import crypto
from stegvis.core.models import Association, OwnedByAssociationQuerySet, Unit, User
from stegvis.interventions.models import Intervention, StructuralActivity
from stegvis.participants.models import Enrolment, ProviderOwnedQuerySet

if TYPE_CHECKING:
    from stegvis.core.actors import Actor


def translated(texts: dict[str, str] | None, language: str | None = None) -> str:
    """The text in the active (or given) language, falling back to Swedish."""
    texts = texts or {}
    language = (language or translation.get_language() or "sv").split("-")[0]
    return texts.get(language) or texts.get("sv") or ""


class RespondentGroup(models.TextChoices):
    PARTICIPANT_ONGOING = "deltagare_pagaende", _("Deltagare, pågående")
    PARTICIPANT_EXIT = "deltagare_avslut", _("Deltagare, vid avslut")
    STAFF = "personal", _("Personal i insatser")
    REFERRER = "remittent", _("Remittenter")
    MANAGER = "chefsgrupp", _("Chefer i samverkan (chefsgrupp, beredningsgrupp)")
    BOARD = "styrelse", _("Styrelseledamöter")
    ACTIVITY = "aktivitet", _("Deltagare i en strukturinsats (t.ex. seminarium)")
    PARTICIPANT = "deltagare", _("Deltagare (frågor om våld)")


class Questionnaire(models.Model):
    """A questionnaire the association uses: national (NNS), its own, or the violence questions."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("Nationell indikatorenkät")
        OWN = "own", _("Förbundets egen enkät")
        VIOLENCE = "violence", _("Frågor om våld")

    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="+", verbose_name=_("förbund")
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.SlugField(_("nyckel"), max_length=60)
    kind = models.CharField(_("typ"), max_length=10, choices=Kind.choices)
    respondent_group = models.CharField(
        _("respondentgrupp"), max_length=20, choices=RespondentGroup.choices
    )
    title = models.CharField(_("namn"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("enkät")
        verbose_name_plural = _("enkäter")
        indexes = [models.Index(fields=["association", "key"], name="questionnaire_assoc_idx")]
        constraints = [
            models.UniqueConstraint(fields=["association", "key"], name="questionnaire_unique_key")
        ]

    def __str__(self) -> str:
        return self.title

    def current_version(self) -> QuestionnaireVersion | None:
        return self.versions.order_by("-number").first()


class QuestionnaireVersion(models.Model):
    """One loaded version of a questionnaire. Never edited: answers point to the version."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    titles = models.JSONField(default=dict)
    intro = models.JSONField(default=dict, blank=True)
    source = models.CharField(_("källa"), max_length=200, blank=True)
    content_hash = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(_("inläst"), default=timezone.now)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("enkätversion")
        verbose_name_plural = _("enkätversioner")
        indexes = [models.Index(fields=["association", "questionnaire"], name="qversion_assoc_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="qversion_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number}"

    @property
    def title(self) -> str:
        return translated(self.titles) or self.questionnaire.title


class Item(models.Model):
    """A question of one version: its text in each language, its answer options and which of
    them count as positive (``options``: ``[{"value", "label": {sv, en}, "score"}]``)."""

    class Part(models.TextChoices):
        NATIONAL = "national", _("Nationell del (låst text)")
        LOCAL = "local", _("Lokal del (förbundets egna frågor)")

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField()
    key = models.CharField(_("nyckel"), max_length=40)
    number = models.CharField(_("nationellt frågenummer"), max_length=10, blank=True)
    part = models.CharField(_("del"), max_length=10, choices=Part.choices)
    texts = models.JSONField(default=dict)
    options = models.JSONField(default=list)
    positive = models.JSONField(default=list, blank=True)
    is_gender = models.BooleanField(_("frågan om kön"), default=False)
    placeholder = models.BooleanField(
        _("text saknas (läses in från licensierad fil)"), default=False
    )

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("fråga")
        verbose_name_plural = _("frågor")
        indexes = [models.Index(fields=["association", "version"], name="item_assoc_idx")]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="survey_item_unique_key"),
            models.UniqueConstraint(fields=["version", "position"], name="item_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.key}: {self.text}"

    @property
    def text(self) -> str:
        return translated(self.texts)

    @property
    def label(self) -> str:
        """The item's number as the national report cites it, or its key for local items."""
        return self.number or self.key

    def choices(self, language: str | None = None) -> list[tuple[str, str]]:
        return [(str(o["value"]), translated(o["label"], language)) for o in self.options]

    def option(self, value: str) -> dict[str, Any] | None:
        return next((o for o in self.options if str(o["value"]) == value), None)


class SurveyRoundQuerySet(OwnedByAssociationQuerySet):
    def for_provider(self, actor: Actor) -> SurveyRoundQuerySet:
        """Rounds of the interventions a provider role may see (for the link to hand out)."""
        visible = Intervention.objects.visible_to(actor)
        by_activity = Q(activity__intervention__in=visible)
        return self.filter(Q(interventions__in=visible) | by_activity).distinct()


class SurveyRound(models.Model):
    """A round of one questionnaire version, for interventions or an activity, over a period.

    The link's secret is kept encrypted (so the office and coaches can show the link and its QR
    code again) and as a hash (to find the round from a link without decrypting every row).
    """

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="rounds"
    )
    title = models.CharField(_("namn"), max_length=200)
    interventions = models.ManyToManyField(
        Intervention, verbose_name=_("insatser"), blank=True, related_name="+"
    )
    activity = models.ForeignKey(
        StructuralActivity,
        verbose_name=_("aktivitet"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opens_on = models.DateField(_("öppnar"))
    closes_on = models.DateField(_("stänger"))
    closed_on = models.DateField(_("stängd"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    token_encrypted = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = SurveyRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "title"]
        verbose_name = _("enkätomgång")
        verbose_name_plural = _("enkätomgångar")
        indexes = [models.Index(fields=["association", "-opens_on"], name="round_assoc_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="round_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def token(self) -> str:
        return crypto.decrypt(self.token_encrypted)

    @property
    def questionnaire(self) -> Questionnaire:
        return self.version.questionnaire

    def is_open(self, on: date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.closed_on is None and self.opens_on <= day <= self.closes_on

    def state(self, on: date | None = None) -> str:
        day = on or timezone.localdate()
        if self.closed_on is not None or day > self.closes_on:
            return str(_("Stängd"))
        if day < self.opens_on:
            return str(_("Inte öppnad än"))
        return str(_("Öppen"))


class SurveyResponse(models.Model):
    """One anonymous filled-in form. The date only, never a time, a user or an address; a random
    primary key, so that the order of rows says nothing either."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses"
    )
    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_on = models.DateField(_("datum"))
    language = models.CharField(_("språk"), max_length=10)
    gender = models.CharField(_("kön"), max_length=10, blank=True)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        verbose_name = _("enkätsvar")
        verbose_name_plural = _("enkätsvar")
        indexes = [
            models.Index(fields=["association", "round"], name="response_assoc_idx"),
            models.Index(fields=["association", "answered_on"], name="response_date_idx"),
        ]

    def __str__(self) -> str:
        return f"Svar {self.answered_on}"


class Answer(models.Model):
    """One answer of one response. ``score`` (for the mean) is empty for "don't know";
    ``positive`` says whether the answer counts as positive, as the version defines it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    value = models.CharField(_("svar"), max_length=20)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    positive = models.BooleanField(null=True)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        verbose_name = _("svar")
        verbose_name_plural = _("svar")
        indexes = [models.Index(fields=["association", "item"], name="answer_assoc_idx")]
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="answer_one_per_item")
        ]

    def __str__(self) -> str:
        return self.value


class ReferenceValue(models.Model):
    """A national comparison figure for one year, respondent group and national item number."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(
        _("år"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    respondent_group = models.CharField(
        _("respondentgrupp"), max_length=20, choices=RespondentGroup.choices
    )
    number = models.CharField(_("frågenummer"), max_length=10)
    share_positive = models.DecimalField(
        _("andel positiva (%)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    mean = models.DecimalField(_("medelvärde"), max_digits=5, decimal_places=2, null=True)
    responses = models.PositiveIntegerField(_("antal svar"), null=True)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "respondent_group", "number"]
        verbose_name = _("nationellt jämförelsevärde")
        verbose_name_plural = _("nationella jämförelsevärden")
        indexes = [models.Index(fields=["association", "year"], name="reference_assoc_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "year", "respondent_group", "number"],
                name="reference_unique",
            ),
            models.CheckConstraint(
                condition=Q(share_positive__gte=0) & Q(share_positive__lte=100),
                name="reference_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.respondent_group} {self.number}"


class SurveyGoal(models.Model):
    """A goal of the operating plan for one question: at least the national level of a reference
    year, or at least a share of positive answers ("95 % feel more ready to work or study")."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("Minst nationell nivå")
        SHARE = "share", _("Minst en andel positiva svar")

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="goals")
    item_key = models.CharField(_("fråga"), max_length=40)
    year = models.PositiveSmallIntegerField(
        _("år"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    kind = models.CharField(_("typ av mål"), max_length=10, choices=Kind.choices)
    target = models.DecimalField(
        _("målvärde (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    reference_year = models.PositiveSmallIntegerField(_("jämförelseår"), null=True, blank=True)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["year", "item_key"]
        verbose_name = _("enkätmål")
        verbose_name_plural = _("enkätmål")
        indexes = [models.Index(fields=["association", "year"], name="surveygoal_assoc_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="share", target__isnull=False)
                | Q(kind="national", reference_year__isnull=False),
                name="surveygoal_kind_has_its_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_key} {self.year}"


class ViolenceTally(models.Model):
    """Answers to one violence question: how many gave one answer, in one round, intervention
    and year. ``value`` "" counts the forms on which the question was left unanswered."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="tallies")
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="tallies")
    year = models.PositiveSmallIntegerField(_("år"))
    value = models.CharField(_("svar"), max_length=20, blank=True)
    count = models.PositiveIntegerField(_("antal"), default=0)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        verbose_name = _("sammanräkning av svar om våld")
        verbose_name_plural = _("sammanräkningar av svar om våld")
        indexes = [models.Index(fields=["association", "year"], name="tally_assoc_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "intervention", "item", "year", "value"], name="tally_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.label} {self.value}: {self.count}"


class ViolenceSupport(models.Model):
    """Where to get help (shown after the violence questions) and the routine for referring on
    (shown to coaches), per association."""

    association = models.OneToOneField(
        Association, on_delete=models.PROTECT, related_name="+", verbose_name=_("förbund")
    )
    help_text = models.TextField(_("Var du kan få hjälp (svenska)"))
    help_text_en = models.TextField(_("Var du kan få hjälp (engelska)"), blank=True)
    routine = models.TextField(_("Rutin för att hänvisa vidare (för coacher)"))

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        verbose_name = _("stöd vid våld")
        verbose_name_plural = _("stöd vid våld")

    def __str__(self) -> str:
        return str(self.association)

    def help_for(self, language: str | None = None) -> str:
        language = (language or translation.get_language() or "sv").split("-")[0]
        if language == "en" and self.help_text_en:
            return self.help_text_en
        return self.help_text


class ScreeningQuerySet(ProviderOwnedQuerySet):
    coach_path = "enrolment__intervention__coaches"


class ViolenceScreening(models.Model):
    """Whether the violence questions were asked in an enrolment: the only per-person fact about
    them. The source of truth; ``Enrolment.violence_screening_asked`` mirrors it."""

    class Outcome(models.TextChoices):
        ASKED = "asked", _("Ja, frågorna är ställda")
        NOT_ASKED = "not_asked", _("Nej, inte ställda")
        NOT_POSSIBLE = "not_possible", _("Inte möjligt att ställa")

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="violence_screening"
    )
    outcome = models.CharField(_("ställda"), max_length=15, choices=Outcome.choices)
    reason = models.CharField(_("varför"), max_length=300, blank=True)
    on = models.DateField(_("datum"))
    asked_by = models.ForeignKey(
        User,
        verbose_name=_("av"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        verbose_name = _("frågor om våld")
        verbose_name_plural = _("frågor om våld")
        indexes = [models.Index(fields=["provider", "on"], name="screening_provider_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="not_possible") | ~Q(reason=""),
                name="screening_not_possible_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Frågor om våld {self.on}"
