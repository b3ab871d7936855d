"""Export of participant lists to CSV and XLSX: provider staff, after re-authentication, audited."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from stegvis.core import crypto
from stegvis.core.models import AuditEvent, Municipality, Role, RoleAssignment
from stegvis.core.views.auth import SUDO_KEY
from stegvis.interventions.models import Intervention
from stegvis.participants.models import Enrolment, Participant
from stegvis.participants.services import blind_index_for

_numbers = itertools.count(1)


def _intervention(world, name: str, code: str) -> Intervention:
    return Intervention.objects.create(
        provider=world.p,
        lead_association=world.a,
        name=name,
        code=code,
        kind="individual",
        orientation="rehabiliterande",
        start=date(2020, 1, 1),
        status="running",
    )


@pytest.fixture
def steg(world) -> Intervention:
    intervention = _intervention(world, "Steg", "steg")
    intervention.coaches.add(world["bob"])
    return intervention


@pytest.fixture
def annan(world) -> Intervention:
    """An intervention at P that bob does not work in."""
    return _intervention(world, "Annan insats", "annan")


def enrol(
    intervention: Intervention,
    *,
    name: str | None = None,
    exit_on: date | None = None,
    coach=None,
    reserve: bool = False,
) -> Enrolment:
    provider = intervention.provider
    n = next(_numbers)
    number = f"19850{n % 9 + 1}01-{n:04d}"
    identity: dict[str, object] = (
        {"identity_kind": Participant.IdentityKind.RESERVE, "reserve_id": f"R-{n}"}
        if reserve
        else {
            "identity_kind": Participant.IdentityKind.PERSONNUMMER,
            "national_id_encrypted": crypto.encrypt(number),
            "national_id_index": blind_index_for(provider.pk, number),
        }
    )
    participant = Participant.objects.create(
        provider=provider,
        name_encrypted=crypto.encrypt(name or f"Person Nummer{n}"),
        gender="kvinna" if n % 2 else "man",
        birth_year=1985,
        home_municipality=Municipality.objects.get(code="2309"),
        **identity,
    )
    return Enrolment.objects.create(
        provider=provider,
        participant=participant,
        intervention=intervention,
        start=date(2025, 1, 10),
        coach=coach,
        exit_date=exit_on,
        exit_reason="studier" if exit_on else "",
    )


def url(world, fmt: str = "csv", **query: str) -> str:
    path = reverse(f"participants:export_{fmt}", kwargs={"provider": world.p.public_id})
    return f"{path}?{urlencode(query)}" if query else path


def with_sudo(client):
    session = client.session
    session[SUDO_KEY] = (timezone.now() + timedelta(minutes=5)).isoformat()
    session.save()
    return client


def csv_rows(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_asks_for_the_password_again(as_persona, world, steg, fmt):
    enrol(steg)
    target = url(world, fmt)
    response = as_persona("petra").get(target)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('core:sudo')}?{urlencode({'next': target})}"
    assert not AuditEvent.objects.filter(action="participant.export").exists()


@pytest.mark.parametrize("persona", ["alice", "frank", "erin", "dave", "carol"])
def test_it_checks_owner(as_persona, world, steg, persona):
    enrol(steg)
    for fmt in ("csv", "xlsx"):
        client = with_sudo(as_persona(persona))
        assert client.get(url(world, fmt)).status_code == 404
    assert not AuditEvent.objects.filter(action="participant.export").exists()


def test_it_checks_role(world, steg):
    """Someone at P in a role other than manager or coach (here a referrer) is refused."""
    from stegvis.core.tests.factories import UserFactory
    from stegvis.core.tests.personas import act_as

    enrol(steg)
    user = UserFactory(email="remittent-p@test.example")
    world.users["rita"] = user
    world.roles["rita"] = RoleAssignment.objects.create(user=user, role=Role.REFERRER, unit=world.p)
    client = with_sudo(act_as(Client(), world, "rita"))
    for fmt in ("csv", "xlsx"):
        assert client.get(url(world, fmt)).status_code == 403
    assert not AuditEvent.objects.filter(action="participant.export").exists()


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


# --- CSV --------------------------------------------------------------------------------------


def test_the_csv_has_a_bom_semicolons_and_the_rows(as_persona, world, steg, annan):
    enrol(steg, name="Åsa Öberg", coach=world["bob"])
    enrol(annan, name="Bo Ek", exit_on=date(2025, 5, 2), reserve=True)
    client = with_sudo(as_persona("petra"))
    response = client.get(url(world))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="deltagare-')
    assert response["Cache-Control"].startswith("no-store")
    rows = csv_rows(response)
    assert rows[0] == [
        "namn",
        "personnummer/reservnummer",
        "kön",
        "födelseår",
        "hemkommun",
        "insats",
        "startdatum",
        "avslutsdatum",
        "avslutsorsak",
        "coach",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Åsa Öberg", "Bo Ek"}
    asa = by_name["Åsa Öberg"]
    assert asa[1].startswith("19850")
    assert asa[3:8] == ["1985", "Krokom", "Steg", "2025-01-10", ""]
    assert asa[9] == "Bob"
    bo = by_name["Bo Ek"]
    assert bo[1].startswith("R-")
    assert bo[5:9] == [
        "Annan insats",
        "2025-01-10",
        "2025-05-02",
        "Studier (egenfinansierade, reguljära)",
    ]


def test_a_coach_gets_only_their_interventions(as_persona, world, steg, annan):
    enrol(steg, name="Hos Bob")
    enrol(annan, name="Inte hos Bob")
    rows = csv_rows(with_sudo(as_persona("bob")).get(url(world)))
    assert [row[0] for row in rows[1:]] == ["Hos Bob"]


def test_filters_by_intervention_and_status(as_persona, world, steg, annan):
    enrol(steg, name="Pågår")
    enrol(steg, name="Slutat", exit_on=date(2025, 3, 1))
    enrol(annan, name="Annan")
    client = with_sudo(as_persona("petra"))
    names = lambda **q: sorted(r[0] for r in csv_rows(client.get(url(world, **q)))[1:])  # noqa: E731
    assert names(insats="steg") == ["Pågår", "Slutat"]
    assert names(insats="steg", status="pagaende") == ["Pågår"]
    assert names(status="avslutade") == ["Slutat"]
    assert names(insats="finns-inte") == []
    assert client.get(url(world, status="alla")).status_code == 400
    assert client.get(url(world, insats="19850101-1234 x")).status_code == 400


def test_a_formula_in_a_name_stays_text(as_persona, world, steg):
    enrol(steg, name='=HYPERLINK("http://evil.example")')
    client = with_sudo(as_persona("petra"))
    rows = csv_rows(client.get(url(world)))
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example")'
    sheet = load_workbook(io.BytesIO(client.get(url(world, "xlsx")).content)).active
    cell = sheet.cell(row=2, column=1)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil.example")'


def test_the_export_is_audited_once_with_the_row_count(as_persona, world, steg):
    enrol(steg)
    enrol(steg)
    client = with_sudo(as_persona("petra"))
    client.get(url(world, insats="steg"))
    event = AuditEvent.objects.get(action="participant.export")
    assert event.unit == world.p
    assert event.user == world["petra"]
    assert event.role == Role.PROVIDER_MANAGER
    assert event.reason == "csv, 2 rader, insats=steg"
    assert event.participant_ref is None
    # No name or number in the log.
    names = [e.participant.name for e in Enrolment.objects.select_related("participant")]
    assert not any(n in event.reason for n in names)


# --- XLSX -------------------------------------------------------------------------------------


def test_the_xlsx_opens_and_has_the_header(as_persona, world, steg):
    enrol(steg, name="Åsa Öberg", exit_on=date(2025, 6, 30), coach=world["bob"])
    client = with_sudo(as_persona("bob"))
    response = client.get(url(world, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("namn", "personnummer/reservnummer", "kön")
    assert len(values) == 2
    row = values[1]
    assert row[0] == "Åsa Öberg"
    assert row[3] == 1985
    assert row[6].date() == date(2025, 1, 10)
    assert row[7].date() == date(2025, 6, 30)
    assert row[9] == "Bob"
    event = AuditEvent.objects.get(action="participant.export")
    assert event.reason == "xlsx, 1 rader"
    assert event.role == Role.COACH


# --- Query count ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["petra", "bob"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_query_count_does_not_grow_with_rows(
    as_persona, world, steg, persona, fmt, django_assert_max_num_queries
):
    client = with_sudo(as_persona(persona))
    for _ in range(3):
        enrol(steg, coach=world["bob"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(world, fmt)).status_code == 200
    for _ in range(27):
        enrol(steg, coach=world["bob"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(world, fmt))
    assert response.status_code == 200
    if fmt == "csv":
        assert len(csv_rows(response)) == 31
