"""The plan document: web page and PDF from the same body, with the goals, the interventions'
fact sheets and finance's budget table with the same numbers.

The PDF is read as a reader would, by ``pdftotext -layout`` (``core.tests.readers.pdf_text``), and
its figures are parsed from that text and compared with the figures parsed from the web page's
tables: the same rows in the same order with the same amounts and shares, not merely present.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from stegvis.core.tests.readers import pdf_text
from stegvis.finance.models import Budget, BudgetLine, BudgetPost
from stegvis.interventions.models import Goal
from stegvis.interventions.tests.factories import GoalFactory, InterventionFactory
from stegvis.plans import services
from stegvis.plans.services import ActivityDetails, GoalDetails

pytestmark = pytest.mark.django_db

# An amount in kronor or a share in per cent as the pages print them: 1 234 567 kr, 78,9 %.
FIGURE = re.compile(r"-?\d{1,3}(?:[ \u00a0]\d{3})*(?:,\d+)?[ \u00a0](?:kr|%)")
TARGET = re.compile(r"[≥≤] \d[\d \u00a0]*(?:,\d+)?(?:[ \u00a0]%)?")


def collapse(text: str) -> str:
    """Runs of white space (no-break spaces too) to one space."""
    return re.sub(r"[\s\u00a0]+", " ", text).strip()


def figures_in(text: str) -> list[Decimal]:
    """The amounts and shares in ``text``, in order, as numbers."""
    return [
        Decimal(re.sub(r"[ \u00a0]", "", f).removesuffix("kr").removesuffix("%").replace(",", "."))
        for f in FIGURE.findall(text)
    ]


class _Tables(HTMLParser):
    """Every table row of a page as its cells' text (th and td), in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append(collapse("".join(self._cell)))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def web_rows(html: str) -> list[list[str]]:
    parser = _Tables()
    parser.feed(html)
    return parser.rows


def figure_rows_of_web(rows: list[list[str]]) -> list[tuple[str, list[Decimal]]]:
    """(row label, the row's figures) for each table row that holds an amount or share."""
    return [(r[0], figures_in(" ".join(r[1:]))) for r in rows if figures_in(" ".join(r[1:]))]


def figure_rows_of_pdf(lines: list[str]) -> list[tuple[str, list[Decimal]]]:
    """The same from pdftotext's layout: a table row is one line, its label set off from its
    figures by a run of spaces."""
    result = []
    for line in lines:
        match = re.match(r"^\s*(\S.*?)\s{2,}(.*)$", line)
        if match and figures_in(match.group(2)):
            result.append((collapse(match.group(1)), figures_in(match.group(2))))
    return result


def section(text: str, first: str, after: str | None = None) -> str:
    """The part of ``text`` from the heading ``first`` up to the heading ``after``."""
    start = text.index(first)
    return text[start : text.index(after, start) if after else len(text)]


