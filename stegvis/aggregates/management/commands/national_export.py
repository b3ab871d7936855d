"""The national compilation: the national count export of every association (or those named)
for a range of years, as one semicolon-separated file with the association's short name first.
Sums come from ``national.country_counts`` (a constant number of queries for the country)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stegvis.aggregates import national
from stegvis.core import audit
from stegvis.core.models import Association

from . import _common


class Command(BaseCommand):
    help = "Skriver den nationella uppföljningens antal för alla förbund (eller de angivna)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="ett år, t.ex. 2026")
        parser.add_argument("--from-year", type=int, help="första året")
        parser.add_argument("--to-year", type=int, help="sista året")
        parser.add_argument(
            "--association",
            action="append",
            default=[],
            help="förbundets kortnamn (kan upprepas; utan: alla förbund)",
        )
        parser.add_argument("--output", help="filen att skriva (utan: standard ut)")

    def handle(self, *args: Any, **options: Any) -> None:
        first = options["from_year"] or options["year"]
        last = options["to_year"] or options["year"] or first
        if first is None or last is None:
            raise CommandError("Ange --year eller --from-year och --to-year.")
        if first > last:
            raise CommandError("Första året kommer efter det sista.")
        if options["association"]:
            associations = [_common.association(slug) for slug in options["association"]]
        else:
            associations = list(Association.objects.order_by("slug"))
        counts = national.country_counts(range(first, last + 1), associations)
        data = national.country_csv(counts, associations)
        for association in associations:
            audit.record(
                "aggregates.national_export",
                owner=association,
                reason=f"{first}–{last} (kommando)" if first != last else f"{first} (kommando)",
            )
        if options["output"]:
            Path(options["output"]).write_text(data, encoding="utf-8")
            self.stdout.write(f"Den nationella uppföljningen är skriven till {options['output']}.")
        else:
            self.stdout.write(data, ending="")
