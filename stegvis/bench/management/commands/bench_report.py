"""``manage.py bench_report``: docs/performance.md from the JSON files ``bench`` wrote."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

MARK_START = "<!-- bench:start -->"
MARK_END = "<!-- bench:end -->"


def machine() -> list[str]:
    uname = " ".join((*platform.uname()[:3], platform.uname().machine))
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        ram = "unknown"
    pg = ""
    try:
        pg = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pg = "unknown"
    import sqlite3

    return [
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: `{uname}`; CPU: {cpu} × {os.cpu_count()} cores; RAM: {ram}",
        f"- PostgreSQL {pg}; SQLite {sqlite3.sqlite_version}; Python {platform.python_version()}",
    ]


def table(results: list[dict[str, Any]]) -> list[str]:
    labels = [r["label"] for r in results]
    head = "| operation | " + " | ".join(
        f"{label} app ms | {label} bare ms | {label} ratio" for label in labels
    )
    lines = [head + " |", "|---|" + "---:|" * (3 * len(labels))]
    keys: list[str] = []
    titles: dict[str, str] = {}
    for result in results:
        for op in result["operations"]:
            if op["key"] not in titles:
                keys.append(op["key"])
                titles[op["key"]] = op["title"]
    for key in keys:
        cells = []
        for result in results:
            op = next((o for o in result["operations"] if o["key"] == key), None)
            if op is None:
                cells += ["–", "–", "–"]
            else:
                ratio = f"{op['ratio']:.2f}" if op["ratio"] is not None else "–"
                cells += [f"{op['app_ms']:.1f}", f"{op['bare_ms']:.1f}", ratio]
        lines.append(f"| {titles[key]} | " + " | ".join(cells) + " |")
    lines += ["", *cpu_table(results, keys, titles)]
    notes = {}
    for result in results:
        for op in result["operations"]:
            notes[op["key"]] = (titles[op["key"]], op["bare_note"], op["repeats"])
    lines.append("")
    lines.append("Bare SQL per operation (and repeats; the median is shown):")
    lines.append("")
    for _key, (title, note, repeats) in notes.items():
        lines.append(f"- {title}: {note} (n = {repeats}).")
    return lines


def cpu_table(results: list[dict[str, Any]], keys: list[str], titles: dict[str, str]) -> list[str]:
    """The same operations' medians of the benchmark process's CPU time: the application's
    Python (and the driver's) beside the bare side's; the rest of each elapsed time is the
    database. Results written before CPU time was recorded show "–"."""
    labels = [r["label"] for r in results]
    lines = [
        "Of which CPU time of the benchmark process (Python and the database driver; the rest"
        " of the elapsed time is the database working and the round trips):",
        "",
        "| operation | "
        + " | ".join(f"{label} app CPU ms | {label} bare CPU ms" for label in labels)
        + " |",
        "|---|" + "---:|" * (2 * len(labels)),
    ]
    for key in keys:
        cells = []
        for result in results:
            op = next((o for o in result["operations"] if o["key"] == key), None)
            for side in ("app_cpu_ms", "bare_cpu_ms"):
                value = op.get(side) if op is not None else None
                cells.append(f"{value:.1f}" if value is not None else "–")
        lines.append(f"| {titles[key]} | " + " | ".join(cells) + " |")
    return lines


def write_section(doc: Path, block: list[str]) -> None:
    """Put ``block`` (its first and last lines are its start and end markers) into ``doc`` in
    place of the block between the same markers, or at the end when there is none."""
    start, end = block[0], block[-1]
    text = doc.read_text() if doc.exists() else "# Performance\n\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _old, after = rest.split(end, 1)
        text = before + "\n".join(block) + after
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(block) + "\n"
    doc.write_text(text)


class Command(BaseCommand):
    help = "Write the benchmark results into docs/performance.md (between the bench markers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--doc", type=Path, default=Path("docs/performance.md"))
        parser.add_argument("--title", default="Association scale")
        parser.add_argument("--extra", default="", help="A line of notes (e.g. generation times)")

    def handle(self, *args: Any, **options: Any) -> None:
        results = [json.loads(f.read_text()) for f in options["files"] if f.exists()]
        marker_start = f"<!-- bench:{options['title']}:start -->"
        marker_end = f"<!-- bench:{options['title']}:end -->"
        block = [
            marker_start,
            f"### {options['title']}",
            "",
            *machine(),
            *([f"- {options['extra']}"] if options["extra"] else []),
            "",
            *table(results),
            marker_end,
        ]
        write_section(options["doc"], block)
        self.stdout.write(f"wrote {options['doc']}")
