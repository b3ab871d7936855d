"""Access helpers: one finance object of the request's association, or 404.

Scoped by ``.visible_to(actor)``: association A's roles never reach B's budgets, lines, account
mappings or ceiling tiers, whatever id is put in the URL."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils import timezone

from stegvis.core.access import parse_public_id
from stegvis.core.permissions import get_actor
from stegvis.finance.models import AccountMapping, Budget, BudgetLine, CeilingTier


def get_budget_for_user(request: HttpRequest, public_id: object) -> Budget:
    budget = (
        Budget.objects.visible_to(get_actor(request))
        .select_related("association")
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if budget is None:
        raise Http404
    return budget


def get_line_for_user(request: HttpRequest, budget: Budget, public_id: object) -> BudgetLine:
    line = (
        BudgetLine.objects.visible_to(get_actor(request))
        .select_related("budget__association", "post", "association")
        .filter(budget=budget, public_id=parse_public_id(public_id))
        .first()
    )
    if line is None:
        raise Http404
    return line


def get_mapping_for_user(request: HttpRequest, public_id: object) -> AccountMapping:
    mapping = (
        AccountMapping.objects.visible_to(get_actor(request))
        .select_related("association")
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if mapping is None:
        raise Http404
    return mapping


def get_tier_for_user(request: HttpRequest, public_id: object) -> CeilingTier:
    tier = (
        CeilingTier.objects.visible_to(get_actor(request))
        .select_related("association")
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if tier is None:
        raise Http404
    return tier


def year_from(request: HttpRequest) -> int:
    """The year in ``?ar=`` (or a POST field ``ar``), else the current year; a year outside
    2000–2100 or not a number is a 404, like a page that does not exist."""
    raw = request.POST.get("ar") or request.GET.get("ar")
    if raw is None or raw == "":
        return timezone.localdate().year
    if not str(raw).isdigit() or not 2000 <= int(raw) <= 2100:
        raise Http404
    return int(raw)
