"""Finance's demo data (loaded by ``load_demo`` with the rest)."""

from io import StringIO

import pytest
from django.core.management import call_command

from stegvis.core.models import Association
from stegvis.finance import figures
from stegvis.finance.models import Budget, ContributionKey

pytestmark = pytest.mark.django_db


def test_demo_has_a_decided_budget_with_outcomes_and_planning_years():
    call_command("load_demo", stdout=StringIO())
    a = Association.objects.get(slug="fjallbygden")
    assert list(Budget.objects.filter(association=a).values_list("year", "decided_on")) == [
        (2026, Budget.objects.get(association=a, year=2026).decided_on),
        (2027, None),
        (2028, None),
    ]
    key = ContributionKey.objects.get(association=a, year=2026)
    assert figures.contribution_table(key).total == 8_000_000
    report = figures.deviation_report(a, 2026)
    assert report.months == 9
    assert report.costs.budget == 8_400_000
    equity = figures.equity(a, 2026)
    assert equity.ceiling == 1_550_000  # 20 % of 7 000 000 + 15 % of 1 000 000
    assert equity.over_ceiling
