"""Large imports as background tasks: the job, its progress, its page, and who may see it.

Tests run tasks at once (the immediate backend in settings), so a confirmed large file is done
when the confirmation answers.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from stegvis.core.middleware import SESSION_LAST_SEEN
from stegvis.core.models import AuditEvent, RoleAssignment
from stegvis.core.tests.personas import act_as
from stegvis.interventions.models import Funding, Intervention
from stegvis.participants import import_files, imports, tasks, views_import
from stegvis.participants.models import Consent, Enrolment, FollowUp, ImportJob, Participant
from stegvis.participants.tests.test_import import TODAY, csv_bytes, open_row, pnr

ROWS = 600  # above views_import.BACKGROUND_ROWS


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def insats(world):
    intervention = Intervention.objects.create(
        provider=world.p,
        lead_association=world.a,
        name="Steg",
        code="steg",
        kind="individual",
        orientation="rehabiliterande",
        start=date(2025, 1, 1),
        status="running",
    )
    Funding.objects.create(association=world.a, intervention=intervention, share=100)
    return intervention


@pytest.fixture
def tmp_imports(settings, tmp_path):
    """Waiting uploads and progress files go to a temporary BASE_DIR, not the project's var/."""
    settings.BASE_DIR = tmp_path
    return tmp_path / "var" / "imports"


def people(count: int) -> list[dict[str, object]]:
    """``count`` different people, each with one open enrolment."""
    first = date(1980, 1, 1)
    return [
        open_row(
            personnummer=pnr((first + timedelta(days=i)).strftime("%Y%m%d")),
            namn=f"Person {i}",
        )
        for i in range(count)
    ]


def provider_counts() -> tuple[int, ...]:
    return (
        Participant.objects.count(),
        Enrolment.objects.count(),
        Consent.objects.count(),
        FollowUp.objects.count(),
    )


def _url(world, name: str, **kwargs) -> str:
    return reverse(f"participants:{name}", kwargs={"provider": world.p.public_id, **kwargs})


def job_url(world, job: ImportJob) -> str:
    return _url(world, "provider_import_job", job=job.public_id)


def _waiting(client: Client, world, data: bytes, extension: str = ".csv") -> None:
    """A file waiting for confirmation, as after a preview without errors."""
    session = client.session
    session[views_import.SESSION_KEY] = {
        "provider": str(world.p.public_id),
        "token": import_files.store(data),
        "extension": extension,
    }
    session.save()


@pytest.fixture
def progress_seen(monkeypatch):
    """Every progress the task publishes, in order."""
    seen: list[tuple[int, int]] = []
    publish = import_files.write_progress

    def record(job, done, total):
        seen.append((done, total))
        publish(job, done, total)

    monkeypatch.setattr(import_files, "write_progress", record)
    return seen


# --- Confirmed large files ---------------------------------------------------------------------


def test_a_large_file_is_imported_in_the_background_with_its_progress(
    world, insats, as_persona, tmp_imports, progress_seen
):
    client = as_persona("petra")
    _waiting(client, world, csv_bytes(people(ROWS)))  # as after its preview (test_import.py)

    response = client.post(_url(world, "provider_import_confirm"))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_url(world, job)
    assert "stegvis_import" not in client.session

    assert job.state == ImportJob.State.DONE
    assert job.provider == world.p
    assert job.created_by == world["petra"]
    assert (job.done, job.total) == (ROWS, ROWS)
    assert job.errors == []
    assert job.counts == {
        "rows": ROWS,
        "new_participants": ROWS,
        "existing_participants": 0,
        "consents": ROWS,
        "enrolments": ROWS,
        "exits": 0,
        "follow_ups": 0,
    }
    assert job.file_token == ""
    assert job.finished_at is not None
    assert provider_counts()[:3] == (ROWS, ROWS, ROWS)
    # The progress was published from the start of the writing, every 50 rows, to the end.
    assert progress_seen[0] == (0, ROWS)
    assert (imports.PROGRESS_EVERY, ROWS) in progress_seen
    assert progress_seen[-1] == (ROWS, ROWS)
    assert [done for done, _ in progress_seen] == sorted(done for done, _ in progress_seen)
    # Neither the upload nor the progress is left behind.
    assert list(tmp_imports.iterdir()) == []

    events = AuditEvent.objects.filter(action__in=["import.start", "import.finish"])
    assert [e.action for e in events.order_by("seq")] == ["import.start", "import.finish"]
    for event in events:
        assert (event.unit, event.user, event.association) == (world.p, world["petra"], None)
        assert event.object_id == str(job.public_id)
        assert event.participant_ref is None
    assert events.get(action="import.finish").reason == f"sparad: {ROWS} rader"
    # Each row is audited as the manager, as an import in the request is.
    assert AuditEvent.objects.filter(action="enrolment.create", user=world["petra"]).count() == ROWS

    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert "Importen är klar: 600 rader har sparats." in body
    assert 'value="600" max="600"' in body
    assert "600 av 600 rader" in body
    assert "hx-trigger" not in body


