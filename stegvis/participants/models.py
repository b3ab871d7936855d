"""Participants and their path through an intervention: provider side only (DESIGN.md §1, §3).

Every table here is owned by a provider (``provider`` first, first in indexes). Identities (national
id, name, contact details) are encrypted at rest; the national id also has a blind index, scoped to
the provider, for exact look-up and duplicate detection. Reads and writes go through
``services.py``, which writes the audit events; querysets are read through ``visible_to(actor)``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stegvis.core import crypto
from stegvis.core.codes import (
    Education,
    ExitReason,
    Gender,
    IncomeSource,
    Occupation,
    TimeOutside,
    YesNoUnknown,
)
from stegvis.core.models import Municipality, Organisation, Role, RoleAssignment, Unit, User
from stegvis.interventions.models import Intervention

if TYPE_CHECKING:
    from stegvis.core.actors import Actor


class ProviderOwnedQuerySet(models.QuerySet):
    """Rows of one provider, for its staff only; a coach sees only the rows that
    :meth:`coach_filter` allows (by default: of the interventions they are assigned to)."""

    coach_path = "intervention__coaches"

    def coach_filter(self, actor: Actor) -> Q:
        return Q(**{self.coach_path: actor.user})

    def visible_to(self, actor: Actor) -> ProviderOwnedQuerySet:
        if actor.unit is None or actor.role not in {Role.PROVIDER_MANAGER, Role.COACH}:
            return self.none()
        rows = self.filter(provider=actor.unit)
        if actor.role == Role.COACH:
            rows = rows.filter(self.coach_filter(actor)).distinct()
        return rows


class ConsentQuerySet(ProviderOwnedQuerySet):
    def coach_filter(self, actor: Actor) -> Q:
        """The consents of the participants the coach may see (enrolled or referred)."""
        return Q(participant__in=Participant.objects.visible_to(actor))


class FollowUpQuerySet(ProviderOwnedQuerySet):
    coach_path = "enrolment__intervention__coaches"


class ParticipantQuerySet(ProviderOwnedQuerySet):
    def coach_filter(self, actor: Actor) -> Q:
        # Assigned to an intervention the person is enrolled in or referred to.
        return Q(enrolments__intervention__coaches=actor.user) | Q(
            referrals__intervention__coaches=actor.user
        )


class Participant(models.Model):
    """A person in the provider's interventions. One person is one participant per provider."""

    class IdentityKind(models.TextChoices):
        PERSONNUMMER = "personnummer", _("Personnummer")
        SAMORDNINGSNUMMER = "samordningsnummer", _("Samordningsnummer")
        RESERVE = "reserv", _("Reservidentitet (saknar svenskt nummer)")
        PROTECTED = "skyddad", _("Skyddade personuppgifter (ingen identitet lagras)")

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="participants")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    identity_kind = models.CharField(_("identitet"), max_length=20, choices=IdentityKind.choices)
    national_id_encrypted = models.TextField(blank=True)
    national_id_index = models.CharField(max_length=64, blank=True)
    reserve_id = models.CharField(
        _("reservnummer"),
        max_length=40,
        blank=True,
        help_text=_("Utförarens egen beteckning när personen saknar svenskt nummer."),
    )
    name_encrypted = models.TextField(blank=True)
    contact_encrypted = models.TextField(blank=True)
    gender = models.CharField(_("kön"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("födelsedatum"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("födelseår"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    home_municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("hemkommun"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    born_outside_nordic = models.CharField(
        _("född utanför Norden"),
        max_length=12,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.EJ_ANGIVET,
    )
    created_at = models.DateTimeField(default=timezone.now)
    identity_erased_at = models.DateTimeField(_("identitet raderad"), null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("deltagare")
        verbose_name_plural = _("deltagare")
        indexes = [
            models.Index(fields=["provider", "national_id_index"], name="participant_lookup_idx"),
            models.Index(fields=["provider", "-created_at"], name="participant_provider_idx"),
        ]
        constraints = [
            # One person is one participant within a provider.
            models.UniqueConstraint(
                fields=["provider", "national_id_index"],
                condition=~Q(national_id_index=""),
                name="participant_unique_national_id",
            ),
            models.UniqueConstraint(
                fields=["provider", "reserve_id"],
                condition=~Q(reserve_id=""),
                name="participant_unique_reserve_id",
            ),
            # Protected personal data: no identity at all is stored.
            models.CheckConstraint(
                condition=~Q(identity_kind="skyddad")
                | Q(
                    national_id_encrypted="", name_encrypted="", contact_encrypted="", reserve_id=""
                ),
                name="participant_protected_has_no_identity",
            ),
        ]

    def __str__(self) -> str:
        # Never the name or number: this string can end up in logs.
        return f"Deltagare {str(self.public_id)[:8]}"

    @property
    def national_id(self) -> str:
        return crypto.decrypt(self.national_id_encrypted) if self.national_id_encrypted else ""

    @property
    def name(self) -> str:
        return crypto.decrypt(self.name_encrypted) if self.name_encrypted else ""

    @property
    def contact(self) -> str:
        return crypto.decrypt(self.contact_encrypted) if self.contact_encrypted else ""

    @property
    def display_name(self) -> str:
        if self.identity_kind == self.IdentityKind.PROTECTED:
            return str(_("Skyddad identitet"))
        if self.identity_erased_at:
            return str(_("Identitet raderad"))
        return self.name or self.masked_id or str(self)

    @property
    def masked_id(self) -> str:
        """The birth date part only, e.g. 19900101-****: enough to tell people apart on screen."""
        number = self.national_id
        if len(number) >= 8:
            return f"{number[:8]}-****"
        return self.reserve_id

    def age_on(self, day: date) -> int:
        if self.birth_date is not None:
            born = self.birth_date
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        return day.year - self.birth_year


class Consent(models.Model):
    """What the participant consented to, when, and whether it was withdrawn."""

    class Form(models.TextChoices):
        PAPER = "papper", _("Papper")
        DIGITAL = "digitalt", _("Digitalt")

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="consents")
    registration = models.BooleanField(_("registrering i Stegvis"), default=True)
    information_exchange = models.BooleanField(
        _("informationsutbyte mellan parter (sekretesslättnad)"), default=False
    )
    exchange_with = models.ManyToManyField(
        Organisation, verbose_name=_("utbyte med"), blank=True, related_name="+"
    )
    follow_up = models.BooleanField(_("uppföljning efter avslut"), default=False)
    surveys = models.BooleanField(_("enkäter"), default=False)
    given_on = models.DateField(_("datum"))
    form = models.CharField(_("form"), max_length=10, choices=Form.choices, default=Form.PAPER)
    valid_until = models.DateField(
        _("giltigt till"),
        null=True,
        blank=True,
        help_text=_("Tomt: gäller till två år efter avslut."),
    )
    withdrawn_on = models.DateField(_("återkallat"), null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on"]
        verbose_name = _("samtycke")
        verbose_name_plural = _("samtycken")
        indexes = [models.Index(fields=["provider", "participant"], name="consent_provider_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("given_on")),
                name="consent_valid_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"Samtycke {self.given_on}"

    def is_valid_on(self, day: date, last_exit: date | None = None) -> bool:
        if self.given_on > day or (self.withdrawn_on is not None and self.withdrawn_on <= day):
            return False
        until = self.valid_until
        if until is None and last_exit is not None:
            until = (
                last_exit.replace(year=last_exit.year + 2)
                if not (last_exit.month == 2 and last_exit.day == 29)
                else date(last_exit.year + 2, 2, 28)
            )
        return until is None or day <= until


class Referral(models.Model):
    """A referral (remiss, ansökan) to an intervention, and its handling."""

    class Source(models.TextChoices):
        REFERRER = "remittent", _("Remittent")
        PROVIDER = "utforare", _("Registrerad av utföraren")
        SELF = "egen", _("Egenanmälan")

    class State(models.TextChoices):
        RECEIVED = "received", _("Mottagen")
        VISA_BOOKED = "visa_booked", _("Informationsbesök (VISA) bokat")
        ACCEPTED = "accepted", _("Antagen")
        DECLINED = "declined", _("Avböjd")
        WITHDRAWN = "withdrawn", _("Återtagen")

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="referrals")
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("källa"), max_length=12, choices=Source.choices)
    referrer = models.ForeignKey(
        RoleAssignment,
        verbose_name=_("remittent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_sent",
    )
    referring_kinds = models.JSONField(_("remitterande parter"), default=list)
    # The name a referrer wrote (encrypted): what their own pages show, never the name the
    # provider keeps, which may belong to a person the referrer did not know was registered.
    referred_name_encrypted = models.TextField(blank=True)
    # The birth date (YYYYMMDD) of the number a referrer typed, or the birth year (encrypted):
    # a number the provider corrects later is not shown to the referrer.
    referred_born_encrypted = models.TextField(blank=True)
    members_involved = models.ManyToManyField(
        Organisation,
        verbose_name=_("parter med behov av samordning"),
        blank=True,
        related_name="+",
    )
    planned_start = models.DateField(_("önskad start"))
    need = models.TextField(_("behov och bakgrund"), blank=True)
    received_at = models.DateTimeField(_("mottagen"), default=timezone.now)
    state = models.CharField(
        _("status"), max_length=12, choices=State.choices, default=State.RECEIVED
    )
    visa_date = models.DateField(_("datum för informationsbesök"), null=True, blank=True)
    decided_at = models.DateTimeField(_("beslutad"), null=True, blank=True)
    decision_reason = models.TextField(_("motivering"), blank=True)
    failed_rules = models.JSONField(_("ej uppfyllda villkor"), default=list, blank=True)
    override_reason = models.TextField(_("skäl att anta trots ej uppfyllda villkor"), blank=True)

    objects = ProviderOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("remiss")
        verbose_name_plural = _("remisser")
        indexes = [
            models.Index(fields=["provider", "state"], name="referral_provider_idx"),
            models.Index(fields=["referrer", "-received_at"], name="referral_referrer_idx"),
        ]

    def __str__(self) -> str:
        return f"Remiss {str(self.public_id)[:8]}"

    @property
    def referrer_label(self) -> str:
        """The person as their referrer sees them: the name they wrote and the birth date of the
        number they typed, never what the provider keeps (its name or reserve number)."""
        person = self.participant
        if person.identity_kind == Participant.IdentityKind.PROTECTED:
            return str(_("Skyddad identitet"))
        if person.identity_erased_at:
            return str(_("Identitet raderad"))
        name = crypto.decrypt(self.referred_name_encrypted) if self.referred_name_encrypted else ""
        born = crypto.decrypt(self.referred_born_encrypted) if self.referred_born_encrypted else ""
        if len(born) == 8:
            born = f"{born}-****"
        return ", ".join(part for part in (name, born) if part) or "–"

    @property
    def is_open(self) -> bool:
        return self.state in {self.State.RECEIVED, self.State.VISA_BOOKED}


class Enrolment(models.Model):
    """An enrolment (inskrivning) in one intervention, with its exit (avslut) when it ends."""

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="enrolments"
    )
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="+")
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="enrolment"
    )
    start = models.DateField(_("startdatum"))
    intro_end = models.DateField(_("introduktionen slutar"), null=True, blank=True)
    multiparty_meeting = models.DateField(_("flerpartsmöte"), null=True, blank=True)
    multiparty_decision = models.TextField(_("beslut vid flerpartsmötet"), blank=True)
    coach = models.ForeignKey(
        User,
        verbose_name=_("ansvarig coach"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    intensity = models.PositiveSmallIntegerField(
        _("omfattning (% av heltid)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    plan_notes = models.TextField(_("planering"), blank=True)
    # Background at start (code-lists.md).
    income_source_start = models.CharField(
        _("försörjning vid start"), max_length=30, choices=IncomeSource.choices, default="okand"
    )
    occupation_start = models.CharField(
        _("sysselsättning vid start"), max_length=20, choices=Occupation.choices, default="ovrigt"
    )
    time_outside = models.CharField(
        _("tid utanför arbetsmarknaden"),
        max_length=20,
        choices=TimeOutside.choices,
        default="okand",
    )
    education = models.CharField(
        _("utbildningsnivå"), max_length=30, choices=Education.choices, default="okand"
    )
    referring_kinds = models.JSONField(_("remitterande parter"), default=list, blank=True)
    # Exit.
    exit_date = models.DateField(_("avslutsdatum"), null=True, blank=True)
    exit_reason = models.CharField(
        _("avslutsorsak"), max_length=20, choices=ExitReason.choices, blank=True
    )
    income_source_exit = models.CharField(
        _("försörjning vid avslut"), max_length=30, choices=IncomeSource.choices, blank=True
    )
    occupation_exit = models.CharField(
        _("sysselsättning vid avslut"), max_length=20, choices=Occupation.choices, blank=True
    )
    exit_summary = models.TextField(_("avslutssammanfattning"), blank=True)
    exit_notes = models.TextField(_("anteckningar vid avslut"), blank=True)
    violence_screening_asked = models.BooleanField(_("frågor om våld ställda"), default=False)
    survey_offered_at_exit = models.BooleanField(_("enkät erbjuden vid avslut"), default=False)

    objects = ProviderOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        verbose_name = _("inskrivning")
        verbose_name_plural = _("inskrivningar")
        indexes = [
            models.Index(
                fields=["provider", "intervention", "start"], name="enrolment_provider_idx"
            ),
            models.Index(fields=["provider", "exit_date"], name="enrolment_exit_idx"),
        ]
        constraints = [
            # An exit date exists exactly when an exit reason does.
            models.CheckConstraint(
                condition=(Q(exit_date__isnull=True) & Q(exit_reason=""))
                | (Q(exit_date__isnull=False) & ~Q(exit_reason="")),
                name="enrolment_exit_date_iff_reason",
            ),
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | Q(exit_date__gte=models.F("start")),
                name="enrolment_exit_not_before_start",
            ),
            # One open enrolment per participant and intervention.
            models.UniqueConstraint(
                fields=["participant", "intervention"],
                condition=Q(exit_date__isnull=True),
                name="enrolment_one_open_per_intervention",
            ),
        ]

    def __str__(self) -> str:
        return f"Inskrivning {self.start}"

    @property
    def is_open(self) -> bool:
        return self.exit_date is None


class Pause(models.Model):
    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="pauses")
    start = models.DateField(_("från"))
    end = models.DateField(_("till"), null=True, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("uppehåll")
        verbose_name_plural = _("uppehåll")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="pause_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Uppehåll {self.start}"


class FollowUp(models.Model):
    """Follow-up N months after exit: occupation and income source, or not reached."""

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField(_("månader efter avslut"))
    due = models.DateField(_("ska göras"))
    done_on = models.DateField(_("gjord"), null=True, blank=True)
    reached = models.BooleanField(_("nådd"), null=True)
    occupation = models.CharField(
        _("sysselsättning"), max_length=20, choices=Occupation.choices, blank=True
    )
    income_source = models.CharField(
        _("försörjning"), max_length=30, choices=IncomeSource.choices, blank=True
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due"]
        verbose_name = _("uppföljning")
        verbose_name_plural = _("uppföljningar")
        indexes = [models.Index(fields=["provider", "due"], name="followup_provider_idx")]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "months"], name="followup_unique_months"),
            # Done means either not reached, or reached with an occupation and income source.
            models.CheckConstraint(
                condition=Q(done_on__isnull=True, reached__isnull=True)
                | Q(done_on__isnull=False, reached=False)
                | Q(done_on__isnull=False, reached=True) & ~Q(occupation="") & ~Q(income_source=""),
                name="followup_done_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Uppföljning {self.months} mån"


class RetentionPolicy(models.Model):
    """How many years after the last exit a provider keeps identities (gallringsfrist).

    A provider without a row keeps them for :attr:`DEFAULT_YEARS`. Read by ``retention.py``.
    """

    DEFAULT_YEARS = 2

    provider = models.OneToOneField(
        Unit,
        verbose_name=_("utförare"),
        on_delete=models.CASCADE,
        related_name="retention_policy",
    )
    years = models.PositiveSmallIntegerField(
        _("gallringsfrist (år efter sista avslut)"),
        default=DEFAULT_YEARS,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_(
            "Så många år efter sista avslutet raderas namn, personnummer och kontaktuppgifter, "
            "om samtycket har gått ut eller återkallats."
        ),
    )

    class Meta:
        verbose_name = _("gallringsregel")
        verbose_name_plural = _("gallringsregler")
        constraints = [
            models.CheckConstraint(
                condition=Q(years__lte=10), name="retention_policy_years_at_most_10"
            ),
        ]

    def __str__(self) -> str:
        return f"Gallring efter {self.years} år"


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def visible_to(self, actor: Actor) -> ImportJobQuerySet:
        """The provider's managers (who alone may import) see the provider's import jobs."""
        if actor.unit is None or actor.role != Role.PROVIDER_MANAGER:
            return self.none()
        return self.filter(provider=actor.unit)


class ImportJob(models.Model):
    """A participant import run as a background task (``tasks.py``): its state, its progress
    and its result.

    Holds no personal data: the counts of what was saved, and each error as row, column and
    reason with the cells' own values left out (``imports.cell_values_left_out``). The file waits
    encrypted under ``var/imports/<file_token>`` until the task has run it, and is then deleted.
    While the task runs, the rows written so far are in a progress file beside it
    (``import_files.read_progress``); ``done`` and ``total`` here are the numbers committed at
    the start and at the end.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("väntar på sin tur")
        RUNNING = "running", _("pågår")
        DONE = "done", _("klar")
        FAILED = "failed", _("inte sparad")

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        User, verbose_name=_("startad av"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("startad"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    state = models.CharField(_("läge"), max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("rader"), default=0)
    done = models.PositiveIntegerField(_("sparade rader"), default=0)
    # What was saved, as in imports.ImportResult: rows, new_participants, existing_participants,
    # consents, enrolments, exits, follow_ups.
    counts = models.JSONField(default=dict, blank=True)
    # Every error: [{"row": 12, "column": "startdatum", "message": "…"}], row 0 = the whole file.
    errors = models.JSONField(default=list, blank=True)
    # The waiting file (empty once the job has ended) and how to read it.
    file_token = models.CharField(max_length=64, blank=True)
    file_extension = models.CharField(max_length=5, blank=True)
    # The language the messages are written in: the one the import was confirmed in.
    language = models.CharField(max_length=10, default="sv")

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("importer")
        indexes = [models.Index(fields=["provider", "-created_at"], name="importjob_provider_idx")]

    def __str__(self) -> str:
        return f"Import {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.state in {self.State.QUEUED, self.State.RUNNING}
