"""Pages of the annual / interim report: read it (office exact, board and other association roles
suppressed), write the section texts and fix a version (office), and download it as PDF or XLSX.
Thin views: the figures are in ``document_sections``, every write in ``document``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from stegvis.core.permissions import get_actor, role_required
from stegvis.reports import document
from stegvis.reports.document_sections import SECTION_KEYS


def _period(source: Any) -> document.Period:
    year = source.get("ar") or timezone.localdate().year
    return document.period(year, source.get("till") or 12)


def _page_url(association: str, p: document.Period, **extra: Any) -> str:
    query = {"ar": p.start.year, "till": p.end_month, **extra}
    base = reverse("reports_document:document", kwargs={"association": association})
    return f"{base}?{urlencode(query)}"


def _month_choices() -> list[tuple[int, str]]:
    return [
        (4, _("januari–april")),
        (6, _("januari–juni")),
        (8, _("januari–augusti")),
        (12, _("hela året")),
    ]


def _number(raw: str | None) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404 from None


def _bad_period(request: HttpRequest, error: ValidationError, year: Any) -> HttpResponse:
    context = {"error": error.messages[0], "months": _month_choices(), "year": year}
    return render(request, "reports/document/page.html", context, status=400)


def _render_page(
    request: HttpRequest,
    p: document.Period,
    number: int | None = None,
    *,
    posted: dict[str, str] | None = None,
    error: str = "",
) -> HttpResponse:
    actor = get_actor(request)
    assert actor.association is not None
    exact = document.sees_exact(actor)
    version = document.version_for(actor.association, p, exact=exact, number=number)
    if number is not None and version is None:
        raise Http404
    ctx = document.context(actor.association, p, publish=not exact, version=version)
    if posted is not None:
        # The office's unsaved texts go back into the form with the message.
        for item in ctx["sections"]:
            item["text"] = posted.get(item["section"].key, "")
    all_versions = document.versions(document.find_report(actor.association, p)) if exact else []
    latest = all_versions[0] if all_versions else None
    # Texts are edited on the newest version only: an older one is read, never saved over.
    older = version is not None and latest is not None and version.number != latest.number
    version_query = {"ar": p.start.year, "till": p.end_month}
    if version is not None and exact:
        version_query["version"] = version.number
    ctx.update(
        {
            "months": _month_choices(),
            "year": p.start.year,
            "end_month": p.end_month,
            "can_edit": document.can_edit_document(actor) and not older,
            "older": older,
            "all_versions": all_versions,
            "latest": latest,
            "query": urlencode({"ar": p.start.year, "till": p.end_month}),
            "version_query": urlencode(version_query),
            "form_error": error,
        }
    )
    return render(request, "reports/document/page.html", ctx, status=400 if error else 200)


@role_required(document.READ_ROLES)
@require_GET
def document_page(request: HttpRequest, association: str) -> HttpResponse:
    exact = document.sees_exact(get_actor(request))
    try:
        p = _period(request.GET)
    except ValidationError as error:
        return _bad_period(request, error, request.GET.get("ar"))
    return _render_page(request, p, _number(request.GET.get("version")) if exact else None)


@role_required(document.WRITE_ROLES)
@require_POST
def save_texts(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.association is not None
    try:
        p = _period(request.POST)
    except ValidationError as error:
        return _bad_period(request, error, request.POST.get("ar"))
    try:
        version = document.save_texts(actor, actor.association, p, request.POST)
    except ValidationError as error:
        posted = {key: str(request.POST.get(key, "")) for key in SECTION_KEYS}
        return _render_page(request, p, posted=posted, error=" ".join(error.messages))
    messages.success(request, _("Texterna är sparade i version %(n)s.") % {"n": version.number})
    return redirect(_page_url(association, p))


@role_required(document.WRITE_ROLES)
@require_POST
def finalise(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.association is not None
    try:
        p = _period(request.POST)
    except ValidationError as error:
        return _bad_period(request, error, request.POST.get("ar"))
    try:
        version = document.finalise(actor, actor.association, p)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_page_url(association, p))
    messages.success(
        request,
        _("Version %(n)s är fastställd och låst. Nya ändringar blir en ny version.")
        % {"n": version.number},
    )
    return redirect(_page_url(association, p))


def _download(request: HttpRequest, kind: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.association is not None
    exact = document.sees_exact(actor)
    try:
        p = _period(request.GET)
    except ValidationError as error:
        return HttpResponse(error.messages[0], status=400, content_type="text/plain; charset=utf-8")
    name = f"{actor.association.slug}-{p.kind}-{p.start.year}-{p.end_month:02d}"
    if kind == "pdf":
        number = _number(request.GET.get("version")) if exact else None
        version = document.version_for(actor.association, p, exact=exact, number=number)
        if number is not None and version is None:
            raise Http404
        content = document.annual_pdf(
            actor.association, p.start, p.end, publish=not exact, version=version
        )
        response = HttpResponse(content, content_type="application/pdf")
    else:
        content = document.annual_xlsx(actor.association, p.start, p.end, publish=not exact)
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    suffix = "" if exact else "-avidentifierad"
    response["Content-Disposition"] = f'attachment; filename="{name}{suffix}.{kind}"'
    return response


@role_required(document.READ_ROLES)
@require_GET
def document_pdf(request: HttpRequest, association: str) -> HttpResponse:
    return _download(request, "pdf")


@role_required(document.READ_ROLES)
@require_GET
def document_xlsx(request: HttpRequest, association: str) -> HttpResponse:
    return _download(request, "xlsx")
