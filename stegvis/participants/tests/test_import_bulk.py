"""The import writes in bulk (``imports._write``) exactly what writing row by row through the
services (``imports._write_rows``, the reference) writes: the same rows, the same audit events in
the same order, the same errors; in a number of queries that does not grow with every row; all or
nothing when the database refuses; and the audit chain still verifies."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stegvis.aggregates.models import EnrolmentResidence
from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.models import AuditEvent
from stegvis.interventions.models import Funding, Intervention
from stegvis.participants import imports
from stegvis.participants.imports import COLUMNS, RawRow, run_import
from stegvis.participants.models import Consent, Enrolment, FollowUp, Participant
from stegvis.participants.tests import test_import as base

_today = base._today  # the same fixed day as test_import.py
insats = base.insats


@pytest.fixture
def insats2(world):
    """A second intervention that follows up after 6 months only and needs no consent."""
    intervention = Intervention.objects.create(
        provider=world.p,
        lead_association=world.a,
        name="Steg två",
        code="steg2",
        kind="individual",
        orientation="rehabiliterande",
        start=date(2025, 1, 1),
        status="running",
        follow_up_months=[6],
        requires_consent=False,
    )
    Funding.objects.create(association=world.a, intervention=intervention, share=100)
    return intervention


def person(i: int) -> str:
    return base.pnr(
        (date(1960, 1, 1) + timedelta(days=97 * i)).strftime("%Y%m%d"), f"{i % 900:03d}"
    )


def varied_row(i: int, *, code: str = "steg", start: date = date(2025, 2, 3)) -> dict[str, object]:
    """Row ``i`` of a file: new and returning people, reserve numbers and protected identities,
    open and closed enrolments, wrong registrations, follow-ups reached or not, consents with
    and without follow-up."""
    cells: dict[str, object] = {
        "personnummer": person(i),
        "namn": f"Person {i}",
        "insats": code,
        "startdatum": (start + timedelta(days=i % 20)).isoformat(),
        "samtycke_datum": "2025-01-27",
        "samtycke_uppfoljning": "nej" if i % 3 == 0 else "ja",
        "hemkommun": ["2309", "Östersund", ""][i % 3],
    }
    if i % 11 == 1:
        cells.update(personnummer="", reservnummer=f"R-{i}", kön="kvinna", födelseår="1985")
    elif i % 13 == 0:
        cells.update(personnummer="", namn="", skyddad="ja", kön="man", födelseår="1979")
    row = base.good_row(**cells)
    if i % 7 == 0:
        return base.open_row(**cells)
    if i % 5 == 0 or i % 3 == 0:
        # A wrong registration, or an exit without a follow-up (no consent to follow-up).
        row.update(dict.fromkeys(imports._follow_up_columns(6), ""))
        if i % 5 == 0:
            row["avslutsorsak"] = "felregistrering"
    elif i % 4 == 0:
        row.update(
            uppfoljning_6_nadd="nej", uppfoljning_6_sysselsattning="", uppfoljning_6_forsorjning=""
        )
    return row


def varied_file() -> list[dict[str, object]]:
    """300 rows: 200 people in ``steg``, then 100 of them again in ``steg2`` (later starts)."""
    rows = [varied_row(i) for i in range(200)]
    rows += [varied_row(i, code="steg2", start=date(2025, 6, 2)) for i in range(100)]
    return rows


def earlier_file() -> list[dict[str, object]]:
    """What an earlier import left: 40 of the people, with a closed enrolment in ``steg2``."""
    return [
        base.good_row(
            personnummer=person(i),
            insats="steg2",
            startdatum="2025-01-05",
            samtycke_datum="2025-01-27" if i % 4 == 1 else "2025-01-02",
            avslutsdatum="2025-01-20",
            **dict.fromkeys(imports._follow_up_columns(6), ""),
        )
        for i in range(1, 80, 2)
    ]


def raw(rows: list[dict[str, object]]) -> list[RawRow]:
    return [RawRow(number=i + 2, values=row) for i, row in enumerate(rows)]


def row_by_row(provider, rows, existing, actor, today, result, progress):
    """``_write`` replaced by the reference: every row through the services."""
    return imports._write_rows(provider, rows, actor, today, result, progress)


def snapshot(provider, since_seq: int) -> dict[str, Any]:
    """The provider's participant data and the audit events after ``since_seq``, with ids and
    public ids replaced by their order of creation and identities decrypted (encryption is
    randomised), so that two imports of the same file compare equal."""
    names: dict[Any, str] = {}

    def name(kind: str, value: Any) -> str | None:
        if value is None:
            return None
        return names.setdefault((kind, str(value)), f"{kind}{len(names)}")

    people = []
    for p in Participant.objects.filter(provider=provider).order_by("pk"):
        name("participant", p.pk)
        name("ref", p.public_id)
        people.append(
            (
                name("participant", p.pk),
                p.identity_kind,
                p.national_id,
                p.national_id_index,
                p.reserve_id,
                p.name,
                p.contact,
                p.gender,
                p.birth_date,
                p.birth_year,
                p.home_municipality_id,
                p.born_outside_nordic,
                p.identity_erased_at,
            )
        )
    consents = [
        (
            name("ref", c.public_id),
            name("participant", c.participant_id),
            c.provider_id,
            c.registration,
            c.information_exchange,
            c.follow_up,
            c.surveys,
            c.given_on,
            c.form,
            c.valid_until,
            c.withdrawn_on,
            tuple(c.exchange_with.all()),
        )
        for c in Consent.objects.filter(provider=provider).order_by("pk")
    ]
    enrolment_fields = [
        f.attname
        for f in Enrolment._meta.concrete_fields
        if f.attname not in {"id", "public_id", "participant_id"}
    ]
    enrolments = []
    for e in Enrolment.objects.filter(provider=provider).order_by("pk"):
        name("enrolment", e.pk)
        enrolments.append(
            (
                name("ref", e.public_id),
                name("participant", e.participant_id),
                *(getattr(e, f) for f in enrolment_fields),
            )
        )
    follow_ups = [
        (
            name("ref", f.public_id),
            name("enrolment", f.enrolment_id),
            f.provider_id,
            f.months,
            f.due,
            f.done_on,
            f.reached,
            f.occupation,
            f.income_source,
        )
        for f in FollowUp.objects.filter(provider=provider).order_by("pk")
    ]
    residences = sorted(
        (name("enrolment", r.enrolment_id), r.provider_id, r.municipality_id)
        for r in EnrolmentResidence.objects.filter(provider=provider)
    )
    events = [
        (
            e.action,
            e.association_id,
            e.unit_id,
            e.user_id,
            e.user_label,
            e.role,
            e.object_type,
            name("ref", e.object_id) if e.object_id else "",
            name("ref", e.participant_ref),
            e.reason,
            e.ip,
        )
        for e in AuditEvent.objects.filter(seq__gt=since_seq).order_by("seq")
    ]
    return {
        "participants": people,
        "consents": consents,
        "enrolments": enrolments,
        "follow_ups": follow_ups,
        "residences": residences,
        "events": events,
    }


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def import_both_ways(monkeypatch, provider, rows, **kwargs):
    """Import the rows in bulk and, rolled back to the same start, row by row; return both
    results and both snapshots (each taken before its rollback)."""
    outcomes = []
    for write in (imports._write, row_by_row):
        with transaction.atomic():
            since = last_seq()
            with monkeypatch.context() as patch:
                patch.setattr(imports, "_write", write)
                result = run_import(provider, raw(rows), **kwargs)
            outcomes.append((result, snapshot(provider, since), list(audit.verify_chain())))
            transaction.set_rollback(True)
    return outcomes


def as_dict(result: imports.ImportResult) -> dict[str, Any]:
    return {**result.__dict__, "errors": list(result.errors)}


@pytest.mark.parametrize("who", [None, "petra"])
def test_a_large_import_in_bulk_saves_what_the_services_save_row_by_row(
    world, insats, insats2, monkeypatch, who
):
    assert run_import(world.p, raw(earlier_file())).saved
    actor = Actor(user=world[who], assignment=world.roles[who]) if who else None
    (bulk, bulk_data, bulk_chain), (rows, rows_data, rows_chain) = import_both_ways(
        monkeypatch, world.p, varied_file(), actor=actor
    )
    assert bulk.saved, bulk.errors[:5]
    assert as_dict(bulk) == as_dict(rows)
    for table in bulk_data:
        assert bulk_data[table] == rows_data[table], table
    # The file exercises every kind of write.
    assert (bulk.new_participants, bulk.existing_participants) == (174, 33)
    assert (bulk.enrolments, bulk.exits, bulk.follow_ups) == (300, 256, 137)
    assert bulk.consents == 196
    assert len(bulk_data["events"]) == 174 + 33 + 196 + 300 + 256 + 137
    assert bulk_chain == rows_chain == []


def test_a_dry_run_in_bulk_reports_what_the_services_would_and_saves_nothing(
    world, insats, insats2, monkeypatch
):
    before = base.counts()
    (bulk, _data, _chain), (rows, _rows_data, _rows_chain) = import_both_ways(
        monkeypatch, world.p, varied_file(), dry_run=True
    )
    assert bulk.ok and not bulk.saved
    assert as_dict(bulk) == as_dict(rows)
    assert base.counts() == before


def test_errors_the_services_find_while_writing_are_the_same_in_bulk(
    world, insats, insats2, monkeypatch
):
    # Row 3's consent ran out two years after row 2's exit; the file's own checks accept it.
    rows = [
        base.good_row(
            startdatum="2020-01-01",
            samtycke_datum="2019-12-01",
            avslutsdatum="2020-06-01",
            **dict.fromkeys(imports._follow_up_columns(6), ""),
        ),
        base.open_row(startdatum="2025-01-10", **base.NO_CONSENT),
        *varied_file()[:50],
    ]
    (bulk, bulk_data, _chain), (by_rows, rows_data, _rows_chain) = import_both_ways(
        monkeypatch, world.p, rows
    )
    assert [e.row for e in bulk.errors] == [3]
    assert as_dict(bulk) == as_dict(by_rows)
    assert bulk_data == rows_data  # nothing saved either way


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(base._row, min_size=1, max_size=5), dry_run=st.booleans())
def test_random_rows_give_the_same_result_in_bulk_and_row_by_row(
    world, insats, monkeypatch, rows, dry_run
):
    (bulk, bulk_data, _chain), (by_rows, rows_data, _rows_chain) = import_both_ways(
        monkeypatch, world.p, rows, dry_run=dry_run
    )
    assert as_dict(bulk) == as_dict(by_rows)
    assert bulk_data == rows_data


def _queries(provider, rows) -> int:
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        result = run_import(provider, raw(rows))
        assert result.saved, result.errors[:3]
        transaction.set_rollback(True)
    return len(queries)


def test_the_queries_do_not_grow_with_every_row(world, insats, insats2):
    assert run_import(world.p, raw(earlier_file())).saved
    rows = varied_file()
    small, large = _queries(world.p, rows[:30]), _queries(world.p, rows)
    # Reading the file's people: 3 queries a 500 rows. Writing: one INSERT a batch per table
    # (SQLite's batches are 40–70 rows, its limit of 999 parameters); the audit head once.
    per_batch_rows = 1000 if connection.vendor == "postgresql" else 35
    tables = 6  # participants, consents, enrolments, residences, follow-ups, audit events
    assert large <= small + tables * (len(rows) // per_batch_rows + 1)
    # Row by row it was about 20 queries a row.
    assert large < len(rows) // 4


def test_a_database_error_midway_saves_nothing_and_is_reported_at_its_rows(
    world, insats, monkeypatch
):
    """The follow-ups' INSERT fails after the people, consents and enrolments went in: all of it
    is undone, and the rows written one by one (the services fail the same way) name the rows."""
    before = (*base.counts(), EnrolmentResidence.objects.count(), audit_head())
    queryset = type(FollowUp.objects.all())

    def refuse(self, *args, **kwargs):
        raise IntegrityError("refused")

    monkeypatch.setattr(queryset, "bulk_create", refuse)
    rows = varied_file()[:200]
    result = run_import(world.p, raw(rows))
    assert not result.saved
    closed = [i + 2 for i, row in enumerate(rows) if row["avslutsdatum"]]
    refused = [i for i in closed if rows[i - 2]["avslutsorsak"] != "felregistrering"]
    assert refused
    assert [e.row for e in result.errors] == refused
    assert {(e.column, e.message) for e in result.errors} == {
        (
            "avslutsdatum",
            "Raden kunde inte sparas: den krockar med uppgifter som redan finns i Stegvis.",
        )
    }
    assert (*base.counts(), EnrolmentResidence.objects.count(), audit_head()) == before
    assert list(audit.verify_chain()) == []


def test_when_only_the_bulk_insert_fails_the_rows_are_written_one_by_one(
    world, insats, insats2, monkeypatch
):
    assert run_import(world.p, raw(earlier_file())).saved
    with transaction.atomic():
        since = last_seq()
        expected = run_import(world.p, raw(varied_file()))
        expected_data = snapshot(world.p, since)
        transaction.set_rollback(True)

    def fail_midway(plan):
        Participant.objects.bulk_create(plan.participants)
        raise IntegrityError("someone else saved the same person meanwhile")

    monkeypatch.setattr(imports, "_save", fail_midway)
    since = last_seq()
    result = run_import(world.p, raw(varied_file()))
    assert result.saved
    assert as_dict(result) == as_dict(expected)
    assert snapshot(world.p, since) == expected_data
    assert list(audit.verify_chain()) == []


def test_without_ids_back_from_a_bulk_insert_the_rows_are_written_one_by_one(
    world, insats, insats2, monkeypatch
):
    with transaction.atomic():
        since = last_seq()
        expected = run_import(world.p, raw(varied_file()[:60]))
        expected_data = snapshot(world.p, since)
        transaction.set_rollback(True)
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    monkeypatch.setattr(imports, "_save", None)  # never reached
    since = last_seq()
    result = run_import(world.p, raw(varied_file()[:60]))
    assert result.saved
    assert as_dict(result) == as_dict(expected)
    assert snapshot(world.p, since) == expected_data


def audit_head() -> tuple[int, str]:
    head = audit.AuditChainHead.objects.filter(pk=1).first()
    return (head.seq, head.hash) if head else (0, audit.GENESIS)


def test_the_chain_verifies_after_a_bulk_import_between_single_events(world, insats, insats2):
    audit.record("before.import", owner=world.p)
    assert run_import(world.p, raw(varied_file())).saved
    audit.record("after.import", owner=world.p)
    assert list(audit.verify_chain()) == []
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(e.prev_hash == before.hash for before, e in itertools.pairwise(events))
    assert audit_head() == (events[-1].seq, events[-1].hash)


def test_a_changed_event_of_a_bulk_import_breaks_the_chain(world, insats):
    assert run_import(world.p, raw(varied_file()[:20])).saved
    event = AuditEvent.objects.filter(action="enrolment.create").order_by("seq")[5]
    AuditEvent.objects.filter(pk=event.pk).update(reason="ändrad")
    assert [p.seq for p in audit.verify_chain()] == [event.seq]


def test_the_columns_used_here_are_the_import_columns():
    assert set(varied_row(0)) <= set(COLUMNS)
