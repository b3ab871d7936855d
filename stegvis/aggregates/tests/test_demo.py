"""The demo shows packages: the last ended quarter sent by P and Q to every funding association."""

from io import StringIO

import pytest
from django.core.management import call_command

from stegvis.aggregates import figures
from stegvis.aggregates.models import PackageDispatch, ReceivedPackage
from stegvis.core.models import Association

pytestmark = pytest.mark.django_db


def test_the_demo_has_packages_and_figures_to_show():
    call_command("load_demo", stdout=StringIO())
    # Steg till arbete (P → Fjällbygden) and Gemensam väg (Q → Sjöstaden and Fjällbygden).
    assert ReceivedPackage.objects.count() == PackageDispatch.objects.count() == 3
    gemensam = ReceivedPackage.objects.filter(intervention__code="gemensam")
    assert {p.association.slug for p in gemensam} == {"sjostaden", "fjallbygden"}
    a = Association.objects.get(slug="fjallbygden")
    period = ReceivedPackage.objects.first().period_start
    per, total = figures.association_figures(a, period.year)
    assert len(per) == 2 and total.participant_row()["participants"]["total"] > 0
