"""The demo shows a decided plan whose goals are followed up from the demo's own figures."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from stegvis.core.models import Association
from stegvis.plans.followup import MET, NOT_MEASURABLE, follow_up
from stegvis.plans.models import Obligation, Plan

pytestmark = pytest.mark.django_db


def test_the_demo_plan_is_decided_and_followed_up():
    call_command("load_demo", stdout=StringIO())
    a = Association.objects.get(slug="fjallbygden")
    decided = Plan.objects.get(association=a, status=Plan.Status.DECIDED)
    assert Plan.objects.filter(association=a, status=Plan.Status.DRAFT).count() == 1
    result = follow_up(decided)
    rows = {row.goal.text: row for area in result.areas for row in area.goals}
    assert len(rows) == 7
    assert rows["Minst 35 % av avsluten går till arbete eller studier"].total.verdict == (
        NOT_MEASURABLE
    )
    assert rows["Minst 75 % av kostnaderna går till insatser"].total.verdict == MET
    assert decided.considerations.count() == 2
    assert Obligation.objects.filter(association=a).count() > 5
