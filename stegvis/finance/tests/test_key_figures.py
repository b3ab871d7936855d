"""Key figures per intervention (issue #7): cost per participant and per participant-month from
booked costs and the participants of received aggregate packages, beside budget per place.

Worked example, by hand: Steg till arbete (20 places) has a budget line of 1 000 000 kr and
1 200 000 kr booked in 2026. A's packages for 2026 (half-year 1 and quarter 3): 30 enrolled at
the start of the first half-year and 10 new → 40 participants; 3 600 + 3 705 = 7 305
participant-days = 7 305 / 30.4375 = 240.0 participant-months. So 1 000 000 / 20 = 50 000 kr per
place, 1 200 000 / 40 = 30 000 kr per participant and 1 200 000 / 240 = 5 000 kr per
participant-month.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import time_machine
from django.urls import reverse

from stegvis.aggregates.tests.test_figures import _receive, _tables
from stegvis.core.tests.readers import pdf_text, xlsx_sheets
from stegvis.finance import figures, services
from stegvis.finance.figures import InterventionKeyFigures
from stegvis.finance.models import BudgetPost
from stegvis.finance.tests.conftest import actor_of
from stegvis.interventions.tests.factories import InterventionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-20 10:00 +01:00", tick=False):
        yield


def a_url(world, name: str, year: int | None = None) -> str:
    target = reverse(f"finance:{name}", kwargs={"association": world.a.slug})
    return f"{target}?ar={year}" if year else target


def steg_packages(world, steg) -> None:
    first = _tables(at_start=(15, 15), new=(5, 5), groups={"arbete": (2, 1)}, days=(1800, 1800))
    _receive(world, steg, world.a, "2026H1", first)
    third = _tables(at_start=(18, 19), new=(0, 0), groups={"annat": (1, 1)}, days=(1853, 1852))
    _receive(world, steg, world.a, "2026Q3", third)


@pytest.fixture
def example(world, alice, steg):
    budget = services.create_budget(alice, world.a, 2026)
    services.add_line(alice, budget, services.LineInput("individinriktade", "", 1_000_000, steg))
    post = BudgetPost.objects.get(intervention=steg)
    for month, amount in ((6, 500_000), (9, 700_000)):
        services.record_outcome(alice, world.a, services.OutcomeInput(post, 2026, month, amount, 3))
    steg_packages(world, steg)
    return steg


def test_the_worked_example(world, example):
    [row] = figures.intervention_key_figures(world.a, 2026)
    assert (row.intervention, row.budget, row.places, row.cost) == (
        example,
        1_000_000,
        20,
        1_200_000,
    )
    assert (row.participants, row.participant_days) == (40, 7305)
    assert row.participant_months == Decimal("240.0")
    assert row.per_place == 50_000
    assert row.per_participant == 30_000
    assert row.per_participant_month == 5_000


def test_the_month_is_a_quarter_of_a_leap_cycle_and_kronor_are_rounded_once(steg):
    """30 days = 0.98563… months: 100 000 kr × 30.4375 / 30 = 101 458.33 → 101 458 kr."""
    row = InterventionKeyFigures(steg, None, 0, 100_000, 1, 30)
    assert row.participant_months == Decimal("1.0")
    assert row.per_participant_month == 101_458
    assert row.per_place is None
    empty = InterventionKeyFigures(steg, 500_000, 20, None, None, None)
    assert (empty.per_participant, empty.per_participant_month, empty.participant_months) == (
        None,
        None,
        None,
    )


def test_only_the_associations_own_lines_outcomes_and_packages_count(world, alice, example):
    """B funds its own intervention and receives nothing from A: A sees only Steg; an
    intervention with a budget line but no package shows its budget and no participants."""
    other_budget = services.create_budget(actor_of(world, "dave"), world.b, 2026)
    other = InterventionFactory(
        name="B:s insats", code="binsats", provider=world.q, lead_association=world.b
    )
    services.add_line(
        actor_of(world, "dave"),
        other_budget,
        services.LineInput("individinriktade", "", 400_000, other),
    )
    vagen = InterventionFactory(
        name="Vägen", code="vagen", provider=world.p, lead_association=world.a, places=0
    )
    budget = figures.current_budget(world.a, 2026)
    services.add_line(alice, budget, services.LineInput("individinriktade", "", 300_000, vagen))
    rows = figures.intervention_key_figures(world.a, 2026)
    assert [r.intervention.name for r in rows] == ["Steg till arbete", "Vägen"]
    assert (rows[1].budget, rows[1].per_place, rows[1].cost, rows[1].participants) == (
        300_000,
        None,
        None,
        None,
    )
    assert [r.intervention.name for r in figures.intervention_key_figures(world.b, 2026)] == [
        "B:s insats"
    ]


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self.cell is not None:
            self.rows[-1].append(re.sub(r"[ \t\r\n]+", " ", "".join(self.cell)).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def as_number(text: str) -> Decimal | None:
    """ "30 000 kr" → 30000, "240,0" → 240.0, "–" or "" → None."""
    text = re.sub(r"[\s\u00a0]|kr", "", text).replace(",", ".")
    return None if text in ("", "–") else Decimal(text)


def test_the_report_page_and_its_xlsx_show_the_same_key_figures(world, as_persona, example):
    client = as_persona("helena")  # the board reads it too
    html = client.get(a_url(world, "report", 2026)).content.decode()
    table = html[html.index('<table class="key-figures">') :]
    parser = _Rows()
    parser.feed(table[: table.index("</table>")])
    header, row = parser.rows
    assert header[7:] == ["Kostnad per deltagare", "Kostnad per deltagarmånad"]
    assert row == [
        "Steg till arbete",
        "1\u00a0000\u00a0000\u00a0kr",
        "20",
        "50\u00a0000\u00a0kr",
        "1\u00a0200\u00a0000\u00a0kr",
        "40",
        "240,0",
        "30\u00a0000\u00a0kr",
        "5\u00a0000\u00a0kr",
    ]
    response = client.get(a_url(world, "key_figures_xlsx", 2026))
    assert response["Content-Disposition"] == 'attachment; filename="nyckeltal-2026.xlsx"'
    [sheet] = xlsx_sheets(response.content)
    assert sheet[2][:9] == header
    assert sheet[3][0] == row[0]
    assert [as_number(v) for v in sheet[3][1:9]] == [as_number(v) for v in row[1:]]
    # The report's PDF prints the same row in its key figures: the same figures in the same order.
    text = pdf_text(client.get(a_url(world, "report_pdf", 2026)).content)
    lines = text[text.index("Nyckeltal per insats 2026") :].splitlines()
    line = next(line for line in lines if line.strip().startswith("Steg till arbete"))
    cells = re.split(r"\s{2,}", line.strip())
    assert [as_number(c) for c in cells[1:]] == [as_number(v) for v in row[1:]]


def test_without_figures_the_page_says_so(world, as_persona):
    html = as_persona("alice").get(a_url(world, "report", 2026)).content.decode()
    assert "Inga insatser med budgetrad, utfall eller mottagna paket för 2026." in html


def test_the_key_figures_cost_the_same_queries_with_more_interventions(
    world, alice, as_persona, example, django_assert_max_num_queries
):
    client = as_persona("carol")
    budget = figures.current_budget(world.a, 2026)

    def add(n: int) -> None:
        intervention = InterventionFactory(
            name=f"Insats {n}", code=f"ins{n}", provider=world.p, lead_association=world.a
        )
        line = services.add_line(
            alice, budget, services.LineInput("individinriktade", "", 10_000, intervention)
        )
        services.record_outcome(alice, world.a, services.OutcomeInput(line.post, 2026, 3, 900, 3))

    add(0)
    with django_assert_max_num_queries(33):
        client.get(a_url(world, "report", 2026))
    for n in range(1, 7):
        add(n)
    with django_assert_max_num_queries(33):
        html = client.get(a_url(world, "report", 2026)).content.decode()
    assert "Insats 6" in html


def test_few_participants_are_small_for_every_reader_but_the_office(world, alice, as_persona, steg):
    """3 participants (2 at the start, 1 new) and 90 000 kr booked: the office reads 3 and
    30 000 kr per participant; the board and the auditor read "<5" and no cost per participant
    (90 000 ÷ 30 000 would give the 3 back), on the page and in the XLSX."""
    budget = services.create_budget(alice, world.a, 2026)
    services.add_line(alice, budget, services.LineInput("individinriktade", "", 100_000, steg))
    post = BudgetPost.objects.get(intervention=steg)
    services.record_outcome(alice, world.a, services.OutcomeInput(post, 2026, 3, 90_000, 3))
    _receive(world, steg, world.a, "2026Q1", _tables((1, 1), (1, 0), {}, (180, 90)))

    def key_row(persona: str) -> list[str]:
        html = as_persona(persona).get(a_url(world, "report", 2026)).content.decode()
        table = html[html.index('<table class="key-figures">') :]
        parser = _Rows()
        parser.feed(table[: table.index("</table>")])
        return parser.rows[1]

    assert key_row("alice")[5] == "3" and key_row("alice")[7] == "30\u00a0000\u00a0kr"
    for persona in ("carol", "helena"):
        row = key_row(persona)
        assert (row[5], row[7]) == ("<5", "–"), persona
        [sheet] = xlsx_sheets(
            as_persona(persona).get(a_url(world, "key_figures_xlsx", 2026)).content
        )
        assert sheet[3][5] == "<5" and sheet[3][7] in ("", None), persona
