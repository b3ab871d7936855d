"""The pages of Lex Heller reports, through the test client as the personas."""

from __future__ import annotations

import io
import re
import zlib
from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from stegvis.core.actors import Actor
from stegvis.core.models import AuditEvent, Invitation, Role, RoleAssignment
from stegvis.core.tests.factories import UserFactory
from stegvis.core.tests.personas import act_as
from stegvis.deviations import services
from stegvis.deviations.models import DeviationAdministrator, DeviationReport
from stegvis.deviations.tests.conftest import BASE, category
from stegvis.participants.tests.conftest import national_id

State = DeviationReport.State


def a_url(world, name, **kwargs):
    return reverse(f"deviations:association_{name}", kwargs={"association": world.a.slug, **kwargs})


def p_url(world, name, **kwargs):
    return reverse(f"deviations:provider_{name}", kwargs={"provider": world.p.public_id, **kwargs})


def r_url(world, name, **kwargs):
    return reverse(f"deviations:unit_{name}", kwargs={"unit": world.fk_unit.public_id, **kwargs})


def rep_url(world, name, **kwargs):
    return reverse(f"deviations:reporter_{name}", kwargs={"association": world.a.slug, **kwargs})


def form_data(world, fk, **overrides):
    data = {
        "event_date": "2026-01-05",
        "organisations": [fk.pk],
        "category": category(world.a, "Kontakt och tillgänglighet").pk,
        "what_happened": "Personen skickades mellan två myndigheter i tre månader.",
        "consequence": "",
        "proposed_solution": "",
    }
    data.update(overrides)
    return data


# --- Filing ---------------------------------------------------------------------------------


def test_reporter_list_is_empty_at_first(as_persona, world):
    response = as_persona("bob").get(p_url(world, "list"))
    assert response.status_code == 200
    assert "Du har inte skickat några rapporter ännu." in response.content.decode()


def test_a_coach_files_a_report(as_persona, world, fk, handled_by_alice):
    client = as_persona("bob")
    page = client.get(p_url(world, "new")).content.decode()
    assert "Skriv aldrig namn, personnummer, telefonnummer eller e-postadresser." in page
    assert "Din organisation" not in page  # from the role
    response = client.post(
        p_url(world, "new"),
        form_data(world, fk, what_happened=f"Sara {national_id('19900315', '123')} fick avslag."),
    )
    assert response.status_code == 200
    assert (
        response.context["form"]
        .errors["what_happened"][0]
        .startswith("”Vad hände” innehåller något som ser ut som ett personnummer")
    )
    assert not DeviationReport.objects.exists()
    response = client.post(p_url(world, "new"), form_data(world, fk))
    report = DeviationReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == p_url(world, "detail", report=report.public_id)
    assert report.reported_by == world["bob"]
    assert len(mail.outbox) == 1
    page = client.get(response["Location"]).content.decode()
    assert "Tack! Rapporten är mottagen som nummer 1." in page
    assert "Mottagen" in page and "Ingen återkoppling ännu" in page


def test_bad_input_on_the_form(as_persona, world, fk):
    response = as_persona("bob").post(
        p_url(world, "new"),
        form_data(world, fk, event_date="2099-01-01", what_happened="", organisations=[]),
    )
    errors = response.context["form"].errors
    assert errors["event_date"] == ["Datumet för händelsen kan inte ligga i framtiden."]
    assert errors["what_happened"] == ["Beskriv vad som hände."]
    assert errors["organisations"] == ["Välj minst en organisation som var inblandad."]


def test_a_referrer_chooses_the_association(as_persona, world, fk):
    client = as_persona("frank")
    page = client.get(r_url(world, "new")).content.decode()
    assert "Förbund A" in page and "Förbund B" in page
    assert "form" not in client.get(r_url(world, "new")).context
    response = client.get(r_url(world, "new") + "?forbund=forbund-b")
    assert response.context["association"] == world.b
    response = client.get(r_url(world, "new") + "?forbund=okant")
    assert "Din organisation är inte medlem i det förbundet." in response.content.decode()
    response = client.post(r_url(world, "new"), {**form_data(world, fk), "forbund": "forbund-a"})
    assert response.status_code == 302
    assert DeviationReport.objects.get().association == world.a


