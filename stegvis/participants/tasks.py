"""Background tasks of the provider side (django-tasks; run by ``manage.py db_worker``).

:func:`run_import_job` runs a large participant import that a provider manager confirmed
(``views_import.import_confirm``), so that the page can show its progress instead of waiting.

How the progress is seen while the import stays all or nothing: ``imports.run_import`` checks
every row and then writes them all in ONE transaction, and the writing is nearly all the time an
import takes (checking 600 rows takes half a second, writing them fifteen). Nothing written to the
database inside that transaction is visible to the page before it commits, and on SQLite no other
connection may even write while it runs. So the progress is not kept in the database while the
import runs: the task writes it to a small file beside the waiting upload
(``import_files.write_progress``: two numbers, rows written and rows in all) every
``imports.PROGRESS_EVERY`` rows, in both of the import's passes, and the page reads it. The job's
row in the database gets its state and numbers in short transactions of their own before the
import (queued → running, with the number of rows) and after it (done or failed, with the counts
and every error), outside the import's transaction.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.models import Role, RoleAssignment
from stegvis.core.sqlite import optimize
from stegvis.participants import import_files, imports
from stegvis.participants.models import ImportJob

logger = logging.getLogger(__name__)


@task()
def run_import_job(job_id: str) -> str:
    """Run the import job ``job_id`` (its public id) once; return the state it ended in."""
    job = (
        ImportJob.objects.select_related("provider", "created_by")
        .filter(public_id=job_id, state=ImportJob.State.QUEUED)
        .first()
    )
    if job is None:
        return "skipped"  # unknown, or already run
    with translation.override(job.language):
        try:
            _run(job)
        except Exception:
            # Whatever it was, the import's transaction was rolled back: nothing is saved.
            logger.exception("Import job %s failed", job.public_id)
            _finish(job, None, [_file_error(_("Importen avbröts av ett oväntat fel."))])
    if job.state == ImportJob.State.DONE:
        # Outside the handler above: the import is saved and audited as saved, whatever
        # happens here. A large import can multiply a table at once; the worker's connection
        # stays open, so the statistics are refreshed here rather than at its close (SQLite).
        try:
            optimize()
        except Exception:
            logger.exception("Statistics not refreshed after import job %s", job.public_id)
    return str(job.state)


def _run(job: ImportJob) -> None:
    job.state = ImportJob.State.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["state", "started_at"])
    actor = _actor(job)
    _audit("import.start", job, actor, f"{job.total} rader")
    if actor is None:
        _finish(
            job,
            None,
            [_file_error(_("Den som startade importen är inte längre enhetschef hos utföraren."))],
        )
        return
    data = import_files.load(job.file_token)
    if data is None:
        _finish(
            job,
            None,
            [
                _file_error(
                    _(
                        "Filen finns inte längre: en fil väntar i högst sex timmar. "
                        "Ladda upp den igen."
                    )
                )
            ],
        )
        return

    def progress(done: int, total: int) -> None:
        import_files.write_progress(job.public_id, done, total)

    # The errors are stored: no message may quote a cell's value (it could be a person's).
    with imports.cell_values_left_out():
        rows, errors = imports.read_file("import" + job.file_extension, data)
        del data
        if errors:
            _finish(job, None, errors)
            return
        if job.total != len(rows):
            job.total = len(rows)
            job.save(update_fields=["total"])
        result = imports.run_import(
            job.provider, rows, actor=actor, dry_run=False, progress=progress
        )
    _finish(job, result, result.errors)


def _actor(job: ImportJob) -> Actor | None:
    """The manager who confirmed the import, acting at the provider, if they still are one."""
    assignment = (
        RoleAssignment.objects.active()
        .filter(user=job.created_by, unit=job.provider, role=Role.PROVIDER_MANAGER)
        .select_related("unit", "user")
        .first()
    )
    return Actor(user=job.created_by, assignment=assignment) if assignment else None


def _file_error(message: str) -> imports.RowError:
    return imports.RowError(0, "", message)


def _finish(
    job: ImportJob, result: imports.ImportResult | None, errors: list[imports.RowError]
) -> None:
    """Record the outcome, delete the file and the progress, and audit the end."""
    saved = result is not None and result.saved and not errors
    job.state = ImportJob.State.DONE if saved else ImportJob.State.FAILED
    job.finished_at = timezone.now()
    job.errors = [asdict(error) for error in errors]
    if result is not None:
        job.counts = {
            "rows": result.rows,
            "new_participants": result.new_participants,
            "existing_participants": result.existing_participants,
            "consents": result.consents,
            "enrolments": result.enrolments,
            "exits": result.exits,
            "follow_ups": result.follow_ups,
        }
    job.done = job.total if saved else 0
    import_files.delete(job.file_token)
    import_files.delete_progress(job.public_id)
    job.file_token = ""
    job.save(update_fields=["state", "finished_at", "errors", "counts", "done", "file_token"])
    reason = f"sparad: {job.total} rader" if saved else f"inte sparad: {len(errors)} fel"
    _audit("import.finish", job, _actor(job), reason)


def _audit(action: str, job: ImportJob, actor: Actor | None, reason: str) -> None:
    """One event with the provider as owner and the job as object: counts, never a person.
    (The rows themselves are audited one by one by the services that write them.)"""
    audit.record(
        action,
        actor=actor,
        user=None if actor is not None else job.created_by,
        owner=job.provider,
        obj=job,
        reason=reason,
    )
