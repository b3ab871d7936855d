"""The provider side's services: identity, eligibility, referrals, consent, enrolment, exit,
follow-up and who sees what. Time is pinned to 2026-11-22."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from stegvis.core.actors import Actor
from stegvis.core.codes import Gender
from stegvis.core.models import AuditEvent, Municipality, Organisation, Role, RoleAssignment
from stegvis.core.tests.factories import AssociationFactory, UserFactory
from stegvis.interventions.models import Funding, Intervention
from stegvis.participants import services
from stegvis.participants.models import Consent, Enrolment, FollowUp, Participant, Referral
from stegvis.participants.services import Background, IdentityInput, add_months
from stegvis.participants.tests.conftest import national_id

NUMBER = national_id("19900101")  # 19900101-2385
TEN = "900101-2385"
NAME = "Greta Testsson"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-22 10:00 +01:00", tick=False):
        yield


def actor(world, persona: str) -> Actor:
    return Actor(user=world[persona], assignment=world.roles[persona])


def add_persona(world, name: str, role: Role, unit) -> Actor:
    """Another user with a role at ``unit``, available to ``actor(world, name)`` afterwards."""
    user = UserFactory(email=f"{name}@test.example", full_name=name.capitalize())
    world.users[name] = user
    world.roles[name] = RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return actor(world, name)


def municipality(code: str) -> Municipality:
    return Municipality.objects.get(code=code)


def members(world) -> list[Organisation]:
    """FK and Krokom: two kinds of member."""
    return [world.fk_unit.organisation, world.p.organisation]


def identity(number: str = NUMBER, **kwargs) -> IdentityInput:
    kwargs.setdefault("home_municipality", municipality("2309"))
    return IdentityInput(kind="personnummer", national_id=number, **kwargs)


def register(world, number: str = NUMBER, persona: str = "petra", **kwargs) -> Participant:
    participant, _created = services.register_participant(
        actor(world, persona), identity(number, **kwargs)
    )
    return participant


def consent(world, participant, given_on=date(2026, 1, 1), **kwargs) -> Consent:
    kwargs.setdefault("follow_up", True)
    return services.record_consent(
        actor(world, "petra"), participant, given_on=given_on, form="papper", **kwargs
    )


def enrolled(world, steg, birth="19900101", serial="238", start=date(2026, 3, 1)) -> Enrolment:
    participant = register(world, national_id(birth, serial))
    consent(world, participant)
    return services.enrol_participant(
        actor(world, "petra"), participant, steg, start=start, coach=world["bob"]
    )


def exited(world, steg, exit_date, serial="238", **kwargs) -> Enrolment:
    enrolment = enrolled(world, steg, serial=serial, start=date(2026, 1, 15))
    kwargs.setdefault("reason", "arbete")
    return services.record_exit(
        actor(world, "petra"),
        enrolment,
        exit_date=exit_date,
        income_source="lon",
        occupation="forvarvsarbete",
        **kwargs,
    )


def refer(world, steg, number: str = NUMBER, **kwargs) -> Referral:
    kwargs.setdefault("members_involved", members(world))
    kwargs.setdefault("referring_kinds", ["fk"])
    kwargs.setdefault("planned_start", date(2026, 12, 1))
    return services.create_referral(
        actor(world, "frank"),
        intervention=steg,
        identity=identity(number, name=NAME),
        **kwargs,
    )


def message_dict(caught) -> dict[str, list[str]]:
    """The errors by field; a non-field error under ``__all__``."""
    error = caught.value
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


# --- register_participant ----------------------------------------------------------------------


def test_register_participant_encrypts_name_and_number(world):
    participant, created = services.register_participant(
        actor(world, "petra"), identity(name=NAME, contact="070-123 45 67")
    )
    assert created is True
    participant.refresh_from_db()
    assert participant.provider == world.p
    assert participant.identity_kind == Participant.IdentityKind.PERSONNUMMER
    assert participant.birth_date == date(1990, 1, 1)
    assert participant.birth_year == 1990
    assert participant.gender == Gender.KVINNA
    assert participant.national_id == NUMBER
    assert participant.name == NAME
    assert participant.contact == "070-123 45 67"
    assert participant.masked_id == "19900101-****"
    assert "9001012385" not in participant.national_id_encrypted
    assert "19900101" not in participant.national_id_encrypted
    assert not Participant.objects.filter(name_encrypted__contains="Test").exists()
    assert not Participant.objects.filter(contact_encrypted__contains="070").exists()
    # Not in any column of the table either.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM participants_participant")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    for secret in ("9001012385", "19900101", "Testsson", "Greta", "070-123"):
        assert secret not in stored


def test_register_participant_sets_a_blind_index_that_finds_the_person(world):
    participant = register(world)
    assert participant.national_id_index == services.blind_index_for(world.p.pk, NUMBER)
    assert len(participant.national_id_index) == 64
    assert services.find_by_national_id(actor(world, "petra"), TEN) == participant


def test_register_participant_twice_finds_the_same_person(world):
    first, created = services.register_participant(actor(world, "petra"), identity())
    assert created is True
    again, created = services.register_participant(actor(world, "bob"), identity(TEN))
    assert created is False
    assert again == first
    assert Participant.objects.count() == 1


def test_the_same_number_at_another_provider_is_another_participant(world):
    at_p = register(world)
    at_q, created = services.register_participant(actor(world, "erin"), identity())
    assert created is True
    assert at_q != at_p
    assert at_q.provider == world.q
    assert at_q.national_id_index != at_p.national_id_index
    assert at_q.national_id_index == services.blind_index_for(world.q.pk, NUMBER)


def test_register_participant_refuses_an_invalid_number(world):
    with pytest.raises(ValidationError) as caught:
        register(world, "19900101-2386")
    assert message_dict(caught) == {
        "national_id": ["Kontrollsiffran stämmer inte. Kontrollera numret."]
    }
    assert not Participant.objects.exists()


def test_register_participant_with_a_samordningsnummer(world):
    participant = register(world, "19900161-2382")
    assert participant.identity_kind == Participant.IdentityKind.SAMORDNINGSNUMMER
    assert participant.birth_date == date(1990, 1, 1)


def test_protected_identity_stores_nothing(world):
    data = IdentityInput(kind="skyddad", gender=Gender.MAN, birth_year=1985)
    participant, created = services.register_participant(actor(world, "petra"), data)
    assert created is True
    participant.refresh_from_db()
    assert participant.identity_kind == Participant.IdentityKind.PROTECTED
    assert participant.national_id_encrypted == ""
    assert participant.national_id_index == ""
    assert participant.name_encrypted == ""
    assert participant.contact_encrypted == ""
    assert participant.reserve_id == ""
    assert participant.birth_date is None
    assert participant.birth_year == 1985
    assert participant.gender == Gender.MAN
    assert participant.display_name == "Skyddad identitet"
    # Nothing to match on: a second registration is a second participant.
    _other, created = services.register_participant(actor(world, "petra"), data)
    assert created is True


@pytest.mark.parametrize(
    "extra", [{"name": NAME}, {"contact": "070-123 45 67"}, {"national_id": NUMBER}]
)
def test_protected_identity_refuses_a_name_number_or_contact(world, extra):
    data = IdentityInput(kind="skyddad", gender=Gender.MAN, birth_year=1985, **extra)
    with pytest.raises(ValidationError) as caught:
        services.register_participant(actor(world, "petra"), data)
    assert caught.value.messages == [
        "För en person med skyddade personuppgifter sparas inte namn, nummer eller kontakt."
    ]
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            IdentityInput(kind="reserv", gender=Gender.KVINNA, birth_year=1990),
            {"reserve_id": ["Ange utförarens reservnummer."]},
        ),
        (
            IdentityInput(kind="reserv", reserve_id="R-1", birth_year=1990),
            {"gender": ["Ange kön när personnummer saknas."]},
        ),
        (
            IdentityInput(kind="reserv", reserve_id="R-1", gender=Gender.KVINNA),
            {"birth_year": ["Ange ett födelseår mellan 1900 och i år."]},
        ),
        (
            IdentityInput(kind="reserv", reserve_id="R-1", gender=Gender.KVINNA, birth_year=2027),
            {"birth_year": ["Ange ett födelseår mellan 1900 och i år."]},
        ),
        (
            IdentityInput(kind="reserv", reserve_id="R-1", gender=Gender.KVINNA, birth_year=1899),
            {"birth_year": ["Ange ett födelseår mellan 1900 och i år."]},
        ),
    ],
)
def test_reserve_identity_needs_reserve_id_gender_and_birth_year(world, data, errors):
    with pytest.raises(ValidationError) as caught:
        services.register_participant(actor(world, "petra"), data)
    assert message_dict(caught) == errors
    assert not Participant.objects.exists()


def test_reserve_identity_is_found_again_by_its_reserve_id(world):
    data = IdentityInput(
        kind="reserv", reserve_id=" R-1 ", gender=Gender.KVINNA, birth_year=1990, name=NAME
    )
    participant, created = services.register_participant(actor(world, "petra"), data)
    assert created is True
    assert participant.reserve_id == "R-1"
    assert participant.birth_date is None
    assert participant.masked_id == "R-1"
    again, created = services.register_participant(actor(world, "petra"), data)
    assert (again, created) == (participant, False)


def assert_no_identity_in_audit_log() -> None:
    for event in AuditEvent.objects.values():
        text = " ".join(str(value) for value in event.values())
        for secret in ("Greta", "Testsson", "9001012385", "19900101", "900101"):
            assert secret not in text, event


def test_register_participant_is_audited_without_identity(world):
    participant, _ = services.register_participant(actor(world, "petra"), identity(name=NAME))
    services.register_participant(actor(world, "bob"), identity(TEN, name=NAME))
    created = AuditEvent.objects.get(action="participant.create")
    assert created.participant_ref == participant.public_id
    assert (created.unit, created.user, created.role) == (
        world.p,
        world["petra"],
        "provider_manager",
    )
    found = AuditEvent.objects.get(action="participant.found")
    assert found.participant_ref == participant.public_id
    assert (found.unit, found.user, found.role) == (world.p, world["bob"], "coach")
    assert_no_identity_in_audit_log()


def test_a_referrer_finding_an_existing_person_is_audited_without_identity(world, steg):
    participant = register(world)
    refer(world, steg, need="Behöver stöd")
    found = AuditEvent.objects.get(action="participant.found")
    assert found.participant_ref == participant.public_id
    assert (found.user, found.role) == (world["frank"], "referrer")
    assert_no_identity_in_audit_log()


def test_a_referrers_events_are_logged_at_the_provider(world, steg):
    register(world, national_id("19800101"))
    referral = refer(world, steg)
    refer(world, steg, national_id("19800101"))
    services.withdraw_referral(actor(world, "frank"), referral)
    events = AuditEvent.objects.filter(user=world["frank"])
    assert set(events.values_list("action", flat=True)) == {
        "participant.create",
        "participant.found",
        "referral.create",
        "referral.withdraw",
    }
    assert {e.unit for e in events} == {world.p}


def test_register_participant_refuses_association_roles(world):
    with pytest.raises(PermissionDenied):
        services.register_participant(actor(world, "alice"), identity())
    assert not Participant.objects.exists()


# --- find_by_national_id -----------------------------------------------------------------------


def test_find_by_national_id_is_exact(world):
    participant = register(world)
    other = register(world, national_id("19900101", "248"))
    petra = actor(world, "petra")
    assert services.find_by_national_id(petra, NUMBER) == participant
    assert services.find_by_national_id(petra, "9001012385") == participant
    assert services.find_by_national_id(petra, national_id("19900101", "248")) == other
    assert services.find_by_national_id(petra, national_id("19900102")) is None


def test_find_by_national_id_is_scoped_to_the_actors_provider(world):
    register(world)
    assert services.find_by_national_id(actor(world, "erin"), NUMBER) is None
    miss = AuditEvent.objects.get(action="participant.search")
    assert miss.unit == world.q
    assert miss.participant_ref is None
    assert miss.reason == "ingen träff"


def test_find_by_national_id_is_audited(world):
    participant = register(world)
    services.find_by_national_id(actor(world, "petra"), TEN)
    hit = AuditEvent.objects.get(action="participant.search")
    assert hit.participant_ref == participant.public_id
    assert hit.reason == "träff"
    assert hit.unit == world.p
    assert_no_identity_in_audit_log()


def test_find_by_national_id_refuses_invalid_numbers_and_other_roles(world):
    with pytest.raises(ValidationError):
        services.find_by_national_id(actor(world, "petra"), "19900101-2386")
    for persona in ("alice", "frank"):
        with pytest.raises(PermissionDenied):
            services.find_by_national_id(actor(world, persona), NUMBER)
    assert not AuditEvent.objects.filter(action="participant.search").exists()


# --- check_eligibility -------------------------------------------------------------------------


def eligible_person(world, birth="19900101", home="2309", with_consent=True) -> Participant:
    participant, _ = services.register_participant(
        actor(world, "petra"),
        IdentityInput(
            kind="personnummer",
            national_id=national_id(birth),
            home_municipality=municipality(home) if home else None,
        ),
    )
    if with_consent:
        consent(world, participant, given_on=date(2026, 11, 1))
    return participant


def check(world, steg, participant, **kwargs) -> list[str]:
    kwargs.setdefault("planned_start", date(2026, 12, 1))
    kwargs.setdefault("members_involved", members(world))
    return services.check_eligibility(steg, participant, **kwargs)


def test_check_eligibility_passes_when_every_rule_holds(world, steg):
    assert check(world, steg, eligible_person(world)) == []


@pytest.mark.parametrize(("birth", "age"), [("20111201", 15), ("19611201", 65)])
def test_check_eligibility_age_on_planned_start(world, steg, birth, age):
    participant = eligible_person(world, birth)
    assert check(world, steg, participant) == [
        f"Personen är {age} år vid planerad start 2026-12-01; insatsen vänder sig till "
        "personer mellan 16 och 64 år."
    ]


@pytest.mark.parametrize("birth", ["20101201", "19621201"])
def test_check_eligibility_age_limits_are_inclusive(world, steg, birth):
    assert check(world, steg, eligible_person(world, birth)) == []


def test_check_eligibility_home_municipality_outside_the_funding_area(world, steg):
    participant = eligible_person(world, home="2380")
    assert check(world, steg, participant) == [
        "Hemkommunen Östersund ingår inte i de finansierande förbundens område."
    ]


def test_check_eligibility_the_interventions_own_municipalities_decide(world, steg):
    steg.municipalities.set([municipality("2380")])
    assert check(world, steg, eligible_person(world, home="2380")) == []


def test_check_eligibility_missing_home_municipality(world, steg):
    participant = eligible_person(world, home=None)
    assert check(world, steg, participant) == [
        "Hemkommun saknas, så det går inte att se att personen bor i området."
    ]


def test_check_eligibility_fewer_than_two_member_kinds(world, steg):
    participant = eligible_person(world)
    fk = world.fk_unit.organisation
    assert check(
        world, steg, participant, members_involved=[fk], referring_kinds=["fk", "sjalv", "annan"]
    ) == [
        "Minst 2 olika parter (Försäkringskassan, Arbetsförmedlingen, regionen, kommunen) "
        "behöver vara involverade; 1 angivna."
    ]
    # A referring kind counts as the member it stands for.
    assert (
        check(world, steg, participant, members_involved=[fk], referring_kinds=["kommun_ama"]) == []
    )


def test_check_eligibility_no_consent(world, steg):
    participant = eligible_person(world, with_consent=False)
    assert check(world, steg, participant) == ["Samtycke till registrering finns inte registrerat."]


def test_check_eligibility_lists_every_failed_rule(world, steg):
    participant = eligible_person(world, birth="20111201", home=None, with_consent=False)
    assert len(check(world, steg, participant, members_involved=[])) == 4


# --- Referrals ---------------------------------------------------------------------------------


def test_a_referrer_may_refer_to_interventions_funded_by_an_association_of_their_member(
    world, steg
):
    frank = actor(world, "frank")
    assert list(services.referable_interventions(frank)) == [steg]
    # Funded only by an association FK is not a member of: not referable.
    other = AssociationFactory(name="Förbund C", slug="forbund-c")
    elsewhere = Intervention.objects.create(
        provider=world.p,
        lead_association=other,
        name="Annan insats",
        code="annan",
        kind=Intervention.Kind.INDIVIDUAL,
        orientation="rehabiliterande",
        start=date(2025, 1, 1),
        status=Intervention.Status.RUNNING,
    )
    Funding.objects.create(association=other, intervention=elsewhere, share=100)
    ended = Intervention.objects.create(
        provider=world.p,
        lead_association=world.a,
        name="Avslutad insats",
        code="slut",
        kind=Intervention.Kind.INDIVIDUAL,
        orientation="rehabiliterande",
        start=date(2025, 1, 1),
        status=Intervention.Status.ENDED,
    )
    Funding.objects.create(association=world.a, intervention=ended, share=100)
    assert list(services.referable_interventions(frank)) == [steg]
    with pytest.raises(PermissionDenied):
        refer(world, elsewhere)
    assert not Referral.objects.exists()


def test_create_referral_from_a_referrer(world, steg):
    referral = refer(world, steg)
    assert referral.state == Referral.State.RECEIVED
    assert referral.source == Referral.Source.REFERRER
    assert referral.referrer == world.roles["frank"]
    assert referral.provider == world.p
    assert referral.participant.provider == world.p
    assert referral.participant.name == NAME
    assert set(referral.members_involved.all()) == set(members(world))
    assert referral.failed_rules == ["Samtycke till registrering finns inte registrerat."]
    event = AuditEvent.objects.get(action="referral.create")
    assert event.participant_ref == referral.participant.public_id
    assert event.object_id == str(referral.public_id)


def test_referral_goes_from_received_to_visa_booked_to_accepted(world, steg):
    referral = refer(world, steg)
    services.book_visa(actor(world, "bob"), referral, visa_date=date(2026, 11, 25))
    referral.refresh_from_db()
    assert referral.state == Referral.State.VISA_BOOKED
    assert referral.visa_date == date(2026, 11, 25)
    consent(world, referral.participant, given_on=date(2026, 11, 22))
    services.accept_referral(actor(world, "petra"), referral)
    referral.refresh_from_db()
    assert referral.state == Referral.State.ACCEPTED
    assert referral.failed_rules == []
    assert referral.override_reason == ""
    assert referral.decided_at is not None
    assert list(
        AuditEvent.objects.filter(action__startswith="referral.")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["referral.create", "referral.visa", "referral.eligibility", "referral.accept"]


def test_refreshing_eligibility_audits_a_changed_result_only(world, steg):
    referral = refer(world, steg)
    bob = actor(world, "bob")
    # Nothing changed: nothing written, no event.
    assert services.refresh_eligibility(bob, referral) == [
        "Samtycke till registrering finns inte registrerat."
    ]
    assert not AuditEvent.objects.filter(action="referral.eligibility").exists()
    consent(world, referral.participant, given_on=date(2026, 11, 22))
    assert services.refresh_eligibility(bob, referral) == []
    referral.refresh_from_db()
    assert referral.failed_rules == []
    event = AuditEvent.objects.get(action="referral.eligibility")
    assert (event.user, event.unit) == (world["bob"], world.p)
    assert event.participant_ref == referral.participant.public_id
    assert event.object_id == str(referral.public_id)
    assert event.reason == "alla villkor uppfyllda"
    # Checked again with the same result: still one event.
    services.refresh_eligibility(bob, referral)
    assert AuditEvent.objects.filter(action="referral.eligibility").count() == 1


def test_accepting_despite_failed_rules_needs_a_reason(world, steg):
    referral = refer(world, steg)
    petra = actor(world, "petra")
    with pytest.raises(ValidationError) as caught:
        services.accept_referral(petra, referral, override_reason="  ")
    assert message_dict(caught) == {
        "override_reason": [
            "Remissen uppfyller inte alla villkor. Skriv skälet till att ändå anta den."
        ]
    }
    referral.refresh_from_db()
    assert referral.state == Referral.State.RECEIVED
    services.accept_referral(petra, referral, override_reason="Samtycke lämnas vid första mötet.")
    referral.refresh_from_db()
    assert referral.state == Referral.State.ACCEPTED
    assert referral.override_reason == "Samtycke lämnas vid första mötet."
    event = AuditEvent.objects.get(action="referral.accept")
    assert "Samtycke till registrering finns inte registrerat." in event.reason
    assert "Samtycke lämnas vid första mötet." in event.reason
    assert event.participant_ref == referral.participant.public_id


def test_a_coach_cannot_decide_on_a_referral(world, steg):
    referral = refer(world, steg)
    bob = actor(world, "bob")
    with pytest.raises(PermissionDenied):
        services.accept_referral(bob, referral, override_reason="Jag vill")
    with pytest.raises(PermissionDenied):
        services.decline_referral(bob, referral, reason="Jag vill inte")
    referral.refresh_from_db()
    assert referral.state == Referral.State.RECEIVED


def test_another_providers_staff_cannot_handle_the_referral(world, steg):
    referral = refer(world, steg)
    with pytest.raises(PermissionDenied):
        services.book_visa(actor(world, "erin"), referral, visa_date=date(2026, 11, 25))
    with pytest.raises(PermissionDenied):
        services.withdraw_referral(actor(world, "erin"), referral)


def test_declining_needs_a_reason(world, steg):
    referral = refer(world, steg)
    petra = actor(world, "petra")
    with pytest.raises(ValidationError) as caught:
        services.decline_referral(petra, referral, reason=" ")
    assert message_dict(caught) == {"reason": ["Skriv varför remissen avböjs."]}
    services.decline_referral(petra, referral, reason="Behovet gäller inte arbete.")
    referral.refresh_from_db()
    assert referral.state == Referral.State.DECLINED
    assert referral.decision_reason == "Behovet gäller inte arbete."


def test_the_referrer_who_sent_it_may_withdraw_it(world, steg):
    referral = refer(world, steg)
    other = add_persona(world, "fredrik", Role.REFERRER, world.fk_unit)
    with pytest.raises(PermissionDenied):
        services.withdraw_referral(other, referral)
    services.withdraw_referral(actor(world, "frank"), referral)
    referral.refresh_from_db()
    assert referral.state == Referral.State.WITHDRAWN
    event = AuditEvent.objects.get(action="referral.withdraw")
    assert event.participant_ref == referral.participant.public_id
    with pytest.raises(ValidationError) as caught:
        services.withdraw_referral(actor(world, "frank"), referral)
    assert caught.value.messages == ["Bara en remiss som inte är beslutad kan tas tillbaka."]


@pytest.mark.parametrize(
    ("first", "state"),
    [("accept", "antagen"), ("decline", "avböjd"), ("withdraw", "återtagen")],
)
def test_deciding_twice_is_refused(world, steg, first, state):
    referral = refer(world, steg)
    petra = actor(world, "petra")
    if first == "accept":
        services.accept_referral(petra, referral, override_reason="Skäl")
    elif first == "decline":
        services.decline_referral(petra, referral, reason="Skäl")
    else:
        services.withdraw_referral(actor(world, "frank"), referral)
    for again in (
        lambda: services.accept_referral(petra, referral, override_reason="Skäl"),
        lambda: services.decline_referral(petra, referral, reason="Skäl"),
        lambda: services.book_visa(petra, referral, visa_date=date(2026, 11, 25)),
    ):
        with pytest.raises(ValidationError) as caught:
            again()
        assert caught.value.messages == [f"Remissen är redan {state}."]


def test_create_referral_refuses_a_start_long_ago(world, steg):
    with pytest.raises(ValidationError) as caught:
        refer(world, steg, planned_start=date(2026, 10, 1))
    assert message_dict(caught) == {
        "planned_start": ["Önskad start kan inte ligga så långt bakåt."]
    }
    assert not Participant.objects.exists()


# --- Consent -----------------------------------------------------------------------------------


def test_record_and_withdraw_consent(world):
    participant = register(world)
    petra = actor(world, "petra")
    given = services.record_consent(
        petra,
        participant,
        given_on=date(2026, 11, 1),
        form="digitalt",
        information_exchange=True,
        exchange_with=[world.fk_unit.organisation],
    )
    assert given.provider == world.p
    assert list(given.exchange_with.all()) == [world.fk_unit.organisation]
    assert services.has_valid_consent(participant, on=date(2026, 11, 22))
    assert not services.has_valid_consent(participant, on=date(2026, 11, 22), scope="follow_up")
    assert not services.has_valid_consent(participant, on=date(2026, 10, 31))
    services.withdraw_consent(petra, given, on=date(2026, 11, 20))
    given.refresh_from_db()
    assert given.withdrawn_on == date(2026, 11, 20)
    assert services.has_valid_consent(participant, on=date(2026, 11, 19))
    assert not services.has_valid_consent(participant, on=date(2026, 11, 20))
    assert [
        (e.action, e.participant_ref)
        for e in AuditEvent.objects.filter(action__startswith="consent.").order_by("seq")
    ] == [
        ("consent.record", participant.public_id),
        ("consent.withdraw", participant.public_id),
    ]
    with pytest.raises(ValidationError) as caught:
        services.withdraw_consent(petra, given, on=date(2026, 11, 21))
    assert caught.value.messages == ["Samtycket är redan återkallat."]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"given_on": date(2026, 11, 23)}, {"given_on": ["Datumet kan inte ligga i framtiden."]}),
        (
            {"registration": False},
            {"__all__": ["Kryssa i minst en sak som samtycket gäller."]},
        ),
        (
            {"information_exchange": True},
            {"exchange_with": ["Välj vilka parter informationsutbytet gäller."]},
        ),
        (
            {"valid_until": date(2026, 10, 31)},
            {"valid_until": ["Giltighetstiden kan inte sluta före datumet."]},
        ),
    ],
)
def test_record_consent_validates(world, kwargs, error):
    participant = register(world)
    kwargs.setdefault("given_on", date(2026, 11, 1))
    with pytest.raises(ValidationError) as caught:
        services.record_consent(actor(world, "petra"), participant, form="papper", **kwargs)
    assert message_dict(caught) == error
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("on", "error"),
    [
        (date(2026, 10, 31), "Återkallelsen kan inte vara före samtycket."),
        (date(2026, 11, 23), "Datumet kan inte ligga i framtiden."),
    ],
)
def test_withdraw_consent_validates_the_date(world, on, error):
    given = consent(world, register(world), given_on=date(2026, 11, 1))
    with pytest.raises(ValidationError) as caught:
        services.withdraw_consent(actor(world, "petra"), given, on=on)
    assert message_dict(caught) == {"on": [error]}


def test_consent_of_another_provider_cannot_be_touched(world):
    given = consent(world, register(world))
    with pytest.raises(PermissionDenied):
        services.withdraw_consent(actor(world, "erin"), given, on=date(2026, 11, 20))
    with pytest.raises(PermissionDenied):
        services.record_consent(
            actor(world, "erin"), given.participant, given_on=date(2026, 11, 1), form="papper"
        )


def test_enrolment_needs_consent(world, steg):
    participant = register(world)
    petra = actor(world, "petra")
    with pytest.raises(ValidationError) as caught:
        services.enrol_participant(petra, participant, steg, start=date(2026, 11, 22))
    assert "Samtycke till registrering saknas" in caught.value.messages[0]
    assert caught.value.messages == [
        "Samtycke till registrering saknas eller är återkallat. Utan samtycke kan personen "
        "bara räknas anonymt (kön och år)."
    ]
    given = consent(world, participant, given_on=date(2026, 11, 1))
    services.withdraw_consent(petra, given, on=date(2026, 11, 10))
    with pytest.raises(ValidationError) as caught:
        services.enrol_participant(petra, participant, steg, start=date(2026, 11, 22))
    assert "Samtycke till registrering saknas" in caught.value.messages[0]
    assert not Enrolment.objects.exists()
    consent(world, participant, given_on=date(2026, 11, 20))
    enrolment = services.enrol_participant(petra, participant, steg, start=date(2026, 11, 22))
    assert enrolment.is_open


def test_consent_given_only_for_surveys_does_not_allow_enrolment(world, steg):
    participant = register(world)
    consent(world, participant, registration=False, surveys=True, follow_up=False)
    with pytest.raises(ValidationError):
        services.enrol_participant(
            actor(world, "petra"), participant, steg, start=date(2026, 11, 22)
        )


def test_consent_with_valid_until_in_the_past_is_not_valid(world):
    participant = register(world)
    given = consent(world, participant, given_on=date(2026, 1, 1), valid_until=date(2026, 6, 30))
    assert given.is_valid_on(date(2026, 6, 30))
    assert not given.is_valid_on(date(2026, 7, 1))
    assert not services.has_valid_consent(participant, on=date(2026, 11, 22))


def test_consent_is_valid_until_two_years_after_the_last_exit_by_default():
    given = Consent(given_on=date(2024, 1, 1))
    assert given.is_valid_on(date(2030, 1, 1))  # no exit yet: no end
    assert not given.is_valid_on(date(2023, 12, 31))
    assert given.is_valid_on(date(2026, 5, 31), last_exit=date(2024, 5, 31))
    assert not given.is_valid_on(date(2026, 6, 1), last_exit=date(2024, 5, 31))
    assert given.is_valid_on(date(2026, 2, 28), last_exit=date(2024, 2, 29))
    assert not given.is_valid_on(date(2026, 3, 1), last_exit=date(2024, 2, 29))
    # An explicit end wins over the default.
    given.valid_until = date(2025, 1, 1)
    assert not given.is_valid_on(date(2025, 1, 2), last_exit=date(2024, 5, 31))


def test_has_valid_consent_uses_the_last_exit(world, steg):
    enrolment = exited(world, steg, date(2026, 5, 31))
    participant = enrolment.participant
    assert services.last_exit(participant) == date(2026, 5, 31)
    assert services.has_valid_consent(participant, on=date(2028, 5, 31))
    assert not services.has_valid_consent(participant, on=date(2028, 6, 1))


# --- Enrolment ---------------------------------------------------------------------------------


def test_enrol_participant(world, steg):
    participant = register(world)
    consent(world, participant)
    enrolment = services.enrol_participant(
        actor(world, "bob"),
        participant,
        steg,
        start=date(2026, 3, 1),
        intro_end=date(2026, 3, 31),
        coach=world["bob"],
        intensity=50,
        background=Background(income_source_start="a_kassa", referring_kinds=("fk",)),
    )
    enrolment.refresh_from_db()
    assert enrolment.provider == world.p
    assert enrolment.coach == world["bob"]
    assert enrolment.intensity == 50
    assert enrolment.income_source_start == "a_kassa"
    assert enrolment.referring_kinds == ["fk"]
    event = AuditEvent.objects.get(action="enrolment.create")
    assert event.participant_ref == participant.public_id
    assert event.object_id == str(enrolment.public_id)


def test_enrolment_overlapping_an_open_one_is_refused(world, steg):
    enrolment = enrolled(world, steg, start=date(2026, 3, 1))
    for start in (date(2026, 2, 1), date(2026, 3, 1), date(2026, 11, 1)):
        with pytest.raises(ValidationError) as caught:
            services.enrol_participant(
                actor(world, "petra"), enrolment.participant, steg, start=start
            )
        assert message_dict(caught) == {
            "start": ["Personen har redan en inskrivning i insatsen som överlappar det datumet."]
        }
    assert Enrolment.objects.count() == 1


def test_enrolment_overlapping_a_closed_one_is_refused_and_after_it_allowed(world, steg):
    enrolment = enrolled(world, steg, start=date(2026, 1, 15))
    petra = actor(world, "petra")
    services.record_exit(
        petra,
        enrolment,
        exit_date=date(2026, 6, 30),
        reason="sjukdom",
        income_source="sjukpenning",
        occupation="ovrigt",
    )
    for start in (date(2026, 3, 1), date(2026, 6, 30)):
        with pytest.raises(ValidationError) as caught:
            services.enrol_participant(petra, enrolment.participant, steg, start=start)
        assert list(message_dict(caught)) == ["start"]
    again = services.enrol_participant(petra, enrolment.participant, steg, start=date(2026, 7, 1))
    assert again.is_open
    assert Enrolment.objects.count() == 2


def test_intro_end_before_start_is_refused(world, steg):
    participant = register(world)
    consent(world, participant)
    with pytest.raises(ValidationError) as caught:
        services.enrol_participant(
            actor(world, "petra"),
            participant,
            steg,
            start=date(2026, 3, 1),
            intro_end=date(2026, 2, 28),
        )
    assert message_dict(caught) == {"intro_end": ["Introduktionen kan inte sluta före start."]}


def test_the_coach_must_work_in_the_intervention(world, steg):
    participant = register(world)
    consent(world, participant)
    unassigned = add_persona(world, "gustav", Role.COACH, world.p)
    for coach in (unassigned.user, world["petra"], world["erin"]):
        with pytest.raises(ValidationError) as caught:
            services.enrol_participant(
                actor(world, "petra"), participant, steg, start=date(2026, 3, 1), coach=coach
            )
        assert message_dict(caught) == {"coach": ["Välj en coach som arbetar i insatsen."]}
    assert not Enrolment.objects.exists()


def test_enrolment_start_far_ahead_is_refused(world, steg):
    participant = register(world)
    consent(world, participant)
    with pytest.raises(ValidationError) as caught:
        services.enrol_participant(
            actor(world, "petra"), participant, steg, start=date(2027, 11, 24)
        )
    assert message_dict(caught) == {"start": ["Startdatumet ligger för långt fram."]}


def test_enrolment_only_by_the_providers_staff_in_its_own_interventions(world, steg):
    participant = register(world)
    consent(world, participant)
    with pytest.raises(PermissionDenied):
        services.enrol_participant(actor(world, "erin"), participant, steg, start=date(2026, 3, 1))
    q_intervention = Intervention.objects.create(
        provider=world.q,
        lead_association=world.b,
        name="Q-insats",
        code="q",
        kind=Intervention.Kind.INDIVIDUAL,
        orientation="rehabiliterande",
        start=date(2025, 1, 1),
        status=Intervention.Status.RUNNING,
    )
    with pytest.raises(PermissionDenied):
        services.enrol_participant(
            actor(world, "petra"), participant, q_intervention, start=date(2026, 3, 1)
        )
    assert not Enrolment.objects.exists()


# --- Exit --------------------------------------------------------------------------------------


def exit_kwargs(**kwargs):
    return {
        "exit_date": date(2026, 5, 31),
        "reason": "arbete",
        "income_source": "lon",
        "occupation": "forvarvsarbete",
        **kwargs,
    }


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        (
            {"exit_date": date(2026, 2, 28)},
            {"exit_date": ["Avslutsdatum kan inte vara före startdatum 2026-03-01."]},
        ),
        (
            {"exit_date": date(2026, 11, 23)},
            {"exit_date": ["Avslutsdatum kan inte ligga i framtiden."]},
        ),
        ({"reason": "semester"}, {"reason": ["Okänd avslutsorsak."]}),
        ({"reason": ""}, {"reason": ["Okänd avslutsorsak."]}),
        ({"income_source": "lotto"}, {"income_source": ["Okänd försörjning."]}),
        ({"occupation": "lotto"}, {"occupation": ["Okänd sysselsättning."]}),
    ],
)
def test_record_exit_validates(world, steg, kwargs, error):
    enrolment = enrolled(world, steg, start=date(2026, 3, 1))
    with pytest.raises(ValidationError) as caught:
        services.record_exit(actor(world, "petra"), enrolment, **exit_kwargs(**kwargs))
    assert message_dict(caught) == error
    enrolment.refresh_from_db()
    assert enrolment.exit_date is None
    assert not FollowUp.objects.exists()


def test_record_exit_plans_follow_ups_at_six_and_twelve_months(world, steg):
    enrolment = enrolled(world, steg, start=date(2026, 3, 1))
    services.record_exit(
        actor(world, "bob"), enrolment, **exit_kwargs(summary="  Fått jobb.  ", survey_offered=True)
    )
    enrolment.refresh_from_db()
    assert (enrolment.exit_date, enrolment.exit_reason) == (date(2026, 5, 31), "arbete")
    assert enrolment.exit_summary == "Fått jobb."
    assert enrolment.survey_offered_at_exit is True
    assert list(enrolment.follow_ups.order_by("months").values_list("months", "due")) == [
        (6, date(2026, 11, 30)),
        (12, date(2027, 5, 31)),
    ]
    assert {f.provider_id for f in enrolment.follow_ups.all()} == {world.p.pk}
    event = AuditEvent.objects.get(action="enrolment.exit")
    assert (event.participant_ref, event.reason) == (enrolment.participant.public_id, "arbete")


def test_record_exit_follows_the_interventions_own_months(world, steg):
    steg.follow_up_months = [3]
    steg.save()
    enrolment = enrolled(world, steg)
    services.record_exit(actor(world, "petra"), enrolment, **exit_kwargs())
    assert list(enrolment.follow_ups.values_list("months", "due")) == [(3, date(2026, 8, 31))]


@pytest.mark.parametrize(
    ("day", "months", "due"),
    [
        (date(2026, 5, 31), 6, date(2026, 11, 30)),
        (date(2026, 5, 31), 12, date(2027, 5, 31)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2026, 8, 30), 6, date(2027, 2, 28)),
        (date(2026, 7, 15), 6, date(2027, 1, 15)),
        (date(2026, 12, 31), 12, date(2027, 12, 31)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
    ],
)
def test_add_months_keeps_month_ends(day, months, due):
    assert add_months(day, months) == due


def test_felregistrering_plans_no_follow_ups(world, steg):
    enrolment = enrolled(world, steg)
    services.record_exit(actor(world, "petra"), enrolment, **exit_kwargs(reason="felregistrering"))
    assert not FollowUp.objects.exists()


def test_exiting_twice_is_refused(world, steg):
    enrolment = enrolled(world, steg)
    services.record_exit(actor(world, "petra"), enrolment, **exit_kwargs())
    with pytest.raises(ValidationError) as caught:
        services.record_exit(
            actor(world, "petra"), enrolment, **exit_kwargs(exit_date=date(2026, 6, 30))
        )
    assert caught.value.messages == ["Inskrivningen är redan avslutad."]
    assert FollowUp.objects.count() == 2


def test_record_exit_refuses_another_provider(world, steg):
    enrolment = enrolled(world, steg)
    with pytest.raises(PermissionDenied):
        services.record_exit(actor(world, "erin"), enrolment, **exit_kwargs())


@pytest.mark.parametrize(
    ("exit_date", "reason"),
    [(date(2026, 5, 31), ""), (None, "arbete"), (date(2026, 2, 1), "arbete")],
)
def test_the_database_keeps_exit_date_and_reason_together(world, steg, exit_date, reason):
    enrolment = enrolled(world, steg, start=date(2026, 3, 1))
    enrolment.exit_date = exit_date
    enrolment.exit_reason = reason
    with pytest.raises(IntegrityError), transaction.atomic():
        enrolment.save()


def test_the_database_allows_one_open_enrolment_per_intervention(world, steg):
    enrolment = enrolled(world, steg, start=date(2026, 3, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            provider=world.p,
            participant=enrolment.participant,
            intervention=steg,
            start=date(2026, 9, 1),
        )


# --- Follow-up ---------------------------------------------------------------------------------


def follow_up_of(enrolment, months: int = 6) -> FollowUp:
    return enrolment.follow_ups.get(months=months)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        (
            {"done_on": date(2026, 5, 30)},
            {"done_on": ["Uppföljningen kan inte vara före avslutet 2026-05-31."]},
        ),
        ({"done_on": date(2026, 11, 23)}, {"done_on": ["Datumet kan inte ligga i framtiden."]}),
        (
            {"occupation": ""},
            {"__all__": ["Ange sysselsättning och försörjning, eller att personen inte nåddes."]},
        ),
        (
            {"income_source": "lotto"},
            {"__all__": ["Ange sysselsättning och försörjning, eller att personen inte nåddes."]},
        ),
    ],
)
def test_record_follow_up_validates(world, steg, kwargs, error):
    follow_up = follow_up_of(exited(world, steg, date(2026, 5, 31)))
    values = {
        "done_on": date(2026, 11, 20),
        "reached": True,
        "occupation": "forvarvsarbete",
        "income_source": "lon",
        **kwargs,
    }
    with pytest.raises(ValidationError) as caught:
        services.record_follow_up(actor(world, "petra"), follow_up, **values)
    assert message_dict(caught) == error
    follow_up.refresh_from_db()
    assert follow_up.done_on is None


def test_record_follow_up_needs_follow_up_consent(world, steg):
    participant = register(world)
    consent(world, participant, follow_up=False)
    petra = actor(world, "petra")
    enrolment = services.enrol_participant(petra, participant, steg, start=date(2026, 3, 1))
    services.record_exit(petra, enrolment, **exit_kwargs())
    follow_up = follow_up_of(enrolment)
    with pytest.raises(ValidationError) as caught:
        services.record_follow_up(petra, follow_up, done_on=date(2026, 11, 20), reached=False)
    assert caught.value.messages == [
        "Samtycke till uppföljning efter avslut saknas eller är återkallat."
    ]
    consent(world, participant, given_on=date(2026, 11, 1), registration=False)
    services.record_follow_up(petra, follow_up, done_on=date(2026, 11, 20), reached=False)


def test_follow_up_consent_withdrawn_stops_follow_up(world, steg):
    enrolment = exited(world, steg, date(2026, 5, 31))
    petra = actor(world, "petra")
    services.withdraw_consent(petra, enrolment.participant.consents.get(), on=date(2026, 10, 1))
    with pytest.raises(ValidationError):
        services.record_follow_up(
            petra, follow_up_of(enrolment), done_on=date(2026, 11, 20), reached=False
        )


def test_record_follow_up_reached(world, steg):
    enrolment = exited(world, steg, date(2026, 5, 31))
    follow_up = services.record_follow_up(
        actor(world, "bob"),
        follow_up_of(enrolment),
        done_on=date(2026, 11, 20),
        reached=True,
        occupation="studier",
        income_source="studiemedel",
    )
    follow_up.refresh_from_db()
    assert (follow_up.done_on, follow_up.reached) == (date(2026, 11, 20), True)
    assert (follow_up.occupation, follow_up.income_source) == ("studier", "studiemedel")
    event = AuditEvent.objects.get(action="followup.record")
    assert event.participant_ref == enrolment.participant.public_id


def test_record_follow_up_not_reached_stores_no_occupation(world, steg):
    enrolment = exited(world, steg, date(2026, 5, 31))
    follow_up = services.record_follow_up(
        actor(world, "petra"),
        follow_up_of(enrolment),
        done_on=date(2026, 11, 20),
        reached=False,
        occupation="studier",
        income_source="studiemedel",
    )
    follow_up.refresh_from_db()
    assert (follow_up.reached, follow_up.occupation, follow_up.income_source) == (False, "", "")


def test_follow_ups_due_lists_this_month_and_overdue_only(world, steg):
    overdue = follow_up_of(exited(world, steg, date(2026, 4, 15), serial="230"))
    this_month = follow_up_of(exited(world, steg, date(2026, 5, 31), serial="231"))
    next_month = follow_up_of(exited(world, steg, date(2026, 6, 1), serial="232"))
    done = follow_up_of(exited(world, steg, date(2026, 3, 10), serial="233"))
    services.record_follow_up(actor(world, "petra"), done, done_on=date(2026, 9, 10), reached=False)
    assert (overdue.due, this_month.due, next_month.due) == (
        date(2026, 10, 15),
        date(2026, 11, 30),
        date(2026, 12, 1),
    )
    assert list(services.follow_ups_due(actor(world, "petra"))) == [overdue, this_month]
    assert list(services.follow_ups_due(actor(world, "bob"))) == [overdue, this_month]
    assert list(services.follow_ups_due(actor(world, "petra"), today=date(2026, 12, 1))) == [
        overdue,
        this_month,
        next_month,
    ]


def test_follow_ups_due_of_a_coach_not_assigned_are_none(world, steg):
    exited(world, steg, date(2026, 5, 31))
    gustav = add_persona(world, "gustav", Role.COACH, world.p)
    assert list(services.follow_ups_due(gustav)) == []
    assert list(services.follow_ups_due(actor(world, "erin"))) == []
    assert list(services.follow_ups_due(actor(world, "alice"))) == []


# --- visible_to --------------------------------------------------------------------------------


def test_participants_are_visible_to_the_providers_assigned_staff_only(world, steg):
    enrolment = enrolled(world, steg)
    participant = enrolment.participant
    unenrolled = register(world, national_id("19800101"))
    gustav = add_persona(world, "gustav", Role.COACH, world.p)
    assert list(Participant.objects.visible_to(actor(world, "bob"))) == [participant]
    assert list(Participant.objects.visible_to(gustav)) == []
    assert set(Participant.objects.visible_to(actor(world, "petra"))) == {participant, unenrolled}
    for persona in ("erin", "alice", "carol", "dave", "helena", "frank"):
        assert list(Participant.objects.visible_to(actor(world, persona))) == [], persona
    # The rows around the participant follow the same wall.
    for model in (Enrolment, Consent, FollowUp, Referral):
        assert not model.objects.visible_to(gustav).exists()
        assert not model.objects.visible_to(actor(world, "alice")).exists()
    assert list(Enrolment.objects.visible_to(actor(world, "bob"))) == [enrolment]


def test_a_coach_sees_a_participant_referred_to_their_intervention(world, steg):
    referral = refer(world, steg)
    gustav = add_persona(world, "gustav", Role.COACH, world.p)
    assert list(Participant.objects.visible_to(actor(world, "bob"))) == [referral.participant]
    assert list(Referral.objects.visible_to(actor(world, "bob"))) == [referral]
    assert list(Participant.objects.visible_to(gustav)) == []
    assert list(Referral.objects.visible_to(gustav)) == []
