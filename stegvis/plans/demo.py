"""Demo data for the operating plan (``make demo``): association A's decided plan for this year
with goals linked to the demo's own figures (costs, the exit survey, structural attendees, step
movement in Steg) and one that waits for the aggregates app, last February's member consultation
with conclusions the plan considers, a draft for next year, and both associations' governance
year. Everything is made through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from stegvis.interventions.models import Intervention
from stegvis.plans import calendar, services
from stegvis.plans.models import PlanActivity
from stegvis.plans.services import (
    ActivityDetails,
    ConsultationDetails,
    GoalDetails,
    PlanTexts,
)
from stegvis.surveys.models import Questionnaire

TEXTS = PlanTexts(
    introduction=(
        "Samordningsförbundet Fjällbygden finansierar samverkan mellan Försäkringskassan, "
        "Arbetsförmedlingen, regionen och kommunerna, så att fler kan arbeta eller studera."
    ),
    vision="Alla som kan och vill ska ha ett arbete eller studier att gå till.",
    mission=(
        "Förbundet finansierar och följer upp insatser som kräver minst två medlemmars stöd, "
        "och stärker samverkan mellan medlemmarna."
    ),
    target_groups="Personer 16–64 år som behöver samordnat stöd från minst två medlemmar.",
    organisation=(
        "Styrelsen med ledamöter från varje medlem, beredningsgrupp med chefer från "
        "medlemmarna, och ett kansli med förbundschef och verksamhetsutvecklare."
    ),
)


def load(demo: Any) -> None:
    a = demo.owners["A"]
    alice = demo.actor("alice", "A")
    year = timezone.localdate().year
    steg = Intervention.objects.filter(fundings__association=a, code="steg").first()
    questionnaire = Questionnaire.objects.filter(association=a, key="deltagare-avslut").first()

    consultation = services.create_consultation(
        alice,
        ConsultationDetails(
            date(year - 1, 2, 12),
            f"Medlemssamråd {year - 1}",
            agenda="1. Medlemmarnas behov\n2. Förbundets insatser\n3. Budgetramar",
            strategic_questions="Hur når vi unga som varken arbetar eller studerar?",
        ),
    )
    for member in a.members.select_related("organisation")[:4]:
        services.add_participant(alice, consultation, member.organisation, "Förvaltningschef")
    young = services.add_conclusion(alice, consultation, "Fler insatser för unga vuxna.")
    knowledge = services.add_conclusion(
        alice, consultation, "Medarbetare behöver känna till varandras uppdrag bättre."
    )

    plan = services.create_plan(alice, year, TEXTS)
    work = services.add_area(alice, plan, "Fler i arbete eller studier")
    together = services.add_area(alice, plan, "Stärkt samverkan")
    money = services.add_area(alice, plan, "En effektiv förbundsorganisation")
    if steg is not None:
        step_goal = services.add_goal(
            alice,
            work,
            GoalDetails(
                "Minst 40 % av deltagarna i Steg till arbete tar steg på trappan",
                "positive_step",
                Decimal(40),
                intervention=steg,
                by_gender=True,
            ),
        )
        services.consider(alice, young, step_goal, "Steg till arbete tar emot unga vuxna.")
    services.add_goal(
        alice,
        work,
        GoalDetails(
            "Minst 35 % av avsluten går till arbete eller studier",
            "exits_work_studies",
            Decimal(35),
            by_gender=True,
        ),
    )
    if questionnaire is not None:
        services.add_goal(
            alice,
            work,
            GoalDetails(
                "Deltagarnas nöjdhet minst på nationell nivå",
                "survey_share_positive",
                questionnaire=questionnaire,
                item_key="d6",
                at_least_reference=True,
            ),
        )
    services.add_goal(
        alice,
        together,
        GoalDetails(
            "Minst 60 deltagare i strukturövergripande aktiviteter",
            "structural_attendees",
            Decimal(60),
            by_gender=True,
        ),
    )
    services.add_goal(alice, together, GoalDetails("Medlemmarna upplever att samverkan stärks"))
    services.add_goal(
        alice,
        money,
        GoalDetails(
            "Minst 75 % av kostnaderna går till insatser", "cost_share_interventions", Decimal(75)
        ),
    )
    services.add_goal(
        alice,
        money,
        GoalDetails("Eget kapital inom rekommenderat tak", "equity_of_ceiling", Decimal(100)),
    )
    seminar = services.add_activity(
        alice,
        together,
        ActivityDetails("Seminarieserie om medlemmarnas uppdrag", year, 2, "Verksamhetsutvecklare"),
    )
    services.consider(alice, knowledge, together, "Ett eget målområde med seminarieserie.")
    meeting = services.add_activity(
        alice, money, ActivityDetails("Medlemssamråd", year, 1, "Förbundschef")
    )
    services.add_activity(
        alice, money, ActivityDetails("Ny förbundsordning utreds", year + 1, 2, "Förbundschef")
    )
    services.send_for_consultation(alice, plan, date(year - 1, 10, 1))
    services.decide(alice, plan, date(year - 1, 11, 20), f"§ 45/{year - 1}")
    services.follow_up_activity(alice, meeting, PlanActivity.Status.DONE, "Hölls i februari.")
    services.follow_up_activity(alice, seminar, PlanActivity.Status.ONGOING, "Två av fyra hållna.")

    draft = services.create_plan(alice, year + 1, TEXTS)
    services.add_area(alice, draft, "Fler i arbete eller studier")

    for key in ("A", "B"):
        calendar.ensure_defaults(demo.owners[key])
