"""``python manage.py load_questionnaire FILE --association SLUG``: load a questionnaire file.

The same operation as the upload on the office's page: a new questionnaire, or a new version
of the one with the same key (answers keep their version). ``--samples`` loads the shipped
sample questionnaires instead of a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stegvis.core.models import Association
from stegvis.surveys import services
from stegvis.surveys.questionnaire_file import FileProblems


class Command(BaseCommand):
    help = "Läser in en enkätfil (YAML) till ett samordningsförbund."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="enkätfiler (YAML)")
        parser.add_argument(
            "--association", required=True, help="förbundets kortnamn (slug) i adresserna"
        )
        parser.add_argument(
            "--samples", action="store_true", help="läs in de medföljande exempelenkäterna"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        association = Association.objects.filter(slug=options["association"]).first()
        if association is None:
            raise CommandError(f"Förbundet {options['association']} finns inte.")
        paths: list[Path] = list(options["files"])
        if options["samples"]:
            paths += sorted(services.SAMPLES.glob("*.yaml"))
        if not paths:
            raise CommandError("Ange en enkätfil eller --samples.")
        failed = False
        for path in paths:
            try:
                content = path.read_bytes()
            except OSError as error:
                raise CommandError(f"{path}: kan inte läsas ({error.strerror}).") from None
            try:
                result = services.load_questionnaire(None, association, content, source=path.name)
            except FileProblems as error:
                failed = True
                self.stderr.write(f"{path}: inte inläst")
                for where, what in error.problems:
                    self.stderr.write(f"  {where}: {what}")
                continue
            state = f"version {result.version.number}" if result.created else "oförändrad"
            self.stdout.write(f"{path.name}: {result.questionnaire.title} – {state}")
        if failed:
            raise CommandError("En eller flera filer lästes inte in.")
