"""Load the shipped default instruments, or an instrument file for an owner. Idempotent: a file
that says what the newest version says changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stegvis.core.models import Association, Unit
from stegvis.progression import services
from stegvis.progression.instrument_files import InstrumentFileError, read_file

DEFAULTS = Path(__file__).resolve().parents[2] / "instruments"


class Command(BaseCommand):
    help = (
        "Läser in standardinstrumenten (anställningsbarhetsprofil, stegtrappa, hälsa och "
        "livskvalitet), eller en instrumentfil för en utförare eller ett förbund."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="*", help="Instrumentfiler (YAML eller XLSX). Utan: standard."
        )
        owner = parser.add_mutually_exclusive_group()
        owner.add_argument("--provider", help="Utförarens id (uuid): filen blir utförarens egen.")
        owner.add_argument("--association", help="Förbundets kortnamn: filen blir förbundets.")

    def handle(self, *args: Any, **options: Any) -> None:
        provider = association = None
        if options["provider"]:
            provider = Unit.objects.filter(public_id=options["provider"], is_provider=True).first()
            if provider is None:
                raise CommandError("Ingen utförare med det id:t.")
        if options["association"]:
            association = Association.objects.filter(slug=options["association"]).first()
            if association is None:
                raise CommandError("Inget förbund med det kortnamnet.")
        files = [Path(f) for f in options["files"]] or sorted(DEFAULTS.glob("*.yaml"))
        for path in files:
            try:
                spec = read_file(path.name, path.read_bytes())
                instrument, outcome = services.load_instrument(
                    spec, association=association, provider=provider
                )
            except OSError as error:
                raise CommandError(f"{path}: kan inte läsas ({error.strerror}).") from None
            except InstrumentFileError as error:
                raise CommandError(
                    f"{path}: inget är inläst.\n  " + "\n  ".join(error.problems)
                ) from None
            self.stdout.write(f"{instrument.key}: {outcome}")
