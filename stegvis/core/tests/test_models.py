"""Models: validation, database constraints, the association's area, and the wall in the schema."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import cast

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from stegvis.core.models import (
    Association,
    AuditEvent,
    Invitation,
    Member,
    MemberPopulation,
    Municipality,
    Organisation,
    Role,
    RoleAssignment,
    Unit,
    User,
    normalise_org_number,
    validate_org_number,
)
from stegvis.core.tests.factories import (
    AssociationFactory,
    MemberFactory,
    OrganisationFactory,
    UserFactory,
)
from stegvis.interventions.models import Intervention


def _new_user() -> User:
    return cast(User, UserFactory())


def _new_org(**kwargs: object) -> Organisation:
    return cast(Organisation, OrganisationFactory(**kwargs))


# --- Organisation numbers -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["212000-1355", "2120001355"])
def test_valid_org_numbers_pass(value):
    validate_org_number(value)  # no exception


@pytest.mark.parametrize(
    "value",
    [
        "212000-1356",  # wrong check digit
        "212000135",  # nine digits
        "21200A-1355",  # a letter
        "212000-13555",  # eleven digits
        "",
    ],
)
def test_invalid_org_numbers_are_refused_in_swedish(value):
    with pytest.raises(ValidationError) as info:
        validate_org_number(value)
    error = info.value.error_list[0]
    assert error.code == "invalid_org_number"
    assert info.value.messages == [
        f"{value} är inte ett giltigt organisationsnummer (tio siffror, NNNNNN-NNNN, "
        "med rätt kontrollsiffra)."
    ]


def test_normalise_org_number():
    assert normalise_org_number("2120001355") == "212000-1355"
    assert normalise_org_number("212000-1355") == "212000-1355"
    assert normalise_org_number("212000-1356") == "212000-1356"


@pytest.mark.django_db
def test_organisation_clean_normalises_the_org_number():
    org = Organisation(name="Region Test", kind=Organisation.Kind.REGION, org_number="2120001355")
    org.full_clean()
    assert org.org_number == "212000-1355"


@pytest.mark.django_db
def test_organisation_full_clean_refuses_a_bad_org_number():
    org = Organisation(name="Fel", kind=Organisation.Kind.OTHER, org_number="212000-1356")
    with pytest.raises(ValidationError) as info:
        org.full_clean()
    assert set(info.value.message_dict) == {"org_number"}


@pytest.mark.django_db
def test_a_municipality_organisation_needs_a_municipality():
    org = Organisation(name="Kommun", kind=Organisation.Kind.MUNICIPALITY, org_number="212000-1355")
    with pytest.raises(ValidationError) as info:
        org.full_clean()
    assert info.value.message_dict == {
        "municipality": ["Ange vilken av Sveriges kommuner organisationen är."]
    }


@pytest.mark.django_db
def test_only_a_municipality_organisation_may_have_a_municipality():
    org = Organisation(
        name="Region",
        kind=Organisation.Kind.REGION,
        org_number="212000-1355",
        municipality=Municipality.objects.get(code="0180"),
    )
    with pytest.raises(ValidationError) as info:
        org.full_clean()
    assert info.value.message_dict == {
        "municipality": ["Bara organisationer av typen kommun kan knytas till en kommun."]
    }


@pytest.mark.django_db
def test_a_municipality_organisation_with_its_municipality_is_valid():
    org = Organisation(
        name="Stockholms kommun",
        kind=Organisation.Kind.MUNICIPALITY,
        org_number="212000-1355",
        municipality=Municipality.objects.get(code="0180"),
    )
    org.full_clean()


@pytest.mark.django_db
def test_the_database_refuses_a_municipality_organisation_without_municipality():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(
            name="Kommun", kind=Organisation.Kind.MUNICIPALITY, org_number="212000-1355"
        )


# --- Database constraints ----------------------------------------------------------------------


def test_an_association_role_owned_by_a_unit_is_refused(world):
    user = _new_user()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.OFFICE, unit=world.p)


def test_a_provider_role_owned_by_an_association_is_refused(world):
    user = _new_user()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.COACH, association=world.a)


def test_a_role_with_two_owners_is_refused(world):
    user = _new_user()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(
            user=user, role=Role.OFFICE, association=world.a, unit=world.p
        )


def test_a_role_without_owner_is_refused(world):
    user = _new_user()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.OFFICE)


def test_a_member_cannot_leave_before_joining(world):
    org = _new_org()
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(
            association=world.a, organisation=org, joined=date(2024, 1, 1), left=date(2023, 12, 31)
        )
    # Leaving the day one joins is allowed.
    Member.objects.create(
        association=world.a, organisation=org, joined=date(2024, 1, 1), left=date(2024, 1, 1)
    )


def test_an_organisation_is_a_member_of_an_association_once(world):
    fk = Organisation.objects.get(name="Försäkringskassan")
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(association=world.a, organisation=fk, joined=date(2020, 1, 1))


def test_a_negative_population_is_refused(world):
    member = world.a.members.get(organisation__kind=Organisation.Kind.MUNICIPALITY)
    population = MemberPopulation(association=world.a, member=member, year=2025, population=-1)
    with pytest.raises(ValidationError) as info:
        population.full_clean()
    assert set(info.value.message_dict) == {"population"}
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberPopulation.objects.create(
            association=world.a, member=member, year=2025, population=-1
        )
    assert not MemberPopulation.objects.exists()


def test_one_active_role_per_user_role_and_owner(world):
    alice = world.users["alice"]
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=alice, role=Role.OFFICE, association=world.a)
    # The same role in another association, or another role in the same, is fine.
    RoleAssignment.objects.create(user=alice, role=Role.OFFICE, association=world.b)
    RoleAssignment.objects.create(user=alice, role=Role.BOARD, association=world.a)


def test_one_active_role_per_user_role_and_unit(world):
    bob = world.users["bob"]
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=bob, role=Role.COACH, unit=world.p)


def test_a_deactivated_role_does_not_block_a_new_one(world):
    old = world.roles["alice"]
    old.deactivated_at = timezone.now()
    old.save(update_fields=["deactivated_at"])

    new = RoleAssignment.objects.create(
        user=world.users["alice"], role=Role.OFFICE, association=world.a
    )
    assert list(
        RoleAssignment.objects.active()
        .filter(user=world.users["alice"])
        .values_list("pk", flat=True)
    ) == [new.pk]
    # And a second active one is refused again.
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(
            user=world.users["alice"], role=Role.OFFICE, association=world.a
        )


# --- The association's area -------------------------------------------------------------------


def _municipal(code: str) -> Organisation:
    municipality = Municipality.objects.get(code=code)
    return _new_org(
        name=f"{municipality.name} kommun",
        kind=Organisation.Kind.MUNICIPALITY,
        municipality=municipality,
    )


@pytest.fixture
def area_association(db) -> Association:
    association = cast(Association, AssociationFactory(name="Förbund Område"))
    fk = OrganisationFactory(name="Försäkringskassan", kind=Organisation.Kind.FK)
    MemberFactory(association=association, organisation=fk, joined=date(2015, 1, 1))
    # Current members.
    MemberFactory(association=association, organisation=_municipal("0180"), joined=date(2015, 1, 1))
    MemberFactory(
        association=association,
        organisation=_municipal("0380"),
        joined=date(2020, 1, 1),
        left=date(2026, 12, 31),
    )
    # Left at the end of last year.
    MemberFactory(
        association=association,
        organisation=_municipal("1280"),
        joined=date(2015, 1, 1),
        left=date(2025, 12, 31),
    )
    # Joins next year.
    MemberFactory(association=association, organisation=_municipal("1480"), joined=date(2027, 1, 1))
    return association


def _codes(association: Association) -> list[str]:
    return sorted(association.area().values_list("code", flat=True))


@time_machine.travel(datetime(2026, 6, 15, 12, 0, tzinfo=timezone.get_fixed_timezone(120)))
def test_area_is_the_municipalities_of_current_municipal_members(area_association):
    assert _codes(area_association) == ["0180", "0380"]


def test_area_follows_the_calendar(area_association):
    with time_machine.travel(datetime(2025, 12, 31, 12, 0, tzinfo=timezone.get_fixed_timezone(60))):
        assert _codes(area_association) == ["0180", "0380", "1280"]
    with time_machine.travel(datetime(2026, 1, 1, 12, 0, tzinfo=timezone.get_fixed_timezone(60))):
        assert _codes(area_association) == ["0180", "0380"]
    with time_machine.travel(datetime(2027, 1, 1, 12, 0, tzinfo=timezone.get_fixed_timezone(60))):
        assert _codes(area_association) == ["0180", "1480"]


def test_area_is_not_affected_by_memberships_of_other_associations(area_association):
    """A municipality that left another association is still in this one's area, and one that
    is a current member elsewhere but has left this association is not."""
    stockholm = Organisation.objects.get(municipality__code="0180")
    malmo = Organisation.objects.get(municipality__code="1280")
    other = cast(Association, AssociationFactory(name="Förbund Annat"))
    MemberFactory(
        association=other, organisation=stockholm, joined=date(2010, 1, 1), left=date(2014, 12, 31)
    )
    MemberFactory(association=other, organisation=malmo, joined=date(2026, 1, 1))

    with time_machine.travel(datetime(2026, 6, 15, 12, 0, tzinfo=timezone.get_fixed_timezone(120))):
        assert _codes(area_association) == ["0180", "0380"]
        assert _codes(other) == ["1280"]


# --- The wall, in the schema ----------------------------------------------------------------

PERSONAL_FIELD = re.compile(
    r"(national_id|personnummer|samordningsnummer|ssn|participant|first_name|last_name|phone|address)",
    re.IGNORECASE,
)


def _provider_held(model: type[models.Model]) -> bool:
    """A model whose every row belongs to one provider (a required ``provider`` owner): the
    provider's own records, personal data among them. The intervention is the exception: the
    association creates and funds it, and only names the provider that runs it."""
    if model is Intervention:
        return False
    try:
        field = model._meta.get_field("provider")
    except FieldDoesNotExist:
        return False
    return isinstance(field, models.ForeignKey) and field.related_model is Unit and not field.null


def _association_owned_models() -> list[type[models.Model]]:
    owned = []
    for model in apps.get_models():
        try:
            field = model._meta.get_field("association")
        except FieldDoesNotExist:
            continue  # not association-owned
        if isinstance(field, models.ForeignKey) and field.related_model is Association:
            owned.append(model)
    return owned


def test_provider_held_models_are_recognised():
    from stegvis.participants.models import Enrolment, Participant
    from stegvis.progression.models import Instrument, Measurement

    assert _provider_held(Participant) and _provider_held(Enrolment) and _provider_held(Measurement)
    # Shared or association instruments are definitions, not records of a provider.
    assert not _provider_held(Instrument)
    assert not _provider_held(Intervention)
    assert not _provider_held(Member)


def test_no_association_owned_model_can_hold_personal_data():
    owned = _association_owned_models()
    assert {Member, MemberPopulation, RoleAssignment, Invitation, AuditEvent} <= set(owned)

    for model in owned:
        label = model._meta.label
        if model is AuditEvent:
            # Owned by an association or a unit; a participant reference only at a unit.
            names = {c.name for c in model._meta.constraints}
            assert "audit_participant_only_at_unit" in names, label
            continue
        # What the table can hold: its columns and its own many-to-many links. A reverse
        # accessor (e.g. Referral.referrer → RoleAssignment.referrals_sent) stores nothing here.
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            assert not PERSONAL_FIELD.search(field.name), f"{label}.{field.name}"
            related = field.related_model
            if related is not None and not isinstance(related, str):
                assert not _provider_held(related), f"{label}.{field.name} → {related._meta.label}"


def test_the_audit_constraint_refuses_participants_in_an_association_log():
    constraint = next(
        c for c in AuditEvent._meta.constraints if c.name == "audit_participant_only_at_unit"
    )
    assert isinstance(constraint, models.CheckConstraint)
