"""Organisations, associations and their members, users and roles, invitations, the audit log.

Ownership: a row that belongs to an association carries ``association`` as its first field and
first in its indexes; a row that belongs to a provider or a member's unit carries ``unit``. Owned
querysets are read through ``.visible_to(actor)`` so that no view can forget the wall.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.se import orgnr

from stegvis.core.collation import SWEDISH

if TYPE_CHECKING:
    from stegvis.core.actors import Actor


def validate_org_number(value: str) -> None:
    """A Swedish organisation number: ten digits with a valid check digit."""
    if not orgnr.is_valid(value):
        raise ValidationError(
            _(
                "%(value)s är inte ett giltigt organisationsnummer (tio siffror, NNNNNN-NNNN, "
                "med rätt kontrollsiffra)."
            ),
            params={"value": value},
            code="invalid_org_number",
        )


def normalise_org_number(value: str) -> str:
    """Canonical form NNNNNN-NNNN, or the input unchanged when it is not valid."""
    if orgnr.is_valid(value):
        return str(orgnr.format(value))
    return value


class Role(models.TextChoices):
    # Association roles: aggregates only.
    OFFICE = "office", _("Kansli")
    BOARD = "board", _("Styrelse")
    PREPARATORY = "preparatory", _("Beredningsgrupp")
    AUDITOR = "auditor", _("Revisor")
    # Provider roles: personal data of their own interventions.
    PROVIDER_MANAGER = "provider_manager", _("Enhetschef hos utförare")
    COACH = "coach", _("Coach / handläggare i insats")
    # Member unit role: their own referrals only.
    REFERRER = "referrer", _("Remittent")
    # Association-owned, invited by the office to file Lex Heller reports: sees only their own
    # reports, and no other association page (so it is not in ASSOCIATION_ROLES).
    REPORTER = "reporter", _("Rapportör (Lex Heller)")
    # Network role: imports associations' compilation packages and sees their combined,
    # suppressed figures; nothing of any association or provider.
    COMPILER = "compiler", _("Sammanställare i nätverk")


ASSOCIATION_ROLES = frozenset({Role.OFFICE, Role.BOARD, Role.PREPARATORY, Role.AUDITOR})
PROVIDER_ROLES = frozenset({Role.PROVIDER_MANAGER, Role.COACH})
UNIT_ROLES = frozenset({Role.REFERRER})
NETWORK_ROLES = frozenset({Role.COMPILER})
# Roles held in an association: its own roles, and the invited Lex Heller reporter.
ASSOCIATION_OWNED_ROLES = ASSOCIATION_ROLES | {Role.REPORTER}
# Roles that can see personal data must log in with two factors.
PERSONAL_DATA_ROLES = frozenset({Role.PROVIDER_MANAGER, Role.COACH, Role.REFERRER})


class Municipality(models.Model):
    """One of Sweden's municipalities, from the shipped list (SCB's codes)."""

    code = models.CharField(_("kommunkod"), max_length=4, unique=True)
    name = models.CharField(_("namn"), max_length=100, db_collation=SWEDISH)
    county_code = models.CharField(_("länskod"), max_length=2)
    county_name = models.CharField(_("län"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kommun")
        verbose_name_plural = _("kommuner")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A public body or other organisation: FK, AF, a region, a municipality, a school…

    Organisations are shared registry data: FK and AF are members of every association.
    """

    class Kind(models.TextChoices):
        FK = "fk", _("Försäkringskassan")
        AF = "af", _("Arbetsförmedlingen")
        REGION = "region", _("Region")
        MUNICIPALITY = "municipality", _("Kommun")
        OTHER = "other", _("Annan organisation")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("namn"), max_length=200, db_collation=SWEDISH)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    org_number = models.CharField(
        _("organisationsnummer"),
        max_length=11,
        unique=True,
        validators=[validate_org_number],
        help_text=_("Tio siffror, till exempel 212000-1355."),
    )
    municipality = models.OneToOneField(
        Municipality,
        verbose_name=_("kommun"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisation",
        help_text=_("För kommuner: vilken av Sveriges kommuner organisationen är."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="municipality", municipality__isnull=False)
                | (~Q(kind="municipality") & Q(municipality__isnull=True)),
                name="organisation_municipality_iff_kind_municipality",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.org_number = normalise_org_number(self.org_number)
        if self.kind == self.Kind.MUNICIPALITY and not self.municipality_id:
            raise ValidationError(
                {"municipality": _("Ange vilken av Sveriges kommuner organisationen är.")}
            )
        if self.kind != self.Kind.MUNICIPALITY and self.municipality_id:
            raise ValidationError(
                {
                    "municipality": _(
                        "Bara organisationer av typen kommun kan knytas till en kommun."
                    )
                }
            )


class UnitQuerySet(models.QuerySet["Unit"]):
    def providers(self) -> UnitQuerySet:
        return self.filter(is_provider=True)


class Unit(models.Model):
    """A unit inside an organisation: a labour-market unit, a clinic, an FK office…

    A unit that runs interventions is a *provider* (utförare) and the controller of its
    participants' data; a member's unit can also hold referrers.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="units"
    )
    name = models.CharField(_("namn"), max_length=200, db_collation=SWEDISH)
    is_provider = models.BooleanField(
        _("utförare"), default=False, help_text=_("Enheten driver insatser (utförare).")
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unit_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name}, {self.name}"

    def get_absolute_url(self) -> str:
        if self.is_provider:
            return reverse("core:provider_home", kwargs={"provider": self.public_id})
        return reverse("core:unit_home", kwargs={"unit": self.public_id})


class Association(models.Model):
    """A samordningsförbund."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("namn"), max_length=200, db_collation=SWEDISH)
    slug = models.SlugField(
        _("kortnamn i adresser"),
        max_length=60,
        unique=True,
        help_text=_(
            "Små bokstäver, siffror och bindestreck, till exempel samordningsforbundet-norr."
        ),
    )
    org_number = models.CharField(
        _("organisationsnummer"), max_length=11, unique=True, validators=[validate_org_number]
    )
    street_address = models.CharField(_("gatuadress"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("postnummer"),
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^\d{3} ?\d{2}$", _("Postnumret ska ha fem siffror."))],
    )
    city = models.CharField(_("ort"), max_length=100, blank=True)
    founded = models.DateField(_("bildat"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("samordningsförbund")
        verbose_name_plural = _("samordningsförbund")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:association_home", kwargs={"association": self.slug})

    def clean(self) -> None:
        self.org_number = normalise_org_number(self.org_number)

    def area(self) -> models.QuerySet[Municipality]:
        """The municipalities the association serves: those of its current municipal members."""
        today = timezone.localdate()
        # One filter() call, so that every condition applies to the same membership: a
        # municipality's membership of another association must not count here.
        return Municipality.objects.filter(
            Q(organisation__memberships__left__isnull=True)
            | Q(organisation__memberships__left__gte=today),
            organisation__memberships__association=self,
            organisation__memberships__joined__lte=today,
        ).distinct()


class Network(models.Model):
    """A regional or national network that compiles associations' figures (a county's
    associations, say, or the national network). It owns its compilers' roles and the
    compilation packages it imports, nothing else."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("namn"), max_length=200, db_collation=SWEDISH)
    slug = models.SlugField(
        _("kortnamn i adresser"),
        max_length=60,
        unique=True,
        help_text=_("Små bokstäver, siffror och bindestreck, till exempel lansnatverket."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("nätverk")
        verbose_name_plural = _("nätverk")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("aggregates:network_home", kwargs={"network": self.slug})


class OwnedByAssociationQuerySet(models.QuerySet[Any]):
    """Rows owned by an association: visible only to that association's roles."""

    def visible_to(self, actor: Actor) -> OwnedByAssociationQuerySet:
        if actor.association is None:
            return self.none()
        return self.filter(association=actor.association)


class Member(models.Model):
    """An organisation's membership of an association (medlem, part, huvudman)."""

    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="members", verbose_name=_("förbund")
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    joined = models.DateField(_("medlem från"))
    left = models.DateField(_("medlem till"), null=True, blank=True)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__kind", "organisation__name"]
        verbose_name = _("medlem")
        verbose_name_plural = _("medlemmar")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "organisation"], name="member_unique_per_association"
            ),
            models.CheckConstraint(
                condition=Q(left__isnull=True) | Q(left__gte=models.F("joined")),
                name="member_left_not_before_joined",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)

    def is_current(self, on: Any = None) -> bool:
        day = on or timezone.localdate()
        return self.joined <= day and (self.left is None or self.left >= day)


class MemberPopulation(models.Model):
    """A municipal member's population on 31 December of a year (SCB), as the association uses it.

    Kept per association so that one association's figures never change another's.
    """

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField(_("år"), validators=[MinValueValidator(1990)])
    population = models.PositiveIntegerField(_("folkmängd"), validators=[MinValueValidator(0)])

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("folkmängd")
        verbose_name_plural = _("folkmängd")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "member", "year"], name="population_unique_per_year"
            ),
            models.CheckConstraint(condition=Q(population__gte=0), name="population_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.year}: {self.population}"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who logs in: staff of an association, a provider or a member. Never a participant."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-postadress"), unique=True)
    full_name = models.CharField(_("namn"), max_length=200, db_collation=SWEDISH)
    is_active = models.BooleanField(_("aktiv"), default=True)
    is_staff = models.BooleanField(_("driftpersonal"), default=False)
    date_joined = models.DateTimeField(_("skapad"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("användare")
        verbose_name_plural = _("användare")

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()


class OwnedByAssociationOrUnit:
    """A row owned by an association, a unit or (roles only) a network: exactly one, by a check
    constraint."""

    association: Association | None
    unit: Unit | None

    @property
    def owner(self) -> Association | Unit | Network:
        owner = self.association or self.unit or getattr(self, "network", None)
        assert owner is not None
        return owner


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active(self) -> RoleAssignmentQuerySet:
        return self.filter(deactivated_at__isnull=True, user__is_active=True)

    def visible_to(self, actor: Actor) -> RoleAssignmentQuerySet:
        """The office sees its association's roles; a provider manager its provider's."""
        if actor.association is not None:
            return self.filter(association=actor.association)
        if actor.unit is not None:
            return self.filter(unit=actor.unit)
        if actor.network is not None:
            return self.filter(network=actor.network)
        return self.none()


class RoleAssignment(OwnedByAssociationOrUnit, models.Model):
    """A user's role in one association, one provider or one member's unit."""

    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, null=True, blank=True, related_name="roles"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="roles"
    )
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, null=True, blank=True, related_name="roles"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="roles")
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("tilldelad"), default=timezone.now)
    deactivated_at = models.DateTimeField(_("avslutad"), null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["user__full_name", "role"]
        verbose_name = _("roll")
        verbose_name_plural = _("roller")
        indexes = [
            models.Index(fields=["association", "role"], name="role_association_idx"),
            models.Index(fields=["unit", "role"], name="role_unit_idx"),
            models.Index(fields=["network", "role"], name="role_network_idx"),
        ]
        constraints = [
            # Exactly one owner, of the kind the role needs.
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(r.value for r in ASSOCIATION_OWNED_ROLES))
                    & Q(association__isnull=False, unit__isnull=True, network__isnull=True)
                )
                | (
                    Q(role__in=sorted(r.value for r in PROVIDER_ROLES | UNIT_ROLES))
                    & Q(association__isnull=True, unit__isnull=False, network__isnull=True)
                )
                | (
                    Q(role__in=sorted(r.value for r in NETWORK_ROLES))
                    & Q(association__isnull=True, unit__isnull=True, network__isnull=False)
                ),
                name="role_owner_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "association"],
                condition=Q(deactivated_at__isnull=True, association__isnull=False),
                name="role_unique_active_in_association",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=Q(deactivated_at__isnull=True, unit__isnull=False),
                name="role_unique_active_in_unit",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "network"],
                condition=Q(deactivated_at__isnull=True, network__isnull=False),
                name="role_unique_active_in_network",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} – {self.owner}"

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None

    def home_url(self) -> str:
        if self.role == Role.REPORTER and self.association is not None:
            # The reporter sees no association page but their own Lex Heller reports.
            return reverse(
                "deviations:reporter_list", kwargs={"association": self.association.slug}
            )
        return self.owner.get_absolute_url()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def visible_to(self, actor: Actor) -> InvitationQuerySet:
        if actor.association is not None:
            return self.filter(association=actor.association)
        if actor.unit is not None:
            return self.filter(unit=actor.unit)
        return self.none()

    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(OwnedByAssociationOrUnit, models.Model):
    """An invitation by e-mail link to take a role. Only the hash of its token is stored."""

    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(_("e-postadress"))
    full_name = models.CharField(_("namn"), max_length=200, db_collation=SWEDISH)
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("inbjudan")
        verbose_name_plural = _("inbjudningar")
        indexes = [
            models.Index(fields=["association", "created_at"], name="invitation_association_idx"),
            models.Index(fields=["unit", "created_at"], name="invitation_unit_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(association__isnull=False, unit__isnull=True)
                | Q(association__isnull=True, unit__isnull=False),
                name="invitation_exactly_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return str(_("Accepterad"))
        if self.revoked_at:
            return str(_("Återkallad"))
        if self.expires_at <= timezone.now():
            return str(_("Har gått ut"))
        return str(_("Väntar"))


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def visible_to(self, actor: Actor) -> AuditEventQuerySet:
        """Office and auditors see their association's events; provider managers see theirs."""
        if actor.association is not None and actor.role in {Role.OFFICE, Role.AUDITOR}:
            return self.filter(association=actor.association)
        if actor.unit is not None and actor.role == Role.PROVIDER_MANAGER:
            return self.filter(unit=actor.unit)
        return self.none()


class AuditEvent(models.Model):
    """One append-only entry of the audit log, chained to the one before by a SHA-256 hash.

    Written only through :func:`stegvis.core.audit.append` (which ``audit.record`` calls);
    ``verify_audit`` recomputes the chain.
    """

    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    seq = models.PositiveBigIntegerField(_("löpnummer"), unique=True)
    at = models.DateTimeField(_("tid"))
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user_label = models.CharField(_("användare"), max_length=254, blank=True)
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices, blank=True)
    action = models.CharField(_("händelse"), max_length=60)
    object_type = models.CharField(_("objekttyp"), max_length=60, blank=True)
    object_id = models.CharField(_("objekt-id"), max_length=64, blank=True)
    # A participant's public id (UUID) on the provider side; never a name or a national id.
    participant_ref = models.UUIDField(_("deltagarreferens"), null=True, blank=True)
    reason = models.CharField(_("skäl"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("IP-adress"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("logghändelse")
        verbose_name_plural = _("logghändelser")
        indexes = [
            models.Index(fields=["association", "-seq"], name="audit_association_idx"),
            models.Index(fields=["unit", "-seq"], name="audit_unit_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(association__isnull=False, unit__isnull=False),
                name="audit_at_most_one_owner",
            ),
            # A participant reference exists only in a provider's own log.
            models.CheckConstraint(
                condition=Q(participant_ref__isnull=True) | Q(unit__isnull=False),
                name="audit_participant_only_at_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError("Audit events are append-only.")


class AuditChainHead(models.Model):
    """The single row that holds the newest event's sequence number and hash.

    Writers lock it, so the chain stays linear, and ``verify_audit`` compares it with the last row,
    so that deleting the newest events is detected too.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("loggkedjans huvud")

    def __str__(self) -> str:
        return f"#{self.seq}"


class Throttle(models.Model):
    """Attempts counted per key and fixed time window, for rate limits on public pages.

    The key is a keyed hash of what is limited (a token guess from one address, registrations to
    one intervention…), never the address or the value itself. Rows of past windows are purged as
    new attempts arrive (:mod:`stegvis.core.throttle`).
    """

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("begränsning")
        verbose_name_plural = _("begränsningar")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="throttle_key_window")
        ]
        indexes = [models.Index(fields=["window_start"], name="throttle_window_idx")]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.count}"
