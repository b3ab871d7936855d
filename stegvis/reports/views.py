"""Report pages: the association's report (the office exact, every other reader suppressed),
goal follow-up and the socio-economic effect (the office), and the provider manager's own
report. Each page downloads as CSV, XLSX and PDF (``?format=…``), each table on its own too
(``&tabell=<key>``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from stegvis.core import audit
from stegvis.core.models import Role
from stegvis.core.permissions import get_actor, role_required
from stegvis.interventions.models import Intervention

from . import output
from .association import association_report
from .base import Report
from .forms import RangeForm, SocioEconomicForm
from .goals import goal_follow_up
from .permissions import (
    ASSOCIATION_READERS,
    can_edit_reports,
    can_read_association_report,
    can_read_provider_report,
    sees_exact_figures,
)
from .provider import provider_interventions, provider_report
from .services import save_socioeconomic_model, socioeconomic_model
from .socioeconomic import socioeconomic_report

DOWNLOADS = ("csv", "xlsx", "pdf")


def _respond(
    request: HttpRequest, report: Report | None, template: str, context: dict[str, Any]
) -> HttpResponse:
    """The page, or the download the query asks for (the whole report or one table)."""
    fmt = request.GET.get("format", "")
    if report is not None and fmt in DOWNLOADS:
        table = None
        key = request.GET.get("tabell", "")
        if key:
            if fmt == "pdf":
                raise Http404
            table = report.table(key)
            if table is None:
                raise Http404
        return output.download(request, report, fmt, table)
    query = request.GET.copy()
    for name in ("format", "tabell"):
        query.pop(name, None)
    return render(request, template, {**context, "report": report, "query": query.urlencode()})


def _audit(request: HttpRequest, action: str, report: Report | None) -> None:
    if report is None:
        return
    fmt = request.GET.get("format", "") or "sida"
    audit.record(action, actor=get_actor(request), reason=f"{report.range.label} ({fmt})")


@role_required(ASSOCIATION_READERS, can_read_association_report)
def association(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.association is not None
    form, rng = RangeForm.from_query(request.GET)
    report = None
    if rng is not None:
        report = association_report(
            actor.association, rng, intervention=request.GET.get("insats", "")
        )
        if not sees_exact_figures(actor):
            report = report.publish()
    _audit(request, "reports.association_report", report)
    interventions = (
        Intervention.objects.visible_to(actor)
        .filter(kind=Intervention.Kind.INDIVIDUAL)
        .order_by("name")
    )
    return _respond(
        request,
        report,
        "reports/association.html",
        {"form": form, "interventions": interventions, "chosen": request.GET.get("insats", "")},
    )


@role_required([Role.OFFICE], can_edit_reports)
def goals(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.association is not None
    form, rng = RangeForm.from_query(request.GET)
    report = goal_follow_up(actor.association, rng) if rng is not None else None
    _audit(request, "reports.goals", report)
    return _respond(request, report, "reports/goals.html", {"form": form})


@role_required([Role.OFFICE], can_edit_reports)
def socioeconomic(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.association is not None
    model = socioeconomic_model(actor.association)
    parameters = SocioEconomicForm(instance=model)
    if request.method == "POST":
        parameters = SocioEconomicForm(
            request.POST, instance=socioeconomic_model(actor.association)
        )
        if parameters.is_valid():
            save_socioeconomic_model(actor, parameters.cleaned_data)
            messages.success(request, _("Modellens antaganden är sparade."))
            return redirect(f"{request.path}?{request.GET.urlencode()}")
    form, rng = RangeForm.from_query(request.GET)
    report = socioeconomic_report(actor.association, rng) if rng is not None else None
    _audit(request, "reports.socioeconomic", report)
    return _respond(
        request,
        report,
        "reports/socioeconomic.html",
        {"form": form, "parameters": parameters, "model": model},
    )


@role_required([Role.PROVIDER_MANAGER], can_read_provider_report)
def provider(request: HttpRequest, provider: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.unit is not None
    form, rng = RangeForm.from_query(request.GET)
    report = None
    if rng is not None:
        # provider_report records the read in the provider's audit log.
        fmt = request.GET.get("format", "")
        report = provider_report(
            actor.unit,
            rng,
            actor=actor,
            intervention=request.GET.get("insats", ""),
            shown_as=fmt if fmt in DOWNLOADS else "sida",
        )
    return _respond(
        request,
        report,
        "reports/provider.html",
        {
            "form": form,
            "interventions": provider_interventions(actor.unit, actor),
            "chosen": request.GET.get("insats", ""),
        },
    )
