"""``manage.py loadtest_report``: locust's CSV statistics into docs/performance.md."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from .bench_report import machine, write_section

START = "<!-- loadtest:start -->"
END = "<!-- loadtest:end -->"


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (the smallest value with at least p % of values at or below
    it), as locust reports its own."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def kind_rows(times: dict[str, list[float]]) -> list[str]:
    """Rows for every page after log-in and for the log-in steps, from the raw times."""
    titles = {
        "pages": "**pages** (every page request after log-in)",
        "log-in": "**log-in** (form, password, code)",
    }
    rows = []
    for kind, title in titles.items():
        values = times.get(kind) or []
        if not values:
            continue
        p50, p95, p99 = (percentile(values, p) for p in (50, 95, 99))
        rows.append(
            f"| {title} | {len(values)} | – | {p50:.0f} | {p95:.0f} | {p99:.0f} | "
            f"{max(values):.0f} |"
        )
    return rows


class Command(BaseCommand):
    help = "Write the load test's p50/p95/p99 and errors into docs/performance.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("stats", type=Path)
        parser.add_argument("--doc", type=Path, default=Path("docs/performance.md"))
        parser.add_argument("--users", default="20")
        parser.add_argument("--duration", default="2m")
        parser.add_argument("--workers", default="4")
        parser.add_argument("--spawn-rate", default="1")
        parser.add_argument(
            "--times", type=Path, help="the locustfile's raw times (LOADTEST_TIMES), optional"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with options["stats"].open(newline="") as f:
            rows = list(csv.DictReader(f))
        lines = [
            START,
            "### Load test",
            "",
            *machine(),
            f"- {options['users']} locust users (office 1 : coach 3), {options['duration']}, "
            f"arriving {options['spawn_rate']} per second, each logging in once; "
            f"gunicorn {options['workers']} sync workers, production settings, PostgreSQL "
            "association-scale data; locust and the server share the 2 cores.",
            "",
            "| page | requests | failures | p50 ms | p95 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row in rows:
            name = row["Name"] if row["Type"] else "**all**"
            if row["Name"] == "Aggregated":
                name = "**all requests**"
            lines.append(
                f"| {row['Type']} {name} | {row['Request Count']} | {row['Failure Count']} | "
                f"{row['50%']} | {row['95%']} | {row['99%']} | "
                f"{float(row['Max Response Time']):.0f} |"
            )
        if options["times"] and options["times"].exists():
            lines.extend(kind_rows(json.loads(options["times"].read_text())))
        lines.append(END)
        write_section(options["doc"], lines)
        self.stdout.write(f"wrote {options['doc']}")
