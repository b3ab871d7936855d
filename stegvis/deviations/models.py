"""Lex Heller reports (DeviationReport): failures of collaboration between authorities.

Association side, and no personal data at all: a report describes a situation, never a person
(the services refuse text that looks like a personnummer, a phone number or an e-mail address).
Every row is owned by one association, first in its fields and its indexes. The reporter is a
professional (a coach, a referrer, or someone the office invited as reporter) and sees only the
reports they filed themselves.
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
    Network,
    Organisation,
    OwnedByAssociationQuerySet,
    Role,
    Unit,
    User,
)
from stegvis.interventions.models import Intervention

if TYPE_CHECKING:
    from stegvis.core.actors import Actor

# The categories a new association starts with; the office can rename, add and retire them.
DEFAULT_CATEGORIES = [
    "Kontakt och tillgänglighet",
    "Regler och ersättningar",
    "Handläggning och väntetider",
    "Informationsöverföring och sekretess",
    "”Mellan stolarna”",
    "Hälso- och sjukvård",
    "Övrigt",
]


class DeviationCategory(models.Model):
    """One category of the association's list (kontakt och tillgänglighet, regler…)."""

    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="+", verbose_name=_("förbund")
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("namn"), max_length=100)
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)
    active = models.BooleanField(_("används"), default=True)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("kategori")
        verbose_name_plural = _("kategorier")
        indexes = [models.Index(fields=["association", "position"], name="deviation_category_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "name"], name="deviation_category_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AdministratorQuerySet(OwnedByAssociationQuerySet):
    def active(self) -> AdministratorQuerySet:
        return self.filter(ended_at__isnull=True)

    def visible_to(self, actor: Actor) -> AdministratorQuerySet:
        return super().visible_to(actor)  # type: ignore[return-value]


class DeviationAdministrator(models.Model):
    """An association user the office has appointed to handle the association's reports."""

    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="+", verbose_name=_("förbund")
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("användare")
    )
    appointed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    appointed_at = models.DateTimeField(_("utsedd"), default=timezone.now)
    ended_at = models.DateTimeField(_("avslutad"), null=True, blank=True)

    objects = AdministratorQuerySet.as_manager()

    class Meta:
        ordering = ["user__full_name"]
        verbose_name = _("handläggare av Lex Heller-rapporter")
        verbose_name_plural = _("handläggare av Lex Heller-rapporter")
        indexes = [models.Index(fields=["association", "user"], name="deviation_admin_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "user"],
                condition=Q(ended_at__isnull=True),
                name="deviation_admin_unique_active",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


def is_administrator(actor: Actor) -> bool:
    """Whether the actor, acting in one of the association's own roles, handles its reports."""
    if actor.association is None or actor.role not in ASSOCIATION_ROLES:
        return False
    return (
        DeviationAdministrator.objects.active()
        .filter(association=actor.association, user=actor.user)
        .exists()
    )


class DeviationReportQuerySet(models.QuerySet["DeviationReport"]):
    def visible_to(self, actor: Actor) -> DeviationReportQuerySet:
        """The office and the administrators see every report of their association; the
        preparatory group what has been taken to it; a reporter only their own reports, filed
        in the role they act in now."""
        if actor.unit is not None:
            return self.filter(reported_by=actor.user, reporter_unit=actor.unit)
        if actor.association is None:
            return self.none()
        own = self.filter(association=actor.association)
        if actor.role == Role.REPORTER:
            return own.filter(
                reported_by=actor.user, reporter_unit__isnull=True, reporter_role=Role.REPORTER
            )
        if actor.role == Role.OFFICE or is_administrator(actor):
            return own
        if actor.role == Role.PREPARATORY:
            return own.filter(taken_at__isnull=False)
        return self.none()


class DeviationReport(models.Model):
    """One Lex Heller report and where its handling stands."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Mottagen")
        RETURNED = "returned", _("Återsänd för komplettering")
        REVIEWED = "reviewed", _("Granskad")
        MERGED = "merged", _("Sammanslagen")
        TAKEN = "taken", _("Tagen till beredningsgruppen")
        DECIDED = "decided", _("Åtgärd beslutad")
        FEEDBACK = "feedback", _("Återkoppling given")
        CLOSED = "closed", _("Avslutad")

    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="+", verbose_name=_("förbund")
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveIntegerField(_("nummer"))
    state = models.CharField(
        _("status"), max_length=20, choices=State.choices, default=State.RECEIVED
    )
    event_date = models.DateField(_("datum för händelsen"))
    received_on = models.DateField(_("inkommen"))
    reported_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("rapportör")
    )
    # The unit the reporter acted in (a provider or a member's unit); empty for invited reporters.
    reporter_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reporter_role = models.CharField(_("rapportörens roll"), max_length=20, choices=Role.choices)
    reporter_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rapportörens organisation"),
    )
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("insats"),
    )
    organisations = models.ManyToManyField(
        Organisation, related_name="+", verbose_name=_("inblandade organisationer")
    )
    category = models.ForeignKey(
        DeviationCategory,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("kategori"),
    )
    what_happened = models.TextField(_("vad hände"))
    consequence = models.TextField(_("konsekvens för individen"), blank=True)
    proposed_solution = models.TextField(_("förslag på lösning"), blank=True)
    # A report that arrived on paper and that the office registered on the reporter's behalf
    # (``reported_by`` is then the office user who registered it).
    on_paper = models.BooleanField(_("registrerad från papper"), default=False)
    return_message = models.TextField(_("vad som behöver kompletteras"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_reports",
        verbose_name=_("sammanslagen med"),
    )
    taken_at = models.DateTimeField(_("tagen till beredningsgruppen"), null=True, blank=True)
    action = models.TextField(_("beslutad åtgärd"), blank=True)
    action_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarig organisation"),
    )
    decided_on = models.DateField(_("beslutsdatum"), null=True, blank=True)
    # Calendar days from received_on to decided_on, fixed when the decision is recorded.
    days_to_decision = models.PositiveIntegerField(_("dagar till beslut"), null=True, blank=True)
    feedback = models.TextField(_("återkoppling"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = DeviationReportQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("Lex Heller-rapport")
        verbose_name_plural = _("Lex Heller-rapporter")
        indexes = [
            models.Index(fields=["association", "received_on"], name="deviation_received_idx"),
            models.Index(fields=["association", "state"], name="deviation_state_idx"),
            models.Index(fields=["association", "reported_by"], name="deviation_reporter_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "number"], name="deviation_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(event_date__lte=models.F("received_on")),
                name="deviation_event_not_after_report",
            ),
            models.CheckConstraint(
                condition=Q(state="merged", merged_into__isnull=False)
                | (~Q(state="merged") & Q(merged_into__isnull=True)),
                name="deviation_merged_iff_target",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True, days_to_decision__isnull=True)
                | Q(
                    decided_on__isnull=False,
                    days_to_decision__isnull=False,
                    decided_on__gte=models.F("received_on"),
                ),
                name="deviation_decision_dates",
            ),
            # Each state has what its step recorded: the meeting, the decision, the feedback.
            models.CheckConstraint(
                condition=~Q(state__in=["taken", "decided", "feedback", "closed"])
                | Q(taken_at__isnull=False),
                name="deviation_taken_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["decided", "feedback", "closed"])
                | Q(decided_on__isnull=False),
                name="deviation_decided_has_decision",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["feedback", "closed"]) | ~Q(feedback=""),
                name="deviation_feedback_has_text",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Rapport %(number)s") % {"number": self.number})

    @property
    def label(self) -> str:
        return f"LH-{self.number}"


class DeviationStep(models.Model):
    """One step of a report's handling: who moved it from which state to which, and when."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(DeviationReport, on_delete=models.CASCADE, related_name="steps")
    from_state = models.CharField(
        _("från"), max_length=20, choices=DeviationReport.State.choices, blank=True
    )
    to_state = models.CharField(_("till"), max_length=20, choices=DeviationReport.State.choices)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("av"))
    at = models.DateTimeField(_("tid"), default=timezone.now)
    note = models.TextField(_("anteckning"), blank=True)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("handläggningssteg")
        verbose_name_plural = _("handläggningssteg")
        indexes = [models.Index(fields=["association", "report"], name="deviation_step_idx")]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class DeviationComment(models.Model):
    """An internal comment by the office, an administrator or the preparatory group."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(DeviationReport, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField(max_length=20, choices=Role.choices)
    at = models.DateTimeField(_("tid"), default=timezone.now)
    text = models.TextField(_("kommentar"))

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("kommentar")
        verbose_name_plural = _("kommentarer")
        indexes = [models.Index(fields=["association", "report"], name="deviation_comment_idx")]

    def __str__(self) -> str:
        return f"{self.report} {self.at:%Y-%m-%d}"


# --- Compiling with other associations (a county's network) ---------------------------------


class LexHellerDispatch(models.Model):
    """A Lex Heller compilation package the association built for a network: counts only."""

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.CharField(_("nätverk"), max_length=60)
    period = models.CharField(_("period"), max_length=7)
    version = models.PositiveIntegerField(_("version"))
    document = models.JSONField()
    built_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    built_at = models.DateTimeField(default=timezone.now)

    objects = OwnedByAssociationQuerySet.as_manager()

    class Meta:
        ordering = ["-built_at"]
        indexes = [
            models.Index(fields=["association", "network", "period"], name="lhdispatch_assoc_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "network", "period", "version"],
                name="lhdispatch_unique_version",
            )
        ]

    def __str__(self) -> str:
        return f"Lex Heller {self.period} v{self.version}"


class NetworkLexHellerQuerySet(models.QuerySet):
    def visible_to(self, actor: Actor) -> NetworkLexHellerQuerySet:
        if actor.network is None or actor.role not in NETWORK_ROLES:
            return self.none()
        return self.filter(network=actor.network)


class ReceivedLexHeller(models.Model):
    """An association's Lex Heller compilation as the network received it (counts only). A
    newer version for the same association and period replaces the earlier one."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    registration = models.ForeignKey(
        "aggregates.AssociationKeyRegistration", on_delete=models.PROTECT, related_name="+"
    )
    association_slug = models.SlugField(max_length=60)
    period = models.CharField(_("period"), max_length=7)
    period_start = models.DateField()
    period_end = models.DateField()
    version = models.PositiveIntegerField(_("version"))
    document = models.JSONField()
    signature = models.CharField(max_length=128)
    key_id = models.CharField(max_length=16)
    received_at = models.DateTimeField(_("mottagen"), default=timezone.now)
    received_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    replaced_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = NetworkLexHellerQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "association_slug"]
        indexes = [
            models.Index(
                fields=["network", "association_slug", "period_start"], name="lhreceived_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "association_slug", "period"],
                condition=Q(replaced_by__isnull=True),
                name="lhreceived_one_current",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="lhreceived_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Lex Heller {self.association_slug} {self.period} v{self.version}"


class LexHellerCell(models.Model):
    """One count of a received Lex Heller compilation: a dimension (category, organisation
    kind, state, days to decision) and its key."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="+")
    compilation = models.ForeignKey(
        ReceivedLexHeller, on_delete=models.CASCADE, related_name="cells"
    )
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=100)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["network", "compilation"], name="lhcell_network_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["compilation", "dimension", "key"], name="lhcell_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension}/{self.key}={self.count}"