def test_a_coach_cannot_pick_an_association_their_organisation_is_not_in(as_persona, world, fk):
    response = as_persona("bob").post(
        p_url(world, "new"), {**form_data(world, fk), "forbund": "forbund-b"}
    )
    assert response.status_code == 200
    assert "form" not in response.context  # back to the choice, with the refusal
    assert not DeviationReport.objects.exists()


def test_an_invited_reporter_files_and_names_their_organisation(as_persona, world, fk, krokom):
    client = as_persona("rita")
    assert client.get(reverse("core:home"))["Location"] == rep_url(world, "list")
    response = client.post(
        rep_url(world, "new"), form_data(world, fk, reporter_organisation=krokom.pk)
    )
    assert response.status_code == 302
    assert DeviationReport.objects.get().reporter_organisation == krokom


def test_the_reporter_sees_state_and_feedback_but_not_comments_or_handlers(
    as_persona, world, A, file, krokom, handled_by_alice
):
    report = file("bob")
    services.review(A["alice"], report, note="Intern anteckning")
    services.add_comment(A["alice"], report, text="Intern kommentar")
    services.take_to_group(A["alice"], report)
    services.decide(
        A["alice"], report, action="Rutin.", organisation=krokom, decided_on=report.received_on
    )
    services.give_feedback(
        A["alice"], report, feedback="Parterna tar fram en rutin.", base_url=BASE
    )
    page = as_persona("bob").get(p_url(world, "detail", report=report.public_id)).content.decode()
    assert "Återkoppling given" in page
    assert "Parterna tar fram en rutin." in page
    for secret in ("Intern anteckning", "Intern kommentar", "Alice"):
        assert secret not in page


def test_the_reporter_completes_a_report_sent_back(
    as_persona, world, A, file, fk, handled_by_alice
):
    report = file("bob")
    services.send_back(A["alice"], report, message="Vilka myndigheter?", base_url=BASE)
    client = as_persona("bob")
    page = client.get(p_url(world, "detail", report=report.public_id)).content.decode()
    assert "Vilka myndigheter?" in page
    url = p_url(world, "supplement", report=report.public_id)
    assert client.get(url).context["form"].initial["what_happened"] == report.what_happened
    response = client.post(url, form_data(world, fk, what_happened="FK och kommunen."))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.what_happened) == (State.RECEIVED, "FK och kommunen.")
    # Not sent back any more: the page refuses kindly.
    response = client.get(url)
    assert response.status_code == 302


def test_reporter_list_query_count_is_constant(
    as_persona, world, file, django_assert_max_num_queries
):
    client = as_persona("bob")
    file("bob")
    with django_assert_max_num_queries(12):
        client.get(p_url(world, "list"))
    for _ in range(5):
        file("bob")
    with django_assert_max_num_queries(12):
        response = client.get(p_url(world, "list"))
    assert len(response.context["page"].object_list) == 6


# --- Owner and role, per page -----------------------------------------------------------------

REPORTER_PAGES = ["list", "new", "detail", "supplement"]


@pytest.mark.parametrize("name", REPORTER_PAGES)
def test_reporter_pages_check_owner(as_persona, world, file, name):
    report = file("bob")
    kwargs = {"report": report.public_id} if name in {"detail", "supplement"} else {}
    # erin works at Q, not P: P's pages do not exist for her.
    assert as_persona("erin").get(p_url(world, name, **kwargs)).status_code == 404
    # dave is not at A: the reporter's pages of A do not exist for him.
    assert as_persona("dave").get(rep_url(world, name, **kwargs)).status_code == 404


@pytest.mark.parametrize("name", REPORTER_PAGES)
def test_reporter_pages_check_role(as_persona, world, file, name):
    report = file("rita")
    kwargs = {"report": report.public_id} if name in {"detail", "supplement"} else {}
    # The office is at A, but the reporter's own pages are the reporter's.
    assert as_persona("alice").get(rep_url(world, name, **kwargs)).status_code == 403


def test_a_colleague_does_not_see_anothers_report(as_persona, world, file):
    report = file("bob")
    url = p_url(world, "detail", report=report.public_id)
    assert as_persona("petra").get(url).status_code == 404
    assert as_persona("bob").get(url).status_code == 200


ASSOCIATION_PAGES = [
    "list",
    "compilation",
    "compilation_pdf",
    "compilation_xlsx",
    "administrators",
    "categories",
]


