"""Participant import (/p/<provider>/import/…): upload, preview, confirm, progress; the template.

Provider managers only. The upload is checked with a dry run of the import (every row validated
and written inside a transaction that is then rolled back), and the preview lists the counts and
every error. The file waits for the confirmation on the server, encrypted, under
``BASE_DIR/var/imports/<token>`` (``import_files.py``); only the random token is kept, in the
session (never in a URL). The confirmation runs the import for real, all or nothing, and deletes
the file: in the request for a file of at most :data:`BACKGROUND_ROWS` rows, and otherwise as a
background task (``tasks.run_import_job``) whose page (``import_job``) shows a progress bar that
refreshes itself every second (htmx) and then the counts or every error.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.middleware import POLL_HEADER
from stegvis.core.models import Role
from stegvis.core.permissions import get_actor, role_required
from stegvis.interventions.models import Intervention
from stegvis.participants import import_files, imports, tasks
from stegvis.participants.models import ImportJob

MANAGER = {Role.PROVIDER_MANAGER}
SESSION_KEY = "stegvis_import"
# Files with more rows than this are imported in the background, with a progress bar.
BACKGROUND_ROWS = 500


class ImportForm(forms.Form):
    fil = forms.FileField(
        label=gettext_lazy("Fil"),
        help_text=gettext_lazy("En Excel-arbetsbok (.xlsx) eller en CSV-fil, högst 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _pending(request: HttpRequest, actor: Actor) -> dict[str, str] | None:
    pending = request.session.get(SESSION_KEY)
    assert actor.unit is not None
    if not isinstance(pending, dict) or pending.get("provider") != str(actor.unit.public_id):
        return None
    return pending


def _discard(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if isinstance(pending, dict):
        import_files.delete(str(pending.get("token", "")))


def _upload_url(actor: Actor) -> str:
    assert actor.unit is not None
    return reverse("participants:provider_import", kwargs={"provider": actor.unit.public_id})


def _preview(
    request: HttpRequest, result: imports.ImportResult, *, can_confirm: bool
) -> HttpResponse:
    return render(
        request,
        "participants/import_preview.html",
        {"result": result, "can_confirm": can_confirm, "form": ImportForm()},
        status=200,
    )


@role_required(MANAGER)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, provider: uuid.UUID) -> HttpResponse:
    actor = get_actor(request)
    assert actor.unit is not None
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if form.is_bound and form.is_valid():
        _discard(request)
        upload = form.cleaned_data["fil"]
        name = upload.name or ""
        if upload.size is not None and upload.size > imports.MAX_BYTES:
            # Refused before it is read into memory.
            result = imports.ImportResult(
                errors=[imports.RowError(0, "", imports.too_large_message())], dry_run=True
            )
            return _preview(request, result, can_confirm=False)
        data = b"".join(upload.chunks())
        result = imports.import_file(actor.unit, name, data, actor=actor, dry_run=True)
        # The preview read the provider's existing participants: a trial import rolls back with
        # everything it wrote, its events too, so the read is recorded here, after it.
        _audit_import("import.preview", actor, result)
        if result.ok:
            extension = Path(name).suffix.lower()
            request.session[SESSION_KEY] = {
                "provider": str(actor.unit.public_id),
                "token": import_files.store(data),
                "extension": extension,
            }
        return _preview(request, result, can_confirm=result.ok)
    jobs = ImportJob.objects.visible_to(actor).select_related("created_by")[:5]
    return render(
        request,
        "participants/import_upload.html",
        {"form": form, "jobs": jobs, "background_rows": BACKGROUND_ROWS},
    )


@role_required(MANAGER)
@require_POST
def import_confirm(request: HttpRequest, provider: uuid.UUID) -> HttpResponse:
    actor = get_actor(request)
    assert actor.unit is not None
    pending = _pending(request, actor)
    token = str(pending.get("token", "")) if pending else ""
    data = import_files.load(token) if pending else None
    if pending is None or data is None:
        _discard(request)
        messages.error(request, _("Ingen fil väntar på import. Ladda upp filen igen."))
        return redirect(_upload_url(actor))
    extension = str(pending.get("extension", ""))
    rows, errors = imports.read_file("import" + extension, data)
    if not errors and len(rows) > BACKGROUND_ROWS:
        # The file stays where it is for the task, which deletes it.
        request.session.pop(SESSION_KEY, None)
        job = ImportJob.objects.create(
            provider=actor.unit,
            created_by=actor.user,
            total=len(rows),
            file_token=token,
            file_extension=extension,
            language=translation.get_language() or "sv",
        )
        tasks.run_import_job.enqueue(str(job.public_id))
        return redirect(_job_url(actor, job))
    if errors:
        result = imports.ImportResult(errors=errors)
    else:
        result = imports.run_import(actor.unit, rows, actor=actor, dry_run=False)
    _audit_import("import.finish", actor, result)
    _discard(request)
    if not result.saved:
        # Something changed since the preview (e.g. someone enrolled one of the people).
        return _preview(request, result, can_confirm=False)
    messages.success(request, _("Importen är klar.") + " " + result.summary())
    return redirect(_upload_url(actor))


def _audit_import(action: str, actor: Actor, result: imports.ImportResult) -> None:
    """One event for an import in the page, as a background job writes import.finish: how it
    ended and how many participants it found already registered."""
    if result.saved:
        reason = f"sparad: {result.rows} rader"
    elif result.ok:
        reason = f"provkörd: {result.rows} rader"
    else:
        reason = f"inte sparad: {len(result.errors)} fel"
    audit.record(
        action, actor=actor, reason=f"{reason}, {result.existing_participants} fanns redan"
    )


def _job_url(actor: Actor, job: ImportJob) -> str:
    assert actor.unit is not None
    return reverse(
        "participants:provider_import_job",
        kwargs={"provider": actor.unit.public_id, "job": job.public_id},
    )


# Read only, outside a transaction: the page must answer while a running import holds the
# database's write lock (on SQLite, every transaction waits for it).
@transaction.non_atomic_requests
@role_required(MANAGER)
def import_job(request: HttpRequest, provider: uuid.UUID, job: uuid.UUID) -> HttpResponse:
    """A background import: its state and progress while it runs, then its result."""
    actor = get_actor(request)
    found = ImportJob.objects.visible_to(actor).filter(public_id=job).first()
    if found is None:
        raise Http404
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    done, total = found.done, found.total
    writing = False
    if found.state == ImportJob.State.RUNNING:
        progress = import_files.read_progress(found.public_id)
        if progress is not None:
            writing = True
            done, total = progress
    context = {
        "job": found,
        "done": done,
        "total": total,
        "writing": writing,
        "poll_headers": json.dumps({POLL_HEADER: "1"}),
    }
    if request.headers.get("HX-Request") == "true":
        # htmx stops refreshing on 286 (and still shows the answer): the job has ended.
        status = 200 if found.is_running else 286
        return render(request, "participants/_import_job_status.html", context, status=status)
    return render(request, "participants/import_job.html", context)


@role_required(MANAGER)
@require_GET
def import_template(request: HttpRequest, provider: uuid.UUID) -> HttpResponse:
    actor = get_actor(request)
    first = (
        Intervention.objects.visible_to(actor)
        .filter(kind=Intervention.Kind.INDIVIDUAL)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    content = imports.template_workbook(first or "steg1")
    response = HttpResponse(content, content_type=imports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="stegvis-import-mall.xlsx"'
    return response
