"""The association's intervention pages: list, create, detail, edit, goals and activities."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from stegvis.core.models import AuditEvent, Municipality, Organisation
from stegvis.interventions.models import (
    Attendance,
    FundingOffer,
    Goal,
    Intervention,
    StructuralActivity,
)
from stegvis.interventions.tests.conftest import municipal_org
from stegvis.interventions.tests.factories import (
    ActivityFactory,
    AttendanceFactory,
    GoalFactory,
    InterventionFactory,
)

OUTSIDERS = ["dave", "erin", "frank", "bob"]
ASSOCIATION_PERSONAS = ["alice", "carol", "helena"]


def a_url(world, name: str, association=None, **kwargs) -> str:
    slug = (association or world.a).slug
    return reverse(f"interventions:association_{name}", kwargs={"association": slug, **kwargs})


def detail_url(world, intervention, association=None) -> str:
    return a_url(world, "detail", association, intervention=intervention.public_id)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def form_data(world, **overrides) -> dict[str, object]:
    krokom = municipal_org(world, world.a)
    data: dict[str, object] = {
        "name": "Steg till arbete",
        "code": "steg",
        "kind": "individual",
        "orientation": "rehabiliterande",
        "status": "running",
        "provider": world.p.pk,
        "responsible_manager": "Karin Chef",
        "start": "2026-01-01",
        "planned_end": "2027-12-31",
        "ended": "",
        "places": "20",
        "target_group": "Unga vuxna",
        "participating_members": [krokom.pk],
        "municipalities": [Municipality.objects.get(code="2309").pk],
        "follow_up_method": "individual",
        "follow_up_months": "6, 12",
        "min_age": "16",
        "max_age": "64",
        "min_members_involved": "2",
        "requires_area_residence": "on",
        "requires_consent": "on",
        "funding_association_1": world.a.pk,
        "funding_share_1": "100",
        f"fte_{krokom.pk}": "1,5",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- association_list --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ASSOCIATION_PERSONAS)
def test_list_shows_what_the_association_funds(as_persona, world, steg, shared, persona):
    only_b = InterventionFactory(name="Bara B", provider=world.q, lead_association=world.b)
    response = as_persona(persona).get(a_url(world, "list"))
    assert response.status_code == 200
    assert [i.name for i in response.context["page"].object_list] == [
        "Gemensam väg",
        "Steg till arbete",
    ]
    page = response.content.decode()
    assert only_b.name not in page
    # A's own share of each, and the co-funded one linked under A's address.
    assert "100\u00a0%" in page
    assert "40\u00a0%" in page
    assert detail_url(world, shared) in page


def test_list_offers_create_to_the_office_only(as_persona, world):
    assert a_url(world, "create") in as_persona("alice").get(a_url(world, "list")).content.decode()
    assert (
        a_url(world, "create") not in as_persona("carol").get(a_url(world, "list")).content.decode()
    )


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_list_checks_owner(as_persona, world, persona):
    assert as_persona(persona).get(a_url(world, "list")).status_code == 404


def test_list_query_count_is_constant(as_persona, world, django_assert_max_num_queries):
    for n in range(3):
        InterventionFactory(provider=world.p, lead_association=world.a, name=f"Insats {n:02d}")
    client = as_persona("alice")
    with django_assert_max_num_queries(20) as small:
        response = client.get(a_url(world, "list"))
    assert len(response.context["page"].object_list) == 3
    for n in range(3, 25):
        InterventionFactory(
            provider=world.q,
            lead_association=world.b,
            name=f"Insats {n:02d}",
            fundings=[(world.b, 50), (world.a, 50)],
        )
    with django_assert_max_num_queries(len(small)):
        response = client.get(a_url(world, "list"))
    assert len(response.context["page"].object_list) == 25
    assert response.content.decode().count("50\u00a0%") == 22


# --- Offers of co-funding --------------------------------------------------------------------


def _offer_to_a(world, name: str = "Gemensam väg", share: int = 40) -> FundingOffer:
    """B's intervention at Q, with A asked to take ``share`` %."""
    intervention = InterventionFactory(
        name=name, provider=world.q, lead_association=world.b, fundings=[(world.b, 100 - share)]
    )
    return FundingOffer.objects.create(association=world.a, intervention=intervention, share=share)