@pytest.mark.parametrize("name", ASSOCIATION_PAGES)
def test_association_pages_check_owner(as_persona, world, name):
    assert as_persona("dave").get(a_url(world, name)).status_code == 404
    assert as_persona("bob").get(a_url(world, name)).status_code == 404


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("list", ["carol", "helena", "rita"]),
        ("compilation", ["rita"]),
        ("compilation_pdf", ["rita"]),
        ("compilation_xlsx", ["rita"]),
        ("administrators", ["carol", "helena", "rita"]),
        ("categories", ["carol", "helena", "rita"]),
    ],
)
def test_association_pages_check_role(as_persona, world, name, refused):
    for persona in refused:
        assert as_persona(persona).get(a_url(world, name)).status_code == 403, persona


STEPS = ["review", "return", "merge", "take", "decide", "feedback", "close", "comment"]


@pytest.mark.parametrize("name", ["detail", *STEPS])
def test_report_pages_check_owner(as_persona, world, file, handled_by_alice, name):
    report = file("bob")
    url = a_url(world, name, report=report.public_id)
    assert as_persona("dave").post(url).status_code == 404
    # A's report in B's URL: as if it did not exist.
    services.appoint_administrator(_actor(world, "dave"), world["dave"])
    other = reverse(
        f"deviations:association_{name}",
        kwargs={"association": world.b.slug, "report": report.public_id},
    )
    assert as_persona("dave").post(other).status_code == 404


@pytest.mark.parametrize("name", ["detail", *STEPS])
def test_report_pages_check_role(as_persona, world, file, name):
    report = file("bob")
    url = a_url(world, name, report=report.public_id)
    # Board and auditor never see single reports; the reporter has their own pages.
    for persona in ("carol", "helena"):
        assert as_persona(persona).post(url).status_code == 404, persona
    assert as_persona("rita").post(url).status_code == 403
    if name not in {"detail", "comment"}:
        # The office reads every report but handles only when appointed.
        assert as_persona("alice").post(url).status_code == 403


def _actor(world, persona):
    return Actor(user=world[persona], assignment=world.roles[persona])


# --- Handling through the pages ---------------------------------------------------------------


