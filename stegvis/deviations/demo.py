"""Demo Lex Heller reports for Fjällbygden (A), made through the services as people would.

Alice (office) handles the reports with Gustav (preparatory group); Bob (coach at P), Frank
(referrer at FK) and Rut (an invited reporter) file them over the last ten months, so that the
compilation has months, categories, states and decisions to show.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from stegvis.core.models import Association, Organisation
from stegvis.deviations import services
from stegvis.deviations.models import DeviationCategory
from stegvis.interventions.models import Intervention

BASE_URL = "http://127.0.0.1:8000/"

# (reporter, owner, days ago received, category position, organisations, text, handled to)
REPORTS: list[tuple[str, str, int, int, list[str], str, str]] = [
    (
        "bob",
        "P",
        290,
        30,
        ["Försäkringskassan", "Arbetsförmedlingen"],
        "En deltagare fick beskedet från en myndighet att hen var för sjuk för att stå till "
        "arbetsmarknadens förfogande, och från en annan att hen inte var sjuk nog för ersättning.",
        "closed",
    ),
    (
        "frank",
        "fk",
        240,
        40,
        ["Region Jämtland Härjedalen", "Försäkringskassan"],
        "Läkarintyg kom inte fram mellan vården och handläggaren; personen fick själv bära "
        "papper mellan verksamheterna i sex veckor.",
        "feedback",
    ),
    (
        "rut",
        "A",
        180,
        50,
        ["Krokom kommun", "Arbetsförmedlingen"],
        "Ingen myndighet ansåg sig ansvarig för en ung person utan sysselsättning efter "
        "avbrutna studier; ärendet bollades mellan tre enheter.",
        "decided",
    ),
    (
        "bob",
        "P",
        120,
        10,
        ["Arbetsförmedlingen"],
        "Telefontiderna ändrades utan förvarning och det gick inte att boka möte på tre veckor.",
        "taken",
    ),
    (
        "bob",
        "P",
        60,
        30,
        ["Försäkringskassan", "Krokom kommun"],
        "Regler för aktivitetsstöd och försörjningsstöd gav motstridiga krav på närvaro.",
        "reviewed",
    ),
    (
        "frank",
        "fk",
        20,
        20,
        ["Försäkringskassan"],
        "Beslut om ersättning dröjde i väntan på handlingar som redan fanns hos en annan part.",
        "received",
    ),
    (
        "rut",
        "A",
        10,
        60,
        ["Region Jämtland Härjedalen"],
        "Remiss till psykiatrin avvisades med hänvisning till primärvården, som hänvisade "
        "tillbaka.",
        "returned",
    ),
]

ORDER = ["received", "reviewed", "taken", "decided", "feedback", "closed"]


def load(demo: Any) -> None:
    a = demo.owners["A"]
    assert isinstance(a, Association)
    alice, gustav = demo.actor("alice", "A"), demo.actor("gustav", "A")
    today = timezone.localdate()
    orgs = {o.name: o for o in Organisation.objects.filter(memberships__association=a)}
    categories = {c.position: c for c in DeviationCategory.objects.filter(association=a)}
    steg = Intervention.objects.filter(code="steg").first()
    filed = []
    for key, owner, days_ago, position, names, text, goal in REPORTS:
        received = today - timedelta(days=days_ago)
        report = services.file_report(
            demo.actor(key, owner),
            a,
            services.ReportDetails(
                event_date=received - timedelta(days=3),
                category=categories[position],
                organisations=[orgs[n] for n in names],
                what_happened=text,
                consequence="Personens väg mot arbete stannade upp i flera månader.",
                proposed_solution="Gemensam rutin för överlämning mellan parterna.",
                intervention=steg if key == "bob" else None,
                reporter_organisation=orgs["Krokom kommun"] if key == "rut" else None,
            ),
            base_url=BASE_URL,
            received_on=received,
        )
        filed.append((report, goal, received))
    # Appointed after the reports are filed, so that loading the demo does not print a dozen
    # notification e-mails (the console backend in development).
    services.appoint_administrator(alice, alice.user)
    for report, goal, received in filed:
        _handle(alice, gustav, report, goal, received, today, orgs)


def _handle(
    alice: Any,
    gustav: Any,
    report: Any,
    goal: str,
    received: date,
    today: date,
    orgs: dict[str, Organisation],
) -> None:
    if goal == "returned":
        services.send_back(
            alice,
            report,
            message="Beskriv gärna vilka steg som togs innan remissen avvisades.",
            base_url=BASE_URL,
        )
        return
    reached = ORDER.index(goal)
    if reached >= ORDER.index("reviewed"):
        services.review(alice, report, note="Tydlig rapport.")
    if reached >= ORDER.index("taken"):
        services.take_to_group(alice, report)
        services.add_comment(gustav, report, text="Liknande situationer har rapporterats förut.")
    if reached >= ORDER.index("decided"):
        services.decide(
            alice,
            report,
            action="Parterna tar fram en gemensam rutin för överlämning och följer upp om "
            "ett halvår.",
            organisation=orgs["Försäkringskassan"],
            decided_on=min(received + timedelta(days=30), today),
        )
    if reached >= ORDER.index("feedback"):
        services.give_feedback(
            alice,
            report,
            feedback="Tack för rapporten! Beredningsgruppen har tagit upp frågan och parterna "
            "tar fram en gemensam rutin.",
            base_url=BASE_URL,
        )
    if reached >= ORDER.index("closed"):
        services.close(alice, report)
