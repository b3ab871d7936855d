"""The writes of finance: the budget's life (draft, decision, lock, revision, copy), the checks
on bad input, and who may write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from stegvis.core.models import AuditEvent
from stegvis.finance import figures, permissions, services
from stegvis.finance.models import Budget, BudgetLine, BudgetPost, Outcome
from stegvis.finance.tests.conftest import actor_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-20 10:00 +01:00", tick=False):
        yield


def _budget_with_lines(alice, world, steg) -> Budget:
    budget = services.create_budget(alice, world.a, 2027)
    services.add_line(
        alice, budget, services.LineInput("medlemsbidrag", "Medlemsbidrag", 8_000_000)
    )
    services.add_line(alice, budget, services.LineInput("individinriktade", "", 3_000_000, steg))
    services.add_line(
        alice, budget, services.LineInput("administration", "Kansli, personal", 1_200_000)
    )
    return budget


def test_budget_is_a_draft_until_decided_then_locked(world, alice, steg):
    budget = _budget_with_lines(alice, world, steg)
    line = budget.lines.get(post__intervention=steg)
    services.set_line_amount(alice, line, 3_100_000)
    services.decide_budget(alice, budget, date(2026, 11, 19))
    assert budget.is_locked
    with pytest.raises(ValidationError, match="beslutad 2026-11-19 och låst"):
        services.set_line_amount(alice, line, 1)
    with pytest.raises(ValidationError, match="låst"):
        services.add_line(alice, budget, services.LineInput("nya_insatser", "Nytt", 10))
    with pytest.raises(ValidationError, match="låst"):
        services.delete_line(alice, line)
    assert BudgetLine.objects.get(pk=line.pk).amount == 3_100_000
    assert AuditEvent.objects.filter(action="finance.budget.decide").count() == 1


def test_a_change_after_the_decision_is_a_new_revision_kept_with_its_date(world, alice, steg):
    budget = _budget_with_lines(alice, world, steg)
    services.decide_budget(alice, budget, date(2026, 11, 19))
    revision = services.revise_budget(alice, budget)
    assert (revision.year, revision.revision, revision.decided_on) == (2027, 1, None)
    assert revision.lines.count() == 3
    services.set_line_amount(alice, revision.lines.get(post__intervention=steg), 2_500_000)
    with pytest.raises(ValidationError, match="före föregående revisions beslut"):
        services.decide_budget(alice, revision, date(2026, 11, 1))
    services.decide_budget(alice, revision, date(2026, 11, 20))
    budget.refresh_from_db()
    # The first decision is kept as it was.
    assert budget.decided_on == date(2026, 11, 19)
    assert budget.lines.get(post__intervention=steg).amount == 3_000_000
    assert figures.reference_budget(world.a, 2027) == revision
    with pytest.raises(ValidationError, match="nyare revision"):
        services.revise_budget(alice, budget)


def test_decision_date_not_in_the_future_and_not_for_an_empty_budget(world, alice):
    budget = services.create_budget(alice, world.a, 2027)
    with pytest.raises(ValidationError, match="utan rader"):
        services.decide_budget(alice, budget, date(2026, 11, 19))
    services.add_line(alice, budget, services.LineInput("ovriga_intakter", "Ränta", 1))
    with pytest.raises(ValidationError, match="framtiden"):
        services.decide_budget(alice, budget, date(2026, 12, 1))


def test_copy_forward_starts_next_year_from_this_years_lines(world, alice, steg):
    budget = _budget_with_lines(alice, world, steg)
    copy = services.copy_forward(alice, budget)
    assert (copy.year, copy.revision, copy.is_locked) == (2028, 0, False)
    assert sorted(copy.lines.values_list("amount", flat=True)) == [1_200_000, 3_000_000, 8_000_000]
    # The posts are shared: the multi-year plan puts the years side by side on one row.
    plan = figures.multi_year_plan(world.a, 2027)
    steg_row = next(r for b in plan.blocks for r in b.rows if r.name == "Steg till arbete")
    assert steg_row.amounts == [3_000_000, 3_000_000, None]
    assert plan.income == [8_000_000, 8_000_000, 0]
    assert plan.results == [3_800_000, 3_800_000, 0]
    with pytest.raises(ValidationError, match="redan en budget för 2028"):
        services.copy_forward(alice, budget)


def test_a_line_for_another_associations_intervention_is_refused(world, alice, other):
    budget = services.create_budget(alice, world.a, 2027)
    with pytest.raises(ValidationError, match="finansieras inte av förbundet"):
        services.add_line(alice, budget, services.LineInput("individinriktade", "", 5, other))
    assert not BudgetPost.objects.filter(intervention=other).exists()


def test_individual_lines_need_an_intervention_and_amounts_are_not_negative(world, alice, steg):
    budget = services.create_budget(alice, world.a, 2027)
    with pytest.raises(ValidationError, match="knytas till en av förbundets insatser"):
        services.add_line(alice, budget, services.LineInput("individinriktade", "Något", 5))
    with pytest.raises(ValidationError, match="inte vara negativt"):
        services.add_line(alice, budget, services.LineInput("administration", "Kansli", -5))
    services.add_line(alice, budget, services.LineInput("individinriktade", "", 5, steg))
    with pytest.raises(ValidationError, match="redan raden"):
        services.add_line(alice, budget, services.LineInput("individinriktade", "", 6, steg))


def test_a_key_that_does_not_sum_to_100_is_refused(world, alice, a_members):
    with pytest.raises(ValidationError, match="exakt 100 %; nu är summan 95 %"):
        services.save_contribution_key(
            alice,
            world.a,
            services.KeyInput(year=2026, total=1000, municipal_percent=Decimal("20")),
        )
    with pytest.raises(ValidationError, match="inte vara negativt"):
        services.save_contribution_key(alice, world.a, services.KeyInput(year=2026, total=-1))


def test_missing_population_is_a_clear_error(world, alice, a_members):
    with pytest.raises(ValidationError, match="Folkmängd saknas för Krokom kommun år 2024"):
        services.save_contribution_key(
            alice, world.a, services.KeyInput(year=2026, total=1000, population_year=2024)
        )


def test_quarters_and_months_do_not_overlap(world, alice):
    post = BudgetPost.objects.create(
        association=world.a, code="kansli", name="Kansli", category="administration"
    )
    services.record_outcome(alice, world.a, services.OutcomeInput(post, 2026, 2, 100))
    with pytest.raises(ValidationError, match="överlappar utfall som redan finns för månad 2"):
        services.record_outcome(alice, world.a, services.OutcomeInput(post, 2026, 3, 300, 3))
    services.record_outcome(alice, world.a, services.OutcomeInput(post, 2026, 6, 300, 3))
    services.record_outcome(alice, world.a, services.OutcomeInput(post, 2026, 6, 350, 3))
    assert Outcome.objects.get(month=6).amount == 350


def test_only_the_office_writes_and_only_its_own_association(world, alice, steg):
    carol, dave, helena = (actor_of(world, p) for p in ("carol", "dave", "helena"))
    assert permissions.can_view_finance(carol) and not permissions.can_edit_finance(carol)
    assert permissions.can_view_finance(helena) and not permissions.can_edit_finance(helena)
    assert not permissions.can_view_finance(actor_of(world, "bob"))
    assert not permissions.can_view_finance(actor_of(world, "frank"))
    with pytest.raises(PermissionDenied):
        services.create_budget(carol, world.a, 2027)
    with pytest.raises(PermissionDenied):
        services.create_budget(dave, world.a, 2027)
    budget = services.create_budget(alice, world.a, 2027)
    with pytest.raises(PermissionDenied):
        services.add_line(dave, budget, services.LineInput("administration", "X", 1))
    assert not Budget.objects.filter(association=world.b).exists()
