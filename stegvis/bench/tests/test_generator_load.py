"""The generator's PostgreSQL load: without the per-row foreign-key triggers, with every
foreign key checked once at the end, so a row that points nowhere is still caught."""

from __future__ import annotations

import pytest
from django.db import connection

from stegvis.bench.generator import (
    OrphanRows,
    check_foreign_keys,
    foreign_key_triggers_off,
    generate,
)
from stegvis.participants.models import Enrolment

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="session_replication_role is PostgreSQL's"
    ),
]


def _role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


def test_the_load_runs_without_triggers_and_checks_every_foreign_key_after():
    lines: list[str] = []
    generate("tiny", seed=3, log=lines.append)
    assert _role() == "origin"  # back to the ordinary checks for the rest of the session
    assert any("foreign keys checked" in line for line in lines)
    assert Enrolment.objects.exists()
    assert check_foreign_keys() > 100  # every constraint of the schema, not a hand-kept list


def test_a_row_that_points_nowhere_is_caught_by_the_check():
    generate("tiny", seed=3, log=lambda _line: None)
    enrolment = Enrolment.objects.order_by("pk").first()
    assert enrolment is not None
    with foreign_key_triggers_off() as off:
        assert off and _role() == "replica"
        Enrolment.objects.filter(pk=enrolment.pk).update(intervention_id=987654321)
    assert _role() == "origin"
    with pytest.raises(OrphanRows, match="participants_enrolment → interventions_intervention"):
        check_foreign_keys()
