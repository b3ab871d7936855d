"""Build and sign a provider's package for one association, intervention and period."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stegvis.aggregates import services

from . import _common


class Command(BaseCommand):
    help = "Bygger och signerar ett avidentifierat paket till en fil."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", help="utförarens UUID")
        parser.add_argument("--association", required=True, help="förbundets kortnamn")
        parser.add_argument("--intervention", required=True, help="insatsens kortkod")
        parser.add_argument("--period", required=True, help="t.ex. 2026Q3, 2026-03, 2026H1, 2026")
        parser.add_argument("--output", required=True, help="filen att skriva")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = _common.provider(options["provider"])
        association = _common.association(options["association"])
        intervention = _common.intervention(unit, options["intervention"])
        try:
            data = services.build_file(unit, intervention, association, options["period"])
        except services.PackageRefused as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        Path(options["output"]).write_bytes(data)
        self.stdout.write(f"Paketet är skrivet till {options['output']}.")