def test_the_office_sees_the_offers_to_answer_and_no_one_else_does(as_persona, world):
    offer = _offer_to_a(world)
    page = as_persona("alice").get(a_url(world, "list")).content.decode()
    assert "Förfrågningar om finansiering" in page
    assert a_url(world, "funding_offer", offer=offer.public_id) in page
    assert "Gemensam väg" in page and "Förbund B" in page
    # Not A's intervention until accepted: neither in A's list nor at its address.
    assert "Förbundet finansierar inga insatser ännu." in page
    assert as_persona("alice").get(detail_url(world, offer.intervention)).status_code == 404
    for persona in ("carol", "helena"):
        assert "Gemensam väg" not in as_persona(persona).get(a_url(world, "list")).content.decode()
    # B's office sees its own offer as waiting, on its intervention's page.
    page = as_persona("dave").get(detail_url(world, offer.intervention, world.b)).content.decode()
    assert "väntar på svar" in page


def test_accepting_an_offer_makes_it_the_associations_intervention(as_persona, world):
    offer = _offer_to_a(world)
    response = as_persona("alice").post(
        a_url(world, "funding_offer", offer=offer.public_id), {"action": "accept"}
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(world, offer.intervention)
    assert messages_of(response) == ["Förbundet finansierar nu Gemensam väg."]
    assert list(offer.intervention.fundings.filter(association=world.a).values_list("share")) == [
        (Decimal("40"),)
    ]
    assert not FundingOffer.objects.exists()
    assert AuditEvent.objects.filter(action="intervention.funding_accept", association=world.a)


def test_declining_an_offer_shows_it_declined_to_the_lead(as_persona, world):
    offer = _offer_to_a(world)
    client = as_persona("alice")
    url = a_url(world, "funding_offer", offer=offer.public_id)
    response = client.post(url, {"action": "decline"})
    assert response["Location"] == a_url(world, "list")
    assert messages_of(response) == ["Förfrågan om Gemensam väg är avböjd."]
    assert "Förfrågningar om finansiering" not in client.get(a_url(world, "list")).content.decode()
    page = as_persona("dave").get(detail_url(world, offer.intervention, world.b)).content.decode()
    assert "avböjd" in page
    # Answered once: a second answer is refused with a message, and changes nothing.
    response = client.post(url, {"action": "accept"})
    assert messages_of(response) == ["Förfrågan är redan besvarad."]
    assert not offer.intervention.fundings.filter(association=world.a).exists()


def test_an_answer_without_accept_or_decline_changes_nothing(as_persona, world):
    offer = _offer_to_a(world)
    response = as_persona("alice").post(
        a_url(world, "funding_offer", offer=offer.public_id), {"action": "?"}
    )
    assert response["Location"] == a_url(world, "list")
    assert messages_of(response) == ["Välj att godkänna eller avböja förfrågan."]
    offer.refresh_from_db()
    assert offer.declined_at is None
    assert not offer.intervention.fundings.filter(association=world.a).exists()


def test_an_offer_is_answered_by_post_and_by_its_own_office_only(as_persona, world):
    offer = _offer_to_a(world)
    url = a_url(world, "funding_offer", offer=offer.public_id)
    assert as_persona("alice").get(url).status_code == 405
    assert as_persona("carol").post(url, {"action": "accept"}).status_code == 403
    # B's office, under its own address, does not find an offer made to A.
    b_url = a_url(world, "funding_offer", world.b, offer=offer.public_id)
    assert as_persona("dave").post(b_url, {"action": "accept"}).status_code == 404
    assert as_persona("dave").post(url, {"action": "accept"}).status_code == 404
    assert not offer.intervention.fundings.filter(association=world.a).exists()


def test_the_lead_edits_with_its_offers_in_the_form(as_persona, world):
    offer = _offer_to_a(world)
    url = a_url(world, "edit", world.b, intervention=offer.intervention.public_id)
    initial = as_persona("dave").get(url).context["form"].initial
    assert (initial["funding_association_1"], initial["funding_share_1"]) == (world.b.pk, 60)
    assert (initial["funding_association_2"], initial["funding_share_2"]) == (world.a.pk, 40)


def test_list_query_count_is_constant_in_the_offers(
    as_persona, world, django_assert_max_num_queries
):
    _offer_to_a(world, "Förfrågan 00")
    client = as_persona("alice")
    with django_assert_max_num_queries(20) as small:
        client.get(a_url(world, "list"))
    for n in range(1, 12):
        _offer_to_a(world, f"Förfrågan {n:02d}")
    with django_assert_max_num_queries(len(small)):
        response = client.get(a_url(world, "list"))
    assert len(response.context["offers"]) == 12


def test_navigation_links_to_interventions(as_persona, world):
    page = as_persona("carol").get(a_url(world, "list")).content.decode()
    assert f'<a href="{a_url(world, "list")}" aria-current="page">Insatser</a>' in page


# --- association_create ------------------------------------------------------------------------


def test_create_form_starts_with_the_association_funding_everything(as_persona, world):
    response = as_persona("alice").get(a_url(world, "create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["funding_association_1"].value() == world.a.pk
    assert form["funding_share_1"].value() == Decimal("100")
    assert form["municipalities"].value() == [Municipality.objects.get(code="2309").pk]
    # Providers of A's members only; parties are A's members.
    assert list(form.fields["provider"].queryset) == [world.p]
    assert [o.name for o in form.fields["participating_members"].queryset] == [
        "Försäkringskassan",
        "Krokom kommun",
    ]


def test_create_saves_and_shows_the_intervention(as_persona, world):
    response = as_persona("alice").post(a_url(world, "create"), form_data(world))
    intervention = Intervention.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(world, intervention)
    assert messages_of(response) == ["Insatsen Steg till arbete är skapad."]
    assert intervention.lead_association == world.a
    assert (intervention.places, intervention.status) == (20, "running")
    assert list(intervention.staffing.values_list("fte", flat=True)) == [Decimal("1.50")]
    assert AuditEvent.objects.filter(action="intervention.create").count() == 1


def test_create_a_structural_intervention_with_the_default_follow_up(as_persona, world):
    response = as_persona("alice").post(
        a_url(world, "create"),
        form_data(
            world,
            code="samverkan",
            kind="structural",
            orientation="dialog_kommunikation",
            follow_up_method="",
            municipalities=[],
        ),
    )
    assert response.status_code == 302
    intervention = Intervention.objects.get()
    assert (intervention.kind, intervention.follow_up_method) == ("structural", "activities")
    # No municipality ticked: the funding association's whole area.
    assert list(intervention.municipalities.values_list("code", flat=True)) == ["2309"]


def test_create_reports_shares_that_do_not_sum_to_100(as_persona, world):
    response = as_persona("alice").post(
        a_url(world, "create"),
        form_data(
            world,
            funding_share_1="50",
            funding_association_2=world.b.pk,
            funding_share_2="40,5",
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Andelarna ska tillsammans vara exakt 100 %; nu är summan 90,5 %."
    ]
    assert "nu är summan 90,5 %" in response.content.decode()
    assert not Intervention.objects.exists()


def test_create_checks_each_funding_row(as_persona, world):
    response = as_persona("alice").post(
        a_url(world, "create"),
        form_data(
            world,
            funding_association_2=world.a.pk,
            funding_share_2="10",
            funding_share_3="20",
            funding_association_4=world.b.pk,
        ),
    )
    form = response.context["form"]
    assert form.errors == {
        "funding_association_2": ["Förbundet finns redan på en annan rad."],
        "funding_association_3": ["Välj förbundet som har andelen."],
        "funding_share_4": ["Ange förbundets andel i procent."],
    }


def test_create_reports_a_duplicate_code_and_a_bad_orientation(as_persona, world, steg):
    response = as_persona("alice").post(
        a_url(world, "create"), form_data(world, orientation="kompetensutveckling")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "code": ["Kortkoden används redan av en annan insats i förbundet."],
        "orientation": ["Inriktningen kompetensutveckling passar inte en individinriktad insats."],
    }
    assert Intervention.objects.count() == 1


def test_create_reports_a_planned_end_before_start(as_persona, world):
    response = as_persona("alice").post(
        a_url(world, "create"), form_data(world, planned_end="2025-12-31")
    )
    assert response.context["form"].errors == {
        "planned_end": ["Planerat slutdatum kan inte vara före startdatum."]
    }


def test_create_refuses_another_associations_provider(as_persona, world):
    response = as_persona("alice").post(
        a_url(world, "create"), form_data(world, provider=world.q.pk)
    )
    assert response.context["form"].errors == {"provider": ["Välj ett av alternativen i listan."]}


def test_create_checks_owner(as_persona, world):
    for persona in OUTSIDERS:
        client = as_persona(persona)
        assert client.get(a_url(world, "create")).status_code == 404, persona
        assert client.post(a_url(world, "create"), form_data(world)).status_code == 404, persona
    assert not Intervention.objects.exists()


@pytest.mark.parametrize("persona", ["carol", "helena"])
def test_create_checks_role(as_persona, world, persona):
    client = as_persona(persona)
    assert client.get(a_url(world, "create")).status_code == 403
    assert client.post(a_url(world, "create"), form_data(world)).status_code == 403
    assert not Intervention.objects.exists()


# --- association_detail ------------------------------------------------------------------------


def test_detail_shows_funding_staffing_goals_and_rules(as_persona, world, steg):
    krokom = municipal_org(world, world.a)
    steg.staffing.create(organisation=krokom, fte=Decimal("2.5"))
    steg.participating_members.add(krokom)
    GoalFactory(intervention=steg)
    response = as_persona("alice").get(detail_url(world, steg))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Förbund A" in page
    assert "100\u00a0%" in page
    assert "2,5" in page
    assert "Minst 4 av 10 ska efter insatsen ha arbete eller studera" in page
    assert "Arbete, Studier" in page
    assert "40\u00a0%" in page
    assert "Ålder 16–64 år" in page
    assert "Behov av samordnat stöd från minst 2 parter" in page
    assert a_url(world, "edit", intervention=steg.public_id) in page
    assert a_url(world, "goal_add", intervention=steg.public_id) in page
    assert "Aktiviteter" not in page


def test_detail_of_a_co_funded_intervention_is_read_only_for_a(as_persona, world, shared):
    response = as_persona("alice").get(detail_url(world, shared))
    assert response.status_code == 200
    page = response.content.decode()
    assert "60\u00a0%" in page
    assert "40\u00a0%" in page
    assert "Insatsen ändras av kansliet i Förbund B, som är ansvarigt förbund." in page
    assert "/andra/" not in page
    # B's office reaches it under B's address and may edit it.
    response = as_persona("dave").get(detail_url(world, shared, world.b))
    assert a_url(world, "edit", world.b, intervention=shared.public_id) in response.content.decode()


def test_detail_shows_a_board_member_no_edit_links(as_persona, world, steg):
    page = as_persona("carol").get(detail_url(world, steg)).content.decode()
    assert "/andra/" not in page
    assert "/mal/nytt/" not in page


def test_detail_of_a_structural_intervention_totals_its_activities(as_persona, world, training):
    krokom = municipal_org(world, world.a)
    fk = Organisation.objects.get(kind=Organisation.Kind.FK)
    first = ActivityFactory(intervention=training, title="Tillfälle 1", hours=Decimal("3"))
    AttendanceFactory(activity=first, organisation=krokom, women=7, men=3, other=0)
    AttendanceFactory(activity=first, organisation=fk, women=4, men=1, other=1)
    second = ActivityFactory(intervention=training, title="Tillfälle 2", hours=Decimal("1.5"))
    AttendanceFactory(activity=second, organisation=krokom, women=2, men=2, other=0)
    response = as_persona("carol").get(detail_url(world, training))
    assert response.context["totals"] == {
        "women": 13,
        "men": 6,
        "other": 1,
        "total": 20,
        "occasions": 2,
        "hours": Decimal("4.50"),
    }
    rows = {a.title: (a.women, a.men, a.other, a.total) for a in response.context["activities"]}
    assert rows == {"Tillfälle 1": (11, 4, 1, 16), "Tillfälle 2": (2, 2, 0, 4)}
    page = response.content.decode()
    assert (
        "2 tillfällen, 4,5 timmar, 20 deltagare (13 kvinnor, 6 män, 1 annat / ej angivet)." in page
    )
    assert "låst" in page


def test_it_checks_owner(as_persona, world, steg, training):
    goal = GoalFactory(intervention=steg)
    activity = ActivityFactory(intervention=training)
    urls = [
        a_url(world, "list"),
        a_url(world, "create"),
        detail_url(world, steg),
        a_url(world, "edit", intervention=steg.public_id),
        a_url(world, "goal_add", intervention=steg.public_id),
        a_url(world, "goal_delete", intervention=steg.public_id, goal=goal.public_id),
        a_url(world, "activity_add", intervention=training.public_id),
        a_url(
            world, "activity_detail", intervention=training.public_id, activity=activity.public_id
        ),
        a_url(
            world, "activity_delete", intervention=training.public_id, activity=activity.public_id
        ),
    ]
    for persona in OUTSIDERS:
        client = as_persona(persona)
        for url in urls:
            assert client.get(url).status_code == 404, (persona, url)
            assert client.post(url).status_code == 404, (persona, url)
    assert Goal.objects.count() == 1
    assert StructuralActivity.objects.count() == 1


def test_it_checks_role(as_persona, world, steg):
    client = as_persona("carol")
    assert client.get(a_url(world, "create")).status_code == 403
    assert client.post(a_url(world, "create"), form_data(world, code="ny")).status_code == 403
    assert client.get(a_url(world, "edit", intervention=steg.public_id)).status_code == 403
    assert client.get(a_url(world, "goal_add", intervention=steg.public_id)).status_code == 403
    assert Intervention.objects.count() == 1


def test_an_unknown_intervention_is_a_404(as_persona, world, shared):
    client = as_persona("dave")
    # B's intervention under A's address: dave has no role in A.
    assert client.get(detail_url(world, shared)).status_code == 404
    # A's office, B-only intervention: as if it did not exist.
    only_b = InterventionFactory(provider=world.q, lead_association=world.b)
    assert as_persona("alice").get(detail_url(world, only_b)).status_code == 404


# --- association_edit --------------------------------------------------------------------------


def test_edit_shows_the_stored_values_and_saves(as_persona, world, steg):
    client = as_persona("alice")
    url = a_url(world, "edit", intervention=steg.public_id)
    form = client.get(url).context["form"]
    assert form["code"].value() == "steg"
    assert form["funding_share_1"].value() == Decimal("100.00")
    assert form["follow_up_months"].value() == "6, 12"
    response = client.post(url, form_data(world, name="Steg till arbete II", places="25"))
    assert response.status_code == 302
    assert response["Location"] == detail_url(world, steg)
    steg.refresh_from_db()
    assert (steg.name, steg.places) == ("Steg till arbete II", 25)
    assert messages_of(response) == ["Insatsen är sparad."]


def test_edit_offers_the_co_funders_parties_and_municipalities(as_persona, world, shared):
    form = (
        as_persona("dave")
        .get(a_url(world, "edit", world.b, intervention=shared.public_id))
        .context["form"]
    )
    assert [m.code for m in form.fields["municipalities"].queryset] == ["2309", "2380"]
    assert [o.name for o in form.fields["participating_members"].queryset] == [
        "Försäkringskassan",
        "Krokom kommun",
        "Östersund kommun",
    ]


def test_another_funders_office_cannot_edit(as_persona, world, shared):
    client = as_persona("alice")
    url = a_url(world, "edit", intervention=shared.public_id)
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(world, name="Kapad")).status_code == 403
    shared.refresh_from_db()
    assert shared.name == "Gemensam väg"


def test_edit_locks_kind_follow_up_and_eu_flag_once_activities_exist(as_persona, world, training):
    ActivityFactory(intervention=training)
    client = as_persona("alice")
    url = a_url(world, "edit", intervention=training.public_id)
    form = client.get(url).context["form"]
    assert {n for n, f in form.fields.items() if f.disabled} == {
        "kind",
        "follow_up_method",
        "eu_funded",
    }
    assert "Låst: kan inte ändras när insatsen har deltagare eller aktiviteter." in (
        client.get(url).content.decode()
    )
    response = client.post(
        url,
        form_data(
            world,
            code="samverkan",
            kind="individual",
            orientation="kompetensutveckling",
            follow_up_method="individual",
            eu_funded="on",
            start="2025-01-01",
        ),
    )
    # The locked values are kept, so the orientation still suits a structural intervention.
    assert response.status_code == 302
    training.refresh_from_db()
    assert (training.kind, training.follow_up_method, training.eu_funded) == (
        "structural",
        "activities",
        False,
    )


# --- goals -------------------------------------------------------------------------------------


def test_goal_add_stores_a_goal_and_shows_it(as_persona, world, steg):
    client = as_persona("alice")
    url = a_url(world, "goal_add", intervention=steg.public_id)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "text": "Ytterligare 4 av 10 ska ha tagit steg mot arbetsmarknaden",
            "measure": "share_positive_step",
            "report_groups": ["arbete", "studier"],
            "target": "40",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert (goal.measure, goal.report_groups, goal.target) == (
        "share_positive_step",
        ["arbete", "studier"],
        Decimal("40.00"),
    )
    page = client.get(detail_url(world, steg)).content.decode()
    assert "Ytterligare 4 av 10 ska ha tagit steg mot arbetsmarknaden" in page


def test_goal_add_reports_errors(as_persona, world, steg):
    response = as_persona("alice").post(
        a_url(world, "goal_add", intervention=steg.public_id),
        {
            "text": "Mål",
            "measure": "share_exits_in_groups",
            "target": "-1",
            "period_start": "2026-01-01",
            "period_end": "2025-01-01",
        },
    )
    assert response.context["form"].errors == {
        "report_groups": ["Välj vilka avslutsgrupper som räknas mot målet."],
        "target": ["Målvärdet kan inte vara negativt."],
        "period_end": ["Periodens slut kan inte vara före dess början."],
    }


def test_goal_delete(as_persona, world, steg):
    goal = GoalFactory(intervention=steg)
    url = a_url(world, "goal_delete", intervention=steg.public_id, goal=goal.public_id)
    client = as_persona("alice")
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response["Location"] == detail_url(world, steg)
    assert not Goal.objects.exists()


def test_goals_of_a_co_funded_intervention_are_the_leads(as_persona, world, shared):
    goal = GoalFactory(intervention=shared)
    client = as_persona("alice")
    assert client.get(a_url(world, "goal_add", intervention=shared.public_id)).status_code == 403
    delete = a_url(world, "goal_delete", intervention=shared.public_id, goal=goal.public_id)
    assert client.post(delete).status_code == 403
    assert as_persona("carol").post(delete).status_code == 403
    assert Goal.objects.count() == 1


def test_a_goal_of_another_intervention_is_a_404(as_persona, world, steg, training):
    goal = GoalFactory(intervention=training)
    url = a_url(world, "goal_delete", intervention=steg.public_id, goal=goal.public_id)
    assert as_persona("alice").post(url).status_code == 404
    assert Goal.objects.count() == 1


# --- activities --------------------------------------------------------------------------------


def test_activity_add_counts_attendees_and_shows_totals(as_persona, world, training):
    krokom = municipal_org(world, world.a)
    fk = Organisation.objects.get(kind=Organisation.Kind.FK)
    client = as_persona("alice")
    url = a_url(world, "activity_add", intervention=training.public_id)
    form = client.get(url).context["form"]
    assert [o.name for o in form.organisations] == ["Försäkringskassan", "Krokom kommun"]
    response = client.post(
        url,
        {
            "date": "2025-03-12",
            "title": "Samverkan i praktiken",
            "type": "utbildning",
            "hours": "3,5",
            f"women_{krokom.pk}": "7",
            f"men_{krokom.pk}": "3",
            f"other_{krokom.pk}": "",
            f"women_{fk.pk}": "4",
            f"men_{fk.pk}": "1",
            f"other_{fk.pk}": "1",
        },
    )
    assert response.status_code == 302
    activity = StructuralActivity.objects.get()
    assert activity.hours == Decimal("3.50")
    assert Attendance.objects.filter(activity=activity).count() == 2
    response = as_persona("helena").get(
        a_url(
            world, "activity_detail", intervention=training.public_id, activity=activity.public_id
        )
    )
    assert response.context["totals"] == {"women": 11, "men": 4, "other": 1, "total": 16}
    page = response.content.decode()
    assert "Samverkan i praktiken" in page
    assert "ta-bort" not in page  # the auditor reads only


def test_activity_add_refuses_negative_counts(as_persona, world, training):
    krokom = municipal_org(world, world.a)
    response = as_persona("alice").post(
        a_url(world, "activity_add", intervention=training.public_id),
        {
            "date": "2025-03-12",
            "title": "X",
            "type": "utbildning",
            "hours": "1",
            f"women_{krokom.pk}": "-2",
        },
    )
    assert response.context["form"].errors == {
        f"women_{krokom.pk}": ["Antalet kan inte vara negativt."]
    }
    assert not StructuralActivity.objects.exists()


def test_an_individual_intervention_has_no_activity_pages(as_persona, world, steg):
    assert (
        as_persona("alice")
        .get(a_url(world, "activity_add", intervention=steg.public_id))
        .status_code
        == 404
    )


def test_activity_add_checks_role(as_persona, world, training):
    url = a_url(world, "activity_add", intervention=training.public_id)
    for persona in ("carol", "helena"):
        assert as_persona(persona).post(url, {"title": "X"}).status_code == 403
    assert not StructuralActivity.objects.exists()


def test_activity_delete(as_persona, world, training):
    activity = ActivityFactory(intervention=training)
    url = a_url(
        world, "activity_delete", intervention=training.public_id, activity=activity.public_id
    )
    assert as_persona("carol").post(url).status_code == 403
    response = as_persona("alice").post(url)
    assert response["Location"] == detail_url(world, training)
    assert not StructuralActivity.objects.exists()
    assert messages_of(response) == [f"Aktiviteten {activity.title} är borttagen."]


def test_activity_detail_of_another_intervention_is_a_404(as_persona, world, training):
    other = InterventionFactory(
        provider=world.p,
        lead_association=world.a,
        kind="structural",
        orientation="kompetensutveckling",
        follow_up_method="activities",
    )
    activity = ActivityFactory(intervention=other)
    url = a_url(
        world, "activity_detail", intervention=training.public_id, activity=activity.public_id
    )
    assert as_persona("alice").get(url).status_code == 404


def test_period_start_of_a_goal_defaults_to_this_year(as_persona, world, steg, settings):
    form = (
        as_persona("alice")
        .get(a_url(world, "goal_add", intervention=steg.public_id))
        .context["form"]
    )
    start = form.fields["period_start"].initial
    assert start >= steg.start
    assert form.fields["period_end"].initial == date(start.year, 12, 31)


def test_create_reports_a_share_over_100_without_crashing(as_persona, world):
    # The message once held a bare "%", which Django's message formatting cannot parse.
    response = as_persona("alice").post(
        a_url(world, "create"), form_data(world, funding_share_1="150")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["funding_share_1"] == ["Andelen kan vara högst 100 %."]
    assert not Intervention.objects.exists()
