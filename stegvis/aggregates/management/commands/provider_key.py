"""Print a provider's public key (made on first use), for the association to register."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stegvis.aggregates import services

from . import _common


class Command(BaseCommand):
    help = "Skriver utförarens publika nyckel (Ed25519, base64) och dess nyckel-id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", help="utförarens UUID")

    def handle(self, *args: Any, **options: Any) -> None:
        key = services.provider_key(_common.provider(options["provider"]))
        self.stdout.write(f"{key.public_key} {key.key_id}")
