"""Instruments, versions, plans, measurements and answers: the services and their bad input."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from stegvis.core.models import AuditEvent
from stegvis.progression import services
from stegvis.progression.instrument_files import InstrumentFileError, read_yaml, to_yaml
from stegvis.progression.models import Answer, Instrument, InstrumentVersion, Item, Measurement
from stegvis.progression.tests.conftest import actor_of, enrol
from stegvis.progression.tests.factories import INSTRUMENTS

pytestmark = pytest.mark.django_db

PROFILE = (INSTRUMENTS / "anstallningsbarhet.yaml").read_text()


def test_load_instruments_is_idempotent(capsys):
    call_command("load_instruments")
    assert "anstallningsbarhet: created" in capsys.readouterr().out
    call_command("load_instruments")
    assert capsys.readouterr().out.count("unchanged") == 3
    assert Instrument.objects.count() == 3
    assert InstrumentVersion.objects.count() == 3
    profile = Instrument.objects.get(key="anstallningsbarhet").latest_version()
    assert profile.kind == "both"
    assert profile.items.filter(audience="coach", key="coach_tro").exists()
    assert Item.objects.get(key="halsa_vas").max_value == 100


def test_shipped_files_survive_a_round_trip():
    for path in INSTRUMENTS.glob("*.yaml"):
        spec = read_yaml(path.read_bytes())
        assert read_yaml(to_yaml(spec)) == spec


def test_a_bad_file_reports_every_problem_and_saves_nothing():
    content = """format: stegvis-instrument/1
key: Fel Nyckel
name: ''
kind: both
items:
  - key: a
    audience: participant
    text: Fråga
    scale: {type: numeric, min: 5, max: 1}
  - key: a
    audience: någon
    text: ''
    scale: {type: categories, options: [{value: 2, label: x}, {value: 1, label: y}]}