def test_an_administrator_handles_a_report(as_persona, world, file, krokom, handled_by_alice):
    report = file("bob")
    client = as_persona("alice")
    page = client.get(a_url(world, "detail", report=report.public_id)).content.decode()
    assert "Markera som granskad" in page and "Bob" in page  # the reporter's name, for handlers
    response = client.post(a_url(world, "take", report=report.public_id), {})
    assert response.status_code == 400
    assert "kan inte tas till beredningsgruppen nu" in response.content.decode()
    client.post(a_url(world, "review", report=report.public_id), {"review-note": "Tydlig."})
    client.post(a_url(world, "take", report=report.public_id), {"take-note": ""})
    response = client.post(
        a_url(world, "decide", report=report.public_id),
        {"decide-action": "", "decide-organisation": krokom.pk, "decide-decided_on": "2099-01-01"},
    )
    assert response.status_code == 400
    form = response.context["forms"]["decide"]
    assert form.errors["action"] == ["Beskriv den beslutade åtgärden."]
    response = client.post(
        a_url(world, "decide", report=report.public_id),
        {
            "decide-action": "Gemensam rutin.",
            "decide-organisation": krokom.pk,
            "decide-decided_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    client.post(a_url(world, "feedback", report=report.public_id), {"feedback-feedback": "Tack!"})
    client.post(a_url(world, "close", report=report.public_id), {"close-note": ""})
    report.refresh_from_db()
    assert report.state == State.CLOSED
    assert report.steps.count() == 6


def test_merge_and_send_back_through_the_page(as_persona, world, file, handled_by_alice):
    first, second, third = file("bob"), file("frank"), file("bob")
    client = as_persona("alice")
    response = client.post(
        a_url(world, "merge", report=second.public_id), {"merge-into": first.pk, "merge-note": ""}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.merged_into == first
    response = client.post(a_url(world, "return", report=third.public_id), {"return-message": ""})
    assert response.context["forms"]["return"].errors["message"] == [
        "Skriv vad rapportören behöver komplettera."
    ]
    client.post(a_url(world, "return", report=third.public_id), {"return-message": "Mer, tack."})
    third.refresh_from_db()
    assert third.state == State.RETURNED


def test_the_preparatory_group_sees_and_comments_on_what_is_taken_to_it(
    world, A, file, handled_by_alice, client
):
    user = UserFactory(email="gustav@test.example", full_name="Gustav")
    world.users["gustav"] = user
    world.roles["gustav"] = RoleAssignment.objects.create(
        user=user, role=Role.PREPARATORY, association=world.a
    )
    waiting, taken = file("bob"), file("bob")
    services.review(A["alice"], taken)
    services.take_to_group(A["alice"], taken)
    gustav = act_as(client, world, "gustav")
    listed = gustav.get(a_url(world, "list")).context["page"].object_list
    assert list(listed) == [taken]
    assert gustav.get(a_url(world, "detail", report=waiting.public_id)).status_code == 404
    page = gustav.get(a_url(world, "detail", report=taken.public_id)).content.decode()
    assert "Bob" not in page  # the group sees situations, not who reported them
    assert "Markera som granskad" not in page
    response = gustav.post(
        a_url(world, "comment", report=taken.public_id), {"comment-text": "Mönster i länet."}
    )
    assert response.status_code == 302
    assert taken.comments.get().text == "Mönster i länet."
    assert gustav.post(a_url(world, "review", report=taken.public_id)).status_code == 403


def test_association_list_filters_by_state_and_counts_queries(
    as_persona, world, file, handled_by_alice, django_assert_max_num_queries
):
    client = as_persona("alice")
    file("bob")
    with django_assert_max_num_queries(14):
        client.get(a_url(world, "list"))
    for _ in range(5):
        file("frank")
    with django_assert_max_num_queries(14):
        response = client.get(a_url(world, "list"))
    assert len(response.context["page"].object_list) == 6
    response = client.get(a_url(world, "list") + "?status=closed")
    assert "Inga rapporter med den statusen." in response.content.decode()


def test_the_office_appoints_and_ends_administrators(as_persona, world):
    client = as_persona("alice")
    response = client.post(a_url(world, "administrators"), {"user": world["carol"].pk})
    assert response.status_code == 302
    appointed = DeviationAdministrator.objects.get()
    assert appointed.user == world["carol"]
    response = client.post(a_url(world, "administrators"), {"user": world["bob"].pk})
    assert response.context["form"].errors["user"] == ["Välj en av förbundets användare i listan."]
    client.post(a_url(world, "administrator_end", administrator=appointed.public_id))
    appointed.refresh_from_db()
    assert appointed.ended_at is not None
    assert AuditEvent.objects.filter(action__startswith="deviation.administrator").count() == 2


def test_the_office_edits_the_categories(as_persona, world):
    client = as_persona("alice")
    client.post(a_url(world, "categories"), {"name": "Bostad"})
    bostad = category(world.a, "Bostad")
    response = client.post(a_url(world, "categories"), {"name": "bostad"})
    assert response.context["form"].errors["name"] == [
        "Det finns redan en kategori med det namnet."
    ]
    url = a_url(world, "category_edit", category=bostad.public_id)
    assert client.post(url, {"name": "Boende"}).status_code == 302
    bostad.refresh_from_db()
    assert (bostad.name, bostad.active) == ("Boende", False)


# --- The compilation ------------------------------------------------------------------------


@pytest.fixture
def some_reports(world, A, file, krokom, handled_by_alice):
    reports = [file("bob"), file("frank"), file("bob", category=category(world.a, "Övrigt"))]
    services.review(A["alice"], reports[0])
    services.take_to_group(A["alice"], reports[0])
    services.decide(
        A["alice"],
        reports[0],
        action="Ny rutin.",
        organisation=krokom,
        decided_on=timezone.localdate(),
    )
    return reports


def test_the_compilation_page_has_the_figures_the_chart_and_its_table(
    as_persona, world, some_reports
):
    response = as_persona("carol").get(a_url(world, "compilation"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    assert "Stapeldiagram: antal mottagna rapporter per månad och kategori" in page
    assert "Mottagna rapporter per månad och kategori" in page  # the table beside it
    assert "Ny rutin." in page
    assert response.context["c"].total == 3
    assert "Personen skickades" not in page  # no situation text in the compilation


def test_the_compilation_period_is_validated(as_persona, world):
    response = as_persona("alice").get(
        a_url(world, "compilation") + "?fran=2026-05-01&till=2026-04-01"
    )
    assert response.context["form"].errors["till"] == ["Slutdatum kan inte vara före startdatum."]
    assert response.context["c"].start == date(timezone.localdate().year, 1, 1)


def test_the_compilation_as_pdf(as_persona, world, some_reports):
    response = as_persona("alice").get(
        a_url(world, "compilation_pdf") + "?fran=2026-01-01&till=2026-12-31"
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="lex-heller-2026-01-01-2026-12-31.pdf"' in response["Content-Disposition"]
    # The headings of the page's own template are the PDF's bookmarks.
    streams = re.findall(rb"stream\r?\n(.*?)endstream", response.content, re.S)
    inflated = b"".join(_inflate(s) for s in streams)
    for heading in (b"(Dagar till beslut)", b"(Rapporter och beslut)"):
        assert heading in inflated


def _inflate(stream: bytes) -> bytes:
    try:
        return zlib.decompress(stream)
    except zlib.error:
        return b""


def test_the_compilation_as_xlsx(as_persona, world, some_reports):
    response = as_persona("alice").get(
        a_url(world, "compilation_xlsx") + "?fran=2026-01-01&till=2026-12-31"
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Sammanställning", "Rapporter"]
    summary = {row[0]: row[1] for row in book["Sammanställning"].iter_rows(values_only=True) if row}
    assert summary["Antal rapporter"] == 3
    assert summary["Kontakt och tillgänglighet"] == 2
    assert summary["Rapporter med beslut"] == 1
    rows = list(book["Rapporter"].iter_rows(values_only=True))
    assert rows[0][0] == "Nummer"
    assert [r[0] for r in rows[1:]] == [1, 2, 3]
    assert rows[1][7] == "Ny rutin."


def test_the_compilation_page_query_count_is_constant(
    as_persona, world, some_reports, file, django_assert_max_num_queries
):
    client = as_persona("alice")
    with django_assert_max_num_queries(20):
        client.get(a_url(world, "compilation"))
    for _ in range(5):
        file("bob", organisations=list(some_reports[0].organisations.all()))
    with django_assert_max_num_queries(20):
        response = client.get(a_url(world, "compilation"))
    assert response.context["c"].total == 8


# --- The invited reporter, and English ------------------------------------------------------


def test_the_office_invites_a_reporter_who_lands_on_their_reports(as_persona, world, client):
    response = as_persona("alice").post(
        reverse("core:association_invite", kwargs={"association": world.a.slug}),
        {"full_name": "Rut Rapportör", "email": "rut@test.example", "role": "reporter"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="rut@test.example")
    assert (invitation.role, invitation.association) == (Role.REPORTER, world.a)
    token = mail.outbox[-1].body.split("/inbjudan/")[1].split("/")[0]
    response = client.post(
        reverse("core:accept_invitation", kwargs={"token": token}),
        {
            "full_name": "Rut",
            "password1": "ett-langt-losenord-2026",
            "password2": "ett-langt-losenord-2026",
        },
    )
    assert response["Location"] == rep_url(world, "list")
    page = client.get(response["Location"]).content.decode()
    assert "Mina Lex Heller-rapporter" in page
    # No other page of the association opens for a reporter.
    assert client.get(world.a.get_absolute_url()).status_code == 403
    assert client.get(a_url(world, "compilation")).status_code == 403


def test_the_reporter_pages_in_english(as_persona, world):
    client = as_persona("bob")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(p_url(world, "new")).content.decode()
    assert "New Lex Heller report" in page
    assert "Never write names, personal identity numbers" in page


@pytest.mark.parametrize("name", ["administrators", "categories"])
def test_setup_lists_take_a_constant_number_of_queries(
    as_persona, world, A, name, django_assert_max_num_queries
):
    client = as_persona("alice")
    with django_assert_max_num_queries(12):
        client.get(a_url(world, name))
    for index in range(5):
        user = UserFactory()
        RoleAssignment.objects.create(user=user, role=Role.BOARD, association=world.a)
        services.appoint_administrator(A["alice"], user)
        services.add_category(A["alice"], name=f"Kategori {index}")
    with django_assert_max_num_queries(12):
        client.get(a_url(world, name))
