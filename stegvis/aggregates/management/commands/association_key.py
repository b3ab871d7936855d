"""Print an association's public key for compilation packages (made on first use)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stegvis.aggregates import services

from . import _common


class Command(BaseCommand):
    help = "Skriver ut förbundets publika nyckel för sammanställningar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("association", help="förbundets kortnamn")

    def handle(self, *args: Any, **options: Any) -> None:
        key = services.association_key(_common.association(options["association"]))
        self.stdout.write(f"{key.public_key} {key.key_id}")
