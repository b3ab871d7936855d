"""The public catalogue of interventions and the interest registrations sent from it.

Two owners, two walls:

- ``CatalogueEntry`` belongs to the association that leads the intervention (its office writes
  the texts). It holds only what the association chooses to publish about the intervention: no
  personal data. Its contact fields are the intervention's public contact (a team's mailbox and
  telephone), which the office writes for anyone to read.
- ``InterestRegistration`` belongs to the provider that runs the intervention. It holds the
  sender's contact details, encrypted at rest like participants' names, and is never stored on or
  shown to the association side. It is read through ``visible_to(actor)`` like the participants
  app's tables, and erased when it is no longer needed (``services.erase_handled_registrations``).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stegvis.core import crypto
from stegvis.core.models import Association, Municipality, OwnedByAssociationQuerySet, Unit, User
from stegvis.interventions.models import Intervention
from stegvis.participants.models import ProviderOwnedQuerySet, Referral

# Texts older than this get a reminder on the office's catalogue list.
REVIEW_INTERVAL = timedelta(days=365)


class Need(models.TextChoices):
    """What a person may want help with: the catalogue's filter by need, in plain Swedish."""

    ARBETE = "arbete", _("Komma närmare ett arbete")
    STUDIER = "studier", _("Börja eller fortsätta studera")
    HALSA = "halsa", _("Må bättre och orka mer")
    VARDAG = "vardag", _("Få vardagen att fungera")
    SPRAK = "sprak", _("Lära mig mer svenska")
    UNGA = "unga", _("Stöd för dig som är ung")


class CatalogueEntryQuerySet(OwnedByAssociationQuerySet):
    def public(self) -> CatalogueEntryQuerySet:
        """What anyone may see: published texts of individual interventions that are running."""
        return self.filter(
            published=True,
            intervention__kind=Intervention.Kind.INDIVIDUAL,
            intervention__status=Intervention.Status.RUNNING,
        )


