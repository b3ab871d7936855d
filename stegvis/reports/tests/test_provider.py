"""The provider's own report from its enrolments (aggregates' worked example, conftest)."""

from __future__ import annotations

from stegvis.core.models import AuditEvent
from stegvis.reports.periods import period_range
from stegvis.reports.provider import provider_report

from .conftest import actor_of


def test_the_provider_report_counts_every_participant_of_the_quarter(world, example):
    """2026Q3 at P, wherever people live (M5 lives in Stockholm), registration error M4 left
    out: women at start W1, W2, W3; men new M1, M2, M3, M5; other at start O1. Exits: W2 work,
    W3 sickness, M1 own request (other reason), O1 studies. Follow-ups done in Q3: W4 in work at
    6 months, M6 not reached, W5 in studies at 12 months."""
    report = provider_report(world.p, period_range("2026Q3"), actor=actor_of(world, "petra"))
    rows = {t.key: dict(t.rows) for t in report.tables()}
    assert rows["deltagare"]["Gemensam väg"] == [3, 4, 1, 8]
    assert rows["nya"]["Gemensam väg"] == [0, 4, 0, 4]
    assert rows["avslutade"]["Gemensam väg"] == [2, 1, 1, 4]
    assert rows["avslutsgrupper"]["Gemensam väg"] == [1, 1, 0, 1, 1, 4]
    assert rows["follow-up-6"]["Förvärvsarbete"] == [1, 0, 0, 1]
    assert rows["follow-up-6"]["Ej nådd"] == [0, 1, 0, 1]
    assert rows["follow-up-12"]["Studier"] == [1, 0, 0, 1]
    assert rows["vald-tackning"]["Gemensam väg"] == [3, 1, 4]  # W2, W3, O1 asked; M1 not
    event = AuditEvent.objects.filter(action="reports.provider_report").get()
    assert event.unit == world.p and event.user == world["petra"]


def test_a_coach_sees_only_assigned_interventions_and_empty_periods_say_so(world, example):
    report = provider_report(world.p, period_range("2024"), actor=actor_of(world, "petra"))
    assert report.empty
    assert "Inga deltagare i utförarens insatser under perioden 2024" in report.notes[0]
