"""The finance pages through the test client, as the personas.

Every page: its behaviour, ``test_*_checks_owner`` (B's office, a coach and a referrer get 404
on A's pages) and ``test_*_checks_role`` (the board and the auditor read but get 403 on every
write). Time is pinned to 2026-11-20."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stegvis.finance import services
from stegvis.finance.models import (
    AccountMapping,
    Budget,
    BudgetLine,
    BudgetPost,
    CeilingTier,
    ContributionKey,
    EquityYear,
    Outcome,
)

pytestmark = pytest.mark.django_db

READ_VIEWS = [
    "overview",
    "contributions",
    "plan",
    "outcomes",
    "report",
    "mappings",
    "equity",
    "outcome_template",
    "report_xlsx",
    "key_figures_xlsx",
    "year_export",
    "year_template",
]
BUDGET_READ_VIEWS = ["budget_detail", "budget_xlsx"]
OFFICE_POSTS = [
    ("budget_create", {}),
    ("budget_line_add", {"budget"}),
    ("budget_line_edit", {"budget", "line"}),
    ("budget_line_delete", {"budget", "line"}),
    ("budget_decide", {"budget"}),
    ("budget_revise", {"budget"}),
    ("budget_copy", {"budget"}),
    ("outcome_import", {}),
    ("mapping_delete", {"mapping"}),
    ("equity_opening", {}),
    ("tier_add", {}),
    ("tier_delete", {"tier"}),
    ("year_import", {}),
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-20 10:00 +01:00", tick=False):
        yield


@pytest.fixture
def budget(world, alice, steg) -> Budget:
    budget = services.create_budget(alice, world.a, 2026)
    services.add_line(
        alice, budget, services.LineInput("medlemsbidrag", "Medlemsbidrag", 1_200_000)
    )
    services.add_line(
        alice, budget, services.LineInput("administration", "Kansli", 240_000, code="kansli")
    )
    services.add_line(alice, budget, services.LineInput("individinriktade", "", 960_000, steg))
    return budget


@pytest.fixture
def objects(world, alice, budget) -> dict[str, object]:
    post = BudgetPost.objects.get(code="kansli")
    mapping = services.save_mapping(alice, world.a, "7010", post)
    tier = services.add_tier(
        alice,
        world.a,
        services.TierInput(2026, 7_100_000, 15_000_000, 7_000_000, 20, 15),
    )
    return {
        "budget": budget.public_id,
        "line": budget.lines.get(post=post).public_id,
        "mapping": mapping.public_id,
        "tier": tier.public_id,
    }


def a_url(world, name: str, year: int | None = None, **kwargs) -> str:
    target = reverse(f"finance:{name}", kwargs={"association": world.a.slug, **kwargs})
    return f"{target}?ar={year}" if year else target


# --- Owner and role ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", READ_VIEWS + BUDGET_READ_VIEWS)
def test_read_views_check_owner(world, as_persona, objects, name):
    kwargs = {"budget": objects["budget"]} if name in BUDGET_READ_VIEWS else {}
    for persona in ("dave", "bob", "erin", "frank", "petra"):
        assert as_persona(persona).get(a_url(world, name, **kwargs)).status_code == 404, persona


@pytest.mark.parametrize("name", READ_VIEWS + BUDGET_READ_VIEWS)
def test_read_views_check_role_every_association_role_reads(world, as_persona, objects, name):
    kwargs = {"budget": objects["budget"]} if name in BUDGET_READ_VIEWS else {}
    for persona in ("alice", "carol", "helena"):
        assert as_persona(persona).get(a_url(world, name, **kwargs)).status_code == 200, persona


@pytest.mark.parametrize(("name", "needs"), OFFICE_POSTS)
def test_writes_check_role_only_the_office(world, as_persona, objects, name, needs):
    kwargs = {k: objects[k] for k in needs}
    for persona in ("carol", "helena"):
        response = as_persona(persona).post(a_url(world, name, **kwargs), {"year": 2027})
        assert response.status_code == 403, persona
    for persona in ("dave", "bob"):
        response = as_persona(persona).post(a_url(world, name, **kwargs), {"year": 2027})
        assert response.status_code == 404, persona
    assert Budget.objects.count() == 1
    assert Budget.objects.filter(decided_on__isnull=False).count() == 0


def test_contributions_and_outcomes_check_role_on_post(world, as_persona, objects):
    for name in ("contributions", "outcomes", "mappings"):
        assert as_persona("carol").post(a_url(world, name, 2026), {}).status_code == 403


def test_another_associations_budget_is_404(world, as_persona, objects):
    dave = as_persona("dave")
    response = dave.post(
        reverse(
            "finance:budget_decide",
            kwargs={"association": world.b.slug, "budget": objects["budget"]},
        ),
        {"decided_on": "2026-11-19"},
    )
    assert response.status_code == 404
    assert not Budget.objects.filter(decided_on__isnull=False).exists()


# --- Behaviour -----------------------------------------------------------------------------------


def test_overview_lists_budgets_and_creates_one(world, as_persona, budget):
    alice = as_persona("alice")
    response = alice.get(a_url(world, "overview"))
    assert "Budget 2026" in response.content.decode()
    response = alice.post(a_url(world, "budget_create"), {"year": 2027})
    created = Budget.objects.get(year=2027)
    assert response["Location"] == a_url(world, "budget_detail", budget=created.public_id)
    response = alice.post(a_url(world, "budget_create"), {"year": 2027}, follow=True)
    assert "Det finns redan en budget för 2027." in response.content.decode()


def test_overview_empty_state(world, as_persona):
    assert (
        "Förbundet har ingen budget ännu."
        in as_persona("carol").get(a_url(world, "overview")).content.decode()
    )


def test_overview_query_count_is_constant(world, alice, as_persona, django_assert_max_num_queries):
    client = as_persona("carol")
    services.create_budget(alice, world.a, 2026)
    with django_assert_max_num_queries(14):
        client.get(a_url(world, "overview"))
    for year in range(2010, 2025):
        services.create_budget(alice, world.a, year)
    with django_assert_max_num_queries(14):
        client.get(a_url(world, "overview"))


def test_budget_page_adds_edits_and_decides(world, as_persona, budget, steg):
    alice = as_persona("alice")
    page = a_url(world, "budget_detail", budget=budget.public_id)
    html = alice.get(page).content.decode()
    assert "Summa kostnader" in html and "1\xa0200\xa0000\xa0kr" in html
    response = alice.post(
        a_url(world, "budget_line_add", budget=budget.public_id),
        {"category": "administration", "admin_line": "revision", "amount": "45 000"},
    )
    assert response.status_code == 302
    assert BudgetLine.objects.get(post__code="administration-revision").amount == 45_000
    line = budget.lines.get(post__code="kansli")
    alice.post(
        a_url(world, "budget_line_edit", budget=budget.public_id, line=line.public_id),
        {"amount": "250000"},
    )
    line.refresh_from_db()
    assert line.amount == 250_000
    response = alice.post(
        a_url(world, "budget_line_edit", budget=budget.public_id, line=line.public_id),
        {"amount": "-1"},
    )
    assert response.status_code == 400
    assert "Beloppet kan inte vara negativt." in response.content.decode()
    response = alice.post(
        a_url(world, "budget_decide", budget=budget.public_id), {"decided_on": "2026-11-19"}
    )
    assert response.status_code == 302
    budget.refresh_from_db()
    assert budget.decided_on == date(2026, 11, 19)
    html = alice.get(page).content.decode()
    assert "Låst" in html and "Lägg till en rad" not in html and "Skapa en ny revision" in html
    response = alice.post(
        a_url(world, "budget_line_edit", budget=budget.public_id, line=line.public_id),
        {"amount": "1"},
        follow=True,
    )
    assert "låst" in response.content.decode()
    line.refresh_from_db()
    assert line.amount == 250_000


def test_budget_line_for_another_associations_intervention_is_refused(
    world, as_persona, budget, other
):
    response = as_persona("alice").post(
        a_url(world, "budget_line_add", budget=budget.public_id),
        {"category": "individinriktade", "intervention": other.pk, "amount": "5"},
    )
    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not BudgetPost.objects.filter(intervention=other).exists()


def test_revise_and_copy(world, as_persona, alice, budget):
    services.decide_budget(alice, budget, date(2026, 11, 1))
    client = as_persona("alice")
    response = client.post(a_url(world, "budget_revise", budget=budget.public_id))
    revision = Budget.objects.get(revision=1)
    assert response["Location"] == a_url(world, "budget_detail", budget=revision.public_id)
    client.post(a_url(world, "budget_copy", budget=budget.public_id))
    assert Budget.objects.filter(year=2027, revision=0).exists()


def test_budget_page_query_count_is_constant(
    world, alice, as_persona, budget, django_assert_max_num_queries
):
    client = as_persona("alice")
    url = a_url(world, "budget_detail", budget=budget.public_id)
    with django_assert_max_num_queries(22):
        client.get(url)
    for n in range(20):
        services.add_line(alice, budget, services.LineInput("nya_insatser", f"Ny {n}", n))
    with django_assert_max_num_queries(22):
        client.get(url)


def test_budget_exports(world, as_persona, budget):
    client = as_persona("carol")
    response = client.get(a_url(world, "budget_xlsx", budget=budget.public_id))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    response = client.get(a_url(world, "budget_pdf", budget=budget.public_id))
    assert response.content.startswith(b"%PDF")


def test_contributions_page(world, as_persona, a_members):
    alice = as_persona("alice")
    url = a_url(world, "contributions", 2026)
    response = alice.post(
        url,
        {
            "total": "8 000 000",
            "kind": "population",
            "state_percent": "50",
            "region_percent": "25",
            "municipal_percent": "20",
            "population_year": "2025",
        },
    )
    assert response.status_code == 200
    assert "exakt 100 %; nu är summan 95 %" in response.content.decode()
    assert not ContributionKey.objects.exists()
    response = alice.post(
        url,
        {
            "total": "8 000 000",
            "kind": "population",
            "state_percent": "50",
            "region_percent": "25",
            "municipal_percent": "25",
            "population_year": "2025",
        },
    )
    assert response.status_code == 302
    html = as_persona("carol").get(url).content.decode()
    assert "1\xa0311\xa0828\xa0kr" in html and "8\xa0000\xa0000\xa0kr" in html


def test_outcomes_entry_and_grid(world, alice, as_persona, budget, django_assert_max_num_queries):
    client = as_persona("alice")
    post = BudgetPost.objects.get(code="kansli")
    url = a_url(world, "outcomes", 2026)
    response = client.post(url, {"post": post.pk, "period": "K1", "amount": "61 000"})
    assert response.status_code == 302
    assert Outcome.objects.get().months == 3
    response = client.post(url, {"post": post.pk, "period": "2", "amount": "1"})
    assert response.status_code == 400
    assert "överlappar" in response.content.decode()
    carol = as_persona("carol")
    with django_assert_max_num_queries(12):
        html = carol.get(url).content.decode()
    assert "61\xa0000" in html
    for line in budget.lines.select_related("post"):
        for month in range(4, 13):
            services.record_outcome(
                alice, world.a, services.OutcomeInput(line.post, 2026, month, 20_000)
            )
    with django_assert_max_num_queries(12):
        carol.get(url)
    with django_assert_max_num_queries(14):
        client.get(url)


def test_outcome_import_page_csv_and_sie(world, as_persona, budget):
    alice = as_persona("alice")
    url = a_url(world, "outcome_import")
    upload = SimpleUploadedFile("utfall.csv", b"kod;period;belopp\nkansli;1;20000\nokand;1;5\n")
    response = alice.post(url, {"format": "table", "year": 2026, "file": upload})
    assert response.status_code == 400
    assert "Rad 3, kolumn kod: Okänd budgetpost okand." in response.content.decode()
    assert not Outcome.objects.exists()
    upload = SimpleUploadedFile("utfall.csv", b"kod;period;belopp\nkansli;1;20000\n")
    response = alice.post(url, {"format": "table", "year": 2026, "file": upload, "dry_run": "on"})
    assert "kan importeras" in response.content.decode()
    assert not Outcome.objects.exists()
    upload = SimpleUploadedFile("utfall.csv", b"kod;period;belopp\nkansli;1;20000\n")
    response = alice.post(url, {"format": "table", "year": 2026, "file": upload})
    assert response["Location"] == a_url(world, "report", 2026)
    upload = SimpleUploadedFile("bok.se", b"#FORMAT UTF8\r\n#SIETYP 4\r\n")
    response = alice.post(url, {"format": "sie", "file": upload})
    assert "Okänd teckenkodning UTF8" in response.content.decode()


def test_report_page_shows_deviations_and_key_figures(world, alice, as_persona, budget):
    post = BudgetPost.objects.get(code="kansli")
    services.record_outcome(alice, world.a, services.OutcomeInput(post, 2026, 3, 75_000, 3))
    html = as_persona("helena").get(a_url(world, "report", 2026)).content.decode()
    assert "Budget och utfall 2026, utfall till och med månad 3" in html
    assert "15\xa0000\xa0kr" in html and "25,0\xa0%" in html
    assert "Budget per plats" in html and "48\xa0000\xa0kr" in html  # 960 000 / 20 places
    assert "Kostnad per deltagare" in html
    assert as_persona("carol").get(a_url(world, "report_pdf", 2026)).content.startswith(b"%PDF")


def test_report_query_count_is_constant(
    world, alice, as_persona, budget, django_assert_max_num_queries
):
    client = as_persona("carol")
    # The key figures per intervention read the year's packages (aggregates) as well.
    with django_assert_max_num_queries(32):
        client.get(a_url(world, "report", 2026))
    for n in range(15):
        line = services.add_line(alice, budget, services.LineInput("nya_insatser", f"Ny {n}", 1000))
        services.record_outcome(alice, world.a, services.OutcomeInput(line.post, 2026, 1, 10))
    with django_assert_max_num_queries(32):
        client.get(a_url(world, "report", 2026))


def test_mappings_page(world, as_persona, alice, budget, django_assert_max_num_queries):
    client = as_persona("alice")
    post = BudgetPost.objects.get(code="kansli")
    response = client.post(a_url(world, "mappings"), {"account": "70x", "post": post.pk})
    assert "Ett kontonummer består av siffror" in response.content.decode()
    client.post(a_url(world, "mappings"), {"account": "7010", "post": post.pk})
    mapping = AccountMapping.objects.get()
    with django_assert_max_num_queries(14):
        client.get(a_url(world, "mappings"))
    for n in range(30):
        services.save_mapping(alice, world.a, str(5000 + n), post)
    with django_assert_max_num_queries(14):
        client.get(a_url(world, "mappings"))
    client.post(a_url(world, "mapping_delete", mapping=mapping.public_id))
    assert not AccountMapping.objects.filter(account="7010").exists()


def test_equity_page_opening_tiers_and_warning(world, as_persona, budget):
    client = as_persona("alice")
    client.post(a_url(world, "equity_opening"), {"ar": 2026, "opening": "2 000 000"})
    assert EquityYear.objects.get().opening == 2_000_000
    response = client.post(
        a_url(world, "tier_add"),
        {
            "ar": 2026,
            "lower": "0",
            "upper": "",
            "first_amount": "1000000",
            "first_percent": "10",
            "above_percent": "5",
        },
    )
    assert response.status_code == 302
    tier = CeilingTier.objects.get()
    html = client.get(a_url(world, "equity", 2026)).content.decode()
    # Contributions 1 200 000 → ceiling 100 000 + 10 000; closing 2 000 000 + 0 → warning.
    assert "110\xa0000\xa0kr" in html
    assert "Varning: eget kapital vid årets slut" in html
    client.post(a_url(world, "tier_delete", tier=tier.public_id))
    assert not CeilingTier.objects.exists()


def test_year_import_page_reports_differences(world, as_persona, steg, a_members):
    from stegvis.finance.tests.test_imports import YEAR_CSV

    client = as_persona("alice")
    upload = SimpleUploadedFile("ar.csv", YEAR_CSV.encode())
    response = client.post(a_url(world, "year_import"), {"file": upload, "dry_run": "on"})
    html = response.content.decode()
    assert "Rad 7: summan kostnader är 7300000 kr i filen" in html
    assert "4 budgetrader och 1 utfall kan importeras" in html
    assert not Budget.objects.exists()
    upload = SimpleUploadedFile("ar.csv", YEAR_CSV.encode())
    response = client.post(a_url(world, "year_import"), {"file": upload})
    assert response.status_code == 302
    assert BudgetLine.objects.count() == 4


def test_plan_contributions_and_equity_query_counts_are_constant(
    world, alice, as_persona, budget, a_members, django_assert_max_num_queries
):
    services.save_contribution_key(
        alice, world.a, services.KeyInput(year=2026, total=8_000_000, population_year=2025)
    )
    client = as_persona("alice")
    pages = [a_url(world, name, 2026) for name in ("plan", "contributions", "equity")]

    def measure() -> list[int]:
        counts = []
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(page).status_code == 200
            counts.append(len(queries))
        return counts

    before = measure()
    copy = services.copy_forward(alice, budget)
    for n in range(10):
        services.add_line(alice, copy, services.LineInput("nya_insatser", f"Plan {n}", n))
    for lower in range(0, 10):
        services.add_tier(
            alice,
            world.a,
            services.TierInput(
                2026, 20_000_000 + lower * 1000, 20_000_000 + lower * 1000 + 999, 1, 1, 1
            ),
        )
    assert measure() == before


def test_plan_page_shows_three_years_side_by_side(world, alice, as_persona, budget):
    services.decide_budget(alice, budget, date(2026, 11, 1))
    services.copy_forward(alice, budget)
    html = as_persona("carol").get(a_url(world, "plan", 2026)).content.decode()
    assert "Flerårsplan 2026–2028" in html
    assert html.count("1\xa0200\xa0000\xa0kr") >= 2  # member contributions in 2026 and 2027
    assert "ingen budget" in html  # 2028


STATE = {
    "national_amount": "440 000 000",
    "associations": "80",
    "base_amount": "1 000 000",
    "income_support": "4000",
    "national_income_support": "400000",
    "population": "30000",
    "national_population": "6000000",
    "previous_allocation": "5 000 000",
    "max_decrease_percent": "10",
}


def test_state_estimate_page(world, as_persona):
    from stegvis.finance.models import StateEstimate

    client = as_persona("alice")
    url = a_url(world, "state_estimate", 2027)
    assert "Inga parametrar är inlagda för 2027." in client.get(url).content.decode()
    response = client.post(url, {**STATE, "income_support": "500000"})
    assert response.status_code == 400
    assert "Förbundets del kan inte vara större än hela landets." in response.content.decode()
    assert not StateEstimate.objects.exists()
    assert client.post(url, STATE).status_code == 302
    html = as_persona("carol").get(url).content.decode()
    assert "4\xa0500\xa0000\xa0kr" in html and "9\xa0000\xa0000\xa0kr" in html


def test_state_estimate_checks_owner_and_role(world, as_persona):
    url = a_url(world, "state_estimate", 2027)
    assert as_persona("dave").get(url).status_code == 404
    assert as_persona("bob").get(url).status_code == 404
    assert as_persona("helena").get(url).status_code == 200
    assert as_persona("carol").post(url, STATE).status_code == 403


def test_year_template_reads_back_as_a_valid_file(world, as_persona, steg):
    from stegvis.finance import imports

    content = as_persona("alice").get(a_url(world, "year_template")).content
    plan = imports.read_year_file(world.a, content, "ar-mall.csv")
    assert not plan.problems, plan.problems.messages
    assert plan.differences == []
    assert (len(plan.lines), len(plan.outcomes), plan.total) == (3, 1, 8_000_000)


def test_year_export_has_the_budget_and_outcomes(world, alice, as_persona, budget):
    import io

    from openpyxl import load_workbook

    post = BudgetPost.objects.get(code="kansli")
    services.record_outcome(alice, world.a, services.OutcomeInput(post, 2026, 6, 1234, 3))
    content = as_persona("helena").get(a_url(world, "year_export", 2026)).content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert (2026, "utfall", "kansli", "", "", "", "K2", 1234, "") in [
        tuple("" if v is None else v for v in r) for r in rows
    ]
    assert any(r[1] == "summa" and r[2] == "kostnader" and r[7] == 1_200_000 for r in rows)


def test_percentages_are_typed_and_shown_with_a_decimal_comma(world, as_persona, a_members):
    client = as_persona("alice")
    url = a_url(world, "contributions", 2026)
    data = {
        "total": "1 000",
        "kind": "population",
        "state_percent": "50",
        "region_percent": "24,5",
        "municipal_percent": "25,5",
        "population_year": "2025",
    }
    assert client.post(url, data).status_code == 302
    assert ContributionKey.objects.get().region_percent == Decimal("24.5")
    assert 'value="24,50"' in client.get(url).content.decode()


def test_the_preparatory_group_reads_but_does_not_write(world, objects):
    from django.test import Client

    from stegvis.core.models import Role, RoleAssignment
    from stegvis.core.tests.factories import UserFactory
    from stegvis.core.tests.personas import act_as

    user = UserFactory(email="gustav@test.example", full_name="Gustav")
    world.users["gustav"] = user
    world.roles["gustav"] = RoleAssignment.objects.create(
        user=user, role=Role.PREPARATORY, association=world.a
    )
    client = act_as(Client(), world, "gustav")
    assert client.get(a_url(world, "report", 2026)).status_code == 200
    assert client.get(a_url(world, "budget_detail", budget=objects["budget"])).status_code == 200
    response = client.post(a_url(world, "budget_decide", budget=objects["budget"]))
    assert response.status_code == 403
