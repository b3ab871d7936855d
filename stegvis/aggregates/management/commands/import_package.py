"""Receive a signed package file at the association it is addressed to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stegvis.aggregates import services
from stegvis.aggregates.models import PackageDispatch
from stegvis.core.models import Association


class Command(BaseCommand):
    help = "Tar emot ett signerat paket från en utförare."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Filen {path} finns inte.")
        if path.stat().st_size > services.MAX_BYTES:
            raise CommandError("Filen är för stor: ett paket är högst 1 MB.")
        raw = path.read_bytes()
        try:
            slug = json.loads(raw)["package"]["association"]
        except (ValueError, KeyError, TypeError) as exc:
            raise CommandError("Filen är inte ett paket: den går inte att läsa som JSON.") from exc
        association = Association.objects.filter(slug=str(slug)).first()
        if association is None:
            raise CommandError(f"Paketet är ställt till förbundet {slug}, som inte finns här.")
        try:
            received = services.receive(association, raw, user=None, via=PackageDispatch.Via.FILE)
        except services.PackageRefused as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(
            f"Mottaget: {received.intervention.code} {received.period} "
            f"version {received.version} till {association.name}."
        )
