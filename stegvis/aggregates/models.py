"""Aggregate packages: de-identified counts from a provider to a funding association.

Provider side (owner ``provider``): the provider's signing key (:class:`ProviderKey`), where each
enrolment's participant lived when it started (:class:`EnrolmentResidence`, so that a person who
moves later is still counted by the association that was paying then) and the record of each
package sent (:class:`PackageDispatch`).

Association side (owner ``association``): the public keys the office has registered
(:class:`ProviderKeyRegistration`), the packages received (:class:`ReceivedPackage`: the signed
document as it came) and their cells (:class:`PackageCell`: one count per table, row and gender).
Nothing on the association side can hold a person: no free text from the provider, no date finer
than a report period, and every cell is a count under a key from a closed list.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stegvis.core.models import (
    ASSOCIATION_ROLES,
    NETWORK_ROLES,
    Association,
    Municipality,
    Network,
    Role,
    Unit,
    User,
)
from stegvis.interventions.models import Intervention

if TYPE_CHECKING:
    from stegvis.core.actors import Actor


# --- Provider side -------------------------------------------------------------------------


class ProviderKey(models.Model):
    """The provider's Ed25519 key pair; the private key encrypted at rest (core.crypto)."""

    provider = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="signing_key")
    private_key_encrypted = models.TextField()
    public_key = models.CharField(_("publik nyckel"), max_length=64)
    key_id = models.CharField(_("nyckel-id"), max_length=16, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signeringsnyckel")
        verbose_name_plural = _("signeringsnycklar")

    def __str__(self) -> str:
        return f"Nyckel {self.key_id}"


class EnrolmentResidence(models.Model):
    """The participant's home municipality when the enrolment started.

    Written when the enrolment is created (``signals.py``); an enrolment without a row (made
    before this app existed) counts by the participant's current home municipality.
    """

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    enrolment = models.OneToOneField(
        "participants.Enrolment", on_delete=models.CASCADE, related_name="residence"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["provider", "enrolment"], name="residence_provider_idx")]

    def __str__(self) -> str:
        return f"Hemkommun vid start {self.municipality_id}"


class DispatchQuerySet(models.QuerySet["PackageDispatch"]):
    def visible_to(self, actor: Actor) -> DispatchQuerySet:
        if actor.unit is None or actor.role != Role.PROVIDER_MANAGER:
            return self.none()
        return self.filter(provider=actor.unit)


