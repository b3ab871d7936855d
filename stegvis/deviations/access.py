"""Access helpers: one report, administrator or category for the request's actor, or 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from stegvis.core.access import parse_public_id
from stegvis.core.permissions import get_actor
from stegvis.deviations.models import DeviationAdministrator, DeviationCategory, DeviationReport


def get_report_for_user(request: HttpRequest, public_id: object) -> DeviationReport:
    """A report the actor may see (``DeviationReport.objects.visible_to``), or 404."""
    report = (
        DeviationReport.objects.visible_to(get_actor(request))
        .select_related(
            "association",
            "category",
            "intervention",
            "reporter_organisation",
            "action_organisation",
            "merged_into",
            "reported_by",
            "reporter_unit__organisation",
        )
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if report is None:
        raise Http404
    return report


def get_administrator_for_user(request: HttpRequest, public_id: object) -> DeviationAdministrator:
    administrator = (
        DeviationAdministrator.objects.visible_to(get_actor(request))
        .select_related("user")
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if administrator is None:
        raise Http404
    return administrator


def get_category_for_user(request: HttpRequest, public_id: object) -> DeviationCategory:
    category = (
        DeviationCategory.objects.visible_to(get_actor(request))
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if category is None:
        raise Http404
    return category
