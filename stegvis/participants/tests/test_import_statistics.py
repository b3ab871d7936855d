"""After a background import is saved, the embedded database refreshes its planner statistics
(``core.sqlite.optimize``), since the worker's connection is not closed between jobs."""

from __future__ import annotations

import pytest

from stegvis.core.models import AuditEvent
from stegvis.participants import tasks
from stegvis.participants.models import Enrolment, ImportJob
from stegvis.participants.tests.test_import import csv_bytes
from stegvis.participants.tests.test_import_jobs import (  # noqa: F401 (fixtures)
    _today,
    _url,
    _waiting,
    insats,
    people,
    tmp_imports,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def optimized(monkeypatch):
    calls: list[bool] = []
    monkeypatch.setattr(tasks, "optimize", lambda: calls.append(True))
    return calls


def test_a_saved_import_refreshes_the_statistics(world, insats, as_persona, tmp_imports, optimized):  # noqa: F811
    client = as_persona("petra")
    _waiting(client, world, csv_bytes(people(600)))
    client.post(_url(world, "provider_import_confirm"))
    assert ImportJob.objects.get().state == ImportJob.State.DONE
    assert optimized == [True]


def test_a_failed_import_leaves_the_statistics(world, insats, as_persona, tmp_imports, optimized):  # noqa: F811
    client = as_persona("petra")
    rows = people(600)
    rows[10]["personnummer"] = "19800101-0000"  # fails its check digit: nothing is saved
    _waiting(client, world, csv_bytes(rows))
    client.post(_url(world, "provider_import_confirm"))
    assert ImportJob.objects.get().state == ImportJob.State.FAILED
    assert optimized == []


def test_a_failure_after_the_import_is_saved_leaves_it_saved(
    world,
    insats,  # noqa: F811
    as_persona,
    tmp_imports,  # noqa: F811
    monkeypatch,
):
    def fails() -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(tasks, "optimize", fails)
    client = as_persona("petra")
    _waiting(client, world, csv_bytes(people(600)))
    client.post(_url(world, "provider_import_confirm"))
    job = ImportJob.objects.get()
    assert (job.state, job.errors) == (ImportJob.State.DONE, [])
    assert Enrolment.objects.count() == 600
    # Audited once, as saved: no second "not saved" after the first.
    assert list(
        AuditEvent.objects.filter(action="import.finish").values_list("reason", flat=True)
    ) == ["sparad: 600 rader"]
