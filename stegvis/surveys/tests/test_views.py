"""The pages: each with its owner and role tests, its behaviour, and list query counts."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stegvis.core.models import AuditEvent
from stegvis.surveys import services, views_public
from stegvis.surveys.models import (
    Questionnaire,
    ReferenceValue,
    SurveyGoal,
    SurveyResponse,
    SurveyRound,
    ViolenceScreening,
    ViolenceTally,
)
from stegvis.surveys.tests.conftest import actor_of, enrolment, open_round
from stegvis.surveys.tests.test_results import ROWS_2026, answer

pytestmark = pytest.mark.django_db

TODAY = "2026-03-10 10:00 +01:00"


@pytest.fixture(autouse=True)
def _pinned_day():
    with time_machine.travel(TODAY, tick=False):
        yield


def a_url(world, name: str, association=None, **kwargs) -> str:
    slug = (association or world.a).slug
    return reverse(f"surveys:{name}", kwargs={"association": slug, **kwargs})


def p_url(world, name: str, **kwargs) -> str:
    return reverse(f"surveys:{name}", kwargs={"provider": world.p.public_id, **kwargs})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def objects(world, loaded, exit_round, violence_round):
    goal = SurveyGoal.objects.create(
        association=world.a,
        questionnaire=loaded["deltagare-avslut"],
        item_key="d6",
        year=2026,
        kind="share",
        target=95,
    )
    return {
        "questionnaire": loaded["deltagare-avslut"].public_id,
        "round": violence_round.public_id,
        "goal": goal.public_id,
    }


# name, the object keywords it takes, methods, whether only the office may use it
ASSOCIATION_VIEWS = [
    ("overview", [], "get", False),
    ("questionnaire_list", [], "get", False),
    ("load_samples", [], "post", True),
    ("questionnaire_detail", ["questionnaire"], "get", False),
    ("local_item_add", ["questionnaire"], "get", True),
    ("local_item_remove", ["questionnaire"], "post", True),
    ("goal_add", ["questionnaire"], "post", True),
    ("goal_delete", ["goal"], "post", True),
    ("round_create", [], "get", True),
    ("round_detail", ["round"], "get", False),
    ("round_close", ["round"], "post", True),
    ("round_paper", ["round"], "get", True),
    ("results", [], "get", False),
    ("results_xlsx", [], "get", False),
    ("results_pdf", [], "get", False),
    ("reference_values", [], "get", False),
    ("delivery", [], "get", True),
    ("violence", [], "get", False),
    ("violence_settings", [], "get", True),
    ("violence_export", [], "get", True),
]


@pytest.mark.parametrize(("name", "keys", "method", "office_only"), ASSOCIATION_VIEWS)
def test_it_checks_owner(world, as_persona, objects, name, keys, method, office_only):
    url = a_url(world, name, **{k: objects[k] for k in keys})
    for outsider in ("dave", "bob", "petra"):
        assert getattr(as_persona(outsider), method)(url).status_code == 404, outsider
    # B's office with its own association in the URL and A's object: not found either.
    if keys:
        other = a_url(world, name, association=world.b, **{k: objects[k] for k in keys})
        assert getattr(as_persona("dave"), method)(other).status_code == 404


@pytest.mark.parametrize(("name", "keys", "method", "office_only"), ASSOCIATION_VIEWS)
def test_it_checks_role(world, as_persona, objects, name, keys, method, office_only):
    url = a_url(world, name, **{k: objects[k] for k in keys})
    expected = {403} if office_only else {200, 302}
    for insider in ("carol", "helena"):
        status = getattr(as_persona(insider), method)(url).status_code
        assert status in expected, f"{insider} {url}: {status}"
    assert getattr(as_persona("alice"), method)(url).status_code in {200, 302}


PROVIDER_VIEWS = [
    ("provider_surveys", [], "get"),
    ("screening_overview", [], "get"),
    ("screening_record", ["enrolment"], "get"),
    ("provider_paper", ["round"], "get"),
]


@pytest.fixture
def p_objects(world, steg, violence_round):
    return {"enrolment": enrolment(steg).public_id, "round": violence_round.public_id}


@pytest.mark.parametrize(("name", "keys", "method"), PROVIDER_VIEWS)
def test_provider_pages_check_owner(world, as_persona, p_objects, name, keys, method):
    url = p_url(world, name, **{k: p_objects[k] for k in keys})
    for outsider in ("erin", "alice", "frank"):
        assert getattr(as_persona(outsider), method)(url).status_code == 404, outsider


@pytest.mark.parametrize(("name", "keys", "method"), PROVIDER_VIEWS)
def test_provider_pages_check_role(world, as_persona, p_objects, name, keys, method):
    url = p_url(world, name, **{k: p_objects[k] for k in keys})
    # Both provider roles work here; the coach only in the interventions assigned to them.
    for insider in ("bob", "petra"):
        assert getattr(as_persona(insider), method)(url).status_code == 200, insider


def test_a_coach_sees_nothing_of_interventions_not_assigned_to_them(world, as_persona, loaded):
    from stegvis.interventions.tests.factories import InterventionFactory

    other = InterventionFactory(provider=world.p, lead_association=world.a, coaches=[])
    survey_round = open_round(world, loaded["vald"], [other])
    row = enrolment(other)
    bob = as_persona("bob")
    assert bob.get(p_url(world, "provider_paper", round=survey_round.public_id)).status_code == 404
    assert bob.get(p_url(world, "screening_record", enrolment=row.public_id)).status_code == 404
    assert (
        as_persona("petra")
        .get(p_url(world, "screening_record", enrolment=row.public_id))
        .status_code
        == 200
    )


# --- Questionnaires ----------------------------------------------------------------------------


def test_upload_a_questionnaire_file(world, as_persona):
    client = as_persona("alice")
    content = (services.SAMPLES / "seminarieutvardering.yaml").read_bytes()
    response = client.post(
        a_url(world, "questionnaire_list"),
        {"file": SimpleUploadedFile("seminarium.yaml", content)},
    )
    questionnaire = Questionnaire.objects.get()
    assert response["Location"] == a_url(
        world, "questionnaire_detail", questionnaire=questionnaire.public_id
    )
    assert messages_of(response) == ["Utvärdering av seminarium är inläst som version 1."]
    page = client.get(response["Location"]).content.decode()
    assert "Hur användbart är det du lärt dig i ditt arbete?" in page


def test_a_bad_upload_lists_the_problems_and_saves_nothing(world, as_persona):
    response = as_persona("alice").post(
        a_url(world, "questionnaire_list"),
        {"file": SimpleUploadedFile("fel.yaml", b"format: stegvis-enkat/1\nkey: x\n")},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Filen lästes inte in" in page
    assert "<code>kind</code>: Ska vara national, own eller violence." in page
    assert not Questionnaire.objects.exists()
    wrong_type = as_persona("alice").post(
        a_url(world, "questionnaire_list"), {"file": SimpleUploadedFile("x.txt", b"x")}
    )
    assert "Filen ska vara av typen .yaml, .yml, .xlsx." in wrong_type.content.decode()


def test_load_samples_and_add_a_local_item(world, as_persona):
    client = as_persona("alice")
    client.post(a_url(world, "load_samples"))
    questionnaire = Questionnaire.objects.get(association=world.a, key="deltagare-avslut")
    url = a_url(world, "local_item_add", questionnaire=questionnaire.public_id)
    response = client.post(
        url, {"key": "respekt", "text_sv": "Blev du bemött med respekt?", "scale_of": "d1"}
    )
    assert response.status_code == 302
    assert questionnaire.current_version().number == 2
    page = client.get(response["Location"]).content.decode()
    assert "Blev du bemött med respekt?" in page
    assert "Ta bort respekt" in page
    again = client.post(url, {"key": "respekt", "text_sv": "Igen", "scale_of": "d1"})
    assert "Det finns redan en fråga med nyckeln respekt." in again.content.decode()


def test_questionnaire_list_query_count_is_constant(
    world, as_persona, loaded, django_assert_max_num_queries
):
    client = as_persona("carol")
    with django_assert_max_num_queries(15) as small:
        client.get(a_url(world, "questionnaire_list"))
    for n in range(12):
        services.load_questionnaire(
            None,
            world.a,
            (services.SAMPLES / "seminarieutvardering.yaml")
            .read_text(encoding="utf-8")
            .replace("key: seminarieutvardering", f"key: sem{n}"),
        )
    with django_assert_max_num_queries(len(small)):
        response = client.get(a_url(world, "questionnaire_list"))
    assert len(response.context["page"].object_list) == 20


def test_goals_are_added_and_removed_on_the_questionnaire_page(world, as_persona, loaded):
    client = as_persona("alice")
    questionnaire = loaded["deltagare-avslut"]
    response = client.post(
        a_url(world, "goal_add", questionnaire=questionnaire.public_id),
        {"item_key": "d6", "year": "2026", "kind": "share", "target": "95"},
    )
    assert messages_of(response) == ["Målet är tillagt."]
    goal = SurveyGoal.objects.get()
    bad = client.post(
        a_url(world, "goal_add", questionnaire=questionnaire.public_id),
        {"item_key": "d6", "year": "2026", "kind": "share", "target": ""},
    )
    assert messages_of(bad)[-1] == "Ange målvärdet i procent, 0–100."
    client.post(a_url(world, "goal_delete", goal=goal.public_id))
    assert not SurveyGoal.objects.exists()


# --- Rounds ------------------------------------------------------------------------------------


def test_open_a_round_and_see_its_link_and_qr_code(world, as_persona, loaded, steg):
    client = as_persona("alice")
    response = client.post(
        a_url(world, "round_create"),
        {
            "questionnaire": loaded["deltagare-avslut"].pk,
            "title": "Avslut våren 2026",
            "interventions": [steg.pk],
            "opens_on": "2026-03-01",
            "closes_on": "2026-06-30",
        },
    )
    survey_round = SurveyRound.objects.get()
    assert response["Location"] == a_url(world, "round_detail", round=survey_round.public_id)
    page = client.get(response["Location"]).content.decode()
    assert reverse("surveys:answer", kwargs={"token": survey_round.token}) in page
    assert 'src="data:image/svg+xml' in page
    assert "QR-kod till enkätens länk" in page
    # The link's secret itself is not stored, only its hash and an encrypted copy.
    assert survey_round.token not in survey_round.token_hash + survey_round.token_encrypted


def test_a_round_form_error_is_shown_on_its_field(world, as_persona, loaded):
    response = as_persona("alice").post(
        a_url(world, "round_create"),
        {
            "questionnaire": loaded["vald"].pk,
            "title": "Våld",
            "opens_on": "2026-03-01",
            "closes_on": "2026-02-01",
        },
    )
    page = response.content.decode()
    assert "Omgången kan inte stänga innan den öppnar." in page
    assert "Frågor om våld ställs i en eller flera insatser: välj dem." in page
    assert not SurveyRound.objects.exists()


def test_close_a_round(world, as_persona, exit_round):
    response = as_persona("alice").post(a_url(world, "round_close", round=exit_round.public_id))
    assert messages_of(response) == ["Omgången är stängd. Länken tar inte längre emot svar."]
    exit_round.refresh_from_db()
    assert exit_round.closed_on == date(2026, 3, 10)


def test_overview_query_count_is_constant(
    world, as_persona, loaded, steg, django_assert_max_num_queries
):
    open_round(world, loaded["deltagare-avslut"], [steg])
    client = as_persona("alice")
    with django_assert_max_num_queries(15) as small:
        client.get(a_url(world, "overview"))
    for n in range(30):
        open_round(world, loaded["personal"], [steg], title=f"Personal {n}")
    with django_assert_max_num_queries(len(small)):
        response = client.get(a_url(world, "overview"))
    assert len(response.context["page"].object_list) == 25


# --- The respondent's page ---------------------------------------------------------------------


def test_answering_in_swedish_and_the_device_is_thanked_once(world, client, exit_round):
    url = reverse("surveys:answer", kwargs={"token": exit_round.token})
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Känner du dig mer redo att kunna arbeta eller studera" in html
    assert "Instämmer helt" in html
    assert page["Cache-Control"].startswith("max-age=0")
    response = client.post(url, {"q_d1": "5", "q_d6": "4"})
    assert response["Location"] == reverse("surveys:thanks", kwargs={"token": exit_round.token})
    assert "Tack för dina svar" in client.get(response["Location"]).content.decode()
    # The same device again: thanked, not counted twice.
    again = client.post(url, {"q_d1": "1"})
    assert "Du har redan svarat på den här enkäten från den här enheten." in again.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_answering_in_english(world, client, exit_round):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("surveys:answer", kwargs={"token": exit_round.token})
    html = client.get(url).content.decode()
    assert "Do you feel more ready to work or study" in html
    assert "Fully agree" in html
    assert "Send your answers" in html
    client.post(url, {"q_d6": "5"})
    assert SurveyResponse.objects.get().language == "en"


def test_a_closed_round_refuses_with_a_clear_message(world, client, exit_round):
    services.close_round(actor_of(world, "alice"), exit_round)
    url = reverse("surveys:answer", kwargs={"token": exit_round.token})
    for response in (client.get(url), client.post(url, {"q_d1": "5"})):
        assert response.status_code == 410
        assert "Enkäten är stängd" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_an_unknown_link_is_not_found(world, client):
    response = client.get(reverse("surveys:answer", kwargs={"token": "x" * 43}))
    assert response.status_code == 404
    assert "Länken fungerar inte" in response.content.decode()


def test_many_answers_from_one_network_are_held_back(world, exit_round, monkeypatch):
    from django.test import Client

    monkeypatch.setattr(views_public, "ADDRESS_LIMIT", 2)
    url = reverse("surveys:answer", kwargs={"token": exit_round.token})
    statuses = [
        Client().post(url, {"q_d1": "5"}, REMOTE_ADDR="198.51.100.4").status_code for _ in range(3)
    ]
    assert statuses == [302, 302, 429]
    # Counted per network: a neighbour in the same /24 waits too; another network does not.
    assert Client().post(url, {"q_d1": "5"}, REMOTE_ADDR="198.51.100.5").status_code == 429
    assert Client().post(url, {"q_d1": "5"}, REMOTE_ADDR="198.51.101.5").status_code == 302
    assert SurveyResponse.objects.count() == 3


def test_an_empty_form_is_refused_with_a_message(world, client, exit_round):
    url = reverse("surveys:answer", kwargs={"token": exit_round.token})
    response = client.post(url, {})
    assert "Svara på minst en fråga." in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_the_violence_form_shows_where_to_get_help(world, client, violence_round):
    url = reverse("surveys:answer", kwargs={"token": violence_round.token})
    html = client.get(url).content.decode()
    assert "Har du blivit hotad, kontrollerad, förnedrad" in html
    assert "texten läses in från den licensierade filen" not in html
    assert "Kvinnofridslinjen" in html
    response = client.post(url, {"q_v1": "nej"})
    assert "Kvinnofridslinjen" in client.get(response["Location"]).content.decode()


# --- Results -----------------------------------------------------------------------------------


def results_query(loaded, **extra) -> dict[str, object]:
    return {"questionnaire": loaded["deltagare-avslut"].public_id, "year": 2026, **extra}


def test_results_appear_only_from_five_answers(world, as_persona, loaded, exit_round):
    client = as_persona("carol")
    answer(exit_round, ROWS_2026[:4], date(2026, 3, 1))
    html = client.get(a_url(world, "results"), results_query(loaded)).content.decode()
    assert "Resultat visas när minst 5 har svarat" in html
    assert "83,3" not in html
    answer(exit_round, ROWS_2026[4:], date(2026, 3, 1))
    html = client.get(a_url(world, "results"), results_query(loaded)).content.decode()
    assert "83,3\u00a0%" in html
    assert "50,0\u00a0%" in html
    assert 'alt="Stapeldiagram: andel positiva svar per fråga' in html


def test_the_board_reads_no_answer_count_from_1_to_4(world, as_persona, loaded, exit_round):
    """calculations.md §6 outside the office: four responses are "fewer than 5", and each
    answer option's count in the distribution is "<5" (the worked example: every option of
    question 1 was chosen by 1 or 2 of 7). The office reads the exact counts."""
    answer(exit_round, ROWS_2026[:4], date(2026, 3, 1))
    url = a_url(world, "results")
    board = as_persona("carol").get(url, results_query(loaded)).content.decode()
    assert "Färre än 5 svar hittills." in board and "4 svar hittills" not in board
    assert (
        "4 svar hittills." in as_persona("alice").get(url, results_query(loaded)).content.decode()
    )
    answer(exit_round, ROWS_2026[4:], date(2026, 3, 1))
    for persona, counts in (("alice", [1, 1, 1, 1, 2, 1]), ("helena", ["<5"] * 6)):
        results = as_persona(persona).get(url, results_query(loaded)).context["results"]
        q1 = next(r for r in results.items if r.key == "d1")
        assert [count for _label, count, _share in q1.distribution_rows()] == counts
    board = as_persona("carol").get(url, results_query(loaded)).content.decode()
    assert "Antal svar från 1 till 4 visas som ”<5”" in board


def test_results_of_one_round(world, as_persona, loaded, exit_round, steg):
    answer(exit_round, ROWS_2026, date(2026, 3, 1))
    other = open_round(world, loaded["deltagare-avslut"], [steg], title="Annan omgång")
    answer(other, ROWS_2026[:3], date(2026, 3, 2))
    client = as_persona("carol")
    response = client.get(
        a_url(world, "results"), results_query(loaded, survey_round=exit_round.public_id)
    )
    assert response.context["results"].responses == 7
    assert (
        client.get(a_url(world, "results"), results_query(loaded)).context["results"].responses
        == 10
    )
    staff_round = open_round(world, loaded["personal"], [steg], title="Personal")
    wrong = client.get(
        a_url(world, "results"), results_query(loaded, survey_round=staff_round.public_id)
    )
    assert "Omgången hör till en annan enkät." in wrong.content.decode()
    detail = as_persona("alice").get(a_url(world, "round_detail", round=exit_round.public_id))
    assert f"survey_round={exit_round.public_id}" in detail.content.decode()


def test_results_with_a_split_and_bad_filters(world, as_persona, loaded, exit_round):
    answer(exit_round, ROWS_2026, date(2026, 3, 1))
    client = as_persona("alice")
    html = client.get(
        a_url(world, "results"), results_query(loaded, split="gender")
    ).content.decode()
    assert "Andel positiva svar per kön" in html
    assert "färre än 5" in html
    bad = client.get(a_url(world, "results"), {"questionnaire": "nej", "year": "x"})
    assert bad.status_code == 200
    assert "Rätta valen ovan." in bad.content.decode()


def test_results_export_xlsx_and_pdf(world, as_persona, loaded, exit_round):
    from openpyxl import load_workbook

    answer(exit_round, ROWS_2026, date(2026, 3, 1))
    client = as_persona("carol")
    xlsx = client.get(a_url(world, "results_xlsx"), results_query(loaded))
    sheet = load_workbook(BytesIO(xlsx.content)).active
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert rows["6"][2:5] == (7, 83.3, 4.0)
    pdf = client.get(a_url(world, "results_pdf"), results_query(loaded))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert b"/XObject" in pdf.content  # the chart, drawn as vector graphics
    assert client.get(a_url(world, "results_pdf"))["Location"] == a_url(world, "results")


def test_reference_import_page(world, as_persona, loaded):
    client = as_persona("alice")
    bad = client.post(
        a_url(world, "reference_values"),
        {
            "file": SimpleUploadedFile(
                "ref.csv",
                "år;respondentgrupp;fråga;andel_positiva\n2025;deltagare_avslut;42;70\n".encode(),
            )
        },
    )
    html = bad.content.decode()
    assert "Inget lästes in" in html
    assert "Rad 2, kolumn fråga: Fråga 42 finns inte" in html
    good = client.post(
        a_url(world, "reference_values"),
        {
            "file": SimpleUploadedFile(
                "ref.csv",
                "år;respondentgrupp;fråga;andel_positiva\n2025;deltagare_avslut;6;80\n".encode(),
            )
        },
    )
    assert messages_of(good) == ["1 jämförelsevärden är inlästa."]
    assert ReferenceValue.objects.count() == 1
    assert as_persona("carol").post(a_url(world, "reference_values")).status_code == 403


def test_annual_delivery_is_counts_with_suppression(world, as_persona, loaded, exit_round):
    answer(exit_round, ROWS_2026, date(2026, 3, 1))
    client = as_persona("alice")
    assert client.get(a_url(world, "delivery")).status_code == 200
    csv = client.get(a_url(world, "delivery"), {"ar": "2026"}).content.decode()
    lines = csv.splitlines()
    assert lines[0] == "ar;forbund_orgnr;enkat;respondentgrupp;fraga;svar;antal"
    prefix = f"2026;{world.a.org_number};deltagare-avslut;deltagare_avslut;6;"
    q6 = [line.removeprefix(prefix) for line in lines if line.startswith(prefix)]
    # 2 (answer 2 ×1), 4 ×3, 5 ×2, vet ej ×1: every count under 5; no complement needed.
    assert q6 == ["2;<5", "4;<5", "5;<5", "vet_ej;<5", "totalt;7"]
    assert "kvinna" not in csv  # the gender question has no national number


def test_violence_page_and_export(world, as_persona, violence_round):
    for value in ["ja"] * 2 + ["nej"] * 6:
        services.submit_response(violence_round, {"v1": value}, intervention=None, language="sv")
    client = as_persona("carol")
    html = client.get(a_url(world, "violence")).content.decode()
    assert "&lt;5" in html
    assert "Kvinnofridslinjen" in html
    csv = as_persona("alice").get(a_url(world, "violence_export"), {"ar": "2026"}).content
    lines = csv.decode().splitlines()
    assert f"2026;{world.a.org_number};1;ja;<5" in lines
    assert f"2026;{world.a.org_number};1;nej;–" in lines
    assert f"2026;{world.a.org_number};1;totalt;8" in lines


def test_violence_support_texts_are_saved(world, as_persona):
    client = as_persona("alice")
    response = client.post(
        a_url(world, "violence_settings"),
        {"help_text": "Ring Krokoms socialtjänst.", "help_text_en": "", "routine": "Hänvisa."},
    )
    assert response["Location"] == a_url(world, "violence")
    assert "Ring Krokoms socialtjänst." in client.get(a_url(world, "violence")).content.decode()
    empty = client.post(a_url(world, "violence_settings"), {"help_text": "", "routine": ""})
    assert empty.status_code == 200
    assert AuditEvent.objects.filter(action="violence_support.save").count() == 1


# --- Provider pages ----------------------------------------------------------------------------


def test_coach_records_a_screening(world, as_persona, steg):
    row = enrolment(steg)
    client = as_persona("bob")
    url = p_url(world, "screening_record", enrolment=row.public_id)
    assert "Registrera bara om frågorna är ställda" in client.get(url).content.decode()
    bad = client.post(url, {"outcome": "not_possible", "reason": "", "on": "2026-03-01"})
    assert "Skriv varför det inte var möjligt" in bad.content.decode()
    response = client.post(url, {"outcome": "asked", "on": "2026-03-01"})
    assert response["Location"] == reverse(
        "participants:participant_detail",
        kwargs={"provider": world.p.public_id, "participant": row.participant.public_id},
    )
    row.refresh_from_db()
    assert row.violence_screening_asked
    assert ViolenceScreening.objects.get().asked_by == world["bob"]
    # Reading the enrolment for the form is a read of personal data: audited.
    assert AuditEvent.objects.filter(
        participant_ref=row.participant.public_id, action="participant.view"
    ).exists()


def test_screening_overview_shows_coverage_and_routine(
    world, as_persona, steg, django_assert_max_num_queries
):
    done = enrolment(steg, exit_date=date(2026, 3, 1))
    services.record_screening(actor_of(world, "bob"), done, outcome="asked", on=date(2026, 2, 1))
    enrolment(steg, exit_date=date(2026, 3, 1))
    client = as_persona("bob")
    with django_assert_max_num_queries(25) as small:
        response = client.get(p_url(world, "screening_overview"))
    html = response.content.decode()
    assert "50,0\u00a0%" in html
    assert "inte uppfyllt" in html
    assert "Förbundet behandlar inte utan hänvisar vidare" in html
    for _ in range(20):
        enrolment(steg)
    with django_assert_max_num_queries(len(small)):
        response = client.get(p_url(world, "screening_overview"))
    assert len(response.context["page"].object_list) == 21
    assert AuditEvent.objects.filter(action="violence_screening.list", reason="21 rader").exists()


def test_reference_values_query_count_is_constant(
    world, as_persona, loaded, django_assert_max_num_queries
):
    alice = actor_of(world, "alice")
    services.import_reference_values(
        alice,
        "år;respondentgrupp;fråga;andel_positiva\n2025;deltagare_avslut;1;70\n".encode(),
        "r.csv",
    )
    client = as_persona("carol")
    with django_assert_max_num_queries(15) as small:
        client.get(a_url(world, "reference_values"))
    rows = ["år;respondentgrupp;fråga;andel_positiva"] + [
        f"{year};deltagare_avslut;{number};{50 + number}"
        for year in range(2010, 2020)
        for number in (1, 2, 5, 6, 7)
    ]
    services.import_reference_values(alice, "\n".join(rows).encode(), "r.csv")
    with django_assert_max_num_queries(len(small)):
        response = client.get(a_url(world, "reference_values"))
    assert len(response.context["page"].object_list) == 50


def test_provider_links_query_count_is_constant(
    world, as_persona, loaded, steg, django_assert_max_num_queries
):
    open_round(world, loaded["deltagare-avslut"], [steg], opens_on=date(2026, 1, 1))
    client = as_persona("bob")
    with django_assert_max_num_queries(20) as small:
        client.get(p_url(world, "provider_surveys"))
    for n in range(10):
        open_round(world, loaded["personal"], [steg], title=f"P {n}", opens_on=date(2026, 1, 1))
    with django_assert_max_num_queries(len(small)):
        response = client.get(p_url(world, "provider_surveys"))
    assert len(response.context["rounds"]) == 11


def test_coach_counts_paper_forms(world, as_persona, violence_round, steg):
    url = p_url(world, "provider_paper", round=violence_round.public_id)
    data = {
        "intervention": str(steg.public_id),
        "year": "2026",
        "forms_count": "5",
        "c_v1_ja": "1",
        "c_v1_nej": "4",
        "c_v1_vill_ej": "0",
        "c_v1_inget": "0",
        "c_v2_ja": "0",
        "c_v2_nej": "3",
        "c_v2_vill_ej": "0",
        "c_v2_inget": "0",
    }
    client = as_persona("bob")
    bad = client.post(url, data)
    assert "ska bli 5, inte 3" in bad.content.decode()
    assert not ViolenceTally.objects.exists()
    response = client.post(url, {**data, "c_v2_inget": "2"})
    assert response["Location"] == p_url(world, "screening_overview")
    assert ViolenceTally.objects.get(item__key="v1", value="nej").count == 4


def test_provider_survey_links(world, as_persona, exit_round):
    html = as_persona("bob").get(p_url(world, "provider_surveys")).content.decode()
    assert reverse("surveys:answer", kwargs={"token": exit_round.token}) in html
    assert "QR-kod till enkäten Avslut 2026" in html
    assert (
        "Avslut 2026"
        not in as_persona("erin")
        .get(reverse("surveys:provider_surveys", kwargs={"provider": world.q.public_id}))
        .content.decode()
    )


def test_navigation(world, as_persona):
    html = as_persona("carol").get(a_url(world, "overview")).content.decode()
    assert f'href="{a_url(world, "violence")}"' in html
    html = as_persona("bob").get(p_url(world, "screening_overview")).content.decode()
    assert f'href="{p_url(world, "provider_surveys")}"' in html


def test_violence_page_query_count_is_constant(
    world, as_persona, violence_round, loaded, steg, django_assert_max_num_queries
):
    services.submit_response(violence_round, {"v1": "nej"}, intervention=None, language="sv")
    client = as_persona("carol")
    with django_assert_max_num_queries(15) as small:
        client.get(a_url(world, "violence"))
    for n in range(8):
        more = open_round(world, loaded["vald"], [steg], title=f"Våld {n}")
        for value in ("ja", "nej", "vill_ej"):
            services.submit_response(
                more, {"v1": value, "v2": value}, intervention=None, language="sv"
            )
    with django_assert_max_num_queries(len(small)):
        response = client.get(a_url(world, "violence"))
    assert [row.total for row in response.context["rows"]] == [25, 25]
