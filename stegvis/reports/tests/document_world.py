"""A hand-computed example for the annual report, built as the association receives it: signed
packages from provider P (see aggregates/tests/test_figures.py for the package helpers).

Packages of association A, 2026:
- "Gemensam väg" 2026Q1: at start women 10, men 8; new 5, 6; exits arbete 3/5, studier 2/1,
  annat 1/0, sjukdom 0/2. 2026Q2: at start 9/8; new 4/7; exits arbete 4/6.
- "Steget" 2026Q1: at start 2/1; new 1/0; exits arbete 1/0.

January–June by hand:
- Gemensam: participants 10+5+4 = 19 women, 8+6+7 = 21 men (40); new 9/13 (22); exited 10/14
  (24); exits arbete 18, studier 3, arb.rehab 0, sjukdom 2, annat 1.
- Steget: participants 3/1 (4); new 1/0; exited 1/0; arbete 1.
- Total: participants 22/22 (44), new 10/13 (23), exited 11/14 (25); exits to work 19.
- Goal of Gemensam, work or studies ≥ 40 %: women 9/10 = 90.0 %, men 12/14 = 85.7 %, total
  21/24 = 87.5 % → met.
- Socio-economic effect: 19 × 16 200 × 12 = 3 693 600 kr.
January–April: only the Q1 packages; the Q2 package reaches beyond April and is named as such.
"""

from __future__ import annotations

from datetime import date

from stegvis.aggregates.tests.test_figures import _receive, _tables
from stegvis.interventions.models import Goal, Intervention
from stegvis.interventions.tests.factories import InterventionFactory


def build(world) -> tuple[Intervention, Intervention]:
    gemensam = InterventionFactory(
        name="Gemensam väg",
        code="gemensam",
        provider=world.p,
        lead_association=world.a,
        coaches=[world["bob"]],
        places=40,
        start=date(2025, 1, 1),
    )
    steget = InterventionFactory(
        name="Steget",
        code="steget",
        provider=world.p,
        lead_association=world.a,
        coaches=[world["bob"]],
        places=5,
        start=date(2025, 1, 1),
    )
    Goal.objects.create(
        intervention=gemensam,
        text="Minst 40 % till arbete eller studier",
        measure=Goal.Measure.SHARE_EXITS_IN_GROUPS,
        report_groups=["arbete", "studier"],
        target=40,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
    )
    _receive(
        world,
        gemensam,
        world.a,
        "2026Q1",
        _tables(
            (10, 8),
            (5, 6),
            {"arbete": (3, 5), "studier": (2, 1), "annat": (1, 0), "sjukdom": (0, 2)},
            (1200, 1100),
        ),
    )
    _receive(
        world,
        gemensam,
        world.a,
        "2026Q2",
        _tables((9, 8), (4, 7), {"arbete": (4, 6)}, (1000, 1000)),
    )
    _receive(
        world, steget, world.a, "2026Q1", _tables((2, 1), (1, 0), {"arbete": (1, 0)}, (200, 90))
    )
    return gemensam, steget


def extra_intervention(world) -> Intervention:
    """One more intervention with a package, for query counts that must not grow with rows."""
    extra = InterventionFactory(
        name="Extra", code="extra", provider=world.p, lead_association=world.a, places=5
    )
    _receive(world, extra, world.a, "2026Q1", _tables((6, 6), (1, 1), {"arbete": (1, 1)}, (90, 90)))
    return extra
