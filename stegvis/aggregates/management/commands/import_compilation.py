"""Receive a signed compilation file at the network it is addressed to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stegvis.aggregates import compilation, services
from stegvis.core.models import Network


class Command(BaseCommand):
    help = "Tar emot en signerad sammanställning från ett förbund."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Filen {path} finns inte.")
        if path.stat().st_size > compilation.MAX_BYTES:
            raise CommandError("Filen är för stor: en sammanställning är högst 50 MB.")
        raw = path.read_bytes()
        try:
            slug = json.loads(raw)["compilation"]["network"]
        except (ValueError, KeyError, TypeError) as exc:
            raise CommandError(
                "Filen är inte en sammanställning: den går inte att läsa som JSON."
            ) from exc
        network = Network.objects.filter(slug=str(slug)).first()
        if network is None:
            raise CommandError(
                f"Sammanställningen är ställd till nätverket {slug}, som inte finns här."
            )
        try:
            received = services.receive_compilation(network, raw, user=None)
        except services.PackageRefused as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(
            f"Mottagen: {received.association_slug} {received.period} "
            f"version {received.version} till {network.name}."
        )
