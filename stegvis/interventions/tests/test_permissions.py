"""The named permission predicates, on their own (DESIGN.md §5.3)."""

from __future__ import annotations

import pytest

from stegvis.interventions.permissions import (
    can_assign_coaches,
    can_create_intervention,
    can_edit_intervention,
    can_view_interventions,
)
from stegvis.interventions.tests.conftest import actor_of


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("alice", True),
        ("carol", True),
        ("helena", True),
        ("dave", True),
        ("petra", True),
        ("bob", True),
        ("erin", True),
        ("frank", False),
    ],
)
def test_can_view_interventions(world, persona, expected):
    assert can_view_interventions(actor_of(world, persona)) is expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("alice", True),
        ("dave", True),
        ("carol", False),
        ("helena", False),
        ("petra", False),
        ("bob", False),
        ("frank", False),
    ],
)
def test_can_create_intervention(world, persona, expected):
    assert can_create_intervention(actor_of(world, persona)) is expected


def test_only_the_lead_associations_office_can_edit(world, steg, shared):
    alice, dave, carol = (actor_of(world, p) for p in ("alice", "dave", "carol"))
    assert can_edit_intervention(alice, steg)
    assert not can_edit_intervention(alice, shared)  # A co-funds, B leads
    assert can_edit_intervention(dave, shared)
    assert not can_edit_intervention(dave, steg)
    assert not can_edit_intervention(carol, steg)
    assert not can_edit_intervention(actor_of(world, "petra"), steg)


def test_only_the_running_providers_manager_assigns_coaches(world, steg, shared):
    petra = actor_of(world, "petra")
    assert can_assign_coaches(petra, steg)
    assert not can_assign_coaches(petra, shared)  # run by Q
    assert not can_assign_coaches(actor_of(world, "bob"), steg)
    assert not can_assign_coaches(actor_of(world, "alice"), steg)
