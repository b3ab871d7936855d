"""Participant lists as CSV and XLSX (/p/<provider>/deltagare/export.csv|.xlsx).

Provider staff only, after re-authentication (DESIGN.md §5.10), audited by ``exports.py``. A coach
gets the enrolments of the interventions they are assigned to. Optional GET filters: ``insats``
(the intervention's code) and ``status`` (``pagaende`` or ``avslutade``).
"""

from __future__ import annotations

import re
import uuid

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from stegvis.core.models import Role
from stegvis.core.permissions import get_actor, role_required
from stegvis.core.views.auth import sudo_required
from stegvis.participants.exports import Format, export_enrolments
from stegvis.participants.models import Enrolment

STATUSES = {"pagaende", "avslutade"}
# Intervention codes are slugs; anything else is refused rather than written to the audit log.
CODE = re.compile(r"[-a-z0-9_]{1,30}")


def _export(request: HttpRequest, fmt: Format) -> HttpResponse:
    actor = get_actor(request)
    enrolments = Enrolment.objects.visible_to(actor)
    code = request.GET.get("insats", "").strip()
    status = request.GET.get("status", "").strip()
    if status and status not in STATUSES:
        return HttpResponseBadRequest(_("Okänd status: välj pågående eller avslutade."))
    if code and not CODE.fullmatch(code):
        return HttpResponseBadRequest(_("Ogiltig kod för insats."))
    if code:
        enrolments = enrolments.filter(intervention__code=code)
    if status == "pagaende":
        enrolments = enrolments.filter(exit_date__isnull=True)
    elif status == "avslutade":
        enrolments = enrolments.filter(exit_date__isnull=False)
    export = export_enrolments(actor, enrolments, fmt, filters={"insats": code, "status": status})
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@role_required({Role.PROVIDER_MANAGER, Role.COACH})
@sudo_required
@require_GET
def export_csv(request: HttpRequest, provider: uuid.UUID) -> HttpResponse:
    return _export(request, "csv")


@role_required({Role.PROVIDER_MANAGER, Role.COACH})
@sudo_required
@require_GET
def export_xlsx(request: HttpRequest, provider: uuid.UUID) -> HttpResponse:
    return _export(request, "xlsx")
