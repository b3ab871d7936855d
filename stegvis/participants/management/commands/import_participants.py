"""``python manage.py import_participants PROVIDER FILE [--dry-run]``

Imports participants with their enrolments, exits and follow-ups from an XLSX or CSV file in the
format of ``docs/anvandare/import.md``, for the provider whose public id (UUID) is PROVIDER. All or
nothing: every bad row is printed as ``rad N, kolumn X: meddelande`` and the command exits with a
non-zero code without saving anything. ``--dry-run`` checks and counts without saving.

Events are audited with the provider as owner and no user (the services' ``actor=None``).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from stegvis.core.models import Unit
from stegvis.participants import imports


class Command(BaseCommand):
    help = "Importera deltagare med inskrivningar, avslut och uppföljningar från XLSX eller CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", help="Utförarens id (UUID, som i adressen /p/<id>/).")
        parser.add_argument("file", type=Path, help="Filen att importera (.xlsx eller .csv).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Kontrollera och räkna utan att spara något.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        provider = self._provider(str(options["provider"]))
        path: Path = options["file"]
        dry_run: bool = options["dry_run"]
        if not path.is_file():
            raise CommandError(_("Filen %(path)s finns inte.") % {"path": path})
        if path.stat().st_size > imports.MAX_BYTES:
            # Refused before it is read into memory.
            self._fail([imports.RowError(0, "", imports.too_large_message())])
        verbose = int(options.get("verbosity", 1)) >= 2

        def progress(done: int, total: int) -> None:
            if verbose:
                self.stdout.write(_("%(done)s av %(total)s rader") % {"done": done, "total": total})

        result = imports.import_file(
            provider, path.name, path.read_bytes(), dry_run=dry_run, progress=progress
        )
        if result.errors:
            self._fail(result.errors)
        if dry_run:
            self.stdout.write(
                _("Kontrollen gick igenom: %(rows)s rader utan fel. Inget har sparats (--dry-run).")
                % {"rows": result.rows}
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Importen är klar: %(rows)s rader.") % {"rows": result.rows})
            )
        self.stdout.write(result.summary())

    def _provider(self, raw: str) -> Unit:
        try:
            public_id = uuid.UUID(raw)
        except ValueError:
            raise CommandError(
                _("%(value)s är inget utförar-id (UUID).") % {"value": raw[:60]}
            ) from None
        provider = Unit.objects.providers().filter(public_id=public_id).first()
        if provider is None:
            raise CommandError(_("Det finns ingen utförare med id %(id)s.") % {"id": public_id})
        return provider

    def _fail(self, errors: list[imports.RowError]) -> NoReturn:
        for error in errors:
            self.stderr.write(str(error))
        raise CommandError(
            _("%(count)s fel i filen. Inget har sparats.") % {"count": len(errors)}
            if len(errors) != 1
            else _("1 fel i filen. Inget har sparats.")
        )
