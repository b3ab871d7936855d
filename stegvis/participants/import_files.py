"""Uploaded import files waiting on the server, and the progress of the imports that run them.

An uploaded file waits, Fernet-encrypted, under ``BASE_DIR/var/imports/<token>`` from the preview
until it is confirmed (``views_import.py``) and, for a large file, until the background task has
run it (``tasks.py``); only the random token is kept, in the session or in the ``ImportJob``.
A file nobody came back for is deleted after :data:`MAX_AGE_SECONDS`.

A running import writes all its rows in one transaction, so nothing it writes to the database is
seen by anyone else before the end. Its progress is therefore kept beside the waiting files, in
``<job public id>.progress``: two numbers, rows written and rows in all, and nothing else. The web
server and the worker share ``var/imports`` already (the worker reads the upload from there).
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import time
import uuid
from pathlib import Path

from django.conf import settings

from stegvis.core import crypto

# A waiting file older than this is deleted at the next upload by anyone.
MAX_AGE_SECONDS = 6 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def import_dir() -> Path:
    return Path(settings.BASE_DIR) / "var" / "imports"


def path_for(token: str) -> Path | None:
    return import_dir() / token if _TOKEN.fullmatch(token) else None


def store(data: bytes) -> str:
    """Keep the file, encrypted, until it is imported; return its token."""
    directory = import_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    sweep(directory)
    token = secrets.token_urlsafe(32)
    sealed = crypto.encrypt(base64.b64encode(data).decode("ascii")).encode("ascii")
    fd = os.open(directory / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(sealed)
    return token


def load(token: str) -> bytes | None:
    path = path_for(token)
    if path is None or not path.is_file():
        return None
    if time.time() - path.stat().st_mtime > MAX_AGE_SECONDS:
        path.unlink(missing_ok=True)
        return None
    try:
        return base64.b64decode(crypto.decrypt(path.read_text(encoding="ascii")))
    except ValueError:
        return None


def delete(token: str) -> None:
    path = path_for(token)
    if path is not None:
        path.unlink(missing_ok=True)


def sweep(directory: Path) -> None:
    """Delete waiting files (and progress files) nobody came back for."""
    limit = time.time() - MAX_AGE_SECONDS
    for entry in directory.iterdir():
        try:
            if entry.is_file() and entry.stat().st_mtime < limit:
                entry.unlink()
        except OSError:
            continue


# --- Progress of a running import ---------------------------------------------------------


def _progress_path(job: uuid.UUID) -> Path:
    return import_dir() / f"{uuid.UUID(str(job))}.progress"


def write_progress(job: uuid.UUID, done: int, total: int) -> None:
    """Replace the job's progress atomically: a reader sees the old numbers or the new."""
    path = _progress_path(job)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_text(f"{int(done)} {int(total)}\n", encoding="ascii")
    os.replace(partial, path)


def read_progress(job: uuid.UUID) -> tuple[int, int] | None:
    """(rows written, rows in all) while the job writes; None before it starts writing."""
    try:
        text = _progress_path(job).read_text(encoding="ascii")
    except (OSError, ValueError):
        return None
    parts = text.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    done, total = int(parts[0]), int(parts[1])
    return min(done, total), total


def delete_progress(job: uuid.UUID) -> None:
    _progress_path(job).unlink(missing_ok=True)
