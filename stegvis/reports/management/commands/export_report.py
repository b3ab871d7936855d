"""Export a report to a file: ``export_report KIND OWNER --from YYYY-MM-DD --to YYYY-MM-DD
--format json|csv|xlsx|pdf --output FILE [--publish]``."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation

from stegvis.core.models import Association, Unit
from stegvis.reports import output
from stegvis.reports.kinds import KINDS, Owner
from stegvis.reports.periods import RangeError, date_range

FORMATS = ("json", "csv", "xlsx", "pdf")


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{option}: {value} är inget datum. Skriv ÅÅÅÅ-MM-DD, t.ex. 2026-01-01."
        ) from None


def _owner(key: str) -> Owner:
    association = Association.objects.filter(slug=key).first()
    if association is not None:
        return association
    try:
        public_id = uuid.UUID(key)
    except ValueError:
        public_id = None
    unit = Unit.objects.filter(public_id=public_id, is_provider=True).first() if public_id else None
    if unit is None:
        raise CommandError(
            f"Hittar inget förbund med kortnamnet {key} och ingen utförare med det id:t."
        )
    return unit


class Command(BaseCommand):
    help = "Exportera en rapport för ett förbund eller en utförare till en fil."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="Rapport: " + ", ".join(KINDS))
        parser.add_argument("owner", help="Förbundets kortnamn eller utförarens id")
        parser.add_argument("--from", dest="start", required=True, help="Första dag ÅÅÅÅ-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="Sista dag ÅÅÅÅ-MM-DD")
        parser.add_argument("--format", dest="fmt", required=True, help="/".join(FORMATS))
        parser.add_argument("--output", required=True, help="Filen att skriva")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="För publicering: antal 1–4 visas som <5 (och celler som avslöjar dem döljs)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("sv")
        kind = KINDS.get(options["kind"])
        if kind is None:
            raise CommandError(f"Okänd rapport {options['kind']}. Välj en av: {', '.join(KINDS)}.")
        fmt = options["fmt"]
        if fmt not in FORMATS:
            raise CommandError(f"Okänt format {fmt}. Välj en av: {', '.join(FORMATS)}.")
        try:
            rng = date_range(_date(options["start"], "--from"), _date(options["end"], "--to"))
        except RangeError as exc:
            raise CommandError(str(exc)) from None
        owner = _owner(options["owner"])
        if isinstance(owner, Unit) and not kind.providers:
            raise CommandError(
                f"Rapporten {options['kind']} finns bara för förbund, inte för en utförare."
            )
        try:
            with transaction.atomic():
                report = kind.report(owner, rng, publish=options["publish"])
                if fmt == "pdf" and kind.pdf is not None:
                    content = kind.pdf(owner, rng, options["publish"])
                else:
                    content = output.render(report, fmt)
        except RangeError as exc:
            raise CommandError(str(exc)) from None
        path = Path(options["output"])
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Kan inte skriva {path}: {exc.strerror}.") from None
        self.stdout.write(f"Skrev {report.title} ({fmt}) till {path}.")
