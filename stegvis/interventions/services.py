"""The operations on interventions. Views, commands and tests call these; nothing else writes.

Each function checks the actor's permission (PermissionDenied), validates (ValidationError with
Swedish messages keyed by field, all problems at once), writes in one transaction and records the
audit event. Interventions hold no personal data: the association's office edits them freely.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.codes import (
    INDIVIDUAL_ORIENTATIONS,
    STRUCTURAL_ORIENTATIONS,
    Orientation,
    ReportGroup,
)
from stegvis.core.models import (
    Association,
    Member,
    Municipality,
    Organisation,
    Role,
    RoleAssignment,
    Unit,
    User,
)
from stegvis.core.services import delete_unless_kept
from stegvis.interventions.models import (
    Attendance,
    Funding,
    FundingOffer,
    Goal,
    Intervention,
    Staffing,
    StructuralActivity,
)
from stegvis.interventions.permissions import (
    can_answer_funding_offer,
    can_assign_coaches,
    can_create_intervention,
    can_edit_intervention,
)

HUNDRED = Decimal("100")
CODE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
# Goals whose target is a share in per cent, and those that count exits by report group.
PERCENT_MEASURES = {
    Goal.Measure.SHARE_EXITS_IN_GROUPS,
    Goal.Measure.SHARE_POSITIVE_STEP,
    Goal.Measure.OCCUPANCY,
}
GROUP_MEASURES = {Goal.Measure.SHARE_EXITS_IN_GROUPS, Goal.Measure.SHARE_POSITIVE_STEP}
# The fields ``Intervention.locked_fields`` may lock, named as the form names them.
LOCKABLE_LABELS = {
    "kind": gettext_lazy("Typ"),
    "follow_up_method": gettext_lazy("Uppföljningsmetod"),
    "eu_funded": gettext_lazy("EU-finansierad"),
}


@dataclass(frozen=True)
class FundingShare:
    association: Association
    share: Decimal


@dataclass(frozen=True)
class InterventionDetails:
    """Everything the office states about an intervention, as the create and edit forms give it.

    ``municipalities=None`` means the funding associations' areas. ``follow_up_method=None``
    means the method that goes with the kind.
    """

    name: str
    code: str
    kind: str
    orientation: str
    provider: Unit
    start: date
    fundings: Sequence[FundingShare]
    planned_end: date | None = None
    ended: date | None = None
    status: str = Intervention.Status.PLANNED
    responsible_manager: str = ""
    participating_members: Sequence[Organisation] = ()
    municipalities: Sequence[Municipality] | None = None
    staffing: Mapping[Organisation, Decimal] = field(default_factory=dict)
    places: int = 0
    target_group: str = ""
    follow_up_method: str | None = None
    follow_up_months: Sequence[int] = (6, 12)
    eu_funded: bool = False
    min_age: int = 16
    max_age: int = 64
    min_members_involved: int = 2
    requires_area_residence: bool = True
    requires_consent: bool = True


# The plain fields copied from InterventionDetails onto the model.
_SCALARS = (
    "name",
    "code",
    "kind",
    "orientation",
    "provider",
    "start",
    "planned_end",
    "ended",
    "status",
    "responsible_manager",
    "places",
    "target_group",
    "follow_up_method",
    "eu_funded",
    "min_age",
    "max_age",
    "min_members_involved",
    "requires_area_residence",
    "requires_consent",
)


def format_share(value: Decimal) -> str:
    """A share the Swedish way, without trailing zeros: 40, 33,33."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


