"""Finance's part of the wall sweep (core/tests/test_wall_sweep.py): one budget with a line, an
account mapping and a ceiling tier at each association; nothing at providers or units."""

from __future__ import annotations

from django.db.models import Sum

from stegvis.core.models import Association, Unit
from stegvis.finance.models import (
    AccountMapping,
    Budget,
    BudgetLine,
    BudgetPost,
    CeilingTier,
    ContributionKey,
    EquityYear,
    Outcome,
    StateEstimate,
)

OBJECT_KINDS = {"budget", "line", "mapping", "tier"}


def objects_for(world: object, owner: object) -> dict[str, object]:
    if isinstance(owner, Unit) or not isinstance(owner, Association):
        return {}
    budget = Budget.objects.create(association=owner, year=2026)
    post = BudgetPost.objects.create(
        association=owner, code="kansli", name=f"Kansli {owner.name}", category="administration"
    )
    line = BudgetLine.objects.create(association=owner, budget=budget, post=post, amount=100_000)
    mapping = AccountMapping.objects.create(association=owner, account="7010", post=post)
    tier = CeilingTier.objects.create(
        association=owner,
        year=2026,
        lower=7_100_000,
        upper=15_000_000,
        first_amount=7_000_000,
        first_percent=20,
        above_percent=15,
    )
    return {
        "budget": budget.public_id,
        "line": line.public_id,
        "mapping": mapping.public_id,
        "tier": tier.public_id,
    }


def counts() -> tuple[int, ...]:
    return (
        Budget.objects.count(),
        Budget.objects.filter(decided_on__isnull=False).count(),
        BudgetLine.objects.count(),
        BudgetLine.objects.aggregate(s=Sum("amount"))["s"] or 0,
        BudgetPost.objects.count(),
        Outcome.objects.count(),
        AccountMapping.objects.count(),
        CeilingTier.objects.count(),
        ContributionKey.objects.count(),
        EquityYear.objects.count(),
        StateEstimate.objects.count(),
    )
