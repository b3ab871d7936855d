"""Participant import (/p/<provider>/import/…): upload, preview, confirm; and the template.

Provider managers only. The upload is checked with a dry run of the import (every row validated
and written inside a transaction that is then rolled back), and the preview lists the counts and
every error. The file waits for the confirmation on the server, encrypted, under
``BASE_DIR/var/imports/<token>``; only the random token is kept, in the session (never in a URL).
The confirmation runs the import for real, all or nothing, and deletes the file.

The import runs in the request: no background task framework is installed yet, so there is no
progress bar; ``imports.run_import`` takes a ``progress`` callback for when there is one.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import time
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stegvis.core import crypto
from stegvis.core.actors import Actor
from stegvis.core.models import Role
from stegvis.core.permissions import get_actor, role_required
from stegvis.interventions.models import Intervention
from stegvis.participants import imports

MANAGER = {Role.PROVIDER_MANAGER}
SESSION_KEY = "stegvis_import"
# A waiting file older than this is deleted at the next upload by anyone.
MAX_AGE_SECONDS = 6 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


class ImportForm(forms.Form):
    fil = forms.FileField(
        label=gettext_lazy("Fil"),
        help_text=gettext_lazy("En Excel-arbetsbok (.xlsx) eller en CSV-fil, högst 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def import_dir() -> Path:
    return Path(settings.BASE_DIR) / "var" / "imports"


def _path(token: str) -> Path | None:
    return import_dir() / token if _TOKEN.fullmatch(token) else None


def _store(data: bytes) -> str:
    """Keep the file, encrypted, until it is confirmed; return its token."""
    directory = import_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    _sweep(directory)
    token = secrets.token_urlsafe(32)
    sealed = crypto.encrypt(base64.b64encode(data).decode("ascii")).encode("ascii")
    fd = os.open(directory / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(sealed)
    return token


def _load(token: str) -> bytes | None:
    path = _path(token)
    if path is None or not path.is_file():
        return None
    if time.time() - path.stat().st_mtime > MAX_AGE_SECONDS:
        path.unlink(missing_ok=True)
        return None
    try:
        return base64.b64decode(crypto.decrypt(path.read_text(encoding="ascii")))
    except ValueError:
        return None


def _sweep(directory: Path) -> None:
    """Delete waiting files nobody confirmed."""
    limit = time.time() - MAX_AGE_SECONDS
    for entry in directory.iterdir():
        try:
            if entry.is_file() and entry.stat().st_mtime < limit:
                entry.unlink()
        except OSError:
            continue


def _pending(request: HttpRequest, actor: Actor) -> dict[str, str] | None:
    pending = request.session.get(SESSION_KEY)
    assert actor.unit is not None
    if not isinstance(pending, dict) or pending.get("provider") != str(actor.unit.public_id):
        return None
    return pending


def _discard(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if isinstance(pending, dict):
        path = _path(str(pending.get("token", "")))
        if path is not None:
            path.unlink(missing_ok=True)


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
        if result.ok:
            extension = Path(name).suffix.lower()
            request.session[SESSION_KEY] = {
                "provider": str(actor.unit.public_id),
                "token": _store(data),
                "extension": extension,
            }
        return _preview(request, result, can_confirm=result.ok)
    return render(request, "participants/import_upload.html", {"form": form})


@role_required(MANAGER)
@require_POST
def import_confirm(request: HttpRequest, provider: uuid.UUID) -> HttpResponse:
    actor = get_actor(request)
    assert actor.unit is not None
    pending = _pending(request, actor)
    data = _load(str(pending.get("token", ""))) if pending else None
    if pending is None or data is None:
        _discard(request)
        messages.error(request, _("Ingen fil väntar på import. Ladda upp filen igen."))
        return redirect(_upload_url(actor))
    name = "import" + str(pending.get("extension", ""))
    result = imports.import_file(actor.unit, name, data, actor=actor, dry_run=False)
    _discard(request)
    if not result.saved:
        # Something changed since the preview (e.g. someone enrolled one of the people).
        return _preview(request, result, can_confirm=False)
    messages.success(request, _("Importen är klar.") + " " + result.summary())
    return redirect(_upload_url(actor))


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