class PackageDispatch(models.Model):
    """One package the provider sent (or downloaded as a signed file): who, when, which
    version. The counts themselves are in ``document``, exactly as signed."""

    class Via(models.TextChoices):
        SHARED = "shared", _("Skickat i Stegvis")
        FILE = "file", _("Hämtat som fil")

    provider = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        Association, verbose_name=_("förbund"), on_delete=models.PROTECT, related_name="+"
    )
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=7)
    version = models.PositiveIntegerField(_("version"))
    document = models.JSONField()
    via = models.CharField(max_length=10, choices=Via.choices)
    sent_by = models.ForeignKey(
        User, verbose_name=_("skickat av"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("skickat"), default=timezone.now)

    objects = DispatchQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        indexes = [
            models.Index(
                fields=["provider", "intervention", "recipient", "period"],
                name="dispatch_provider_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "intervention", "recipient", "period", "version"],
                name="dispatch_unique_version",
            )
        ]

    def __str__(self) -> str:
        return f"Paket {self.period} v{self.version}"


# --- Association side ----------------------------------------------------------------------


class AssociationOwnedQuerySet(models.QuerySet):
    def visible_to(self, actor: Actor) -> AssociationOwnedQuerySet:
        if actor.association is None or actor.role not in ASSOCIATION_ROLES:
            return self.none()
        return self.filter(association=actor.association)


class ProviderKeyRegistration(models.Model):
    """A provider's public key, registered once by the office; packages signed with it are
    accepted from that provider."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sender = models.ForeignKey(
        Unit, verbose_name=_("utförare"), on_delete=models.PROTECT, related_name="+"
    )
    public_key = models.CharField(_("publik nyckel"), max_length=64)
    key_id = models.CharField(_("nyckel-id"), max_length=16)
    registered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)

    objects = AssociationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["registered_at"]
        indexes = [models.Index(fields=["association", "key_id"], name="keyreg_assoc_idx")]
        constraints = [
            models.UniqueConstraint(fields=["association", "key_id"], name="keyreg_unique_key")
        ]

    def __str__(self) -> str:
        return f"Nyckel {self.key_id}"


class ReceivedPackage(models.Model):
    """A package as the association received it. A corrected package for the same sender,
    intervention and period replaces the earlier one (``replaced_by``), whose changes against
    it are listed in ``changes``."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sender = models.ForeignKey(
        Unit, verbose_name=_("utförare"), on_delete=models.PROTECT, related_name="+"
    )
    intervention = models.ForeignKey(
        Intervention, verbose_name=_("insats"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=7)
    # The period's first and last day: a report period, never a person's date.
    period_start = models.DateField()
    period_end = models.DateField()
    version = models.PositiveIntegerField(_("version"))
    document = models.JSONField()
    signature = models.CharField(max_length=128)
    key_id = models.CharField(max_length=16)
    received_at = models.DateTimeField(_("mottaget"), default=timezone.now)
    received_via = models.CharField(max_length=10, choices=PackageDispatch.Via.choices)
    # [{"table": …, "row": …, "gender": …, "before": n, "after": n}] against the replaced one.
    changes = models.JSONField(default=list, blank=True)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AssociationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "intervention__name"]
        indexes = [
            models.Index(
                fields=["association", "intervention", "period_start"], name="received_assoc_idx"
            ),
            # Reports and compilations read one association's current packages of a year.
            models.Index(
                fields=["association", "period_start"],
                condition=Q(replaced_by__isnull=True),
                name="received_assoc_current_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "sender", "intervention", "period"],
                condition=Q(replaced_by__isnull=True),
                name="received_one_current_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="received_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Paket {self.period} v{self.version}"

    @property
    def is_correction(self) -> bool:
        return self.version > 1


class PackageCell(models.Model):
    """One count of a received package: table, row (a code), gender."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    package = models.ForeignKey(ReceivedPackage, on_delete=models.CASCADE, related_name="cells")
    table = models.CharField(max_length=30)
    row = models.CharField(max_length=30)
    gender = models.CharField(max_length=10)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["association", "package"], name="cell_assoc_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "table", "row", "gender"], name="cell_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.table}/{self.row}/{self.gender}={self.count}"


# --- Association side: compilations for a network --------------------------------------------


class AssociationKey(models.Model):
    """The association's Ed25519 key pair for its compilation packages; the private key
    encrypted at rest (core.crypto)."""

    association = models.OneToOneField(
        Association, on_delete=models.PROTECT, related_name="signing_key"
    )
    private_key_encrypted = models.TextField()
    public_key = models.CharField(_("publik nyckel"), max_length=64)
    key_id = models.CharField(_("nyckel-id"), max_length=16, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("förbundets signeringsnyckel")
        verbose_name_plural = _("förbundens signeringsnycklar")

    def __str__(self) -> str:
        return f"Nyckel {self.key_id}"


class CompilationDispatch(models.Model):
    """A compilation package the association built for a network: who, when, which version;
    the (suppressed) document exactly as signed."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.CharField(_("nätverk"), max_length=60)
    period = models.CharField(_("period"), max_length=7)
    version = models.PositiveIntegerField(_("version"))
    detail = models.BooleanField(_("per insats"))
    document = models.JSONField()
    built_by = models.ForeignKey(
        User, verbose_name=_("byggd av"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    built_at = models.DateTimeField(_("byggd"), default=timezone.now)

    objects = AssociationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-built_at"]
        indexes = [
            models.Index(fields=["association", "network", "period"], name="compdispatch_assoc_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "network", "period", "version"],
                name="compdispatch_unique_version",
            )
        ]

    def __str__(self) -> str:
        return f"Sammanställning {self.period} v{self.version}"


# --- Network side ----------------------------------------------------------------------------


class NetworkOwnedQuerySet(models.QuerySet):
    def visible_to(self, actor: Actor) -> NetworkOwnedQuerySet:
        if actor.network is None or actor.role not in NETWORK_ROLES:
            return self.none()
        return self.filter(network=actor.network)


class AssociationKeyRegistration(models.Model):
    """An association's public key, registered once by the network's compiler; compilation
    packages signed with it are accepted as that association's."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association_slug = models.SlugField(_("förbundets kortnamn"), max_length=60)
    association_name = models.CharField(_("förbundets namn"), max_length=200)
    public_key = models.CharField(_("publik nyckel"), max_length=64)
    key_id = models.CharField(_("nyckel-id"), max_length=16)
    registered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)

    objects = NetworkOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["association_name", "registered_at"]
        indexes = [models.Index(fields=["network", "key_id"], name="assockeyreg_network_idx")]
        constraints = [
            models.UniqueConstraint(fields=["network", "key_id"], name="assockeyreg_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.association_name} ({self.key_id})"


class ReceivedCompilation(models.Model):
    """An association's compilation package as the network received it (suppressed cells
    only). A newer version for the same association and period replaces the earlier one."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    registration = models.ForeignKey(
        AssociationKeyRegistration, on_delete=models.PROTECT, related_name="+"
    )
    association_slug = models.SlugField(max_length=60)
    period = models.CharField(_("period"), max_length=7)
    period_start = models.DateField()
    period_end = models.DateField()
    version = models.PositiveIntegerField(_("version"))
    detail = models.BooleanField(_("per insats"))
    document = models.JSONField()
    signature = models.CharField(max_length=128)
    key_id = models.CharField(max_length=16)
    received_at = models.DateTimeField(_("mottagen"), default=timezone.now)
    received_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    # [{"table": …, "key": …, "gender": …, "before": v, "after": v}] against the replaced one.
    changes = models.JSONField(default=list, blank=True)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = NetworkOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "association_slug"]
        indexes = [
            models.Index(
                fields=["network", "association_slug", "period_start"],
                name="compilation_network_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "association_slug", "period"],
                condition=Q(replaced_by__isnull=True),
                name="compilation_one_current",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="compilation_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Sammanställning {self.association_slug} {self.period} v{self.version}"


class CompilationCell(models.Model):
    """One published cell of a received compilation: a count of 0 or at least 5, or a
    suppression mark ("<5", "–"). A count of 1–4 cannot be stored here."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    compilation = models.ForeignKey(
        ReceivedCompilation, on_delete=models.CASCADE, related_name="cells"
    )
    table = models.CharField(max_length=20)
    key = models.CharField(max_length=90)
    # The report group of an "exits" row; blank elsewhere.
    group = models.CharField(max_length=20, blank=True)
    is_total = models.BooleanField(default=False)
    gender = models.CharField(max_length=10)
    count = models.PositiveIntegerField(null=True, blank=True)
    mark = models.CharField(max_length=2, blank=True)

    class Meta:
        indexes = [models.Index(fields=["network", "compilation"], name="compcell_network_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["compilation", "table", "key", "gender"], name="compcell_unique"
            ),
            models.CheckConstraint(
                condition=(Q(count__isnull=False) & Q(mark=""))
                | (Q(count__isnull=True) & Q(mark__in=["<5", "–"])),
                name="compcell_count_or_mark",
            ),
            # The wall in the database: no small count leaves an association.
            models.CheckConstraint(
                condition=Q(count__isnull=True) | Q(count=0) | Q(count__gte=5),
                name="compcell_no_small_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table}/{self.key}/{self.gender}"
