"""The load test's report: locust's rows, and the pages apart from the log-ins."""

from __future__ import annotations

import json

from django.core.management import call_command

from stegvis.bench.management.commands.loadtest_report import END, START, kind_rows, percentile

STATS = (
    "Type,Name,Request Count,Failure Count,50%,95%,99%,Max Response Time\n"
    "GET,coach: participant list,10,0,110,320,690,737.2\n"
    ",Aggregated,10,0,110,320,690,737.2\n"
)


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert [percentile(values, p) for p in (50, 95, 99, 100)] == [50, 95, 99, 100]
    assert percentile([7.0], 99) == 7
    assert percentile([3.0, 1.0, 2.0], 50) == 2


def test_pages_and_log_ins_get_rows_of_their_own():
    rows = kind_rows({"pages": [10.0, 20.0, 30.0, 40.0], "log-in": [900.0, 1100.0]})
    assert rows == [
        "| **pages** (every page request after log-in) | 4 | – | 20 | 40 | 40 | 40 |",
        "| **log-in** (form, password, code) | 2 | – | 900 | 1100 | 1100 | 1100 |",
    ]
    assert kind_rows({"pages": [], "log-in": []}) == []


def test_the_report_replaces_its_section_of_the_document(tmp_path):
    stats = tmp_path / "stats.csv"
    stats.write_text(STATS)
    times = tmp_path / "times.json"
    times.write_text(json.dumps({"pages": [5.0, 15.0], "log-in": [800.0]}))
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\nbefore\n\n{START}\nold table\n{END}\n\nafter\n")
    call_command("loadtest_report", str(stats), "--doc", str(doc), "--times", str(times))
    text = doc.read_text()
    assert "old table" not in text
    assert text.startswith("# Performance\n\nbefore\n\n" + START)
    assert text.endswith(END + "\n\nafter\n")
    assert "| GET coach: participant list | 10 | 0 | 110 | 320 | 690 | 737 |" in text
    assert "|  **all requests** | 10 | 0 | 110 | 320 | 690 | 737 |" in text
    assert "| **pages** (every page request after log-in) | 2 | – | 5 | 15 | 15 | 15 |" in text
    assert "arriving 1 per second" in text
