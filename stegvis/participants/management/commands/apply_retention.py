"""Gallring: erase the identities whose retention has passed (``retention.py``).

Run it daily from a scheduler (cron or a systemd timer, see docs/anvandare/gallring-och-export.md).
It prints how many identities it erased per provider, never a name or a number.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from stegvis.core.models import Unit
from stegvis.participants.retention import erase_due_identities


class Command(BaseCommand):
    help = (
        "Gallrar identiteter (namn, personnummer, kontaktuppgifter) vars gallringsfrist har gått "
        "ut och vars samtycke har upphört; avidentifierade uppgifter behålls."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Visa hur många som skulle gallras, utan att ändra något.",
        )
        parser.add_argument(
            "--provider",
            type=uuid.UUID,
            metavar="UUID",
            help="Gallra bara hos utföraren med detta id (enhetens public_id).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        provider = None
        if options["provider"] is not None:
            provider = Unit.objects.filter(public_id=options["provider"]).first()
            if provider is None:
                raise CommandError("Det finns ingen enhet med det id:t.")
        today = timezone.localdate()
        dry_run = bool(options["dry_run"])
        report = erase_due_identities(today, provider=provider, dry_run=dry_run)
        verb = "skulle gallras" if dry_run else "gallrade"
        for entry in report.providers:
            self.stdout.write(
                f"{entry.provider.name} ({entry.provider.public_id}), gallringsfrist "
                f"{entry.years} år: {entry.count} identiteter {verb}"
            )
        summary = f"{today.isoformat()}: totalt {report.total} identiteter {verb}"
        if dry_run:
            summary += " (provkörning, inget ändrat)"
        self.stdout.write(self.style.SUCCESS(summary) if report.total else summary)
