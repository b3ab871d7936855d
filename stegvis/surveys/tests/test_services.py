"""Questionnaire files, versions, rounds, answers, tallies, reference values and screenings."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from stegvis.core.models import AuditEvent
from stegvis.interventions.models import Intervention
from stegvis.surveys import services
from stegvis.surveys.models import (
    Item,
    Questionnaire,
    ReferenceValue,
    SurveyResponse,
    ViolenceScreening,
    ViolenceTally,
)
from stegvis.surveys.questionnaire_file import FileProblems, parse
from stegvis.surveys.tests.conftest import actor_of, enrolment, open_round

pytestmark = pytest.mark.django_db

MINIMAL = """
format: stegvis-enkat/1
key: egen
kind: own
respondent_group: aktivitet
title: Egen enkät
items:
  - key: a
    text: {sv: "Bra?", en: "Good?"}
    options:
      - {value: "1", score: 1, label: "Nej"}
      - {value: "2", score: 2, label: "Ja"}
    positive: ["2"]
"""


# --- The file ----------------------------------------------------------------------------------


def test_every_sample_file_is_valid_and_has_english():
    for path in sorted(services.SAMPLES.glob("*.yaml")):
        spec = parse(path.read_bytes(), source=path.name)
        assert spec.titles.keys() >= {"sv", "en"}, path.name
        for item in spec.items:
            assert item.texts.keys() >= {"sv", "en"}, f"{path.name} {item.key}"


def test_the_participant_sample_quotes_the_published_items_verbatim():
    spec = parse((services.SAMPLES / "deltagare-avslut.yaml").read_bytes())
    texts = {i.number: i.texts["sv"] for i in spec.items if i.number}
    assert texts["6"] == (
        "Känner du dig mer redo att kunna arbeta eller studera jämfört med innan du fick "
        "kontakt med oss?"
    )
    assert sorted(texts) == ["1", "2", "5", "6", "7"]
    assert next(i for i in spec.items if i.number == "1").positive == ["4", "5"]


def test_the_violence_sample_has_two_published_questions_and_five_placeholders():
    spec = parse((services.SAMPLES / "vald.yaml").read_bytes())
    assert [i.placeholder for i in spec.items] == [False, False, True, True, True, True, True]
    assert spec.items[1].texts["sv"] == (
        "Har du blivit slagen, sparkad, knuffad eller skadad på något annat sätt av en närstående?"
    )


def test_a_bad_file_reports_every_problem_with_its_place():
    bad = """
format: stegvis-enkat/1
key: Fel Nyckel
kind: national
respondent_group: okand
title: {en: "Only English"}
scales:
  s: {options: [{value: "1", label: "Ett"}], positive: ["9"]}
items:
  - {key: a, scale: s, text: "Utan nummer"}
  - {key: a, number: "2", scale: saknas, text: "Dubbel"}
local_items:
  - {key: c, number: "7", scale: s, text: "Lokal med nummer"}
