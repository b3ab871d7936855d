"""The questionnaire file as a workbook reads exactly like the YAML file."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from stegvis.surveys import services
from stegvis.surveys.models import Questionnaire
from stegvis.surveys.questionnaire_file import FileProblems, parse

SCALE = [
    ("1", 1, "Mycket dåligt", "Very poor", ""),
    ("2", 2, "Dåligt", "Poor", ""),
    ("3", 3, "Varken bra eller dåligt", "Neither good nor poor", ""),
    ("4", 4, "Bra", "Good", "ja"),
    ("5", 5, "Mycket bra", "Very good", "ja"),
]


def workbook(*, items=None, meta=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "enkät"
    sheet.append(["fält", "värde"])
    for row in meta or [
        ("format", "stegvis-enkat/1"),
        ("key", "seminarieutvardering"),
        ("kind", "own"),
        ("respondent_group", "aktivitet"),
        ("title_sv", "Utvärdering av seminarium"),
        ("title_en", "Seminar evaluation"),
    ]:
        sheet.append(list(row))
    scales = book.create_sheet("skalor")
    scales.append(["skala", "value", "score", "label_sv", "label_en", "positiv"])
    for value, score, sv, en, positive in SCALE:
        scales.append(["betyg", value, score, sv, en, positive])
    for value, sv, en in (
        ("kvinna", "Kvinna", "Woman"),
        ("man", "Man", "Man"),
        ("annat", "Annat / vill inte svara", "Other / prefer not to say"),
    ):
        scales.append(["kon", value, None, sv, en, ""])
    questions = book.create_sheet("frågor")
    questions.append(["del", "key", "number", "scale", "text_sv", "text_en", "kön", "platshållare"])
    for row in items or [
        (
            "nationell",
            "helhet",
            None,
            "betyg",
            "Vad tycker du om seminariet som helhet?",
            "What did you think of the seminar as a whole?",
            "",
            "",
        ),
        (
            "nationell",
            "anvandbart",
            None,
            "betyg",
            "Hur användbart är det du lärt dig i ditt arbete?",
            "How useful is what you learnt in your work?",
            "",
            "",
        ),
        (
            "nationell",
            "kon",
            None,
            "kon",
            "Är du kvinna eller man?",
            "Are you a woman or a man?",
            "ja",
            "",
        ),
    ]:
        questions.append(list(row))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_workbook_reads_as_the_yaml_sample():
    from_yaml = parse((services.SAMPLES / "seminarieutvardering.yaml").read_bytes())
    from_xlsx = parse(workbook(), source="seminarium.xlsx")
    assert from_xlsx.items[0].options == from_yaml.items[0].options
    assert from_xlsx.content_hash() == from_yaml.content_hash()


def test_problems_are_reported_by_sheet_and_row():
    items = [
        ("nationell", "helhet", None, "saknas", "Fråga", "", "", ""),
        ("lokal", "lokal", "7", "betyg", "Lokal", "", "", ""),
    ]
    with pytest.raises(FileProblems) as info:
        parse(workbook(items=items, meta=[("format", "fel")]), source="x.xlsx")
    places = [where for where, _what in info.value.problems]
    assert places[0] == "enkät (format)"
    assert "frågor, rad 2 (items[0].scale)" in places
    assert "frågor, rad 3 (local_items[0].number)" in places


def test_a_broken_workbook_is_refused():
    with pytest.raises(FileProblems, match="inte att läsa som XLSX"):
        parse(b"PK\x03\x04 not really", source="x.xlsx")


@pytest.mark.django_db
def test_upload_a_workbook(world, as_persona):
    response = as_persona("alice").post(
        reverse("surveys:questionnaire_list", kwargs={"association": world.a.slug}),
        {"file": SimpleUploadedFile("seminarium.xlsx", workbook())},
    )
    assert response.status_code == 302
    assert Questionnaire.objects.get().current_version().items.count() == 3
