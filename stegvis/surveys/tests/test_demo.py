"""The demo shows surveys: results with reference values and goals, and violence tallies."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from stegvis.core.models import Association
from stegvis.participants.models import Enrolment
from stegvis.surveys.models import Questionnaire, ViolenceScreening, ViolenceTally
from stegvis.surveys.results import questionnaire_results

pytestmark = pytest.mark.django_db


def test_the_demo_has_survey_results_to_show():
    call_command("load_demo", stdout=StringIO())
    a = Association.objects.get(slug="fjallbygden")
    questionnaire = Questionnaire.objects.get(association=a, key="deltagare-avslut")
    year = timezone.localdate().year
    results = questionnaire_results(questionnaire, year=year)
    assert results.responses == 8
    assert results.shown
    assert results.reference_year == year - 1
    q6 = next(r for r in results.items if r.key == "d6")
    # 5 5 4 4 3 5 2 4 → 6 of 8 positive = 75.0 %; last year 4 3 4 5 3 4 → 4 of 6 = 66.7 %.
    assert q6.total.share_positive == 75
    assert str(q6.previous.share_positive) == "66.7"
    assert [g.met for g in results.goals] == [True, False]
    assert ViolenceTally.objects.filter(association=a).exists()


def test_the_demo_records_the_violence_screening_of_every_exit_through_its_one_source():
    call_command("load_demo", stdout=StringIO())
    exited = Enrolment.objects.filter(exit_date__isnull=False)
    screenings = ViolenceScreening.objects.filter(enrolment__in=exited)
    assert screenings.count() == exited.count() == 12
    assert screenings.filter(outcome=ViolenceScreening.Outcome.ASKED).count() == 10
    # The enrolment's mark is kept equal to the screening, never set apart from it.
    assert exited.filter(violence_screening_asked=True).count() == 10