def test_a_large_file_with_errors_saves_nothing_and_reports_every_error(
    world, insats, as_persona, tmp_imports
):
    rows = people(ROWS)
    someone = str(rows[0]["personnummer"])
    rows[1]["hemkommun"] = someone  # a person's number in the wrong column
    rows[99]["personnummer"] = "19901301-2384"  # no 13th month
    rows[-1]["startdatum"] = ""
    client = as_persona("petra")
    _waiting(client, world, csv_bytes(rows))
    before = provider_counts()

    response = client.post(_url(world, "provider_import_confirm"))

    job = ImportJob.objects.get()
    assert response["Location"] == job_url(world, job)
    assert job.state == ImportJob.State.FAILED
    assert provider_counts() == before
    assert job.done == 0
    assert job.errors == [
        {
            "row": 3,
            "column": "hemkommun",
            "message": "Okänd kommun ”…”. Ange kommunkoden (fyra siffror) eller namnet.",
        },
        {
            "row": 101,
            "column": "personnummer",
            "message": "Datumdelen … är inget giltigt datum.",
        },
        {
            "row": ROWS + 1,
            "column": "startdatum",
            "message": "Ange startdatum.",
        },
    ]
    stored = json.dumps([job.errors, job.counts])
    assert someone not in stored and someone.replace("-", "") not in stored
    assert "901301" not in stored
    assert list(tmp_imports.iterdir()) == []
    finish = AuditEvent.objects.get(action="import.finish")
    assert finish.reason == "inte sparad: 3 fel"

    body = client.get(response["Location"]).content.decode()
    assert "Importen har 3 fel. Inget har sparats." in body
    assert "<td>hemkommun</td>" in body
    assert "Datumdelen … är inget giltigt datum." in body
    assert "hx-trigger" not in body


def test_a_small_file_is_still_imported_in_the_request(world, insats, as_persona, tmp_imports):
    client = as_persona("petra")
    _waiting(client, world, csv_bytes(people(3)))
    response = client.post(_url(world, "provider_import_confirm"))
    assert response["Location"] == _url(world, "provider_import")
    assert not ImportJob.objects.exists()
    assert Participant.objects.count() == 3


def test_above_the_threshold_the_import_is_a_job(
    world, insats, as_persona, tmp_imports, monkeypatch
):
    monkeypatch.setattr(views_import, "BACKGROUND_ROWS", 2)
    client = as_persona("petra")
    _waiting(client, world, csv_bytes(people(3)), extension=".csv")
    response = client.post(_url(world, "provider_import_confirm"))
    job = ImportJob.objects.get()
    assert response["Location"] == job_url(world, job)
    assert (job.state, job.done, job.total) == (ImportJob.State.DONE, 3, 3)
    assert Participant.objects.count() == 3
    landing = client.get(_url(world, "provider_import")).content.decode()
    assert job_url(world, job) in landing  # listed among the recent imports


# --- The task on its own -----------------------------------------------------------------------


def _job(world, **fields) -> ImportJob:
    return ImportJob.objects.create(provider=world.p, created_by=world["petra"], **fields)


