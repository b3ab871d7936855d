"""The benchmark's report: medians and ratios, and the CPU time beside them."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from stegvis.bench.generator import generate
from stegvis.bench.management.commands.bench_report import table


def _op(key: str, app: float, bare: float, cpu: tuple[float, float] | None = None) -> dict:
    op = {
        "key": key,
        "title": f"Operation {key}",
        "bare_note": "by hand",
        "repeats": 3,
        "app_ms": app,
        "bare_ms": bare,
        "ratio": app / bare,
    }
    if cpu is not None:
        op["app_cpu_ms"], op["bare_cpu_ms"] = cpu
    return op


def test_cpu_time_has_a_table_of_its_own_and_older_results_show_a_dash():
    results = [
        {"label": "sqlite", "operations": [_op("a", 30.0, 20.0, (12.5, 4.0))]},
        {"label": "pg", "operations": [_op("a", 60.0, 24.0), _op("b", 9.0, 3.0, (2.0, 1.0))]},
    ]
    lines = table(results)
    assert "| Operation a | 30.0 | 20.0 | 1.50 | 60.0 | 24.0 | 2.50 |" in lines
    assert "| Operation b | – | – | – | 9.0 | 3.0 | 3.00 |" in lines
    head = "| operation | sqlite app CPU ms | sqlite bare CPU ms | pg app CPU ms | pg bare CPU ms |"
    assert head in lines
    assert "| Operation a | 12.5 | 4.0 | – | – |" in lines
    assert "| Operation b | – | – | 2.0 | 1.0 |" in lines


def test_the_report_writes_both_tables_between_its_markers(tmp_path):
    result = tmp_path / "pg.json"
    result.write_text(
        json.dumps({"label": "pg", "operations": [_op("a", 60.0, 24.0, (33.0, 6.0))]})
    )
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nbefore\n")
    call_command("bench_report", str(result), "--title", "Tiny scale", "--doc", str(doc))
    text = doc.read_text()
    assert text.startswith("# Performance\n\nbefore\n")
    assert "| Operation a | 60.0 | 24.0 | 2.50 |" in text
    assert "| Operation a | 33.0 | 6.0 |" in text


@pytest.mark.django_db
def test_the_benchmark_records_elapsed_and_cpu_time_per_side(tmp_path):
    generate("tiny", seed=3, log=lambda _line: None)
    out = tmp_path / "tiny.json"
    call_command(
        "bench",
        "--only",
        "annual_report",
        "national_1y",
        "--repeats",
        "2",
        "--first-year",
        "2024",
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    rows = json.loads(out.read_text())["operations"]
    assert [r["key"] for r in rows] == ["annual_report", "national_1y"]
    for row in rows:
        assert row["repeats"] == 2
        assert row["app_cpu_ms"] > 0 and row["bare_cpu_ms"] > 0
        assert row["ratio"] == row["app_ms"] / row["bare_ms"]
