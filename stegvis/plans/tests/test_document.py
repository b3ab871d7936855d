"""The plan document: web page and PDF from the same body, with the goals, the interventions'
fact sheets and finance's budget table with the same numbers.

``pdftotext`` (poppler-utils) is not installed on these machines and no PDF text extractor is
among the dependencies, so the PDF is checked in two ways: the downloaded file is a PDF of
several pages, and the text laid out on the pages of the very document ``write_pdf`` serialises
(WeasyPrint's layout boxes) contains the goals, the fact sheet and the budget table's amounts.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse

from stegvis.finance.models import Budget, BudgetLine, BudgetPost
from stegvis.plans import document, services
from stegvis.plans.services import ActivityDetails, GoalDetails

pytestmark = pytest.mark.django_db


def collapse(text: str) -> str:
    """Runs of ordinary white space to one space; no-break spaces (in amounts) kept."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def text_of(rendered: Any) -> str:
    """The text of a WeasyPrint document's pages, whitespace collapsed."""
    from weasyprint.formatting_structure import boxes

    parts: list[str] = []

    def walk(box: Any) -> None:
        if isinstance(box, boxes.TextBox):
            parts.append(box.text)
        for child in getattr(box, "children", None) or []:
            walk(child)

    for page in rendered.pages:
        walk(page._page_box)
    return collapse(" ".join(parts))


def html_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    for entity, char in (("&nbsp;", "\u00a0"), ("&amp;", "&"), ("&#x27;", "'"), ("&quot;", '"')):
        text = text.replace(entity, char)
    return collapse(text)


@pytest.fixture
def plan(world, A, draft, area, steg):
    budget = Budget.objects.create(association=world.a, year=2026)
    for code, category, amount, intervention in (
        ("bidrag", "medlemsbidrag", 12_000_000, None),
        ("kansli", "administration", 1_600_000, None),
        ("steg", "individinriktade", 7_100_000, steg),
        ("nya", "nya_insatser", 300_000, None),
    ):
        post = BudgetPost.objects.create(
            association=world.a,
            code=code,
            name=f"Post {code}",
            category=category,
            intervention=intervention,
        )
        BudgetLine.objects.create(association=world.a, budget=budget, post=post, amount=amount)
    services.update_texts(
        A["alice"],
        draft,
        services.PlanTexts(
            introduction="Förbundets tjugonde år.",
            vision="Alla i arbete",
            mission="Finansiell samordning",
            target_groups="Personer 16–64 år",
            organisation="Kansliet har tre medarbetare.",
        ),
    )
    services.add_goal(
        A["alice"],
        area,
        GoalDetails(
            "Fler tar steg mot arbete",
            "positive_step",
            Decimal(40),
            intervention=steg,
            by_gender=True,
        ),
    )
    services.add_goal(
        A["alice"], area, GoalDetails("Minst 75 % till insatser", "cost_share_interventions", 75)
    )
    services.add_activity(
        A["alice"], area, ActivityDetails("Medlemssamråd i februari", 2026, 1, "Förbundschef")
    )
    return draft


def test_the_pdf_has_the_goals_fact_sheets_and_budget_of_the_web_page(world, as_persona, plan):
    client = as_persona("carol")
    kwargs = {"association": world.a.slug, "plan": plan.public_id}
    web = html_text(client.get(reverse("plans:document", kwargs=kwargs)).content.decode())
    response = client.get(reverse("plans:pdf", kwargs=kwargs))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    request = RequestFactory().get("/")
    request.user = world["carol"]
    pdf = text_of(document.rendered(request, plan))
    expected = [
        # Sections of an operating plan.
        "1. Inledning",
        "Förbundets tjugonde år.",
        "2. Vision",
        "Alla i arbete",
        "3. Uppdrag",
        "4. Målgrupper",
        "5. Målområden, mål och aktiviteter",
        "6. Organisation",
        "7. Insatser",
        "8. Budget",
        # Goals and activities.
        "Fler tar steg mot arbete",
        "≥ 40,0\u00a0%",
        "Minst 75 % till insatser",
        "Medlemssamråd i februari",
        # The fact sheet.
        "Faktablad: Steg till arbete",
        "Eva Enhetschef",
        str(world.p),
        "7\u00a0100\u00a0000\u00a0kr",
        # The budget table and cost distribution from finance.
        "Summa intäkter",
        "12\u00a0000\u00a0000\u00a0kr",
        "1\u00a0600\u00a0000\u00a0kr",
        "9\u00a0000\u00a0000\u00a0kr",
        "Resultat (intäkter minus kostnader)",
        "3\u00a0000\u00a0000\u00a0kr",
        "78,9\u00a0%",  # (7 100 000) / 9 000 000 to interventions
    ]
    for text in expected:
        assert text in web, f"web page lacks {text!r}"
        assert text in pdf, f"PDF lacks {text!r}"


def test_a_plan_without_budget_says_so(world, as_persona, draft):
    page = as_persona("alice").get(
        reverse("plans:document", kwargs={"association": world.a.slug, "plan": draft.public_id})
    )
    assert "Det finns ingen budget för 2026 i ekonomidelen ännu." in page.content.decode()
