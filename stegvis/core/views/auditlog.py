"""The audit log, read-only: a filtered, paginated list and a CSV export.

Shared by associations and providers: ``urls.py`` wraps each view in ``role_required``.
"""

from __future__ import annotations

import csv
from datetime import datetime, time
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from stegvis.core import audit
from stegvis.core.forms import AuditFilterForm
from stegvis.core.models import AuditEvent
from stegvis.core.permissions import get_actor
from stegvis.core.services import audit_csv_rows
from stegvis.core.views.auth import sudo_required


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    actor = get_actor(request)
    events = AuditEvent.objects.visible_to(actor).order_by("-seq")
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__icontains=data["action"])
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            events = events.filter(at__gte=datetime.combine(data["date_from"], time.min, tz))
        if data["date_to"]:
            events = events.filter(at__lte=datetime.combine(data["date_to"], time.max, tz))
    return form, events


@require_GET
def audit_list(request: HttpRequest, **owner: Any) -> HttpResponse:
    form, events = _filtered(request)
    page = Paginator(events, 50).get_page(request.GET.get("sida"))
    query = request.GET.copy()
    query.pop("sida", None)
    return render(
        request, "core/audit_list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@sudo_required
def audit_export(request: HttpRequest, **owner: Any) -> StreamingHttpResponse:
    actor = get_actor(request)
    _form, events = _filtered(request)
    audit.record("audit.export", actor=actor, request=request)
    writer = csv.writer(_Echo(), delimiter=";")
    # A BOM so that Excel opens the Swedish characters correctly.
    rows = (writer.writerow(row) for row in audit_csv_rows(events))
    response = StreamingHttpResponse(_with_bom(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="logg-{stamp}.csv"'
    return response


def _with_bom(rows: Any) -> Any:
    yield "\ufeff"
    yield from rows