class _Errors:
    """Collects Swedish messages per field, so that the office sees every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


# --- Lookups the forms share -------------------------------------------------------------------


def current_members(associations: Iterable[Association]) -> QuerySet[Member]:
    today = timezone.localdate()
    return Member.objects.filter(
        Q(left__isnull=True) | Q(left__gte=today),
        association__in=list(associations),
        joined__lte=today,
    )


def member_organisations(associations: Iterable[Association]) -> QuerySet[Organisation]:
    """The current member organisations of ``associations``, each once, by name."""
    return (
        Organisation.objects.filter(pk__in=current_members(associations).values("organisation"))
        .order_by("name")
        .distinct()
    )


def area_of(associations: Iterable[Association]) -> QuerySet[Municipality]:
    """The municipalities of the current municipal members of ``associations``."""
    return Municipality.objects.filter(
        organisation__in=current_members(associations).values("organisation")
    ).order_by("name")


def provider_choices(association: Association) -> QuerySet[Unit]:
    """Provider units of the association's current member organisations."""
    return (
        Unit.objects.providers()
        .filter(organisation__in=current_members([association]).values("organisation"))
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def eligible_coaches(provider: Unit) -> QuerySet[User]:
    """Users with an active coach or provider manager role at ``provider``."""
    roles = RoleAssignment.objects.active().filter(
        unit=provider, role__in=[Role.COACH, Role.PROVIDER_MANAGER]
    )
    return User.objects.filter(pk__in=roles.values("user")).order_by("full_name")


# --- Interventions -----------------------------------------------------------------------------


def _validate(
    details: InterventionDetails, lead: Association, intervention: Intervention | None
) -> None:
    errors = _Errors()
    code = details.code
    if not code or not set(code) <= CODE_CHARACTERS:
        errors.add(
            "code",
            _(
                "Kortkoden får bara innehålla små bokstäver a–z, siffror, bindestreck och "
                "understreck."
            ),
        )
    else:
        taken = Intervention.objects.filter(lead_association=lead, code=code)
        if intervention is not None:
            taken = taken.exclude(pk=intervention.pk)
        if taken.exists():
            errors.add("code", _("Kortkoden används redan av en annan insats i förbundet."))
    if details.kind not in Intervention.Kind.values:
        errors.add("kind", _("Välj individinriktad eller strukturövergripande."))
    allowed = (
        INDIVIDUAL_ORIENTATIONS
        if details.kind == Intervention.Kind.INDIVIDUAL
        else STRUCTURAL_ORIENTATIONS
        if details.kind == Intervention.Kind.STRUCTURAL
        else set(Orientation)
    )
    if details.orientation not in Orientation.values:
        errors.add("orientation", _("Välj en inriktning i listan."))
    elif details.orientation not in allowed:
        errors.add(
            "orientation",
            _("Inriktningen %(orientation)s passar inte en %(kind)s insats.")
            % {
                "orientation": Orientation(details.orientation).label.lower(),
                "kind": Intervention.Kind(details.kind).label.lower(),
            },
        )
    method = details.follow_up_method
    if method not in Intervention.FollowUpMethod.values:
        errors.add("follow_up_method", _("Välj en uppföljningsmetod i listan."))
    elif details.kind == Intervention.Kind.STRUCTURAL and (
        method != Intervention.FollowUpMethod.ACTIVITIES
    ):
        errors.add(
            "follow_up_method",
            _("En strukturövergripande insats följs upp med aktiviteter och deltagarantal."),
        )
    elif details.kind == Intervention.Kind.INDIVIDUAL and (
        method == Intervention.FollowUpMethod.ACTIVITIES
    ):
        errors.add(
            "follow_up_method",
            _("Aktiviteter och deltagarantal gäller bara strukturövergripande insatser."),
        )
    if details.status not in Intervention.Status.values:
        errors.add("status", _("Välj en status i listan."))
    if details.planned_end is not None and details.planned_end < details.start:
        errors.add("planned_end", _("Planerat slutdatum kan inte vara före startdatum."))
    if details.ended is not None and details.ended < details.start:
        errors.add("ended", _("Datum för avslut kan inte vara före startdatum."))
    if details.status == Intervention.Status.ENDED and details.ended is None:
        errors.add("ended", _("Ange när insatsen avslutades."))
    if details.ended is not None and details.status != Intervention.Status.ENDED:
        errors.add("status", _("En insats med datum för avslut ska ha status Avslutad."))
    if details.places < 0:
        errors.add("places", _("Antalet platser kan inte vara negativt."))
    if details.min_age > details.max_age:
        errors.add("max_age", _("Högsta ålder kan inte vara lägre än lägsta ålder."))
    if details.min_members_involved < 1:
        errors.add("min_members_involved", _("Ange minst en part."))
    for months in details.follow_up_months:
        if not 1 <= months <= 60:
            errors.add("follow_up_months", _("Uppföljning efter avslut anges i månader, 1–60."))
            break

    funders = _validate_fundings(details.fundings, lead, errors)

    is_member = Member.objects.filter(
        association=lead, organisation_id=details.provider.organisation_id
    ).exists()
    if not details.provider.is_provider or not is_member:
        errors.add(
            "provider",
            _("Välj en utförare hos någon av förbundets medlemmar."),
        )
    if funders:
        member_orgs = set(
            Member.objects.filter(association__in=funders).values_list("organisation_id", flat=True)
        )
        outside = sorted(o.name for o in details.participating_members if o.pk not in member_orgs)
        if outside:
            errors.add(
                "participating_members",
                _("%(names)s är inte medlem i något av de finansierande förbunden.")
                % {"names": ", ".join(outside)},
            )
        staff_outside = sorted(o.name for o in details.staffing if o.pk not in member_orgs)
        if staff_outside:
            errors.add(
                "staffing",
                _("Bemanning kan bara anges för medlemmar: %(names)s är inte medlem.")
                % {"names": ", ".join(staff_outside)},
            )
        if details.municipalities is not None:
            served = set(
                Municipality.objects.filter(
                    organisation__memberships__association__in=funders
                ).values_list("pk", flat=True)
            )
            foreign = sorted(m.name for m in details.municipalities if m.pk not in served)
            if foreign:
                errors.add(
                    "municipalities",
                    _("%(names)s ligger inte i något av de finansierande förbundens områden.")
                    % {"names": ", ".join(foreign)},
                )
    if any(fte < 0 for fte in details.staffing.values()):
        errors.add("staffing", _("Årsarbetare kan inte vara negativt."))

    if intervention is not None:
        locked = intervention.locked_fields()
        for name in sorted(locked):
            if getattr(details, name) != getattr(intervention, name):
                label = str(LOCKABLE_LABELS[name])
                errors.add(
                    name,
                    _("%(field)s kan inte ändras när insatsen har deltagare eller aktiviteter.")
                    % {"field": label},
                )
    errors.raise_any()


def _validate_fundings(
    fundings: Sequence[FundingShare], lead: Association, errors: _Errors
) -> list[Association]:
    """Check the funding rows; return the funding associations."""
    if not fundings:
        errors.add("fundings", _("Ange minst ett finansierande förbund."))
        return []
    seen: set[int] = set()
    for row in fundings:
        if row.association.pk in seen:
            errors.add(
                "fundings",
                _("%(association)s finns med mer än en gång.")
                % {"association": row.association.name},
            )
        seen.add(row.association.pk)
        if not Decimal("0") < row.share <= HUNDRED:
            errors.add(
                "fundings",
                _("Andelen för %(association)s ska vara större än 0 och högst 100 %%.")
                % {"association": row.association.name},
            )
    total = sum((row.share for row in fundings), Decimal("0"))
    if total != HUNDRED:
        errors.add(
            "fundings",
            _("Andelarna ska tillsammans vara exakt 100 %%; nu är summan %(total)s %%.")
            % {"total": format_share(total)},
        )
    if lead.pk not in seen:
        errors.add(
            "fundings",
            _("Det ansvariga förbundet (%(association)s) måste vara ett av de finansierande.")
            % {"association": lead.name},
        )
    return [row.association for row in fundings]


def _normalised(details: InterventionDetails) -> InterventionDetails:
    from dataclasses import replace

    method = details.follow_up_method or (
        Intervention.FollowUpMethod.ACTIVITIES
        if details.kind == Intervention.Kind.STRUCTURAL
        else Intervention.FollowUpMethod.INDIVIDUAL
    )
    return replace(
        details,
        name=details.name.strip(),
        code=details.code.strip().lower(),
        responsible_manager=details.responsible_manager.strip(),
        target_group=details.target_group.strip(),
        follow_up_method=method,
    )


def _write(actor: Actor, intervention: Intervention, details: InterventionDetails) -> None:
    for name in _SCALARS:
        setattr(intervention, name, getattr(details, name))
    intervention.follow_up_months = sorted(set(details.follow_up_months))
    intervention.full_clean(exclude=["participating_members", "municipalities", "coaches"])
    intervention.save()
    _write_fundings(actor, intervention, details.fundings)
    intervention.participating_members.set(details.participating_members)
    municipalities = details.municipalities
    if municipalities is None:
        municipalities = list(area_of([row.association for row in details.fundings]))
    intervention.municipalities.set(municipalities)
    intervention.staffing.all().delete()
    Staffing.objects.bulk_create(
        Staffing(intervention=intervention, organisation=org, fte=fte)
        for org, fte in details.staffing.items()
        if fte > 0
    )


def _write_fundings(actor: Actor, intervention: Intervention, rows: Sequence[FundingShare]) -> None:
    """The lead association's share, and each share another association has accepted, are
    funding; a share of any other association is an offer that its office answers
    (:func:`accept_funding_offer`). An association left out loses its funding or its offer.
    Each new offer is logged in the offered association's log, where its office sees it."""
    accepted = set(intervention.fundings.values_list("association_id", flat=True))
    accepted.add(intervention.lead_association_id)
    intervention.fundings.all().delete()
    Funding.objects.bulk_create(
        Funding(association=row.association, intervention=intervention, share=row.share)
        for row in rows
        if row.association.pk in accepted
    )
    offered = [row for row in rows if row.association.pk not in accepted]
    intervention.funding_offers.exclude(
        association__in=[row.association.pk for row in offered]
    ).delete()
    current = {o.association_id: o for o in intervention.funding_offers.all()}
    for row in offered:
        offer = current.get(row.association.pk)
        if offer is not None and offer.share == row.share:
            continue  # asked already: open, or declined until the lead asks for another share
        if offer is None:
            offer = FundingOffer(association=row.association, intervention=intervention)
        # Asked for another share: the association answers again.
        offer.share = row.share
        offer.declined_at = None
        offer.save()
        audit.record(
            "intervention.funding_offer",
            actor=actor,
            owner=row.association,
            obj=intervention,
            reason=f"{intervention.lead_association.name}: {format_share(row.share)} %",
        )


@transaction.atomic
def accept_funding_offer(actor: Actor, offer: FundingOffer) -> Funding:
    """The offered association's office takes the share: the intervention becomes one it
    funds (its lists, packages and reports)."""
    offer = _answer(actor, offer, "intervention.funding_accept")
    funding = Funding.objects.create(
        association=offer.association, intervention=offer.intervention, share=offer.share
    )
    offer.delete()
    return funding


@transaction.atomic
def decline_funding_offer(actor: Actor, offer: FundingOffer) -> FundingOffer:
    """The offered association's office says no; the lead association sees it declined."""
    offer = _answer(actor, offer, "intervention.funding_decline")
    offer.declined_at = timezone.now()
    offer.save(update_fields=["declined_at"])
    return offer


def _answer(actor: Actor, offer: FundingOffer, action: str) -> FundingOffer:
    """The offer, locked and still open to the actor's answer, with the answer logged."""
    offer = FundingOffer.objects.select_for_update().select_related("intervention").get(pk=offer.pk)
    _require(can_answer_funding_offer(actor, offer))
    audit.record(
        action, actor=actor, obj=offer.intervention, reason=f"{format_share(offer.share)} %"
    )
    return offer


@transaction.atomic
def create_intervention(actor: Actor, details: InterventionDetails) -> Intervention:
    """Create an intervention led by the actor's association (the office's)."""
    _require(can_create_intervention(actor))
    lead = actor.association
    assert lead is not None
    details = _normalised(details)
    _validate(details, lead, None)
    intervention = Intervention(lead_association=lead)
    _write(actor, intervention, details)
    audit.record("intervention.create", actor=actor, obj=intervention, reason=intervention.code)
    return intervention


@transaction.atomic
def update_intervention(
    actor: Actor, intervention: Intervention, details: InterventionDetails
) -> Intervention:
    """Change an intervention; kind, follow-up method and EU flag are locked once it has
    participants or activities (``Intervention.locked_fields``)."""
    _require(can_edit_intervention(actor, intervention))
    details = _normalised(details)
    _validate(details, intervention.lead_association, intervention)
    _write(actor, intervention, details)
    audit.record("intervention.update", actor=actor, obj=intervention, reason=intervention.code)
    return intervention


# --- Goals -------------------------------------------------------------------------------------


@transaction.atomic
def add_goal(
    actor: Actor,
    intervention: Intervention,
    *,
    text: str,
    measure: str,
    target: Decimal,
    period_start: date,
    period_end: date,
    report_groups: Sequence[str] = (),
) -> Goal:
    """A goal as data (calculations.md §5): a measure, a target and a period."""
    _require(can_edit_intervention(actor, intervention))
    errors = _Errors()
    # Each group once, in the code list's order.
    groups = [g for g in ReportGroup.values if g in report_groups]
    unknown = set(report_groups) - set(ReportGroup.values)
    if not text.strip():
        errors.add("text", _("Beskriv målet."))
    if measure not in Goal.Measure.values:
        errors.add("measure", _("Välj ett mått i listan."))
    if unknown:
        errors.add("report_groups", _("Okänd avslutsgrupp."))
    elif measure == Goal.Measure.SHARE_EXITS_IN_GROUPS and not groups:
        errors.add("report_groups", _("Välj vilka avslutsgrupper som räknas mot målet."))
    elif measure not in GROUP_MEASURES and groups:
        errors.add("report_groups", _("Avslutsgrupper gäller bara mått som räknar avslut."))
    if target < 0:
        errors.add("target", _("Målvärdet kan inte vara negativt."))
    elif measure in PERCENT_MEASURES and target > HUNDRED:
        errors.add("target", _("Målvärdet är en andel i procent och kan inte vara över 100."))
    if period_end < period_start:
        errors.add("period_end", _("Periodens slut kan inte vara före dess början."))
    errors.raise_any()
    goal = Goal(
        intervention=intervention,
        text=text.strip(),
        measure=measure,
        report_groups=groups,
        target=target,
        period_start=period_start,
        period_end=period_end,
    )
    goal.full_clean()
    goal.save()
    audit.record("intervention.goal_add", actor=actor, obj=intervention, reason=goal.text)
    return goal


@transaction.atomic
def delete_goal(actor: Actor, goal: Goal) -> None:
    intervention = goal.intervention
    _require(can_edit_intervention(actor, intervention))
    audit.record("intervention.goal_delete", actor=actor, obj=intervention, reason=goal.text)
    goal.delete()


# --- Structural activities ---------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """Attendees from one organisation, by gender. Counts only: never names."""

    women: int = 0
    men: int = 0
    other: int = 0

    @property
    def total(self) -> int:
        return self.women + self.men + self.other


def attendance_organisations(intervention: Intervention) -> QuerySet[Organisation]:
    """The organisations whose attendees are counted: members of the funding associations."""
    return member_organisations(
        Association.objects.filter(fundings__intervention=intervention).distinct()
    )


@transaction.atomic
def add_activity(
    actor: Actor,
    intervention: Intervention,
    *,
    date: date,
    title: str,
    type: str,
    hours: Decimal,
    attendance: Mapping[Organisation, Count],
) -> StructuralActivity:
    """Record one occasion of a structural intervention, with attendees counted per member
    organisation and gender."""
    _require(can_edit_intervention(actor, intervention))
    errors = _Errors()
    if intervention.kind != Intervention.Kind.STRUCTURAL:
        errors.add(
            NON_FIELD_ERRORS, _("Aktiviteter registreras bara för strukturövergripande insatser.")
        )
    if not title.strip():
        errors.add("title", _("Ange en rubrik."))
    if type not in StructuralActivity.Type.values:
        errors.add("type", _("Välj en typ i listan."))
    if hours < 0:
        errors.add("hours", _("Antalet timmar kan inte vara negativt."))
    if date < intervention.start:
        errors.add("date", _("Aktiviteten kan inte ligga före insatsens startdatum."))
    allowed = set(attendance_organisations(intervention).values_list("pk", flat=True))
    for org, count in attendance.items():
        if org.pk not in allowed:
            errors.add(
                "attendance",
                _("%(org)s är inte medlem i något av de finansierande förbunden.")
                % {"org": org.name},
            )
        if min(count.women, count.men, count.other) < 0:
            errors.add("attendance", _("Antal deltagare kan inte vara negativt."))
    errors.raise_any()
    activity = StructuralActivity(
        intervention=intervention, date=date, title=title.strip(), type=type, hours=hours
    )
    activity.full_clean()
    activity.save()
    Attendance.objects.bulk_create(
        Attendance(activity=activity, organisation=org, women=c.women, men=c.men, other=c.other)
        for org, c in attendance.items()
        if c.total > 0
    )
    audit.record("intervention.activity_add", actor=actor, obj=activity, reason=activity.title)
    return activity


@transaction.atomic
def delete_activity(actor: Actor, activity: StructuralActivity) -> None:
    """Remove an activity registered by mistake, with its counts; refused (ValidationError) while
    a survey round evaluates it, since its answers belong to the activity."""
    _require(can_edit_intervention(actor, activity.intervention))
    audit.record("intervention.activity_delete", actor=actor, obj=activity, reason=activity.title)
    delete_unless_kept(activity, _("Aktiviteten kan inte tas bort"))


# --- Coaches -----------------------------------------------------------------------------------


@transaction.atomic
def assign_coaches(actor: Actor, intervention: Intervention, coaches: Iterable[User]) -> None:
    """Set the intervention's coaches (who see its participants) to exactly ``coaches``."""
    _require(can_assign_coaches(actor, intervention))
    chosen = list(coaches)
    eligible = set(eligible_coaches(intervention.provider).values_list("pk", flat=True))
    outside = sorted(u.full_name for u in chosen if u.pk not in eligible)
    if outside:
        raise ValidationError(
            {
                "coaches": _("%(names)s har ingen aktiv roll som coach eller enhetschef här.")
                % {"names": ", ".join(outside)}
            }
        )
    intervention.coaches.set(chosen)
    audit.record(
        "intervention.coaches",
        actor=actor,
        obj=intervention,
        reason=", ".join(sorted(u.email for u in chosen)),
    )
