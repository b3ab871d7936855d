"""No field of a package and no association-side table can hold a national id, a name, a
participant key or an exact date; and the schema in docs/ is the one the code checks against."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.db import models

from stegvis.aggregates import package, services
from stegvis.aggregates.management.commands.package_schema import schema_text
from stegvis.aggregates.models import (
    PackageCell,
    ProviderKeyRegistration,
    ReceivedPackage,
)

from .conftest import actor_of

DOCS_SCHEMA = Path(__file__).resolve().parents[3] / "docs/dev/aggregate-package.schema.json"
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# Every column the association side has, with why it cannot hold a person.
ALLOWED = {
    ProviderKeyRegistration: {
        "id", "association", "public_id", "sender", "public_key", "key_id", "registered_by",
        "registered_at",
    },
    # period_start/period_end are a report period's bounds (checked below); received_at is when
    # the office received it, not anything about a participant.
    ReceivedPackage: {
        "id", "association", "public_id", "sender", "intervention", "period", "period_start",
        "period_end", "version", "document", "signature", "key_id", "received_at",
        "received_via", "changes", "replaced_by",
    },
    PackageCell: {"id", "association", "package", "table", "row", "gender", "count"},
}  # fmt: skip


def test_the_association_side_has_only_the_listed_columns():
    for model, allowed in ALLOWED.items():
        names = {f.name for f in model._meta.concrete_fields}
        assert names == allowed, model
        for field in model._meta.concrete_fields:
            assert not isinstance(field, models.TextField), f"{model}.{field.name}"
            if isinstance(field, models.ForeignKey):
                assert field.related_model._meta.label in {
                    "core.Association",
                    "core.Unit",
                    "core.User",
                    "interventions.Intervention",
                    "aggregates.ReceivedPackage",
                }, f"{model}.{field.name}"


def test_the_docs_schema_is_the_one_the_code_checks_against():
    assert DOCS_SCHEMA.read_text(encoding="utf-8") == schema_text()


def _strings(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    if schema.get("type") == "string":
        found.append(schema)
    for value in schema.values():
        if isinstance(value, dict):
            found.extend(_strings(value))
    return found


def _objects(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = [schema] if schema.get("type") == "object" else []
    for value in schema.values():
        if isinstance(value, dict):
            found.extend(_objects(value))
    return found


def test_every_string_of_the_schema_is_constrained_and_every_object_closed():
    schema = package.schema()
    strings = _strings(schema)
    assert strings and all("pattern" in s or "const" in s for s in strings)
    assert all(o.get("additionalProperties") is False for o in _objects(schema))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("association",), "19900101-1234"),  # a national id
        (("association",), "199001011234"),
        (("intervention", "code"), "Anna Andersson"),  # a name
        (("intervention", "code"), "5f0c7a2e-9b1d-4c3e-8f6a-1b2c3d4e5f60"),  # a participant key
        (("period",), "2026-07-14"),  # an exact date
        (("provider_key",), "2026-07-14"),
        (("tables", "participants", "new", "kvinna"), "Anna"),
        (("tables", "participants", "new", "kvinna"), 1.5),
        (("tables", "participants", "new", "namn"), 1),
        (("tables", "participants", "19900101-1234"), {"kvinna": 1, "man": 0, "annat": 0}),
        (("tables", "steps_moved", "Anna"), {"kvinna": 1, "man": 0, "annat": 0}),
        (("tables", "deltagare"), {}),
        (("born",), "2026-07-14"),
    ],
)
def test_the_schema_refuses_personal_data_anywhere(example, world, gemensam, path, value):
    document = services.prepare(actor_of(world, "petra"), gemensam, world.a, "2026Q3").document
    jsonschema.validate(document, package.schema())
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, package.schema())


def test_a_built_package_holds_no_date_and_nothing_of_the_participants(example, world, gemensam):
    received = services.send(actor_of(world, "petra"), gemensam, world.a, "2026Q3")
    text = json.dumps(received.document, ensure_ascii=False)
    assert not DATE.search(text)
    for enrolment in example.values():
        participant = enrolment.participant
        assert str(participant.public_id) not in text
        assert str(enrolment.public_id) not in text
        assert participant.reserve_id not in text
    # The period bounds are the period's own first and last day.
    assert (received.period_start.isoformat(), received.period_end.isoformat()) == (
        "2026-07-01",
        "2026-09-30",
    )
    rows = set(PackageCell.objects.values_list("table", "row").distinct())
    for table, row in rows:
        allowed = package.TABLES[table][0]
        assert row in allowed or re.match(package.STEP_PATTERN, row), (table, row)
