"""``manage.py bench``: time each operation against its bare SQL on the current database and
write the medians to a JSON file (``bench_report`` turns the files into docs/performance.md)."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries

from stegvis.bench.operations import in_rollback, operations


class Command(BaseCommand):
    help = "Time the operations of scale.md against hand-written bare SQL (medians and ratios)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=2025)
        parser.add_argument("--first-year", type=int, default=2016)
        parser.add_argument("--repeats", type=int, default=5)
        parser.add_argument("--label", default=connection.vendor)
        parser.add_argument("--only", nargs="*", default=None)
        parser.add_argument("--import-rows", type=int, default=10_000)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        years = list(range(options["first_year"], year + 1))
        results: dict[str, Any] = {
            "label": options["label"],
            "vendor": connection.vendor,
            "operations": [],
        }
        for op in operations(year, years, import_rows=options["import_rows"]):
            if options["only"] and op.key not in options["only"]:
                continue
            app, bare = in_rollback(op.app), in_rollback(op.bare)
            repeats = min(op.repeats or options["repeats"], options["repeats"])
            app_times: list[tuple[float, float]] = []
            bare_times: list[tuple[float, float]] = []
            for n in range(repeats):
                app_time, expected = _timed(app)
                bare_time, got = _timed(bare)
                # Correctness first: the bare SQL must give the application's numbers.
                if n == 0 and _normal(expected) != _normal(got):
                    raise CommandError(f"{op.key}: bare SQL disagrees with the application")
                app_times.append(app_time)
                bare_times.append(bare_time)
            row = {
                "key": op.key,
                "title": op.title,
                "bare_note": op.bare_note,
                "repeats": repeats,
                "app_ms": statistics.median(t[0] for t in app_times) * 1000,
                "bare_ms": statistics.median(t[0] for t in bare_times) * 1000,
                # The benchmark process's own CPU time (Python, the driver): the rest of the
                # elapsed time is the database working and the round trips.
                "app_cpu_ms": statistics.median(t[1] for t in app_times) * 1000,
                "bare_cpu_ms": statistics.median(t[1] for t in bare_times) * 1000,
            }
            row["ratio"] = row["app_ms"] / row["bare_ms"] if row["bare_ms"] else None
            results["operations"].append(row)
            self.stdout.write(
                f"{op.key:<18} app {row['app_ms']:9.1f} ms  bare {row['bare_ms']:9.1f} ms"
                f"  ratio {row['ratio']:7.2f}  (n={repeats})"
            )
        options["out"].parent.mkdir(parents=True, exist_ok=True)
        options["out"].write_text(json.dumps(results, indent=1))


def _timed(function: Any) -> tuple[tuple[float, float], Any]:
    """((elapsed, this process's CPU time), the function's value), in seconds."""
    reset_queries()
    start, cpu = time.perf_counter(), time.process_time()
    value = function()
    return (time.perf_counter() - start, time.process_time() - cpu), value


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [_normal(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, list) else items
    return value
