"""The intervention services: every write validated, permitted and audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from stegvis.core.codes import Orientation
from stegvis.core.models import AuditEvent, Municipality, Organisation
from stegvis.interventions import services
from stegvis.interventions.models import Attendance, Funding, Goal, Intervention, Staffing
from stegvis.interventions.services import Count, FundingShare, InterventionDetails
from stegvis.interventions.tests.conftest import actor_of, municipal_org
from stegvis.interventions.tests.factories import ActivityFactory, InterventionFactory

LOCKED = "kan inte ändras när insatsen har deltagare eller aktiviteter."


def details(world, **overrides) -> InterventionDetails:
    base = InterventionDetails(
        name="Steg till arbete",
        code="steg",
        kind=Intervention.Kind.INDIVIDUAL,
        orientation=Orientation.REHABILITERANDE,
        provider=world.p,
        start=date(2026, 1, 1),
        planned_end=date(2027, 12, 31),
        fundings=[FundingShare(world.a, Decimal("100"))],
        places=20,
    )
    return replace(base, **overrides)


def errors_of(call, *args, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    return info.value.message_dict


# --- create_intervention -----------------------------------------------------------------------


def test_create_intervention_writes_everything_and_audits(world):
    krokom = municipal_org(world, world.a)
    fk = Organisation.objects.get(kind=Organisation.Kind.FK)
    intervention = services.create_intervention(
        actor_of(world, "alice"),
        details(
            world,
            code=" Steg ",
            participating_members=[krokom, fk],
            staffing={krokom: Decimal("2.5"), fk: Decimal("0")},
            target_group="Unga vuxna 18–29 år",
            eu_funded=True,
        ),
    )
    intervention.refresh_from_db()
    assert intervention.lead_association == world.a
    assert intervention.code == "steg"
    assert intervention.follow_up_method == Intervention.FollowUpMethod.INDIVIDUAL
    assert intervention.follow_up_months == [6, 12]
    assert intervention.status == Intervention.Status.PLANNED
    assert (intervention.places, intervention.eu_funded) == (20, True)
    assert list(intervention.fundings.values_list("association__slug", "share")) == [
        ("forbund-a", Decimal("100.00"))
    ]
    assert set(intervention.participating_members.all()) == {krokom, fk}
    # No municipalities given: the funding association's area.
    assert list(intervention.municipalities.values_list("code", flat=True)) == ["2309"]
    # A zero is no staffing row.
    assert list(Staffing.objects.values_list("organisation__name", "fte")) == [
        ("Krokom kommun", Decimal("2.50"))
    ]
    event = AuditEvent.objects.get(action="intervention.create")
    assert (event.association, event.user, event.object_id, event.reason) == (
        world.a,
        world["alice"],
        str(intervention.public_id),
        "steg",
    )


def test_a_structural_intervention_is_followed_up_by_activities(world):
    intervention = services.create_intervention(
        actor_of(world, "alice"),
        details(
            world,
            kind=Intervention.Kind.STRUCTURAL,
            orientation=Orientation.KOMPETENSUTVECKLING,
            code="samverkan",
        ),
    )
    assert intervention.follow_up_method == Intervention.FollowUpMethod.ACTIVITIES


def test_shares_must_sum_to_exactly_100(world):
    errors = errors_of(
        services.create_intervention,
        actor_of(world, "alice"),
        details(
            world,
            fundings=[FundingShare(world.a, Decimal("50")), FundingShare(world.b, Decimal("40"))],
        ),
    )
    assert errors == {
        "fundings": ["Andelarna ska tillsammans vara exakt 100 %; nu är summan 90 %."]
    }
    assert not Intervention.objects.exists()
    assert not AuditEvent.objects.filter(action="intervention.create").exists()


def test_shares_over_100_are_refused_with_decimals_the_swedish_way(world):
    errors = errors_of(
        services.create_intervention,
        actor_of(world, "alice"),
        details(
            world,
            fundings=[
                FundingShare(world.a, Decimal("66.67")),
                FundingShare(world.b, Decimal("33.34")),
            ],
        ),
    )
    assert errors == {
        "fundings": ["Andelarna ska tillsammans vara exakt 100 %; nu är summan 100,01 %."]
    }


def test_the_lead_association_must_fund(world):
    errors = errors_of(
        services.create_intervention,
        actor_of(world, "alice"),
        details(world, fundings=[FundingShare(world.b, Decimal("100"))]),
    )
    assert errors == {
        "fundings": ["Det ansvariga förbundet (Förbund A) måste vara ett av de finansierande."]
    }


def test_a_funder_appears_once_and_no_funder_is_no_funding(world):
    errors = errors_of(
        services.create_intervention,
        actor_of(world, "alice"),
        details(
            world,
            fundings=[FundingShare(world.a, Decimal("50")), FundingShare(world.a, Decimal("50"))],
        ),
    )
    assert errors == {"fundings": ["Förbund A finns med mer än en gång."]}
    errors = errors_of(
        services.create_intervention, actor_of(world, "alice"), details(world, fundings=[])
    )
    assert errors == {"fundings": ["Ange minst ett finansierande förbund."]}


def _co_funded(world, **overrides) -> Intervention:
    """Led by B at Q, with A asked to take 40 %."""
    return services.create_intervention(
        actor_of(world, "dave"),
        details(
            world,
            provider=world.q,
            code="gemensam",
            fundings=[FundingShare(world.b, Decimal("60")), FundingShare(world.a, Decimal("40"))],
            **overrides,
        ),
    )


def test_a_co_funded_intervention_serves_both_areas(world):
    intervention = _co_funded(
        world, participating_members=[municipal_org(world, world.a), municipal_org(world, world.b)]
    )
    assert intervention.lead_association == world.b
    assert sorted(intervention.municipalities.values_list("code", flat=True)) == ["2309", "2380"]
    # A's share is an offer until A's office accepts it.
    assert list(intervention.fundings.values_list("association", flat=True)) == [world.b.pk]
    offer = intervention.funding_offers.get()
    assert (offer.association, offer.share, offer.declined_at) == (world.a, Decimal("40"), None)
    services.accept_funding_offer(actor_of(world, "alice"), offer)
    assert Funding.objects.filter(intervention=intervention).count() == 2
    assert not intervention.funding_offers.exists()


# --- Co-funding is asked, not imposed ------------------------------------------------------------


def test_an_offered_share_is_not_funding_until_accepted(world):
    intervention = _co_funded(world)
    alice = actor_of(world, "alice")
    # Nothing of A's reads the offer as funding: lists, packages, reports go by Funding.
    assert not Intervention.objects.visible_to(alice).exists()
    assert not Intervention.objects.filter(fundings__association=world.a).exists()
    asked = AuditEvent.objects.get(action="intervention.funding_offer")
    assert (asked.association, asked.user, asked.reason) == (
        world.a,
        world["dave"],
        "Förbund B: 40 %",
    )
    funding = services.accept_funding_offer(alice, intervention.funding_offers.get())
    assert (funding.association, funding.share) == (world.a, Decimal("40"))
    assert list(Intervention.objects.visible_to(alice)) == [intervention]
    accepted = AuditEvent.objects.get(action="intervention.funding_accept")
    assert (accepted.association, accepted.user, accepted.object_id) == (
        world.a,
        world["alice"],
        str(intervention.public_id),
    )


def test_only_the_asked_associations_office_answers(world):
    intervention = _co_funded(world)
    offer = intervention.funding_offers.get()
    for persona in ("dave", "carol", "helena", "petra"):
        with pytest.raises(PermissionDenied):
            services.accept_funding_offer(actor_of(world, persona), offer)
        with pytest.raises(PermissionDenied):
            services.decline_funding_offer(actor_of(world, persona), offer)
    assert not Funding.objects.filter(association=world.a).exists()
    assert intervention.funding_offers.get().declined_at is None


def test_a_declined_offer_stays_declined_until_the_lead_asks_again(world):
    intervention = _co_funded(world)
    alice, dave = actor_of(world, "alice"), actor_of(world, "dave")
    offer = services.decline_funding_offer(alice, intervention.funding_offers.get())
    assert offer.declined_at is not None
    with pytest.raises(PermissionDenied):
        services.accept_funding_offer(alice, offer)
    assert AuditEvent.objects.filter(action="intervention.funding_decline").count() == 1
    # The lead saves the intervention unchanged: the declined offer is not asked again.
    again = [FundingShare(world.b, Decimal("60")), FundingShare(world.a, Decimal("40"))]
    base = details(world, provider=world.q, code="gemensam", fundings=again)
    services.update_intervention(dave, intervention, base)
    assert intervention.funding_offers.get().declined_at is not None
    assert AuditEvent.objects.filter(action="intervention.funding_offer").count() == 1
    # A new share is a new question.
    shares = [FundingShare(world.b, Decimal("70")), FundingShare(world.a, Decimal("30"))]
    services.update_intervention(dave, intervention, replace(base, fundings=shares))
    offer = intervention.funding_offers.get()
    assert (offer.share, offer.declined_at) == (Decimal("30"), None)
    assert AuditEvent.objects.filter(action="intervention.funding_offer").count() == 2
    # Left out of the form, the offer is withdrawn.
    alone = [FundingShare(world.b, Decimal("100"))]
    services.update_intervention(dave, intervention, replace(base, fundings=alone))
    assert not intervention.funding_offers.exists()
    assert list(intervention.fundings.values_list("association", "share")) == [
        (world.b.pk, Decimal("100"))
    ]


def test_an_accepted_share_stays_funding_when_the_lead_edits(world):
    intervention = _co_funded(world)
    services.accept_funding_offer(actor_of(world, "alice"), intervention.funding_offers.get())
    shares = [FundingShare(world.b, Decimal("55")), FundingShare(world.a, Decimal("45"))]
    services.update_intervention(
        actor_of(world, "dave"),
        intervention,
        details(world, provider=world.q, code="gemensam", fundings=shares),
    )
    assert sorted(intervention.fundings.values_list("association__slug", "share")) == [
        ("forbund-a", Decimal("45.00")),
        ("forbund-b", Decimal("55.00")),
    ]
    assert not intervention.funding_offers.exists()


def test_the_code_is_unique_per_lead_association(world):
    services.create_intervention(actor_of(world, "alice"), details(world))
    errors = errors_of(
        services.create_intervention, actor_of(world, "alice"), details(world, code="STEG")
    )
    assert errors == {"code": ["Kortkoden används redan av en annan insats i förbundet."]}
    # Another association may use the same code.
    other = services.create_intervention(
        actor_of(world, "dave"),
        details(world, provider=world.q, fundings=[FundingShare(world.b, Decimal("100"))]),
    )
    assert other.code == "steg"


def test_the_code_is_a_short_lower_case_code(world):
    errors = errors_of(
        services.create_intervention, actor_of(world, "alice"), details(world, code="steg 1!")
    )
    assert errors == {
        "code": [
            "Kortkoden får bara innehålla små bokstäver a–z, siffror, bindestreck och understreck."
        ]
    }


@pytest.mark.parametrize(
    ("kind", "orientation", "message"),
    [
        (
            Intervention.Kind.INDIVIDUAL,
            Orientation.KOMPETENSUTVECKLING,
            "Inriktningen kompetensutveckling passar inte en individinriktad insats.",
        ),
        (
            Intervention.Kind.STRUCTURAL,
            Orientation.REHABILITERANDE,
            "Inriktningen rehabiliterande (till arbete eller studier) passar inte en "
            "strukturövergripande insats.",
        ),
    ],
)
def test_the_orientation_must_suit_the_kind(world, kind, orientation, message):
    errors = errors_of(
        services.create_intervention,
        actor_of(world, "alice"),
        details(world, kind=kind, orientation=orientation),
    )
    assert errors == {"orientation": [message]}


def test_the_follow_up_method_must_suit_the_kind(world):
    errors = errors_of(
        services.create_intervention,
        actor_of(world, "alice"),
        details(world, follow_up_method=Intervention.FollowUpMethod.ACTIVITIES),
    )
    assert errors == {
        "follow_up_method": [
            "Aktiviteter och deltagarantal gäller bara strukturövergripande insatser."
        ]
    }


def test_dates_ages_and_status_are_coherent(world):
    errors = errors_of(
        services.create_intervention,
        actor_of(world, "alice"),
        details(
            world,
            planned_end=date(2025, 12, 31),
            ended=date(2025, 6, 30),
            min_age=30,
            max_age=25,
        ),
    )
    assert errors == {
        "planned_end": ["Planerat slutdatum kan inte vara före startdatum."],
        "ended": ["Datum för avslut kan inte vara före startdatum."],
        "status": ["En insats med datum för avslut ska ha status Avslutad."],
        "max_age": ["Högsta ålder kan inte vara lägre än lägsta ålder."],
    }
    errors = errors_of(
        services.create_intervention,
        actor_of(world, "alice"),
        details(world, status=Intervention.Status.ENDED),
    )
    assert errors == {"ended": ["Ange när insatsen avslutades."]}


def test_provider_parties_and_municipalities_belong_to_the_funders(world):
    ostersund = municipal_org(world, world.b)
    errors = errors_of(
        services.create_intervention,
        actor_of(world, "alice"),
        details(
            world,
            provider=world.q,
            participating_members=[ostersund],
            staffing={ostersund: Decimal("1")},
            municipalities=[Municipality.objects.get(code="2380")],
        ),
    )
    assert errors == {
        "provider": ["Välj en utförare hos någon av förbundets medlemmar."],
        "participating_members": [
            "Östersund kommun är inte medlem i något av de finansierande förbunden."
        ],
        "staffing": ["Bemanning kan bara anges för medlemmar: Östersund kommun är inte medlem."],
        "municipalities": ["Östersund ligger inte i något av de finansierande förbundens områden."],
    }


@pytest.mark.parametrize("persona", ["carol", "helena", "petra", "bob"])
def test_only_an_office_creates(world, persona):
    with pytest.raises(PermissionDenied):
        services.create_intervention(actor_of(world, persona), details(world))
    assert not Intervention.objects.exists()


# --- update_intervention -----------------------------------------------------------------------


def test_update_replaces_fundings_and_audits(world, steg):
    services.update_intervention(
        actor_of(world, "alice"),
        steg,
        details(
            world,
            name="Steg till arbete 2",
            fundings=[FundingShare(world.a, Decimal("75")), FundingShare(world.b, Decimal("25"))],
            status=Intervention.Status.RUNNING,
        ),
    )
    steg.refresh_from_db()
    assert steg.name == "Steg till arbete 2"
    assert steg.status == Intervention.Status.RUNNING
    assert sorted(steg.fundings.values_list("association__slug", "share")) == [
        ("forbund-a", Decimal("75.00")),
    ]
    # B is asked: its share is an offer until its office accepts it.
    assert list(steg.funding_offers.values_list("association__slug", "share")) == [
        ("forbund-b", Decimal("25.00")),
    ]
    assert AuditEvent.objects.filter(action="intervention.update", object_id=str(steg.public_id))


def test_update_keeps_its_own_code(world, steg):
    services.update_intervention(actor_of(world, "alice"), steg, details(world, code="steg"))
    assert Intervention.objects.get().code == "steg"


def test_locked_fields_cannot_change_once_an_activity_exists(world, training):
    ActivityFactory(intervention=training)
    assert training.locked_fields() == {"kind", "follow_up_method", "eu_funded"}
    base = details(
        world,
        code="samverkan",
        kind=Intervention.Kind.STRUCTURAL,
        orientation=Orientation.KOMPETENSUTVECKLING,
        follow_up_method=Intervention.FollowUpMethod.ACTIVITIES,
        start=training.start,
    )
    errors = errors_of(
        services.update_intervention,
        actor_of(world, "alice"),
        training,
        replace(
            base,
            kind=Intervention.Kind.INDIVIDUAL,
            orientation=Orientation.KARTLAGGNING,
            follow_up_method=Intervention.FollowUpMethod.INDIVIDUAL,
            eu_funded=True,
        ),
    )
    assert errors == {
        "kind": [f"Typ {LOCKED}"],
        "follow_up_method": [f"Uppföljningsmetod {LOCKED}"],
        "eu_funded": [f"EU-finansierad {LOCKED}"],
    }
    training.refresh_from_db()
    assert training.kind == Intervention.Kind.STRUCTURAL
    # The other fields stay editable.
    services.update_intervention(actor_of(world, "alice"), training, replace(base, places=30))
    training.refresh_from_db()
    assert training.places == 30


def test_nothing_is_locked_before_participants_or_activities(world, training):
    assert training.locked_fields() == set()
    services.update_intervention(
        actor_of(world, "alice"),
        training,
        details(world, code="samverkan", eu_funded=True),
    )
    training.refresh_from_db()
    assert (training.kind, training.eu_funded) == (Intervention.Kind.INDIVIDUAL, True)


def test_only_the_lead_associations_office_edits(world, shared, steg):
    with pytest.raises(PermissionDenied):
        services.update_intervention(actor_of(world, "alice"), shared, details(world))
    with pytest.raises(PermissionDenied):
        services.update_intervention(actor_of(world, "dave"), steg, details(world))
    with pytest.raises(PermissionDenied):
        services.update_intervention(actor_of(world, "carol"), steg, details(world))


# --- Goals -------------------------------------------------------------------------------------


def goal(world, intervention, persona: str = "alice", **overrides):
    values = {
        "text": "Minst 4 av 10 ska efter insatsen ha arbete eller studera",
        "measure": Goal.Measure.SHARE_EXITS_IN_GROUPS,
        "report_groups": ["studier", "arbete"],
        "target": Decimal("40"),
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
    }
    return services.add_goal(actor_of(world, persona), intervention, **{**values, **overrides})


def test_add_goal_stores_the_goal_as_data(world, steg):
    created = goal(world, steg)
    created.refresh_from_db()
    assert created.intervention == steg
    # Each group once, in the code list's order.
    assert created.report_groups == ["arbete", "studier"]
    assert created.target == Decimal("40.00")
    event = AuditEvent.objects.get(action="intervention.goal_add")
    assert (event.association, event.object_id) == (world.a, str(steg.public_id))


def test_add_goal_validates(world, steg):
    errors = errors_of(
        goal,
        world,
        steg,
        text=" ",
        report_groups=[],
        target=Decimal("140"),
        period_end=date(2025, 12, 31),
    )
    assert errors == {
        "text": ["Beskriv målet."],
        "report_groups": ["Välj vilka avslutsgrupper som räknas mot målet."],
        "target": ["Målvärdet är en andel i procent och kan inte vara över 100."],
        "period_end": ["Periodens slut kan inte vara före dess början."],
    }
    errors = errors_of(
        goal, world, steg, measure=Goal.Measure.PARTICIPANTS_PER_FTE, target=Decimal("140")
    )
    assert errors == {"report_groups": ["Avslutsgrupper gäller bara mått som räknar avslut."]}
    errors = errors_of(goal, world, steg, report_groups=["arbete", "lotteri"])
    assert errors == {"report_groups": ["Okänd avslutsgrupp."]}
    assert not Goal.objects.exists()


def test_a_participants_per_fte_goal_may_exceed_100(world, steg):
    created = goal(
        world, steg, measure=Goal.Measure.PARTICIPANTS_PER_FTE, report_groups=[], target=120
    )
    assert created.target == 120


def test_delete_goal(world, steg):
    created = goal(world, steg)
    with pytest.raises(PermissionDenied):
        services.delete_goal(actor_of(world, "carol"), created)
    services.delete_goal(actor_of(world, "alice"), created)
    assert not Goal.objects.exists()
    assert AuditEvent.objects.filter(action="intervention.goal_delete").count() == 1


def test_only_the_lead_office_adds_goals(world, shared):
    with pytest.raises(PermissionDenied):
        goal(world, shared)


# --- Structural activities ---------------------------------------------------------------------


def activity(world, intervention, attendance=None, **overrides):
    values = {
        "date": date(2025, 3, 12),
        "title": "Samverkan i praktiken",
        "type": "utbildning",
        "hours": Decimal("3.5"),
        "attendance": attendance or {},
    }
    return services.add_activity(actor_of(world, "alice"), intervention, **{**values, **overrides})


def test_add_activity_counts_attendees_per_organisation_and_gender(world, training):
    krokom = municipal_org(world, world.a)
    fk = Organisation.objects.get(kind=Organisation.Kind.FK)
    created = activity(
        world,
        training,
        {krokom: Count(women=7, men=3), fk: Count(women=4, men=1, other=1)},
    )
    rows = Attendance.objects.filter(activity=created).order_by("organisation__name")
    assert [(r.organisation.name, r.women, r.men, r.other, r.total) for r in rows] == [
        ("Försäkringskassan", 4, 1, 1, 6),
        ("Krokom kommun", 7, 3, 0, 10),
    ]
    event = AuditEvent.objects.get(action="intervention.activity_add")
    assert (event.association, event.object_id) == (world.a, str(created.public_id))
    assert training.locked_fields() == {"kind", "follow_up_method", "eu_funded"}
    # An organisation without attendees gets no row.
    empty = activity(world, training, {krokom: Count()})
    assert not Attendance.objects.filter(activity=empty).exists()


def test_activities_belong_to_structural_interventions(world, steg):
    errors = errors_of(activity, world, steg)
    assert errors == {
        "__all__": ["Aktiviteter registreras bara för strukturövergripande insatser."]
    }


def test_add_activity_validates(world, training):
    ostersund = municipal_org(world, world.b)
    errors = errors_of(
        activity,
        world,
        training,
        {ostersund: Count(women=1), municipal_org(world, world.a): Count(women=-1)},
        title="",
        hours=Decimal("-1"),
        date=date(2024, 12, 31),
    )
    assert errors == {
        "title": ["Ange en rubrik."],
        "hours": ["Antalet timmar kan inte vara negativt."],
        "date": ["Aktiviteten kan inte ligga före insatsens startdatum."],
        "attendance": [
            "Östersund kommun är inte medlem i något av de finansierande förbunden.",
            "Antal deltagare kan inte vara negativt.",
        ],
    }


def test_delete_activity_unlocks_when_it_was_the_only_row(world, training):
    created = activity(world, training)
    services.delete_activity(actor_of(world, "alice"), created)
    assert training.locked_fields() == set()
    assert AuditEvent.objects.filter(action="intervention.activity_delete").count() == 1


# --- Coaches -----------------------------------------------------------------------------------


def test_the_provider_manager_assigns_coaches(world):
    intervention = InterventionFactory(provider=world.p, lead_association=world.a)
    services.assign_coaches(actor_of(world, "petra"), intervention, [world["bob"], world["petra"]])
    assert set(intervention.coaches.all()) == {world["bob"], world["petra"]}
    event = AuditEvent.objects.get(action="intervention.coaches")
    assert (event.unit, event.reason) == (world.p, "bob@test.example, petra@test.example")
    services.assign_coaches(actor_of(world, "petra"), intervention, [])
    assert not intervention.coaches.exists()


def test_only_staff_of_the_provider_can_be_coaches(world, steg):
    errors = errors_of(
        services.assign_coaches, actor_of(world, "petra"), steg, [world["erin"], world["alice"]]
    )
    assert errors == {
        "coaches": ["Alice, Erin har ingen aktiv roll som coach eller enhetschef här."]
    }
    assert list(steg.coaches.all()) == [world["bob"]]


def test_a_deactivated_coach_cannot_be_assigned(world, steg):
    from django.utils import timezone

    world.roles["bob"].deactivated_at = timezone.now()
    world.roles["bob"].save()
    with pytest.raises(ValidationError):
        services.assign_coaches(actor_of(world, "petra"), steg, [world["bob"]])


@pytest.mark.parametrize("persona", ["bob", "erin", "alice"])
def test_only_the_providers_manager_assigns_coaches(world, steg, persona):
    with pytest.raises(PermissionDenied):
        services.assign_coaches(actor_of(world, persona), steg, [world["bob"]])


def test_format_share():
    assert services.format_share(Decimal("100.00")) == "100"
    assert services.format_share(Decimal("33.30")) == "33,3"
    assert services.format_share(Decimal("40")) == "40"
    assert services.format_share(Decimal("0.05")) == "0,05"
