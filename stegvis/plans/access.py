"""Access helpers: one plan object of the request's association, or 404.

Scoped by ``.visible_to(actor)``: association A's roles never reach B's plans, focus areas, goals
or activities, whatever id is put in the URL."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model
from django.http import Http404, HttpRequest

from stegvis.core.access import parse_public_id
from stegvis.core.permissions import get_actor
from stegvis.plans.models import (
    Conclusion,
    Consultation,
    FocusArea,
    Obligation,
    Plan,
    PlanActivity,
    PlanGoal,
)

T = TypeVar("T", bound=Model)


def _get(model: type[T], request: HttpRequest, public_id: object, **where: object) -> T:
    obj = (
        model._default_manager.visible_to(get_actor(request))  # type: ignore[attr-defined]
        .filter(public_id=parse_public_id(public_id), **where)
        .first()
    )
    if obj is None:
        raise Http404
    return obj


def get_plan_for_user(request: HttpRequest, public_id: object) -> Plan:
    return _get(Plan, request, public_id)


def get_area_for_user(request: HttpRequest, plan: Plan, public_id: object) -> FocusArea:
    return _get(FocusArea, request, public_id, plan=plan)


def get_goal_for_user(request: HttpRequest, plan: Plan, public_id: object) -> PlanGoal:
    return _get(PlanGoal, request, public_id, area__plan=plan)


def get_activity_for_user(request: HttpRequest, plan: Plan, public_id: object) -> PlanActivity:
    return _get(PlanActivity, request, public_id, area__plan=plan)


def get_consultation_for_user(request: HttpRequest, public_id: object) -> Consultation:
    return _get(Consultation, request, public_id)


def get_conclusion_for_user(
    request: HttpRequest, consultation: Consultation, public_id: object
) -> Conclusion:
    return _get(Conclusion, request, public_id, consultation=consultation)


def get_part_for_user(request: HttpRequest, key: str) -> FocusArea | PlanGoal | PlanActivity:
    """A part of one of the association's plans from a form value ``kind:public_id``."""
    kind, _sep, public_id = key.partition(":")
    models: dict[str, type[FocusArea] | type[PlanGoal] | type[PlanActivity]] = {
        "area": FocusArea,
        "goal": PlanGoal,
        "activity": PlanActivity,
    }
    if kind not in models:
        raise Http404
    return _get(models[kind], request, public_id)


def get_obligation_for_user(request: HttpRequest, public_id: object) -> Obligation:
    return _get(Obligation, request, public_id)
