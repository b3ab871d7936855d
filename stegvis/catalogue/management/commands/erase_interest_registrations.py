"""Erase the contact details of interest registrations that are no longer needed.

Run it daily from a scheduler, beside ``apply_retention`` (docs/anvandare/katalog.md): 30 days
after a registration was turned into a referral or declined, and 180 days after an unhandled one
arrived, its name, contact details and free text are emptied. It prints counts, never content.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stegvis.catalogue.services import erase_registrations


class Command(BaseCommand):
    help = (
        "Raderar kontaktuppgifterna i intresseanmälningar 30 dagar efter att de hanterats, och "
        "i ohanterade anmälningar efter 180 dagar."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Visa hur många som skulle raderas, utan att ändra något.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        report = erase_registrations(dry_run=dry_run)
        verb = "skulle raderas" if dry_run else "raderade"
        line = (
            f"Intresseanmälningar: {report.erased} {verb}, varav {report.expired} "
            "som inte hanterats inom 180 dagar"
        )
        if dry_run:
            line += " (provkörning, inget ändrat)"
        self.stdout.write(line)
