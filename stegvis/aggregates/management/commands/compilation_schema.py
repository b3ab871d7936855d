"""Print the JSON schema of a compilation document."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from stegvis.aggregates import compilation


class Command(BaseCommand):
    help = "Skriver ut JSON-schemat för en sammanställning."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(compilation.schema(), ensure_ascii=False, indent=2))
