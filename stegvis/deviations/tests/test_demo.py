"""The demo shows Lex Heller reports in every state the handling reaches, over ten months."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from stegvis.core.models import Association
from stegvis.deviations.compilation import compile_reports
from stegvis.deviations.models import DeviationReport


@pytest.mark.django_db
def test_the_demo_has_reports_in_every_stage():
    call_command("load_demo", stdout=StringIO())
    a = Association.objects.get(slug="fjallbygden")
    states = sorted(DeviationReport.objects.filter(association=a).values_list("state", flat=True))
    assert states == sorted(
        ["closed", "feedback", "decided", "taken", "reviewed", "received", "returned"]
    )
    today = timezone.localdate()
    c = compile_reports(a, today - timedelta(days=366), today)
    assert c.total == 7
    assert c.decided == 3
    assert len([label for label, _counts in c.by_month]) == 6
