"""``manage.py generate_data --scale association|country --seed N``: fictional benchmark data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stegvis.bench.generator import SCALES, generate


class Command(BaseCommand):
    help = "Generate reproducible fictional data at association or country scale (scale.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="association")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--associations",
            type=int,
            default=None,
            help="Only the first N associations of the scale (to time or profile a part).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counters = generate(
                options["scale"],
                options["seed"],
                log=self.stdout.write,
                associations=options["associations"],
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        for name, n in sorted(counters.rows.items()):
            self.stdout.write(f"{name:<36} {n:>10}")
        self.stdout.write(f"generated in {counters.seconds:.1f} s")
