"""Every write of the operating plan: validated, checked against the actor, audited.

Only the office of the plan's association writes. A decided plan is locked: its texts, focus
areas, goals and activities cannot change (make a new version with :func:`new_version`); the one
exception is the follow-up of an activity (status and comment), which is what a decided plan is
followed up with.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.models import Association, Member, Organisation
from stegvis.interventions.models import Intervention
from stegvis.plans import measures
from stegvis.plans.models import (
    Conclusion,
    Consideration,
    Consultation,
    ConsultationParticipant,
    FocusArea,
    Obligation,
    Plan,
    PlanActivity,
    PlanGoal,
)
from stegvis.plans.permissions import can_edit_plans

MAX_TARGET = Decimal("9999999999")


def _require_office(actor: Actor, association: Association) -> None:
    if not can_edit_plans(actor) or actor.association != association:
        raise PermissionDenied


def _require_draft(plan: Plan) -> None:
    if plan.is_locked:
        raise ValidationError(
            _("Planen är beslutad %(date)s och låst. Skapa en ny version för att ändra den.")
            % {"date": plan.decided_on}
        )


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Ange ett år mellan 2000 och 2100.")})


@dataclass
class PlanTexts:
    introduction: str = ""
    vision: str = ""
    mission: str = ""
    target_groups: str = ""
    organisation: str = ""


@transaction.atomic
def create_plan(actor: Actor, year: int, texts: PlanTexts | None = None) -> Plan:
    """A new draft for ``year``: version 1, or the next version after the newest of the year
    (whose content is copied, see :func:`new_version`)."""
    association = actor.association
    if association is None:
        raise PermissionDenied
    _require_office(actor, association)
    _check_year(year)
    newest = Plan.objects.filter(association=association, year=year).order_by("-version").first()
    if newest is not None:
        raise ValidationError(
            {
                "year": _(
                    "Det finns redan en plan för %(year)s. Skapa en ny version från den i stället."
                )
                % {"year": year}
            }
        )
    texts = texts or PlanTexts()
    plan = Plan.objects.create(association=association, year=year, **texts.__dict__)
    audit.record("plans.plan.create", actor=actor, obj=plan)
    return plan


@transaction.atomic
def update_texts(actor: Actor, plan: Plan, texts: PlanTexts) -> Plan:
    _require_office(actor, plan.association)
    _require_draft(plan)
    for name, value in texts.__dict__.items():
        setattr(plan, name, value.strip())
    plan.save()
    audit.record("plans.plan.update", actor=actor, obj=plan)
    return plan


@transaction.atomic
def add_area(actor: Actor, plan: Plan, name: str, description: str = "") -> FocusArea:
    _require_office(actor, plan.association)
    _require_draft(plan)
    if not name.strip():
        raise ValidationError({"name": _("Ange målområdets namn.")})
    position = (plan.areas.aggregate(m=Max("position"))["m"] or 0) + 1
    area = FocusArea.objects.create(
        association=plan.association,
        plan=plan,
        position=position,
        name=name.strip(),
        description=description.strip(),
    )
    audit.record("plans.area.create", actor=actor, obj=area)
    return area


@dataclass
class GoalDetails:
    text: str
    measure: str = ""
    target: Decimal | None = None
    intervention: Intervention | None = None
    by_gender: bool = False
    questionnaire: object = None  # a surveys.Questionnaire
    item_key: str = ""
    at_least_reference: bool = False


def validate_goal(association: Association, details: GoalDetails) -> None:
    """Raise a ValidationError with every problem of ``details``, by field."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not details.text.strip():
        add("text", _("Skriv målet."))
    if (
        details.intervention is not None
        and not details.intervention.fundings.filter(association=association).exists()
    ):
        add("intervention", _("Insatsen finansieras inte av förbundet och kan inte väljas."))
    if not details.measure:
        if details.target is not None:
            add("target", _("Ett målvärde kräver ett mått. Välj mått eller ta bort målvärdet."))
        if errors:
            raise ValidationError(errors)
        return
    measure = measures.MEASURES.get(details.measure)
    if measure is None:
        add("measure", _("Välj ett mått i listan."))
        raise ValidationError(errors)
    scope = "intervention" if details.intervention is not None else "association"
    if scope not in measure.scopes:
        if scope == "association":
            add("intervention", _("Måttet gäller en insats: välj vilken."))
        else:
            add("intervention", _("Måttet gäller hela förbundet, inte en enskild insats."))
    if details.by_gender and not measure.gendered:
        add("by_gender", _("Måttet kan inte delas upp på kön."))
    if measure.survey:
        questionnaire = details.questionnaire
        if questionnaire is None:
            add("questionnaire", _("Välj enkät."))
        elif getattr(questionnaire, "association_id", None) != association.pk:
            add("questionnaire", _("Enkäten tillhör ett annat förbund och kan inte väljas."))
        elif (
            not details.item_key
            or not questionnaire.versions.filter(  # type: ignore[attr-defined]
                items__key=details.item_key
            ).exists()
        ):
            add("item_key", _("Frågan finns inte i enkäten."))
    elif details.questionnaire is not None or details.at_least_reference:
        add("questionnaire", _("Enkät anges bara för mått på enkätfrågor."))
    if details.at_least_reference:
        if details.target is not None:
            add("target", _("Målet är den nationella nivån; ange inget eget målvärde."))
    elif details.target is None:
        add("target", _("Ange ett målvärde för måttet."))
    else:
        if details.target < 0:
            add("target", _("Målvärdet kan inte vara negativt."))
        elif measure.max_target is not None and details.target > measure.max_target:
            add("target", _("En andel kan inte vara över 100 %."))
        elif details.target > MAX_TARGET:
            add("target", _("Målvärdet är orimligt stort."))
        elif measure.unit == "count" and details.target != details.target.to_integral_value():
            add("target", _("Ett antal anges i hela tal."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_goal(actor: Actor, area: FocusArea, details: GoalDetails) -> PlanGoal:
    plan = area.plan
    _require_office(actor, plan.association)
    _require_draft(plan)
    validate_goal(plan.association, details)
    position = (area.goals.aggregate(m=Max("position"))["m"] or 0) + 1
    goal = PlanGoal.objects.create(
        association=plan.association,
        area=area,
        position=position,
        text=details.text.strip(),
        measure=details.measure,
        target=details.target,
        intervention=details.intervention,
        by_gender=details.by_gender,
        questionnaire=details.questionnaire,  # type: ignore[misc]
        item_key=details.item_key if details.questionnaire is not None else "",
        at_least_reference=details.at_least_reference,
    )
    audit.record("plans.goal.create", actor=actor, obj=goal)
    return goal


@transaction.atomic
def delete_goal(actor: Actor, goal: PlanGoal) -> None:
    plan = goal.area.plan
    _require_office(actor, plan.association)
    _require_draft(plan)
    audit.record("plans.goal.delete", actor=actor, obj=goal)
    goal.delete()


@dataclass
class ActivityDetails:
    text: str
    year: int
    quarter: int
    responsible: str = ""
    status: str = PlanActivity.Status.PLANNED
    comment: str = ""


def _validate_activity(plan: Plan, details: ActivityDetails) -> None:
    errors: dict[str, list[str]] = {}
    if not details.text.strip():
        errors["text"] = [_("Beskriv aktiviteten.")]
    if details.year not in plan.years:
        errors["year"] = [
            _("Aktiviteten måste ligga inom planens år %(first)s–%(last)s.")
            % {"first": plan.years[0], "last": plan.years[-1]}
        ]
    if details.quarter not in (1, 2, 3, 4):
        errors["quarter"] = [_("Välj kvartal 1–4.")]
    if details.status not in PlanActivity.Status.values:
        errors["status"] = [_("Välj en status i listan.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_activity(actor: Actor, area: FocusArea, details: ActivityDetails) -> PlanActivity:
    plan = area.plan
    _require_office(actor, plan.association)
    _require_draft(plan)
    _validate_activity(plan, details)
    activity = PlanActivity.objects.create(
        association=plan.association,
        area=area,
        text=details.text.strip(),
        responsible=details.responsible.strip(),
        year=details.year,
        quarter=details.quarter,
        status=details.status,
        comment=details.comment.strip(),
    )
    audit.record("plans.activity.create", actor=actor, obj=activity)
    return activity


@transaction.atomic
def follow_up_activity(
    actor: Actor, activity: PlanActivity, status: str, comment: str
) -> PlanActivity:
    """Status and comment of an activity: allowed on a decided plan too, since that is how the
    decided plan is followed up."""
    _require_office(actor, activity.association)
    if status not in PlanActivity.Status.values:
        raise ValidationError({"status": _("Välj en status i listan.")})
    activity.status = status
    activity.comment = comment.strip()
    activity.save(update_fields=["status", "comment"])
    audit.record("plans.activity.follow_up", actor=actor, obj=activity, reason=status)
    return activity


@transaction.atomic
def send_for_consultation(actor: Actor, plan: Plan, sent_on: date) -> Plan:
    _require_office(actor, plan.association)
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(_("Bara ett utkast kan skickas på samråd."))
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": _("Datumet kan inte ligga i framtiden.")})
    plan.status = Plan.Status.CONSULTATION
    plan.sent_on = sent_on
    plan.save(update_fields=["status", "sent_on"])
    audit.record("plans.plan.consultation", actor=actor, obj=plan, reason=str(sent_on))
    return plan


@transaction.atomic
def decide(actor: Actor, plan: Plan, decided_on: date, decision_number: str) -> Plan:
    """Record the board's decision: the version is locked from now on."""
    _require_office(actor, plan.association)
    # Lock the row, so two decisions at once cannot both pass the check below.
    Plan.objects.select_for_update().filter(pk=plan.pk).first()
    plan.refresh_from_db()
    if plan.is_locked:
        raise ValidationError(
            _("Planen är redan beslutad %(date)s (%(number)s).")
            % {"date": plan.decided_on, "number": plan.decision_number}
        )
    errors: dict[str, list[str]] = {}
    if decided_on > timezone.localdate():
        errors["decided_on"] = [_("Beslutsdatumet kan inte ligga i framtiden.")]
    if plan.sent_on and decided_on < plan.sent_on:
        errors["decided_on"] = [_("Beslutet kan inte vara före samrådet.")]
    if not decision_number.strip():
        errors["decision_number"] = [_("Ange beslutets paragraf- eller diarienummer.")]
    if errors:
        raise ValidationError(errors)
    newest = (
        Plan.objects.filter(association=plan.association, year=plan.year)
        .order_by("-version")
        .values_list("pk", flat=True)
        .first()
    )
    if newest != plan.pk:
        raise ValidationError(_("Bara den senaste versionen kan beslutas."))
    plan.status = Plan.Status.DECIDED
    plan.decided_on = decided_on
    plan.decision_number = decision_number.strip()
    plan.save(update_fields=["status", "decided_on", "decision_number"])
    audit.record("plans.plan.decide", actor=actor, obj=plan, reason=plan.decision_number)
    return plan


@transaction.atomic
def new_version(actor: Actor, plan: Plan) -> Plan:
    """A new draft version of the year's plan with everything of ``plan`` copied (activity
    status and comments too); the earlier version stays as it was."""
    _require_office(actor, plan.association)
    newest = Plan.objects.filter(association=plan.association, year=plan.year).aggregate(
        m=Max("version")
    )["m"]
    if newest != plan.version:
        raise ValidationError(_("Det finns redan en nyare version; utgå från den."))
    if not plan.is_locked:
        raise ValidationError(_("Planen är inte beslutad; ändra utkastet direkt."))
    copy = Plan.objects.create(
        association=plan.association,
        year=plan.year,
        version=plan.version + 1,
        introduction=plan.introduction,
        vision=plan.vision,
        mission=plan.mission,
        target_groups=plan.target_groups,
        organisation=plan.organisation,
    )
    # Old primary key → the copy, per kind, so the considerations follow their parts.
    copied: dict[str, dict[int, Any]] = {"area": {}, "goal": {}, "activity": {}}
    for area in plan.areas.prefetch_related("goals", "activities"):
        goals = list(area.goals.all())
        activities = list(area.activities.all())
        old = area.pk
        area.pk = None
        area.public_id = uuid.uuid4()
        area.plan = copy
        area.save()
        copied["area"][old] = area
        for goal in goals:
            old = goal.pk
            goal.pk = None
            goal.public_id = uuid.uuid4()
            goal.area = area
            goal.save()
            copied["goal"][old] = goal
        for activity in activities:
            old = activity.pk
            activity.pk = None
            activity.public_id = uuid.uuid4()
            activity.area = area
            activity.save()
            copied["activity"][old] = activity
    for consideration in plan.considerations.all():
        Consideration.objects.create(
            association=plan.association,
            conclusion_id=consideration.conclusion_id,
            plan=copy,
            area=copied["area"].get(consideration.area_id),
            goal=copied["goal"].get(consideration.goal_id),
            activity=copied["activity"].get(consideration.activity_id),
            how=consideration.how,
        )
    audit.record("plans.plan.new_version", actor=actor, obj=copy, reason=str(plan.public_id))
    return copy


# --- Member consultation (medlemssamråd) -------------------------------------------------------


@dataclass
class ConsultationDetails:
    date: date
    title: str
    agenda: str = ""
    strategic_questions: str = ""


@transaction.atomic
def create_consultation(actor: Actor, details: ConsultationDetails) -> Consultation:
    association = actor.association
    if association is None:
        raise PermissionDenied
    _require_office(actor, association)
    if not details.title.strip():
        raise ValidationError({"title": _("Ange en rubrik.")})
    consultation = Consultation.objects.create(
        association=association,
        date=details.date,
        title=details.title.strip(),
        agenda=details.agenda.strip(),
        strategic_questions=details.strategic_questions.strip(),
    )
    audit.record("plans.consultation.create", actor=actor, obj=consultation)
    return consultation


@transaction.atomic
def add_participant(
    actor: Actor, consultation: Consultation, organisation: Organisation, role: str, name: str = ""
) -> ConsultationParticipant:
    """An organisation taking part, by the role (and name) of its official."""
    _require_office(actor, consultation.association)
    errors: dict[str, list[str]] = {}
    if not Member.objects.filter(
        association=consultation.association, organisation=organisation
    ).exists():
        errors["organisation"] = [_("Organisationen är inte medlem i förbundet.")]
    if not role.strip():
        errors["role"] = [_("Ange deltagarens roll.")]
    if errors:
        raise ValidationError(errors)
    participant = ConsultationParticipant.objects.create(
        association=consultation.association,
        consultation=consultation,
        organisation=organisation,
        role=role.strip(),
        name=name.strip(),
    )
    audit.record("plans.consultation.participant", actor=actor, obj=consultation)
    return participant


@transaction.atomic
def add_conclusion(actor: Actor, consultation: Consultation, text: str) -> Conclusion:
    _require_office(actor, consultation.association)
    if not text.strip():
        raise ValidationError({"text": _("Skriv slutsatsen.")})
    conclusion = Conclusion.objects.create(
        association=consultation.association, consultation=consultation, text=text.strip()
    )
    audit.record("plans.conclusion.create", actor=actor, obj=conclusion)
    return conclusion


@transaction.atomic
def consider(
    actor: Actor,
    conclusion: Conclusion,
    part: FocusArea | PlanGoal | PlanActivity,
    how: str,
) -> Consideration:
    """Link ``conclusion`` to the part of a draft plan that considers it, saying how."""
    _require_office(actor, conclusion.association)
    plan = part.plan if isinstance(part, FocusArea) else part.area.plan
    errors: dict[str, list[str]] = {}
    if part.association_id != conclusion.association_id:
        errors["part"] = [_("Planen tillhör ett annat förbund.")]
    elif plan.is_locked:
        errors["part"] = [_("Planen är beslutad och låst. Koppla slutsatsen till en ny version.")]
    if not how.strip():
        errors["how"] = [_("Beskriv hur slutsatsen beaktas.")]
    if errors:
        raise ValidationError(errors)
    consideration = Consideration.objects.create(
        association=conclusion.association,
        conclusion=conclusion,
        plan=plan,
        area=part if isinstance(part, FocusArea) else None,
        goal=part if isinstance(part, PlanGoal) else None,
        activity=part if isinstance(part, PlanActivity) else None,
        how=how.strip(),
    )
    audit.record(
        "plans.conclusion.consider", actor=actor, obj=conclusion, reason=str(plan.public_id)
    )
    return consideration


# --- The governance year (årshjul) ----------------------------------------------------------


@dataclass
class ObligationDetails:
    kind: str
    title: str
    month: int
    day: int
    responsible_role: str
    remind_days_before: int = 14
    active: bool = True


def _validate_obligation(details: ObligationDetails) -> None:
    from stegvis.plans.calendar import REMINDED_ROLES

    errors: dict[str, list[str]] = {}
    if not details.title.strip():
        errors["title"] = [_("Beskriv åtagandet.")]
    if details.kind not in Obligation.Kind.values:
        errors["kind"] = [_("Välj en typ i listan.")]
    if not 1 <= details.month <= 12:
        errors["month"] = [_("Välj en månad 1–12.")]
    else:
        try:
            date(2001, details.month, details.day)  # not a leap year: 29 February is refused
        except ValueError:
            errors["day"] = [_("Dagen finns inte i den månaden (29 februari går inte).")]
    if details.responsible_role not in REMINDED_ROLES:
        errors["responsible_role"] = [_("Välj kansli, styrelse, beredningsgrupp eller revisor.")]
    if not 0 <= details.remind_days_before <= 120:
        errors["remind_days_before"] = [_("Påminnelsen skickas 0–120 dagar före.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_obligation(actor: Actor, details: ObligationDetails) -> Obligation:
    association = actor.association
    if association is None:
        raise PermissionDenied
    _require_office(actor, association)
    _validate_obligation(details)
    obligation = Obligation.objects.create(
        association=association, **{**details.__dict__, "title": details.title.strip()}
    )
    audit.record("plans.obligation.create", actor=actor, obj=obligation)
    return obligation


@transaction.atomic
def update_obligation(
    actor: Actor, obligation: Obligation, details: ObligationDetails
) -> Obligation:
    _require_office(actor, obligation.association)
    _validate_obligation(details)
    for name, value in details.__dict__.items():
        setattr(obligation, name, value.strip() if isinstance(value, str) else value)
    obligation.save()
    audit.record("plans.obligation.update", actor=actor, obj=obligation)
    return obligation


@transaction.atomic
def add_default_obligations(actor: Actor) -> int:
    from stegvis.plans.calendar import ensure_defaults

    association = actor.association
    if association is None:
        raise PermissionDenied
    _require_office(actor, association)
    created = ensure_defaults(association)
    if not created:
        raise ValidationError(_("Årshjulet har redan åtaganden."))
    audit.record("plans.obligation.defaults", actor=actor, owner=association, reason=str(created))
    return created
