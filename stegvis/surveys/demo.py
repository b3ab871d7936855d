"""Demo data for surveys, made through the services as the office and the respondents would.

Association A (Fjällbygden) gets the sample questionnaires, fictional national reference values
for last year, an open round of the participants' exit survey for "Steg till arbete" with
anonymous answers this year and last year (enough to show results), goals, a seminar evaluation
round, and an open round of the violence questions with a few answers. Every figure is made up.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from stegvis.core.models import Association, Unit
from stegvis.interventions.models import Intervention
from stegvis.surveys import services
from stegvis.surveys.models import SurveyGoal, ViolenceScreening

if TYPE_CHECKING:
    from stegvis.core.management.commands.load_demo import Demo

# (q1, q2, q5, q6, q7, gender) per answer.
THIS_YEAR = [
    ("5", "5", "4", "5", "5", "kvinna"),
    ("4", "4", "4", "5", "4", "man"),
    ("5", "3", "3", "4", "5", "kvinna"),
    ("3", "4", "vet_ej", "4", "4", "man"),
    ("4", "5", "5", "3", "4", "kvinna"),
    ("5", "4", "4", "5", "5", "kvinna"),
    ("2", "3", "3", "2", "3", "man"),
    ("4", "4", "5", "4", "4", "kvinna"),
]
LAST_YEAR = [
    ("4", "4", "3", "4", "4", "kvinna"),
    ("5", "3", "4", "3", "5", "man"),
    ("3", "4", "4", "4", "3", "kvinna"),
    ("4", "5", "4", "5", "4", "man"),
    ("2", "3", "2", "3", "3", "kvinna"),
    ("5", "4", "5", "4", "4", "kvinna"),
]
KEYS = ["d1", "d2", "d5", "d6", "d7", "kon"]


def _reference_csv(year: int) -> bytes:
    rows = ["år;respondentgrupp;fråga;andel_positiva;medelvärde;antal"]
    for number, share, mean in (
        ("1", "78,0", "4,1"),
        ("2", "74,5", "3,9"),
        ("5", "70,2", "3,8"),
        ("6", "62,0", "3,6"),
        ("7", "76,3", "4,0"),
    ):
        rows.append(f"{year};deltagare_avslut;{number};{share};{mean};2350")
    return "\n".join(rows).encode()


def _screenings(demo: Demo) -> None:
    """Whether the violence questions were asked at each demo exit, as the coach records it."""
    from stegvis.participants.demo import DEMO_DATE, exited_people
    from stegvis.participants.models import Enrolment

    coaches = {"P": demo.actor("bob", "P"), "Q": demo.actor("erin", "Q")}
    for key, person, exit in exited_people():
        provider = demo.owners[key]
        assert isinstance(provider, Unit)
        enrolment = Enrolment.objects.get(
            provider=provider, participant__reserve_id=person.reserve_id
        )
        services.record_screening(
            coaches[key],
            enrolment,
            outcome=ViolenceScreening.Outcome.ASKED
            if exit.violence_screening_asked
            else ViolenceScreening.Outcome.NOT_ASKED,
            on=exit.day,
            today=DEMO_DATE,
        )


def load(demo: Demo) -> None:
    _screenings(demo)
    alice = demo.actor("alice", "A")
    association = demo.owners["A"]
    assert isinstance(association, Association)
    today = timezone.localdate()
    year = today.year
    loaded = {r.questionnaire.key: r for r in services.load_samples(alice, association)}
    services.import_reference_values(alice, _reference_csv(year - 1), "nationellt-demo.csv")
    steg = Intervention.objects.get(lead_association=association, code="steg")
    exit_round = services.open_round(
        alice,
        loaded["deltagare-avslut"].version,
        title=f"Deltagare vid avslut {year - 1}–{year}",
        interventions=[steg],
        opens_on=date(year - 1, 1, 1),
        closes_on=date(year, 12, 31),
    )
    for rows, day in ((LAST_YEAR, date(year - 1, 10, 15)), (THIS_YEAR, today)):
        for row in rows:
            services.submit_response(
                exit_round,
                dict(zip(KEYS, row, strict=True)),
                intervention=steg,
                language="sv",
                today=day,
            )
    questionnaire = loaded["deltagare-avslut"].questionnaire
    services.add_goal(alice, questionnaire, item_key="d6", year=year, kind=SurveyGoal.Kind.NATIONAL)
    services.add_goal(
        alice,
        questionnaire,
        item_key="d6",
        year=year,
        kind=SurveyGoal.Kind.SHARE,
        target=Decimal("95"),
    )
    training = Intervention.objects.get(lead_association=association, code="samverkan")
    activity = training.activities.order_by("-date").first()
    if activity is not None:
        services.open_round(
            alice,
            loaded["seminarieutvardering"].version,
            title=f"Utvärdering: {activity.title}",
            activity=activity,
            opens_on=min(activity.date, today),
            closes_on=date(year, 12, 31),
        )
    violence_round = services.open_round(
        alice,
        loaded["vald"].version,
        title=f"Frågor om våld {year}",
        interventions=[steg],
        opens_on=date(year, 1, 1),
        closes_on=date(year, 12, 31),
    )
    for value in ["nej", "nej", "ja", "nej", "nej", "vill_ej", "nej"]:
        services.submit_response(
            violence_round, {"v1": value, "v2": "nej"}, intervention=steg, language="sv"
        )
