"""Demo data for finance (``make demo``): association A's contributions, a decided budget for
2026 with nine months of outcomes, planning years 2027–2028, equity and its ceiling rule, and an
account mapping for SIE imports. Everything is made through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from stegvis.finance import services
from stegvis.finance.models import BudgetPost
from stegvis.interventions.models import Intervention

LINES = [
    ("medlemsbidrag", "Medlemsbidrag", 8_000_000, "bidrag", None),
    ("eget_kapital", "Planerat nyttjande av eget kapital", 400_000, "ek", None),
    ("administration", "Kansli, personal", 1_150_000, "administration-kansli_personal", None),
    ("administration", "Kansli, drift", 180_000, "administration-kansli_drift", None),
    ("administration", "Styrelse", 90_000, "administration-styrelse", None),
    ("administration", "Revision", 60_000, "administration-revision", None),
    ("administration", "Ekonomitjänster", 70_000, "administration-ekonomi", None),
    ("administration", "Medlemskap och nätverk", 50_000, "administration-medlemskap", None),
    ("individinriktade", "", 3_600_000, "", "steg"),
    ("individinriktade", "", 1_400_000, "", "gemensam"),
    ("strukturovergripande", "", 900_000, "", "samverkan"),
    ("nya_insatser", "Ej fördelat utrymme för nya insatser", 900_000, "nya", None),
]
ACCOUNTS = {
    "3010": "bidrag",
    "3020": "bidrag",
    "3030": "bidrag",
    "7010": "administration-kansli_personal",
    "7510": "administration-kansli_personal",
    "5010": "administration-kansli_drift",
    "6110": "administration-kansli_drift",
    "6420": "administration-revision",
}


def load(demo: Any) -> None:
    a = demo.owners["A"]
    alice = demo.actor("alice", "A")
    services.save_contribution_key(
        alice, a, services.KeyInput(year=2026, total=8_000_000, population_year=2025)
    )
    budget = services.create_budget(alice, a, 2026)
    for category, name, amount, code, intervention_code in LINES:
        intervention = (
            Intervention.objects.filter(fundings__association=a, code=intervention_code).first()
            if intervention_code
            else None
        )
        services.add_line(
            alice, budget, services.LineInput(category, name, amount, intervention, code)
        )
    services.decide_budget(alice, budget, date(2025, 11, 20))
    planning = services.copy_forward(alice, budget)
    services.copy_forward(alice, planning)
    posts = {p.code: p for p in BudgetPost.objects.filter(association=a)}
    for account, code in ACCOUNTS.items():
        services.save_mapping(alice, a, account, posts[code])
    # Nine months of outcomes: staff a little over budget, the new-interventions room unused.
    monthly = {
        "bidrag": 666_667,
        "administration-kansli_personal": 99_000,
        "administration-kansli_drift": 14_000,
        "administration-styrelse": 6_500,
        "insats-steg": 300_000,
        "insats-gemensam": 110_000,
        "insats-samverkan": 60_000,
    }
    for code, amount in monthly.items():
        for month in range(1, 10):
            services.record_outcome(
                alice, a, services.OutcomeInput(posts[code], 2026, month, amount)
            )
    services.set_opening_equity(alice, a, 2026, 2_300_000)
    services.add_tier(
        alice,
        a,
        services.TierInput(2026, 0, 7_099_999, 7_000_000, Decimal("20"), Decimal("20")),
    )
    services.add_tier(
        alice,
        a,
        services.TierInput(2026, 7_100_000, 15_000_000, 7_000_000, Decimal("20"), Decimal("15")),
    )
    services.save_state_estimate(
        alice,
        a,
        2027,
        {
            "national_amount": 440_000_000,
            "associations": 80,
            "base_amount": 1_000_000,
            "income_support": 3_900,
            "national_income_support": 400_000,
            "population": 33_500,
            "national_population": 6_300_000,
            "previous_allocation": 4_000_000,
            "max_decrease_percent": Decimal("10"),
        },
    )