class CatalogueEntry(models.Model):
    """The catalogue texts of one intervention, written by the lead association's office."""

    association = models.ForeignKey(
        Association, verbose_name=_("förbund"), on_delete=models.PROTECT, related_name="+"
    )
    intervention = models.OneToOneField(
        Intervention,
        verbose_name=_("insats"),
        on_delete=models.CASCADE,
        related_name="catalogue_entry",
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    published = models.BooleanField(
        _("visa i den öppna katalogen"),
        default=False,
        help_text=_("Bara publicerade insatser som pågår visas för allmänheten."),
    )
    summary = models.CharField(
        _("kort beskrivning"),
        max_length=300,
        help_text=_("En eller två meningar som visas i listan. Skriv till den som läser: du, vi."),
    )
    description = models.TextField(_("om insatsen"), blank=True)
    target_group = models.TextField(_("vem insatsen är för"), blank=True)
    criteria = models.TextField(_("villkor för att delta"), blank=True)
    activities = models.TextField(_("vad du gör i insatsen"), blank=True)
    duration = models.CharField(
        _("hur länge"), max_length=200, blank=True, help_text=_("Till exempel: 6–12 månader.")
    )
    needs = models.JSONField(_("behov som insatsen passar för"), default=list, blank=True)
    how_to_apply = models.TextField(_("så anmäler du dig"), blank=True)
    # The intervention's public contact (a team's mailbox and number), not a participant's.
    contact_name = models.CharField(_("kontakt"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-post till insatsen"), blank=True)
    contact_tel = models.CharField(_("telefon till insatsen"), max_length=40, blank=True)
    registrations_open = models.BooleanField(
        _("ta emot intresseanmälningar via webben"),
        default=True,
        help_text=_("Anmälan går direkt till utföraren. Förbundet ser den aldrig."),
    )
    reviewed_on = models.DateField(_("senast granskad"), null=True, blank=True)
    updated_at = models.DateTimeField(_("senast ändrad"), default=timezone.now)

    objects = CatalogueEntryQuerySet.as_manager()

    class Meta:
        ordering = ["intervention__name"]
        verbose_name = _("katalogtext")
        verbose_name_plural = _("katalogtexter")
        indexes = [
            models.Index(fields=["association", "published"], name="catalogue_association_idx")
        ]

    def __str__(self) -> str:
        return f"Katalogtext {self.intervention_id}"

    def get_absolute_url(self) -> str:
        return reverse("catalogue:detail", kwargs={"insats": self.intervention.public_id})

    def review_due(self, today: date | None = None) -> bool:
        """Never reviewed, or reviewed more than twelve months ago."""
        day = today or timezone.localdate()
        return self.reviewed_on is None or self.reviewed_on + REVIEW_INTERVAL < day

    def need_labels(self) -> list[str]:
        labels = dict(Need.choices)
        return [str(labels[n]) for n in Need.values if n in (self.needs or [])]


class InterestRegistrationQuerySet(ProviderOwnedQuerySet):
    """The provider's staff; a coach only registrations to the interventions they work in."""

    coach_path = "intervention__coaches"


class InterestRegistration(models.Model):
    """An interest registration (intresseanmälan) from the public catalogue, at the provider.

    Holds only what the provider needs to call back, encrypted. The person's national id is not
    asked here: the provider asks it when it turns the registration into a referral.
    """

    class Applicant(models.TextChoices):
        SELF = "sjalv", _("Personen själv")
        CASE_WORKER = "handlaggare", _("En handläggare, med personens samtycke")

    class State(models.TextChoices):
        NEW = "new", _("Ny")
        CONVERTED = "converted", _("Blev en remiss")
        DECLINED = "declined", _("Avböjd")

    class DeclineReason(models.TextChoices):
        NOT_REACHED = "ej_nadd", _("Vi nådde inte personen")
        NOT_INTERESTED = "ej_intresserad", _("Personen ville inte gå vidare")
        OTHER_INTERVENTION = "annan_insats", _("Annat stöd passar bättre")
        CRITERIA = "villkor", _("Uppfyller inte villkoren")
        DUPLICATE = "dubblett", _("Dubblett av en annan anmälan")
        OTHER = "annat", _("Annat skäl")
        # Set only by erase_registrations, for registrations nobody handled in time.
        EXPIRED = "utgangen", _("Inte hanterad i tid")

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    intervention = models.ForeignKey(
        Intervention, verbose_name=_("insats"), on_delete=models.PROTECT, related_name="+"
    )
    applicant = models.CharField(_("anmäld av"), max_length=12, choices=Applicant.choices)
    name_encrypted = models.TextField(blank=True)
    phone_encrypted = models.TextField(blank=True)
    email_encrypted = models.TextField(blank=True)
    need_encrypted = models.TextField(blank=True)
    language_encrypted = models.TextField(blank=True)
    case_worker_encrypted = models.TextField(blank=True)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("mottagen"), default=timezone.now)
    state = models.CharField(_("status"), max_length=12, choices=State.choices, default=State.NEW)
    handled_at = models.DateTimeField(_("hanterad"), null=True, blank=True)
    handled_by = models.ForeignKey(
        User, verbose_name=_("hanterad av"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    decline_reason = models.CharField(
        _("skäl"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    erased_at = models.DateTimeField(_("kontaktuppgifter raderade"), null=True, blank=True)

    objects = InterestRegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("intresseanmälan")
        verbose_name_plural = _("intresseanmälningar")
        indexes = [
            models.Index(
                fields=["provider", "state", "-received_at"], name="interest_provider_idx"
            ),
        ]
        constraints = [
            # Handled exactly when no longer new; a conversion names its referral, a decline
            # its reason.
            models.CheckConstraint(
                condition=Q(state="new", handled_at__isnull=True)
                | (~Q(state="new") & Q(handled_at__isnull=False)),
                name="interest_handled_iff_not_new",
            ),
            models.CheckConstraint(
                condition=~Q(state="converted") | Q(referral__isnull=False),
                name="interest_converted_has_referral",
            ),
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(decline_reason=""),
                name="interest_declined_has_reason",
            ),
        ]

    def __str__(self) -> str:
        # Never the name: this string can end up in logs.
        return f"Intresseanmälan {self.reference}"

    @property
    def reference(self) -> str:
        """A short reference for the receipt and the phone call: no personal data."""
        return self.public_id.hex[:8].upper()

    def _read(self, value: str) -> str:
        return crypto.decrypt(value) if value else ""

    @property
    def name(self) -> str:
        return self._read(self.name_encrypted)

    @property
    def phone(self) -> str:
        return self._read(self.phone_encrypted)

    @property
    def email(self) -> str:
        return self._read(self.email_encrypted)

    @property
    def need(self) -> str:
        return self._read(self.need_encrypted)

    @property
    def language(self) -> str:
        return self._read(self.language_encrypted)

    @property
    def case_worker(self) -> str:
        return self._read(self.case_worker_encrypted)

    @property
    def is_open(self) -> bool:
        return self.state == self.State.NEW
