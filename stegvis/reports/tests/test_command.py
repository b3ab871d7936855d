"""export_report from the command line: formats, publication and clear Swedish refusals."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from stegvis.core.tests.readers import pdf_text
from stegvis.reports.kinds import KINDS


def _run(tmp_path, *args: str, fmt: str = "json") -> bytes:
    out = tmp_path / f"out.{fmt}"
    call_command("export_report", *args, "--format", fmt, "--output", str(out))
    return out.read_bytes()


def test_json_is_the_documented_format(world, received, tmp_path):
    args = ("participants", "forbund-a", "--from", "2026-01-01", "--to", "2026-06-30")
    data = json.loads(_run(tmp_path, *args))
    assert data["format"] == "stegvis-report" and data["version"] == 1
    assert (data["kind"], data["period"], data["published"]) == ("participants", "2026H1", False)
    assert data["owner"] == {"key": "forbund-a", "name": "Förbund A"}
    tables = {t["key"]: t for s in data["sections"] for t in s["tables"]}
    assert tables["avslutade"]["rows"][0] == {"label": "Gemensam väg", "values": [2, 3, 0, 5]}
    published = json.loads(_run(tmp_path, *args, "--publish"))
    tables = {t["key"]: t for s in published["sections"] for t in s["tables"]}
    assert tables["avslutade"]["rows"][0]["values"] == ["<5", "<5", 0, 5]
    assert published["published"] is True


def test_every_kind_and_format_writes_a_file(world, received, tmp_path):
    for kind in KINDS:
        for fmt in ("json", "csv", "xlsx"):
            assert _run(
                tmp_path, kind, "forbund-a", "--from", "2026-01-01", "--to", "2026-03-31", fmt=fmt
            )
    text = pdf_text(
        _run(
            tmp_path, "goals", "forbund-a", "--from", "2026-01-01", "--to", "2026-06-30", fmt="pdf"
        )
    )
    assert "Måluppföljning 2026H1" in text


def test_the_provider_report_by_the_providers_id(world, example, tmp_path):
    args = ("participants", str(world.p.public_id), "--from", "2026-07-01", "--to", "2026-09-30")
    data = json.loads(_run(tmp_path, *args))
    tables = {t["key"]: t for s in data["sections"] for t in s["tables"]}
    assert tables["deltagare"]["rows"][0]["values"] == [3, 4, 1, 8]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nej", "forbund-a"), "Okänd rapport nej"),
        (("goals", "okant"), "Hittar inget förbund med kortnamnet okant"),
        (("participants", "forbund-a", "--from", "2026-01-05"), "första dagen i en månad"),
        (("participants", "forbund-a", "--to", "2026-02-27"), "sista dagen i en månad"),
        (("participants", "forbund-a", "--from", "2026-13-01"), "är inget datum"),
        (("participants", "forbund-a", "--from", "2026-07-01"), "ligger före början"),
        (("participants", "forbund-a", "--format", "docx"), "Okänt format docx"),
    ],
)
def test_clear_refusals(world, tmp_path, args, message):
    defaults = {"--from": "2026-01-01", "--to": "2026-06-30", "--format": "json"}
    kind, owner, *rest = args
    options = dict(defaults)
    options.update(dict(zip(rest[::2], rest[1::2], strict=True)))
    flat = [item for pair in options.items() for item in pair]
    with pytest.raises(CommandError, match=message):
        call_command("export_report", kind, owner, *flat, "--output", str(tmp_path / "x"))


def test_a_provider_has_only_the_participant_report(world, tmp_path):
    with pytest.raises(CommandError, match="bara för förbund"):
        _run(
            tmp_path, "goals", str(world.p.public_id), "--from", "2026-01-01", "--to", "2026-03-31"
        )


def _numbers(data: dict) -> list:
    return [
        v for s in data["sections"] for t in s["tables"] for r in t["rows"] for v in r["values"]
    ]


def test_the_annual_report_document(world, received, tmp_path):
    args = ("annual", "forbund-a", "--from", "2026-01-01", "--to", "2026-06-30")
    exact = json.loads(_run(tmp_path, *args))
    published = json.loads(_run(tmp_path, *args, "--publish"))
    assert (exact["kind"], exact["published"], published["published"]) == ("annual", False, True)
    assert any(isinstance(v, int) and 0 < v < 5 for v in _numbers(exact))
    assert not any(isinstance(v, int) and 0 < v < 5 for v in _numbers(published))
    assert "<5" in _numbers(published)
    text = pdf_text(_run(tmp_path, *args, "--publish", fmt="pdf"))
    assert "Förbund A" in text and "<5" in text


def test_the_annual_report_is_for_one_year(world, tmp_path):
    with pytest.raises(CommandError, match="samma år"):
        _run(tmp_path, "annual", "forbund-a", "--from", "2025-07-01", "--to", "2026-06-30")