"""
    with pytest.raises(InstrumentFileError) as caught:
        read_yaml(content.encode())
    text = "\n".join(caught.value.problems)
    assert "key: ange en nyckel" in text
    assert "name: instrumentet saknar namn" in text
    assert "Fråga 1 (a), scale: ange heltalen min och max" in text
    assert "Fråga 2 (a), audience" in text
    assert "Fråga 2 (a), text: frågan saknar text" in text
    assert "värdena ska öka" in text
    assert Instrument.objects.count() == 0


def test_unreadable_yaml_names_the_line():
    with pytest.raises(InstrumentFileError) as caught:
        read_yaml(b"format: x\nitems: [\n  - key: a\n   text")
    assert "rad" in caught.value.problems[0]


def test_editing_an_instrument_with_measurements_creates_a_version(world, steg, instruments):
    petra = actor_of(world, "petra")
    spec = read_yaml(PROFILE.encode())
    own, outcome = services.load_instrument(spec, actor=petra)
    assert outcome == "created" and own.provider == world.p
    # No measurements yet: the newest version is replaced in place.
    changed = read_yaml(PROFILE.replace("Jag får ihop min vardag", "Min vardag fungerar").encode())
    assert services.load_instrument(changed, actor=petra)[1] == "updated"
    assert own.versions.count() == 1
    e = enrol(steg)
    m = services.create_measurement(
        actor_of(world, "bob"), e, occasion="start", day=date(2026, 1, 12), instruments=[own]
    )
    vardag = own.latest_version().items.get(key="vardag")
    services.record_answers(actor_of(world, "bob"), m, {vardag.pk: "7"})
    again = read_yaml(PROFILE.replace("Jag får ihop min vardag", "Vardagen går ihop").encode())
    assert services.load_instrument(again, actor=petra)[1] == "new_version"
    assert own.versions.count() == 2
    # The old measurement keeps the version it was made with.
    assert list(m.versions.values_list("number", flat=True)) == [1]
    assert Answer.objects.get(measurement=m).item.version.number == 1
    assert services.load_instrument(again, actor=petra)[1] == "unchanged"


def test_a_measurement_not_yet_answered_keeps_its_version_when_the_instrument_changes(
    world, steg, instruments
):
    """A measurement is made (say, a self-assessment link sent) but not answered when the
    provider changes its instrument: the version it was made with stays, with its questions."""
    petra = actor_of(world, "petra")
    own, _outcome = services.load_instrument(read_yaml(PROFILE.encode()), actor=petra)
    m = services.create_measurement(
        actor_of(world, "bob"),
        enrol(steg),
        occasion="start",
        day=date(2026, 1, 12),
        instruments=[own],
    )
    made_with = own.latest_version()
    changed = read_yaml(PROFILE.replace("Jag får ihop min vardag", "Min vardag fungerar").encode())
    assert services.load_instrument(changed, actor=petra)[1] == "new_version"
    assert list(m.versions.all()) == [made_with]
    assert made_with.items.filter(key="vardag").exists()
    assert own.latest_version().number == 2


def test_a_scale_change_under_the_same_key_is_refused_once_answered(world, steg, instruments):
    e = enrol(steg)
    bob = actor_of(world, "bob")
    m = services.create_measurement(bob, e, occasion="start", day=date(2026, 1, 12))
    halsa = instruments["profile"].latest_version().items.get(key="halsa")
    services.record_answers(bob, m, {halsa.pk: "4"})
    changed = PROFILE.replace(
        "text: Jag klarar att hantera min hälsa så att den inte stoppar mig från att arbeta eller "
        "studera.\n    scale: {type: numeric, min: 1, max: 10,",
        "text: Jag klarar att hantera min hälsa.\n    scale: {type: numeric, min: 1, max: 5,",
    )
    assert changed != PROFILE
    with pytest.raises(InstrumentFileError) as caught:
        services.load_instrument(read_yaml(changed.encode()))
    assert "Fråga halsa" in caught.value.problems[0]
    assert instruments["profile"].versions.count() == 1


def test_only_managers_and_the_office_load_instruments(world):
    spec = read_yaml(PROFILE.encode())
    with pytest.raises(PermissionDenied):
        services.load_instrument(spec, actor=actor_of(world, "bob"))
    instrument, _ = services.load_instrument(spec, actor=actor_of(world, "alice"))
    assert instrument.association == world.a
    assert AuditEvent.objects.filter(action="instrument.load", association=world.a).exists()


@time_machine.travel("2026-03-01 10:00 +01:00")
def test_an_occasion_before_the_enrolment_start_is_refused(world, steg, instruments):
    e = enrol(steg, start=date(2026, 2, 1))
    with pytest.raises(ValidationError) as caught:
        services.create_measurement(
            actor_of(world, "bob"), e, occasion="start", day=date(2026, 1, 20)
        )
    assert "före inskrivningens start 2026-02-01" in caught.value.message_dict["date"][0]
    with pytest.raises(ValidationError):
        services.create_measurement(
            actor_of(world, "bob"), e, occasion="exit", day=date(2026, 2, 20)
        )
    assert Measurement.objects.count() == 0


@time_machine.travel("2026-03-01 10:00 +01:00")
def test_answers_outside_the_scale_save_nothing(world, steg, instruments):
    e = enrol(steg)
    bob = actor_of(world, "bob")
    m = services.create_measurement(bob, e, occasion="start", day=date(2026, 1, 12))
    items = {i.key: i for i in services.measurement_items(m)}
    with pytest.raises(ValidationError) as caught:
        services.record_answers(
            bob,
            m,
            {items["halsa"].pk: "11", items["halsa_vas"].pk: "57", items["steg"].pk: "9"},
        )
    errors = caught.value.message_dict
    assert errors[f"item_{items['halsa'].pk}"] == ["Svaret ska vara ett heltal från 1 till 10."]
    assert errors[f"item_{items['steg'].pk}"] == ["Välj ett av svarsalternativen."]
    assert Answer.objects.count() == 0
    services.record_answers(bob, m, {items["halsa"].pk: "7", items["coach_tro"].pk: "8"})
    by = dict(Answer.objects.values_list("item__key", "by"))
    assert by == {"halsa": "on_behalf", "coach_tro": "coach"}
    assert AuditEvent.objects.filter(
        action="measurement.answers", participant_ref=e.participant.public_id
    ).exists()


def test_a_coach_of_another_intervention_cannot_measure(world, steg, instruments):
    e = enrol(steg)
    with pytest.raises(PermissionDenied):
        services.create_measurement(
            actor_of(world, "erin"), e, occasion="start", day=date(2026, 1, 12)
        )


def test_plan_validation(world, steg, instruments):
    petra = actor_of(world, "petra")
    with pytest.raises(ValidationError):
        services.save_plan(
            petra,
            steg,
            instruments=[],
            at_start=True,
            interval_weeks=12,
            at_exit=True,
            at_follow_up=False,
        )
    with pytest.raises(ValidationError):
        services.save_plan(
            petra,
            steg,
            instruments=[instruments["ladder"]],
            at_start=False,
            interval_weeks=None,
            at_exit=False,
            at_follow_up=False,
        )
    with pytest.raises(PermissionDenied):
        services.save_plan(
            actor_of(world, "bob"),
            steg,
            instruments=[instruments["ladder"]],
            at_start=True,
            interval_weeks=6,
            at_exit=True,
            at_follow_up=True,
        )
    services.save_plan(
        petra,
        steg,
        instruments=[instruments["ladder"]],
        at_start=True,
        interval_weeks=6,
        at_exit=False,
        at_follow_up=False,
    )
    plan = services.plan_for(steg)
    assert plan.saved and plan.interval_weeks == 6 and plan.instruments == [instruments["ladder"]]


def test_ladder_step_names_per_association(world, instruments):
    ladder = instruments["ladder"]
    services.save_ladder_labels(actor_of(world, "alice"), ladder, {1: "Start", 2: ""})
    assert services.ladder_labels(world.a, ladder) == {1: "Start"}
    assert services.ladder_labels(world.b, ladder) == {}
    with pytest.raises(PermissionDenied):
        services.save_ladder_labels(actor_of(world, "petra"), ladder, {1: "X"})
    with pytest.raises(ValidationError):
        services.save_ladder_labels(actor_of(world, "alice"), instruments["profile"], {1: "X"})


def test_xlsx_files_round_trip_and_report_row_and_column():
    import io

    from openpyxl import load_workbook

    from stegvis.progression.instrument_files import read_file, read_xlsx, to_xlsx

    for path in INSTRUMENTS.glob("*.yaml"):
        spec = read_yaml(path.read_bytes())
        assert read_file("x.xlsx", to_xlsx(spec)) == spec
    book = load_workbook(io.BytesIO(to_xlsx(read_yaml((INSTRUMENTS / "trappa.yaml").read_bytes()))))
    book["frågor"]["J2"] = "1 Långt bort; 2=Nära"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(InstrumentFileError) as caught:
        read_xlsx(out.getvalue())
    assert caught.value.problems == [
        "Blad frågor, rad 2, kolumn alternativ: skriv som 1=Sämre; 2=Bättre."
    ]
    with pytest.raises(InstrumentFileError) as caught:
        read_xlsx(b"inte en arbetsbok")
    assert "XLSX" in caught.value.problems[0]
