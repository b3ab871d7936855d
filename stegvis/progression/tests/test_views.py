"""The provider's and the association's progression pages: behaviour, owner and role."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stegvis.core.models import AuditEvent
from stegvis.progression import services
from stegvis.progression.models import Answer, Instrument, LadderStepLabel, Measurement
from stegvis.progression.tests.conftest import actor_of, enrol, measure
from stegvis.progression.tests.factories import INSTRUMENTS, answers

pytestmark = pytest.mark.django_db


def p_url(world, name, **kwargs):
    return reverse(f"progression:{name}", kwargs={"provider": world.p.public_id, **kwargs})


def a_url(world, name, **kwargs):
    return reverse(f"progression:{name}", kwargs={"association": world.a.slug, **kwargs})


@pytest.fixture
def measured(world, steg, instruments):
    """An enrolment measured twice, with the profile and the ladder."""
    e = enrol(steg, start=date(2026, 1, 5))
    first = measure(e, date(2026, 1, 12), "start")
    answers(first, instruments["profile"], {"halsa": 3, "vardag": 4, "coach_tro": 5})
    answers(first, instruments["ladder"], {"steg": 2})
    latest = measure(e, date(2026, 4, 6))
    answers(latest, instruments["profile"], {"halsa": 6, "vardag": 4, "coach_tro": 7})
    answers(latest, instruments["ladder"], {"steg": 4})
    return e


# --- The work list -------------------------------------------------------------------------


@time_machine.travel("2026-04-20 10:00 +02:00")
def test_work_list_shows_due_and_overdue(as_persona, world, steg, instruments):
    enrol(steg, start=date(2026, 4, 1))  # never measured: start overdue
    measured_once = enrol(steg, start=date(2026, 1, 1))
    measure(measured_once, date(2026, 1, 26), "start")  # + 12 weeks = 2026-04-20: due today
    recent = enrol(steg, start=date(2026, 4, 1))
    measure(recent, date(2026, 4, 10), "start")  # next 2026-07-03: not yet
    left = enrol(steg, start=date(2026, 1, 1), exit_date=date(2026, 4, 15), exit_reason="annat")
    measure(left, date(2026, 1, 5), "start")  # exit measurement missing
    page = as_persona("bob").get(p_url(world, "work_list"))
    assert page.status_code == 200
    rows = page.context["page"].object_list
    assert [(r.occasion, r.due, r.overdue) for r in rows] == [
        ("start", date(2026, 4, 1), True),
        ("exit", date(2026, 4, 15), True),
        ("periodic", date(2026, 4, 20), False),
    ]
    assert "försenad" in page.content.decode()
    assert AuditEvent.objects.filter(action="measurement.worklist").exists()


@time_machine.travel("2026-04-20 10:00 +02:00")
def test_work_list_query_count_is_constant(as_persona, world, steg, django_assert_max_num_queries):
    client = as_persona("bob")
    url = p_url(world, "work_list")
    for _ in range(2):
        enrol(steg, start=date(2026, 4, 1))
    with django_assert_max_num_queries(20):
        assert len(client.get(url).context["page"].object_list) == 2
    for _ in range(8):
        measure(enrol(steg, start=date(2026, 1, 1)), date(2026, 1, 5), "start")
    with django_assert_max_num_queries(20):
        assert len(client.get(url).context["page"].object_list) == 10


def test_work_list_owner_and_role(as_persona, world, steg):
    enrol(steg, start=date(2026, 4, 1))
    assert as_persona("erin").get(p_url(world, "work_list")).status_code == 404
    assert as_persona("alice").get(p_url(world, "work_list")).status_code == 404
    # The provider manager sees every intervention of P.
    page = as_persona("petra").get(p_url(world, "work_list"))
    assert len(page.context["page"].object_list) == 1


# --- One participant -----------------------------------------------------------------------


def test_enrolment_progress_shows_change_table_and_chart(as_persona, world, measured):
    page = as_persona("bob").get(p_url(world, "enrolment_progress", enrolment=measured.public_id))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in body
    assert "<svg" not in body  # the CSP forbids inline styles: the chart is an image
    assert 'alt="Stapeldiagram' in body
    assert "+3" in body and "+2" in body  # halsa 3 → 6, ladder 2 → 4
    assert "Från <strong>2. Vardag och hälsa i fokus" in body
    assert AuditEvent.objects.filter(
        action="participant.view",
        participant_ref=measured.participant.public_id,
        reason="stegförflyttning",
    ).exists()


def test_enrolment_progress_uses_the_associations_step_names(
    as_persona, world, measured, instruments
):
    services.save_ladder_labels(actor_of(world, "alice"), instruments["ladder"], {4: "Praktik"})
    body = (
        as_persona("bob")
        .get(p_url(world, "enrolment_progress", enrolment=measured.public_id))
        .content.decode()
    )
    assert "4. Praktik" in body


def test_enrolment_progress_owner_and_role(as_persona, world, measured):
    url = p_url(world, "enrolment_progress", enrolment=measured.public_id)
    assert as_persona("erin").get(url).status_code == 404
    assert as_persona("carol").get(url).status_code == 404
    assert as_persona("petra").get(url).status_code == 200


@time_machine.travel("2026-03-01 10:00 +01:00")
def test_create_measurement_and_enter_answers(as_persona, world, steg, instruments):
    e = enrol(steg, start=date(2026, 2, 1))
    client = as_persona("bob")
    url = p_url(world, "measurement_create", enrolment=e.public_id)
    page = client.post(
        url, {"occasion": "start", "date": "2026-01-20", "instruments": [instruments["ladder"].pk]}
    )
    assert "före inskrivningens start 2026-02-01" in page.content.decode()
    assert Measurement.objects.count() == 0
    page = client.post(
        url,
        {
            "occasion": "start",
            "date": "2026-02-03",
            "instruments": [instruments["profile"].pk, instruments["ladder"].pk],
        },
    )
    m = Measurement.objects.get()
    assert page["Location"] == p_url(world, "measurement_detail", measurement=m.public_id)
    items = {i.key: i for i in services.measurement_items(m)}
    detail = client.get(page["Location"])
    assert "Coachens bedömning" in detail.content.decode()
    bad = client.post(
        page["Location"], {f"item_{items['halsa'].pk}": "12", f"item_{items['coach_tro'].pk}": "6"}
    )
    assert "Svaret ska vara ett heltal från 1 till 10." in bad.content.decode()
    assert Answer.objects.count() == 0
    ok = client.post(
        page["Location"],
        {
            f"item_{items['halsa'].pk}": "5",
            f"item_{items['coach_tro'].pk}": "6",
            f"item_{items['steg'].pk}": "3",
        },
    )
    assert ok.status_code == 302
    assert dict(Answer.objects.values_list("item__key", "by")) == {
        "halsa": "on_behalf",
        "coach_tro": "coach",
        "steg": "coach",
    }
    assert "Ifylld av coachen åt deltagaren." in client.get(ok["Location"]).content.decode()


def test_link_create_shows_a_qr_code_once(as_persona, world, steg, instruments):
    e = enrol(steg, start=date(2026, 1, 1))
    m = services.create_measurement(
        actor_of(world, "bob"),
        e,
        occasion="start",
        day=date(2026, 1, 5),
        instruments=[instruments["health"]],
    )
    client = as_persona("bob")
    assert client.get(p_url(world, "link_create", measurement=m.public_id)).status_code == 405
    page = client.post(p_url(world, "link_create", measurement=m.public_id))
    body = page.content.decode()
    assert 'class="qr" src="data:image/svg+xml' in body
    assert "/s/" in body
    # Only the coach's own pages name the person; the link itself holds no identity.
    link_url = page.context["url"]
    assert str(e.participant.public_id) not in link_url


def test_measurement_pages_owner_and_role(as_persona, world, measured):
    m = measured.measurements.first()
    for name in ("measurement_detail",):
        url = p_url(world, name, measurement=m.public_id)
        assert as_persona("erin").get(url).status_code == 404
        assert as_persona("alice").get(url).status_code == 404
        assert as_persona("bob").get(url).status_code == 200
    url = p_url(world, "link_create", measurement=m.public_id)
    assert as_persona("erin").post(url).status_code == 404


# --- The intervention ----------------------------------------------------------------------


def test_intervention_figures_page(as_persona, world, steg, measured):
    page = as_persona("bob").get(p_url(world, "intervention_figures", intervention=steg.public_id))
    assert page.status_code == 200
    body = page.content.decode()
    assert "100,0\xa0%" in body  # one measured, one moved up
    assert "Steg i trappan vid start och vid avslut" in body
    assert page.context["figures"].ladder_positive["total"] == 1
    assert "Mål för stegförflyttning" not in body


def test_intervention_figures_show_the_step_goal(as_persona, world, steg, instruments):
    from stegvis.interventions.tests.factories import GoalFactory

    GoalFactory(
        intervention=steg,
        text="Ytterligare 4 av 10 ska ha tagit ett steg",
        measure="share_positive_step",
        target=40,
    )
    e = enrol(steg, exit_date=date(2026, 6, 1), exit_reason="ater_remittent")
    for day, step in ((date(2026, 1, 12), 2), (date(2026, 5, 20), 3)):
        answers(measure(e, day), instruments["ladder"], {"steg": step})
    body = (
        as_persona("petra")
        .get(p_url(world, "intervention_figures", intervention=steg.public_id))
        .content.decode()
    )
    assert "Ytterligare 4 av 10 ska ha tagit ett steg" in body
    assert '100,0\xa0% (1 av 1) <span class="ok">uppfyllt' in body


def test_intervention_figures_query_count_is_constant(
    as_persona, world, steg, instruments, django_assert_max_num_queries
):
    client = as_persona("bob")
    url = p_url(world, "intervention_figures", intervention=steg.public_id)

    def add(n):
        for i in range(n):
            e = enrol(steg, gender="man" if i % 2 else "kvinna")
            for day, step in ((date(2026, 1, 12), 2), (date(2026, 4, 6), 3)):
                answers(measure(e, day), instruments["ladder"], {"steg": step})

    add(2)
    with django_assert_max_num_queries(60) as first:
        client.get(url)
    add(8)
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = client.get(url)
    assert page.context["figures"].ladder_positive["total"] == 10


def test_intervention_figures_owner_and_role(as_persona, world, steg):
    url = p_url(world, "intervention_figures", intervention=steg.public_id)
    assert as_persona("erin").get(url).status_code == 404
    assert as_persona("alice").get(url).status_code == 404
    assert as_persona("petra").get(url).status_code == 200


def test_plan_edit(as_persona, world, steg, instruments):
    url = p_url(world, "plan_edit", intervention=steg.public_id)
    assert as_persona("bob").get(url).status_code == 403
    assert as_persona("erin").get(url).status_code == 404
    client = as_persona("petra")
    page = client.post(url, {"instruments": [instruments["ladder"].pk], "interval_weeks": "60"})
    assert "Ange ett antal veckor mellan 1 och 52." in page.content.decode()
    page = client.post(
        url, {"instruments": [instruments["ladder"].pk], "interval_weeks": "8", "at_start": "on"}
    )
    assert page.status_code == 302
    assert services.plan_for(steg).interval_weeks == 8


# --- Instruments ---------------------------------------------------------------------------


def test_instrument_list_detail_and_download(as_persona, world, instruments):
    client = as_persona("bob")
    page = client.get(p_url(world, "provider_instrument_list"))
    assert "Anställningsbarhetsprofil" in page.content.decode()
    profile = instruments["profile"]
    page = client.get(p_url(world, "provider_instrument_detail", instrument=profile.public_id))
    assert "coach_tro" in page.content.decode()
    download = client.get(
        p_url(world, "provider_instrument_download", instrument=profile.public_id)
    )
    assert download["Content-Type"].startswith("application/yaml")
    assert b"format: stegvis-instrument/1" in download.content
    xlsx = client.get(
        p_url(world, "provider_instrument_download_xlsx", instrument=profile.public_id)
    )
    assert xlsx["Content-Disposition"] == 'attachment; filename="anstallningsbarhet.xlsx"'
    assert xlsx.content[:2] == b"PK"


def test_instrument_upload_all_or_nothing(as_persona, world, instruments):
    client = as_persona("petra")
    url = p_url(world, "provider_instrument_upload")
    bad = SimpleUploadedFile("fel.yaml", b"format: stegvis-instrument/1\nkey: x\nkind: self\n")
    page = client.post(url, {"file": bad})
    assert "name: instrumentet saknar namn." in page.content.decode()
    assert "items: instrumentet behöver minst en fråga." in page.content.decode()
    assert Instrument.objects.filter(provider=world.p).count() == 0
    good = SimpleUploadedFile("trappa.yaml", (INSTRUMENTS / "trappa.yaml").read_bytes())
    page = client.post(url, {"file": good})
    assert page.status_code == 302
    assert Instrument.objects.filter(provider=world.p, key="trappa").exists()
    # An Excel file works the same way.
    from stegvis.progression.instrument_files import read_yaml, to_xlsx

    spec = read_yaml((INSTRUMENTS / "halsa_livskvalitet.yaml").read_bytes())
    excel = SimpleUploadedFile("halsa.xlsx", to_xlsx(spec))
    assert client.post(url, {"file": excel}).status_code == 302
    assert Instrument.objects.filter(provider=world.p, key="halsa-livskvalitet").exists()
    assert as_persona("bob").get(url).status_code == 403


def test_association_instruments_and_ladder_names(as_persona, world, instruments):
    ladder = instruments["ladder"]
    page = as_persona("carol").get(a_url(world, "association_instrument_list"))
    assert page.status_code == 200
    assert "Namnge stegen" not in page.content.decode()
    url = a_url(world, "ladder_steps", instrument=ladder.public_id)
    assert as_persona("carol").get(url).status_code == 403
    assert as_persona("dave").get(url).status_code == 404
    client = as_persona("alice")
    assert (
        "Namnge stegen" in client.get(a_url(world, "association_instrument_list")).content.decode()
    )
    page = client.post(url, {"steg_1": "Utanför", "steg_7": "I jobb"})
    assert page.status_code == 302
    assert dict(LadderStepLabel.objects.values_list("value", "label")) == {
        1: "Utanför",
        7: "I jobb",
    }
    profile_url = a_url(world, "ladder_steps", instrument=instruments["profile"].public_id)
    assert client.get(profile_url).status_code == 404


def test_the_participant_page_links_to_progression(as_persona, world, measured):
    url = reverse(
        "participants:participant_detail",
        kwargs={"provider": world.p.public_id, "participant": measured.participant.public_id},
    )
    body = as_persona("bob").get(url).content.decode()
    assert p_url(world, "enrolment_progress", enrolment=measured.public_id) in body


def test_navigation(as_persona, world):
    body = as_persona("bob").get(p_url(world, "work_list")).content.decode()
    assert "Stegförflyttning" in body
    body = as_persona("alice").get(a_url(world, "association_instrument_list")).content.decode()
    assert ">Instrument<" in body


@pytest.mark.parametrize("days", [0, 13])
def test_link_state_is_open_until_expiry(world, steg, instruments, days):
    e = enrol(steg, start=date(2026, 1, 1))
    m = services.create_measurement(
        actor_of(world, "bob"),
        e,
        occasion="start",
        day=date(2026, 1, 5),
        instruments=[instruments["health"]],
    )
    link, _token = services.create_link(actor_of(world, "bob"), m)
    with time_machine.travel(link.created_at + timedelta(days=days)):
        assert link.state == "öppen"


@time_machine.travel("2026-11-25 10:00 +01:00")
def test_work_list_lists_follow_up_measurements(as_persona, world, steg):
    from stegvis.participants.models import FollowUp

    left = enrol(steg, start=date(2026, 1, 1), exit_date=date(2026, 5, 29), exit_reason="annat")
    measure(left, date(2026, 5, 29), "exit")
    FollowUp.objects.create(provider=world.p, enrolment=left, months=6, due=date(2026, 11, 29))
    client = as_persona("bob")
    rows = client.get(p_url(world, "work_list")).context["page"].object_list
    assert [(r.occasion, r.due, r.overdue) for r in rows] == [
        ("follow_up", date(2026, 11, 29), False)
    ]
    measure(left, date(2026, 11, 25), "follow_up")
    assert client.get(p_url(world, "work_list")).context["page"].object_list == []