def test_a_job_whose_file_is_gone_fails_with_a_reason(world, insats, tmp_imports):
    job = _job(world, total=600, file_token="x" * 43, file_extension=".csv")
    tasks.run_import_job.enqueue(str(job.public_id))
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert job.errors[0]["row"] == 0
    assert "Filen finns inte längre" in job.errors[0]["message"]


def test_a_job_of_someone_no_longer_manager_saves_nothing(world, insats, tmp_imports):
    token = import_files.store(csv_bytes(people(2)))
    job = _job(world, total=2, file_token=token, file_extension=".csv")
    RoleAssignment.objects.filter(pk=world.roles["petra"].pk).update(deactivated_at=TODAY)
    tasks.run_import_job.enqueue(str(job.public_id))
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert "inte längre enhetschef" in job.errors[0]["message"]
    assert Participant.objects.count() == 0
    assert import_files.load(token) is None  # deleted all the same


def test_a_job_runs_once(world, insats, tmp_imports):
    token = import_files.store(csv_bytes(people(2)))
    job = _job(world, total=2, file_token=token, file_extension=".csv")
    tasks.run_import_job.enqueue(str(job.public_id))
    result = tasks.run_import_job.enqueue(str(job.public_id))
    assert result.return_value == "skipped"
    assert Participant.objects.count() == 2
    assert AuditEvent.objects.filter(action="import.start").count() == 1


def test_messages_to_be_stored_quote_no_cell(world, insats):
    row = open_row(hemkommun="Anna Andersson", kön="okänt kön", startdatum="3 feb")
    rows, errors = imports.read_file("x.csv", csv_bytes([row]))
    assert errors == []
    shown = imports.run_import(world.p, rows, dry_run=True).errors
    with imports.cell_values_left_out():
        left_out = imports.run_import(world.p, rows, dry_run=True).errors
    assert [(e.row, e.column) for e in left_out] == [(e.row, e.column) for e in shown]
    assert any("Anna Andersson" in e.message for e in shown)
    for error in left_out:
        assert "Anna" not in error.message and "okänt" not in error.message
        assert "3 feb" not in error.message


def test_a_file_without_its_header_names_no_one_when_values_are_left_out():
    data = csv_bytes([], header=["19900101-2384", "Anna Andersson", "steg", "2025-02-03"])
    with imports.cell_values_left_out():
        _rows, errors = imports.read_file("x.csv", data)
    text = json.dumps([[e.column, e.message] for e in errors], ensure_ascii=False)
    assert "Anna" not in text and "19900101" not in text
    assert any(e.message.startswith("Okänd kolumn ”…”") for e in errors)


# --- The job's page ----------------------------------------------------------------------------


def test_a_running_job_shows_its_progress_and_refreshes_itself(world, as_persona, tmp_imports):
    job = _job(world, state=ImportJob.State.RUNNING, total=10_000)
    import_files.write_progress(job.public_id, 1200, 10_000)
    client = as_persona("petra")

    page = client.get(job_url(world, job))
    body = page.content.decode()
    assert page.status_code == 200
    assert '<progress id="importjobb-rader"' in body
    assert 'value="1200" max="10000"' in body
    assert "1\xa0200 av 10\xa0000 rader" in body
    assert "Raderna sparas." in body
    assert f'hx-get="{job_url(world, job)}"' in body
    assert 'hx-trigger="every 1s"' in body
    assert "Stegvis-Poll" in body
    assert "style=" not in body and "<script>" not in body  # the CSP allows neither

    partial = client.get(job_url(world, job), headers={"HX-Request": "true"})
    assert partial.status_code == 200
    text = partial.content.decode()
    assert "<html" not in text
    assert 'value="1200" max="10000"' in text


def test_a_job_checking_its_file_or_waiting_says_so(world, as_persona, tmp_imports):
    client = as_persona("petra")
    queued = _job(world, total=700)
    assert "Importen väntar på att starta." in client.get(job_url(world, queued)).content.decode()
    checking = _job(world, state=ImportJob.State.RUNNING, total=700)
    body = client.get(job_url(world, checking)).content.decode()
    assert "Filen kontrolleras." in body
    assert 'value="0" max="700"' in body
    assert "0 av 700 rader" in body