@pytest.fixture
def plan(world, A, draft, area, steg):
    vagen = InterventionFactory(
        name="Vägen vidare", code="vagen", provider=world.p, lead_association=world.a
    )
    GoalFactory(
        intervention=vagen,
        text="Minst 4 av 10 i arbete",
        measure=Goal.Measure.SHARE_EXITS_IN_GROUPS,
        target=Decimal(40),
    )
    budget = Budget.objects.create(association=world.a, year=2026)
    for code, category, amount, intervention in (
        ("bidrag", "medlemsbidrag", 12_000_000, None),
        ("kansli", "administration", 1_600_000, None),
        ("steg", "individinriktade", 7_100_000, steg),
        ("vagen", "individinriktade", 250_000, vagen),
        ("nya", "nya_insatser", 50_000, None),
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
    html = client.get(reverse("plans:document", kwargs=kwargs)).content.decode()
    response = client.get(reverse("plans:pdf", kwargs=kwargs))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = pdf_text(response.content)
    web = collapse(re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", " "))

    # The sections of an operating plan, in order, on both.
    headings = [
        "1. Inledning",
        "2. Vision",
        "3. Uppdrag",
        "4. Målgrupper",
        "5. Målområden, mål och aktiviteter",
        "6. Organisation",
        "7. Insatser",
        "8. Budget",
    ]
    for text in (web, collapse(pdf)):
        assert [text.index(h) for h in headings] == sorted(text.index(h) for h in headings)
        for phrase in ("Förbundets tjugonde år.", "Alla i arbete", "Medlemssamråd i februari"):
            assert phrase in text

    # The goals: the goal column read down the PDF's goal table holds every goal's text, in the
    # web page's order, and the targets are the web page's.
    goals = section(pdf, "Mål inom", "Aktiviteter inom").splitlines()
    header = next(line for line in goals if "Målvärde" in line)
    measure_column = header.index("Mått")
    rows = web_rows(section(html, "<h2>5.", "<h2>6."))
    web_goals = [(r[0], r[2]) for r in rows if len(r) == 3 and TARGET.search(r[2])]
    assert [g for g, _t in web_goals] == ["Fler tar steg mot arbete", "Minst 75 % till insatser"]
    goal_column = collapse(" ".join(line[:measure_column] for line in goals[1:]))
    assert goal_column == "Mål " + " ".join(g for g, _t in web_goals)
    pdf_targets = [collapse(t) for t in TARGET.findall(section(pdf, "Mål inom", "Aktiviteter"))]
    assert pdf_targets == [collapse(t) for _g, t in web_goals] == ["≥ 40,0 %", "≥ 75,0 %"]

    # The fact sheets: every row of each sheet reads the same, label and value.
    web_sheets = web_rows(section(html, "<h2>7.", "<h2>8."))
    # A row starts at the left margin; a value too long for its column continues on indented
    # lines below it.
    pdf_sheets: dict[str, list[str]] = {}
    last: list[str] | None = None
    for line in section(pdf, "7. Insatser", "8. Budget").splitlines():
        match = re.match(r"^(\S.*?)\s{2,}(\S.*)$", line)
        if match:
            last = pdf_sheets.setdefault(match.group(1), [])
            last.append(collapse(match.group(2)))
        elif line.startswith(" ") and line.strip() and last is not None:
            last[-1] = f"{last[-1]} {collapse(line)}"
        else:
            last = None
    assert len(web_sheets) == 2 * 9
    for label, value in web_sheets:
        assert value in pdf_sheets[label], f"PDF fact sheet row {label!r} is not {value!r}"
    assert pdf_sheets["Ansvarig chef"] == ["Eva Enhetschef", "–"]
    assert pdf_sheets["Budget 2026"] == ["7 100 000 kr", "250 000 kr"]
    assert pdf_sheets["Insatsägare (utförare)"][0] == str(world.p)
    assert "Minst 4 av 10 i arbete (Andel avslut till valda grupper 40)" in pdf_sheets["Mål"][1]

    # The budget pages: every row with an amount or share, in order, with the same figures.
    web_budget = figure_rows_of_web(web_rows(section(html, "<h2>8.")))
    pdf_budget = figure_rows_of_pdf(section(pdf, "8. Budget").splitlines())
    assert pdf_budget == web_budget
    budget = dict(web_budget[:12])
    assert budget["Summa intäkter"] == [Decimal(12_000_000)]
    assert budget["Summa kostnader"] == [Decimal(9_000_000)]
    assert budget["Resultat (intäkter minus kostnader)"] == [Decimal(3_000_000)]
    assert ("Individinriktade insatser", [Decimal(7_350_000), Decimal("81.7")]) in pdf_budget
    # (7 100 000 + 250 000) / 9 000 000 to interventions, in the sentence under the table.
    assert figures_in(section(collapse(pdf), "Till insatser"))[:1] == [Decimal("81.7")]
    assert figures_in(section(web, "Till insatser"))[:1] == [Decimal("81.7")]


def test_a_plan_without_budget_says_so(world, as_persona, draft):
    page = as_persona("alice").get(
        reverse("plans:document", kwargs={"association": world.a.slug, "plan": draft.public_id})
    )
    assert "Det finns ingen budget för 2026 i ekonomidelen ännu." in page.content.decode()
