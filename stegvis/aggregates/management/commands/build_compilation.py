"""Build and sign an association's compilation of a year's figures for a network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stegvis.aggregates import services

from . import _common


class Command(BaseCommand):
    help = "Bygger och signerar förbundets sammanställning (skyddad mot röjande) till en fil."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("association", help="förbundets kortnamn")
        parser.add_argument("--network", required=True, help="nätverkets kortnamn")
        parser.add_argument("--year", required=True, type=int, help="året, t.ex. 2026")
        parser.add_argument(
            "--without-detail",
            action="store_true",
            help="bara förbundets totaler, utan uppdelning per insats",
        )
        parser.add_argument("--output", required=True, help="filen att skriva")

    def handle(self, *args: Any, **options: Any) -> None:
        association = _common.association(options["association"])
        try:
            _name, data = services.build_compilation(
                association,
                options["network"],
                options["year"],
                detail=not options["without_detail"],
                user=None,
            )
        except services.PackageRefused as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        Path(options["output"]).write_bytes(data)
        self.stdout.write(f"Sammanställningen är skriven till {options['output']}.")
