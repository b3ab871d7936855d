"""The plan's part of the wall sweep (core/tests/test_wall_sweep.py): a plan with a focus area, a
goal and an activity at each association; nothing at providers or units."""

from __future__ import annotations

from datetime import date

from stegvis.core.models import Association
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
    ReminderSent,
)

OBJECT_KINDS = {
    "plan",
    "area",
    "plan_goal",
    "plan_activity",
    "consultation",
    "conclusion",
    "obligation",
}


def objects_for(world: object, owner: object) -> dict[str, object]:
    if not isinstance(owner, Association):
        return {}
    plan = Plan.objects.create(association=owner, year=2026, vision=f"Vision {owner.name}")
    area = FocusArea.objects.create(association=owner, plan=plan, name=f"Område {owner.name}")
    goal = PlanGoal.objects.create(association=owner, area=area, text=f"Mål {owner.name}")
    activity = PlanActivity.objects.create(
        association=owner, area=area, text=f"Aktivitet {owner.name}", year=2026, quarter=1
    )
    consultation = Consultation.objects.create(
        association=owner, date=date(2026, 2, 10), title=f"Samråd {owner.name}"
    )
    conclusion = Conclusion.objects.create(
        association=owner, consultation=consultation, text=f"Slutsats {owner.name}"
    )
    obligation = Obligation.objects.create(
        association=owner,
        kind="other",
        title=f"Åtagande {owner.name}",
        month=3,
        day=1,
        responsible_role="office",
    )
    return {
        "obligation": obligation.public_id,
        "consultation": consultation.public_id,
        "conclusion": conclusion.public_id,
        "plan": plan.public_id,
        "area": area.public_id,
        "plan_goal": goal.public_id,
        "plan_activity": activity.public_id,
    }


def counts() -> tuple[int, ...]:
    return (
        Plan.objects.count(),
        Plan.objects.filter(status=Plan.Status.DECIDED).count(),
        Plan.objects.exclude(sent_on=None).count(),
        FocusArea.objects.count(),
        PlanGoal.objects.count(),
        PlanActivity.objects.count(),
        PlanActivity.objects.exclude(status=PlanActivity.Status.PLANNED).count(),
        Consultation.objects.count(),
        ConsultationParticipant.objects.count(),
        Conclusion.objects.count(),
        Consideration.objects.count(),
        Obligation.objects.count(),
        Obligation.objects.filter(active=True).count(),
        ReminderSent.objects.count(),
    )