def test_a_finished_job_stops_the_refreshing(world, as_persona, tmp_imports):
    job = _job(
        world,
        state=ImportJob.State.DONE,
        total=700,
        done=700,
        counts={"rows": 700, "new_participants": 650, "enrolments": 700},
    )
    client = as_persona("petra")
    body = client.get(job_url(world, job)).content.decode()
    assert "hx-get" not in body and "hx-trigger" not in body
    assert "Importen är klar: 700 rader har sparats." in body
    assert "650" in body
    # The last refresh of a page that was open while the job ran tells htmx to stop (286).
    partial = client.get(job_url(world, job), headers={"HX-Request": "true"})
    assert partial.status_code == 286
    assert "Importen är klar" in partial.content.decode()


def test_the_refresh_is_not_the_users_activity(world, as_persona, tmp_imports):
    job = _job(world, state=ImportJob.State.RUNNING, total=700)
    client = as_persona("petra")
    client.get(job_url(world, job))
    seen = client.session[SESSION_LAST_SEEN]
    with time_machine.travel(TODAY + timedelta(minutes=5), tick=False):
        client.get(job_url(world, job), headers={"HX-Request": "true", "Stegvis-Poll": "1"})
        assert client.session[SESSION_LAST_SEEN] == seen
        client.get(job_url(world, job))
        assert client.session[SESSION_LAST_SEEN] != seen


def test_only_the_providers_managers_see_a_job(world, as_persona, tmp_imports):
    job = _job(world, state=ImportJob.State.RUNNING, total=700)
    url = job_url(world, job)
    assert as_persona("petra").get(url).status_code == 200
    for persona, status in (("bob", 403), ("alice", 404), ("erin", 404)):
        client = as_persona(persona)
        assert client.get(url).status_code == status, persona
        assert client.post(url).status_code == status, persona


def test_another_providers_job_is_not_found(world, as_persona, tmp_imports):
    theirs = ImportJob.objects.create(
        provider=world.q, created_by=world["erin"], state=ImportJob.State.DONE, total=700
    )
    client = as_persona("petra")
    assert client.get(job_url(world, theirs)).status_code == 404
    assert client.post(job_url(world, theirs)).status_code == 404


def test_a_job_page_takes_only_get(world, as_persona, tmp_imports):
    job = _job(world, total=700)
    assert as_persona("petra").post(job_url(world, job)).status_code == 405


def test_the_job_page_needs_a_log_in(world, tmp_imports):
    job = _job(world, total=700)
    response = Client().get(job_url(world, job))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))
    assert act_as(Client(), world, "petra").get(job_url(world, job)).status_code == 200


def test_the_errors_stored_before_leave_out_an_existing_enrolments_date(world):
    """Migration 0006 takes the start date of an existing enrolment out of stored errors."""
    from importlib import import_module

    from django.apps import apps

    scrub = import_module("stegvis.participants.migrations.0006_scrub_import_job_errors").scrub
    stored = [
        (2, "startdatum", "Personen har redan en inskrivning i insatsen som överlappar "
         "(startdatum 2025-02-03)."),
        (3, "startdatum", "The person has a later enrolment in the intervention (start date "
         "2025-03-10). An earlier enrolment cannot be added after it."),
        (4, "avslutsdatum", "Avslutsdatum kan inte vara före startdatum."),
    ]  # fmt: skip
    job = ImportJob.objects.create(
        provider=world.p,
        created_by=world["petra"],
        total=3,
        state=ImportJob.State.FAILED,
        errors=[{"row": r, "column": c, "message": m} for r, c, m in stored],
    )
    scrub(apps, None)
    job.refresh_from_db()
    assert [e["message"] for e in job.errors] == [
        "Personen har redan en inskrivning i insatsen som överlappar (startdatum …).",
        "The person has a later enrolment in the intervention (start date …). An earlier "
        "enrolment cannot be added after it.",
        "Avslutsdatum kan inte vara före startdatum.",
    ]
    assert [(e["row"], e["column"]) for e in job.errors] == [(r, c) for r, c, _m in stored]