"""
    with pytest.raises(FileProblems) as info:
        parse(bad)
    places = [where for where, _what in info.value.problems]
    assert places == [
        "key",
        "respondent_group",
        "title",
        "scales.s.positive",
        "items[0].number",
        "items[1].scale",
        "local_items[0].number",
    ]
    messages = dict(info.value.problems)
    assert messages["items[1].scale"] == "Okänd skala saknas."
    assert messages["title"] == "Svensk text (sv) saknas."


def test_files_that_are_not_yaml_or_too_big_are_refused():
    with pytest.raises(FileProblems, match="inte giltig YAML"):
        parse("key: [unclosed")
    with pytest.raises(FileProblems, match="512 kB"):
        parse(b"#" * (513 * 1024))
    with pytest.raises(FileProblems, match="UTF-8"):
        parse("title: åäö".encode("latin-1"))


# --- Loading and versions -------------------------------------------------------------------


def test_loading_again_makes_a_new_version_only_when_something_changed(world):
    alice = actor_of(world, "alice")
    first = services.load_questionnaire(alice, world.a, MINIMAL, source="egen.yaml")
    assert (first.created, first.version.number) == (True, 1)
    same = services.load_questionnaire(alice, world.a, MINIMAL)
    assert (same.created, same.version) == (False, first.version)
    changed = services.load_questionnaire(alice, world.a, MINIMAL.replace("Bra?", "Bra nu?"))
    assert changed.version.number == 2
    assert first.version.items.get().texts["sv"] == "Bra?"
    assert AuditEvent.objects.filter(action="questionnaire.load").count() == 2


def test_answers_keep_their_version_when_a_local_item_is_added(world, loaded, exit_round):
    questionnaire = loaded["deltagare-avslut"]
    services.submit_response(
        exit_round, {"d1": "5"}, intervention=None, language="sv", today=date(2026, 2, 1)
    )
    old = exit_round.version
    new = services.add_local_item(
        actor_of(world, "alice"),
        questionnaire,
        key="diskriminering",
        texts={"sv": "Har du blivit bemött med respekt?", "en": ""},
        scale_of="d1",
    )
    assert new.number == old.number + 1
    local = new.items.get(key="diskriminering")
    assert (local.part, local.number, local.positive) == ("local", "", ["4", "5"])
    assert local.texts == {"sv": "Har du blivit bemött med respekt?"}
    # The national part is unchanged; the old answer still points to the old version.
    assert list(new.items.filter(part="national").values_list("texts", flat=True)) == list(
        old.items.filter(part="national").values_list("texts", flat=True)
    )
    assert SurveyResponse.objects.get().version == old
    exit_round.refresh_from_db()
    assert exit_round.version == old
    # Reloading the national file keeps the local part.
    reloaded = services.load_questionnaire(
        actor_of(world, "alice"),
        world.a,
        (services.SAMPLES / "deltagare-avslut.yaml").read_bytes().replace(b"(exempel)", b"(ny)"),
    )
    assert reloaded.version.items.filter(key="diskriminering").exists()


def test_national_items_cannot_be_removed_but_local_ones_can(world, loaded):
    alice = actor_of(world, "alice")
    questionnaire = loaded["deltagare-avslut"]
    with pytest.raises(ValidationError, match="låsta"):
        services.remove_local_item(alice, questionnaire, "d1")
    services.add_local_item(
        alice, questionnaire, key="lokal", texts={"sv": "Lokal?"}, scale_of="d1"
    )
    version = services.remove_local_item(alice, questionnaire, "lokal")
    assert not version.items.filter(key="lokal").exists()


def test_local_item_validation(world, loaded):
    with pytest.raises(ValidationError) as info:
        services.add_local_item(
            actor_of(world, "alice"),
            loaded["deltagare-avslut"],
            key="d1",
            texts={},
            scale_of="nej",
        )
    assert set(info.value.message_dict) == {"key", "text_sv", "scale_of"}


def test_only_the_office_loads_and_only_into_its_own_association(world):
    with pytest.raises(PermissionDenied):
        services.load_questionnaire(actor_of(world, "carol"), world.a, MINIMAL)
    with pytest.raises(PermissionDenied):
        services.load_questionnaire(actor_of(world, "dave"), world.a, MINIMAL)
    assert not Questionnaire.objects.exists()


def test_a_new_version_cannot_change_kind(world):
    services.load_questionnaire(None, world.a, MINIMAL)
    with pytest.raises(FileProblems, match="kan inte byta typ"):
        services.load_questionnaire(None, world.a, MINIMAL.replace("kind: own", "kind: violence"))


def test_the_load_command(world, tmp_path):
    path = tmp_path / "egen.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    out = StringIO()
    call_command("load_questionnaire", str(path), "--association", "forbund-a", stdout=out)
    assert "egen.yaml: Egen enkät – version 1" in out.getvalue()
    call_command("load_questionnaire", "--samples", "--association", "forbund-a", stdout=out)
    assert Questionnaire.objects.filter(association=world.a).count() == 9
    bad = tmp_path / "fel.yaml"
    bad.write_text("format: fel\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="lästes inte in"):
        call_command("load_questionnaire", str(bad), "--association", "forbund-a", stderr=err)
    assert "format: Ska vara stegvis-enkat/1." in err.getvalue()
    with pytest.raises(CommandError, match="finns inte"):
        call_command("load_questionnaire", str(path), "--association", "okant")


# --- Rounds and answers ---------------------------------------------------------------------


def test_open_round_validates(world, loaded, steg):
    alice = actor_of(world, "alice")
    from stegvis.interventions.tests.factories import InterventionFactory

    foreign = Intervention.objects.get(
        pk=InterventionFactory(provider=world.q, lead_association=world.b).pk
    )
    with pytest.raises(ValidationError) as info:
        services.open_round(
            alice,
            loaded["vald"].current_version(),
            title=" ",
            interventions=[foreign],
            opens_on=date(2026, 2, 1),
            closes_on=date(2026, 1, 1),
        )
    assert set(info.value.message_dict) == {"title", "closes_on", "interventions"}
    with pytest.raises(ValidationError, match="ställs i en eller flera insatser"):
        services.open_round(
            alice,
            loaded["vald"].current_version(),
            title="Våld",
            opens_on=date(2026, 1, 1),
            closes_on=date(2026, 2, 1),
        )


def test_a_round_of_only_placeholders_cannot_open(world, loaded, steg):
    placeholders = (services.SAMPLES / "vald.yaml").read_text(encoding="utf-8")
    placeholders = placeholders.replace("key: vald", "key: vald-tom").replace(
        "    scale: janej\n    text:", "    scale: janej\n    placeholder: true\n    text:"
    )
    result = services.load_questionnaire(None, world.a, placeholders)
    with pytest.raises(ValidationError, match="saknar text"):
        open_round(world, result.questionnaire, [steg])


def test_a_closed_round_refuses_answers(world, exit_round):
    services.close_round(actor_of(world, "alice"), exit_round, today=date(2026, 3, 1))
    with pytest.raises(services.RoundClosed):
        services.submit_response(exit_round, {"d1": "5"}, intervention=None, language="sv")
    with pytest.raises(ValidationError, match="redan stängd"):
        services.close_round(actor_of(world, "alice"), exit_round)
    assert not SurveyResponse.objects.exists()


def test_answers_outside_the_period_are_refused(world, exit_round):
    with pytest.raises(services.RoundClosed):
        services.submit_response(
            exit_round, {"d1": "5"}, intervention=None, language="sv", today=date(2028, 1, 1)
        )


def test_bad_answers_are_refused_and_nothing_is_saved(world, exit_round):
    with pytest.raises(ValidationError) as info:
        services.submit_response(
            exit_round, {"d1": "9", "okand": "1"}, intervention=None, language="sv"
        )
    assert set(info.value.message_dict) == {"d1", "okand"}
    with pytest.raises(ValidationError, match="minst en fråga"):
        services.submit_response(exit_round, {}, intervention=None, language="sv")
    assert not SurveyResponse.objects.exists()


def test_a_round_of_several_interventions_asks_which(world, loaded, steg):
    from stegvis.interventions.tests.factories import InterventionFactory

    other = InterventionFactory(provider=world.p, lead_association=world.a, name="Annan")
    survey_round = open_round(world, loaded["deltagare-avslut"], [steg, other])
    with pytest.raises(ValidationError, match="Välj den insats"):
        services.submit_response(survey_round, {"d1": "5"}, intervention=None, language="sv")
    response = services.submit_response(
        survey_round, {"d1": "5"}, intervention=other, language="en", today=date(2026, 1, 5)
    )
    assert (response.intervention, response.language) == (other, "en")


def test_paper_tallies_must_add_up(world, violence_round, steg):
    bob = actor_of(world, "bob")
    counts = {
        "v1": {"ja": 1, "nej": 4, "vill_ej": 0, "": 1},
        "v2": {"ja": 0, "nej": 5, "vill_ej": 0, "": 0},
    }
    with pytest.raises(ValidationError) as info:
        services.add_paper_tallies(bob, violence_round, steg, forms=6, counts=counts, year=2026)
    assert "svaren (med ”inget svar”) ska bli 6, inte 5" in str(info.value.message_dict["v2"])
    assert not ViolenceTally.objects.exists()
    counts["v2"][""] = 1
    services.add_paper_tallies(bob, violence_round, steg, forms=6, counts=counts, year=2026)
    services.add_paper_tallies(
        actor_of(world, "alice"), violence_round, steg, forms=6, counts=counts, year=2026
    )
    assert ViolenceTally.objects.get(item__key="v1", value="nej").count == 8
    event = AuditEvent.objects.filter(action="violence_tally.paper").first()
    assert event.association == world.a and event.participant_ref is None


def test_paper_tallies_are_refused_outside_ones_interventions(world, violence_round, steg):
    counts = {"v1": {"nej": 5}, "v2": {"nej": 5}}
    with pytest.raises(PermissionDenied):
        services.add_paper_tallies(
            actor_of(world, "erin"), violence_round, steg, forms=5, counts=counts, year=2026
        )
    with pytest.raises(PermissionDenied):
        services.add_paper_tallies(
            actor_of(world, "dave"), violence_round, steg, forms=5, counts=counts, year=2026
        )


# --- Reference values ---------------------------------------------------------------------


def test_reference_import_is_all_or_nothing_with_row_and_column(world, loaded):
    content = (
        "år;respondentgrupp;fråga;andel_positiva;medelvärde;antal\n"
        "2025;deltagare_avslut;1;71,0;4,1;2100\n"
        "2025;deltagare_avslut;99;70;;\n"
        "20x5;okänd;6;140;x;-3\n"
    ).encode()
    with pytest.raises(services.ImportProblems) as info:
        services.import_reference_values(actor_of(world, "alice"), content, "ref.csv")
    problems = [(p.row, p.column) for p in info.value.problems]
    assert problems == [
        (3, "fråga"),
        (4, "år"),
        (4, "respondentgrupp"),
        (4, "fråga"),
        (4, "andel_positiva"),
        (4, "medelvärde"),
        (4, "antal"),
    ]
    assert str(info.value.problems[0]) == (
        "Rad 3, kolumn fråga: Fråga 99 finns inte i någon inläst nationell enkät för "
        "respondentgruppen."
    )
    assert not ReferenceValue.objects.exists()


def test_reference_import_from_xlsx_replaces_a_year(world, loaded):
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["År", "Respondentgrupp", "Fråga", "Andel_positiva"])
    sheet.append([2025, "deltagare_avslut", "6", 80])
    buffer = BytesIO()
    book.save(buffer)
    alice = actor_of(world, "alice")
    assert services.import_reference_values(alice, buffer.getvalue(), "ref.xlsx") == 1
    assert (
        services.import_reference_values(
            alice,
            "år,respondentgrupp,fråga,andel_positiva\n2025,deltagare_avslut,6,81.5\n".encode(),
            "ref.csv",
        )
        == 1
    )
    assert ReferenceValue.objects.get().share_positive == 81.5


def test_reference_import_needs_its_columns(world, loaded):
    with pytest.raises(services.ImportProblems) as info:
        services.import_reference_values(actor_of(world, "alice"), b"ar;fraga\n1;2\n", "r.csv")
    assert [p.column for p in info.value.problems] == [
        "år",
        "respondentgrupp",
        "fråga",
        "andel_positiva",
    ]


# --- Violence screening -----------------------------------------------------------------------


def test_screening_is_the_source_of_truth_and_the_mark_follows_it(world, steg):
    bob = actor_of(world, "bob")
    row = enrolment(steg)
    screening = services.record_screening(
        bob, row, outcome="asked", on=date(2026, 2, 1), today=date(2026, 3, 1)
    )
    row.refresh_from_db()
    assert row.violence_screening_asked is True
    assert (screening.asked_by, screening.on) == (world["bob"], date(2026, 2, 1))
    event = AuditEvent.objects.get(action="violence_screening.record")
    assert event.participant_ref == row.participant.public_id and event.unit == world.p
    services.record_screening(
        bob,
        row,
        outcome="not_possible",
        reason="Närstående var med",
        on=date(2026, 2, 2),
        today=date(2026, 3, 1),
    )
    row.refresh_from_db()
    assert row.violence_screening_asked is False
    assert ViolenceScreening.objects.get().outcome == "not_possible"


def test_the_exit_no_longer_overwrites_the_mark(world, steg):
    from stegvis.participants import services as participants

    bob = actor_of(world, "bob")
    row = enrolment(steg)
    services.record_screening(
        bob, row, outcome="asked", on=date(2026, 2, 1), today=date(2026, 3, 1)
    )
    participants.record_exit(
        bob,
        row,
        exit_date=date(2026, 3, 1),
        reason="arbete",
        income_source="lon",
        occupation="forvarvsarbete",
        today=date(2026, 3, 1),
    )
    row.refresh_from_db()
    assert row.violence_screening_asked is True


def test_screening_validation_and_wall(world, steg):
    row = enrolment(steg)
    with pytest.raises(ValidationError) as info:
        services.record_screening(
            actor_of(world, "bob"),
            row,
            outcome="not_possible",
            on=date(2030, 1, 1),
            today=date(2026, 3, 1),
        )
    assert set(info.value.message_dict) == {"reason", "on"}
    for outsider in ("erin", "alice"):
        with pytest.raises(PermissionDenied):
            services.record_screening(
                actor_of(world, outsider), row, outcome="asked", on=date(2026, 2, 1)
            )
    assert not ViolenceScreening.objects.exists()


def test_the_migration_turns_old_marks_into_screenings(world, steg):
    """The data migration's rule, run on a mark made before the app existed."""
    from importlib import import_module

    from django.apps import apps as django_apps

    row = enrolment(steg, exit_date=date(2026, 3, 1))
    type(row).objects.filter(pk=row.pk).update(violence_screening_asked=True)
    module = import_module("stegvis.surveys.migrations.0002_screening_from_exit_marks")
    module.forwards(django_apps, None)
    screening = ViolenceScreening.objects.get()
    assert (screening.outcome, screening.on, screening.asked_by) == (
        "asked",
        date(2026, 3, 1),
        None,
    )
    module.forwards(django_apps, None)
    assert ViolenceScreening.objects.count() == 1


def test_item_choices_follow_the_language(world, loaded):
    from django.utils import translation

    item = Item.objects.filter(key="d1").first()
    with translation.override("en"):
        assert item.choices()[0] == ("1", "Strongly disagree")
        assert item.text.startswith("Do you feel")
    assert item.choices()[0] == ("1", "Instämmer inte alls")
