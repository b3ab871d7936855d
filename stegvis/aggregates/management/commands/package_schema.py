"""Write the JSON schema of aggregate packages (docs/dev/aggregate-package.schema.json)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from stegvis.aggregates.package import schema


def schema_text() -> str:
    return json.dumps(schema(), ensure_ascii=False, indent=2) + "\n"


class Command(BaseCommand):
    help = "Skriver JSON-schemat för avidentifierade paket till standard ut."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(schema_text(), ending="")
