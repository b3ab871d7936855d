"""Report pages through the test client: who sees what, downloads, and query counts."""

from __future__ import annotations

import re

from django.urls import reverse

from stegvis.core.models import AuditEvent
from stegvis.core.tests.readers import pdf_text, xlsx_sheets
from stegvis.reports.association import association_report
from stegvis.reports.models import SocioEconomicModel
from stegvis.reports.periods import period_range

from .conftest import receive, tables


def _url(world, name: str = "association", association=None) -> str:
    return reverse(f"reports:{name}", kwargs={"association": (association or world.a).slug})


def _provider_url(world) -> str:
    return reverse("reports:provider", kwargs={"provider": world.p.public_id})


def _cells(html: str, caption: str) -> list[list[str]]:
    """The rows of the table with ``caption`` as text cells (label first)."""
    table = html.split(f"<caption>{caption}</caption>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", c).replace("\xa0", " ").strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in rows
    ]


def test_the_office_sees_exact_figures(world, received, as_persona):
    response = as_persona("alice").get(_url(world), {"fran": "2026Q1", "till": "2026Q2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Rapport 2026H1</h1>" in html
    rows = _cells(html, "Avslutade deltagare per insats")
    assert ["Gemensam väg", "2", "3", "0", "5"] in rows
    assert AuditEvent.objects.filter(action="reports.association_report").exists()


def test_the_board_sees_only_the_suppressed_version(world, received, as_persona):
    html = as_persona("carol").get(_url(world), {"fran": "2026H1"}).content.decode()
    assert ["Gemensam väg", "&lt;5", "&lt;5", "0", "5"] in _cells(
        html, "Avslutade deltagare per insats"
    )
    assert "Avidentifierad version" in html
    assert "Frågor om våld: andel tillfrågade" not in html
    # and every download of the board is the suppressed one too
    csv = as_persona("carol").get(_url(world), {"fran": "2026H1", "format": "csv"}).content
    assert "Gemensam väg;<5;<5;0;5" in csv.decode("utf-8-sig")


def test_it_checks_owner(world, received, as_persona):
    assert as_persona("dave").get(_url(world), {"fran": "2026"}).status_code == 404
    assert as_persona("dave").get(_url(world, "goals")).status_code == 404
    assert as_persona("erin").get(_provider_url(world)).status_code == 404


def test_it_checks_role(world, as_persona):
    assert as_persona("carol").get(_url(world, "goals")).status_code == 403
    assert as_persona("carol").get(_url(world, "socioeconomic")).status_code == 403
    assert as_persona("bob").get(_provider_url(world)).status_code == 403
    assert as_persona("rita").get(_url(world)).status_code == 403


def test_each_table_and_the_report_download_as_csv_and_xlsx(world, received, as_persona):
    client = as_persona("alice")
    query = {"fran": "2026H1", "format": "csv", "tabell": "avslutade"}
    response = client.get(_url(world), query)
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        ";Kvinnor;Män;Annat / ej angivet;Totalt",
        "Gemensam väg;2;3;0;5",
        "Totalt;2;3;0;5",
    ]
    assert client.get(_url(world), {**query, "tabell": "nej"}).status_code == 404
    book = client.get(_url(world), {"fran": "2026H1", "format": "xlsx"})
    assert book["Content-Disposition"].endswith('.xlsx"')


def test_pdf_and_xlsx_show_the_page_figures(world, received, as_persona):
    client = as_persona("alice")
    page = client.get(_url(world), {"fran": "2026H1"}).content.decode()
    shown = _cells(page, "Deltagare under perioden per insats")
    assert shown[1] == ["Gemensam väg", "6", "14", "0", "20"]
    text = pdf_text(client.get(_url(world), {"fran": "2026H1", "format": "pdf"}).content)
    assert "Deltagare under perioden per insats" in text
    line = next(row for row in text.splitlines() if row.strip().startswith("Gemensam väg"))
    assert line.split()[-4:] == shown[1][1:]
    sheets = xlsx_sheets(client.get(_url(world), {"fran": "2026H1", "format": "xlsx"}).content)
    by_title = {sheet[0][0]: sheet for sheet in sheets}
    # Every table of counts on the page, row by row, equals its sheet in the workbook.
    report = association_report(world.a, period_range("2026H1"))
    counted = [t for t in report.tables() if t.has_totals]
    assert len(counted) > 15
    for table in counted:
        on_page = _cells(page, table.title)
        in_book = [[cell for cell in row if cell != ""] for row in by_title[table.title][2:]]
        assert on_page[1:] == in_book, table.title


def test_board_pdf_is_suppressed(world, received, as_persona):
    content = as_persona("carol").get(_url(world), {"fran": "2026H1", "format": "pdf"}).content
    text = pdf_text(content).split("Avslutade deltagare per insats", 1)[1]
    line = next(row for row in text.splitlines() if row.strip().startswith("Gemensam väg"))
    assert line.split()[-4:] == ["<5", "<5", "0", "5"]


def test_bad_periods_are_explained_on_the_page(world, as_persona):
    response = as_persona("alice").get(_url(world), {"fran": "2026Q5"})
    assert response.status_code == 200
    assert "Okänd period 2026Q5" in response.content.decode()
    response = as_persona("alice").get(_url(world), {"fran": "2026Q3", "till": "2026Q1"})
    assert "ligger före början" in response.content.decode()


def test_an_empty_period_says_so(world, gemensam, as_persona):
    html = as_persona("alice").get(_url(world), {"fran": "2024"}).content.decode()
    assert "Inga mottagna paket för perioden 2024" in html


def test_the_report_query_count_does_not_grow_with_packages(
    world, gemensam, as_persona, django_assert_max_num_queries
):
    client = as_persona("alice")
    receive(world, gemensam, "2026Q1", tables((3, 8), (2, 4), {"arbete": (1, 2)}))
    with django_assert_max_num_queries(40):
        client.get(_url(world), {"fran": "2026"})
    for q in ("2026Q2", "2026Q3"):
        receive(world, gemensam, q, tables((5, 9), (2, 4), {"arbete": (1, 2)}))
    with django_assert_max_num_queries(40):
        client.get(_url(world), {"fran": "2026"})


def test_the_provider_report_query_count_does_not_grow_with_participants(
    world, example, gemensam, ladder, as_persona, django_assert_max_num_queries
):
    from .conftest import PEOPLE, enrol

    client = as_persona("petra")
    with django_assert_max_num_queries(40):
        response = client.get(_provider_url(world), {"fran": "2026Q3"})
    assert ["Gemensam väg", "3", "4", "1", "8"] in _cells(
        response.content.decode(), "Deltagare under perioden per insats"
    )
    for key in ("W1", "M1", "O1"):
        enrol(gemensam, PEOPLE[key], ladder)
    with django_assert_max_num_queries(40):
        response = client.get(_provider_url(world), {"fran": "2026Q3"})
    assert ["Gemensam väg", "4", "5", "2", "11"] in _cells(
        response.content.decode(), "Deltagare under perioden per insats"
    )


def test_goal_and_socioeconomic_query_counts_do_not_grow_with_packages(
    world, gemensam, as_persona, django_assert_max_num_queries
):
    client = as_persona("alice")
    receive(world, gemensam, "2026Q1", tables((3, 8), (2, 4), {"arbete": (1, 2)}))
    for more in (("2026Q2", "2026Q3"), ()):
        with django_assert_max_num_queries(40):
            client.get(_url(world, "goals"), {"fran": "2026"})
        with django_assert_max_num_queries(40):
            client.get(_url(world, "socioeconomic"), {"fran": "2026"})
        for q in more:
            receive(world, gemensam, q, tables((5, 9), (2, 4), {"arbete": (1, 2)}))


def test_the_office_saves_the_socioeconomic_model(world, as_persona):
    client = as_persona("alice")
    url = _url(world, "socioeconomic")
    data = {"support": "10000", "administration": "500", "tax": "6000", "horizon_months": "12"}
    response = client.post(url + "?fran=2026", data)
    assert response.status_code == 302
    assert SocioEconomicModel.objects.get(association=world.a).per_month == 16_500
    bad = client.post(url, {**data, "horizon_months": "0", "tax": "1"})
    assert bad.status_code == 200
    assert "error-summary" in bad.content.decode()
    assert SocioEconomicModel.objects.get(association=world.a).tax == 6_000
    page = client.get(url, {"fran": "2026"}).content.decode()
    assert "Samhällsekonomisk effekt 2026" in page
    assert "16" in page and "500" in page


def test_goal_page_downloads_pdf(world, received, as_persona):
    client = as_persona("alice")
    assert client.get(_url(world, "goals"), {"fran": "2026H1"}).status_code == 200
    response = client.get(_url(world, "goals"), {"fran": "2026H1", "format": "pdf"})
    assert "Förbundets mål" in pdf_text(response.content)


def test_only_the_office_sees_exact_figures(world):
    from stegvis.core.actors import Actor
    from stegvis.core.models import Role, RoleAssignment
    from stegvis.reports.permissions import can_read_association_report, sees_exact_figures

    from .conftest import actor_of

    preparatory = RoleAssignment.objects.create(
        user=world["carol"], role=Role.PREPARATORY, association=world.a
    )
    actors = {
        "office": actor_of(world, "alice"),
        "board": actor_of(world, "carol"),
        "preparatory": Actor(user=world["carol"], assignment=preparatory),
        "auditor": actor_of(world, "helena"),
    }
    assert {k: sees_exact_figures(a) for k, a in actors.items()} == {
        "office": True,
        "board": False,
        "preparatory": False,
        "auditor": False,
    }
    assert all(can_read_association_report(a) for a in actors.values())
    assert not can_read_association_report(actor_of(world, "rita"))


def test_the_provider_report_logs_a_download_apart_from_the_page(world, received, as_persona):
    client = as_persona("petra")
    assert client.get(_provider_url(world), {"fran": "2026Q3"}).status_code == 200
    assert client.get(_provider_url(world), {"fran": "2026Q3", "format": "csv"}).status_code == 200
    # An unknown format shows the page, and is logged as the page.
    assert client.get(_provider_url(world), {"fran": "2026Q3", "format": "x"}).status_code == 200
    reasons = list(
        AuditEvent.objects.filter(action="reports.provider_report")
        .order_by("seq")
        .values_list("reason", flat=True)
    )
    assert [r.rsplit(" ", 1)[-1] for r in reasons] == ["(sida)", "(csv)", "(sida)"]
