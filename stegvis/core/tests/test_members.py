"""The association's members: list, add, edit (with population per year) and remove."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from stdnum import luhn

from stegvis.core.models import (
    AuditEvent,
    Member,
    MemberPopulation,
    Municipality,
    Organisation,
    Unit,
)
from stegvis.core.tests.factories import (
    MemberFactory,
    MunicipalOrganisationFactory,
    OrganisationFactory,
)

OUTSIDERS = ["dave", "bob", "erin", "frank", "petra"]
ASSOCIATION_PERSONAS = ["alice", "carol", "helena"]


def org_number(n: int) -> str:
    """A valid organisation number outside the ranges the factories use."""
    base = f"{212999000 + n:09d}"
    digits = base + luhn.calc_check_digit(base)
    return f"{digits[:6]}-{digits[6:]}"


def url(world, name: str, **kwargs) -> str:
    return reverse(f"core:association_{name}", kwargs={"association": world.a.slug, **kwargs})


def members_url(world) -> str:
    return url(world, "members")


def add_url(world) -> str:
    return url(world, "member_add")


def edit_url(world, member: Member) -> str:
    return url(world, "member_edit", member=member.public_id)


def remove_url(world, member: Member) -> str:
    return url(world, "member_remove", member=member.public_id)


def municipal_member_of_a(world) -> Member:
    return Member.objects.get(association=world.a, organisation__municipality__code="2309")


def fk_member_of_a(world) -> Member:
    return Member.objects.get(association=world.a, organisation__kind=Organisation.Kind.FK)


def free_municipalities(count: int) -> list[Municipality]:
    """Municipalities no organisation is tied to yet (the tie is one-to-one)."""
    return list(Municipality.objects.filter(organisation__isnull=True).order_by("code")[:count])


def add_municipal_members(association, count: int, population: int = 10_000) -> list[Member]:
    members = []
    for municipality in free_municipalities(count):
        org = MunicipalOrganisationFactory(municipality=municipality)
        member = MemberFactory(association=association, organisation=org, joined=date(2020, 1, 1))
        for year in (2022, 2023):
            MemberPopulation.objects.create(
                association=association, member=member, year=year, population=population + year
            )
        members.append(member)
    return members


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def counts() -> tuple[int, int]:
    return Organisation.objects.count(), Member.objects.count()


# --- member_list -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ASSOCIATION_PERSONAS)
def test_member_list_shows_the_associations_members(as_persona, world, persona):
    response = as_persona(persona).get(members_url(world))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Krokom kommun" in page
    assert "Försäkringskassan" in page
    # B's municipal member is not A's.
    assert "Östersund kommun" not in page
    assert [m.organisation.name for m in response.context["page"].object_list] == [
        "Försäkringskassan",
        "Krokom kommun",
    ]


def test_member_list_links_to_editing_only_for_the_office(as_persona, world):
    member = municipal_member_of_a(world)
    assert edit_url(world, member) in as_persona("alice").get(members_url(world)).content.decode()
    board_page = as_persona("carol").get(members_url(world)).content.decode()
    assert edit_url(world, member) not in board_page
    assert add_url(world) not in board_page


def test_member_list_shows_the_latest_population(as_persona, world):
    member = municipal_member_of_a(world)
    MemberPopulation.objects.create(association=world.a, member=member, year=2022, population=19000)
    MemberPopulation.objects.create(association=world.a, member=member, year=2023, population=19500)
    page = as_persona("carol").get(members_url(world)).content.decode()
    # A year is not a number to group: 2023, never 2 023.
    assert "19\u00a0500 (2023)" in page
    assert "(2022)" not in page


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_member_list_checks_owner(as_persona, world, persona):
    assert as_persona(persona).get(members_url(world)).status_code == 404


def test_member_list_query_count_is_constant(as_persona, world, django_assert_max_num_queries):
    add_municipal_members(world.a, 3)
    client = as_persona("alice")
    with django_assert_max_num_queries(15) as small:
        response = client.get(members_url(world))
    assert len(response.context["page"].object_list) == 5
    add_municipal_members(world.a, 20)
    with django_assert_max_num_queries(len(small)):
        response = client.get(members_url(world))
    assert len(response.context["page"].object_list) == 25
    assert response.content.decode().count("(2023)") == 23


# --- member_add --------------------------------------------------------------------------------


def test_member_add_checks_owner(as_persona, world):
    for persona in OUTSIDERS:
        client = as_persona(persona)
        assert client.get(add_url(world)).status_code == 404, persona
        assert client.post(add_url(world), {}).status_code == 404, persona


@pytest.mark.parametrize("persona", ["carol", "helena"])
def test_member_add_checks_role(as_persona, world, persona):
    before = counts()
    client = as_persona(persona)
    assert client.get(add_url(world)).status_code == 403
    response = client.post(
        add_url(world),
        {"name": "X", "kind": "other", "org_number": org_number(1), "joined": "2024-01-01"},
    )
    assert response.status_code == 403
    assert counts() == before


def test_member_add_creates_a_municipality(as_persona, world):
    stockholm = Municipality.objects.get(code="0180")
    before = counts()
    response = as_persona("alice").post(
        add_url(world),
        {
            "name": "Stockholms kommun",
            "kind": "municipality",
            "org_number": org_number(1).replace("-", ""),
            "municipality": stockholm.pk,
            "joined": "2024-01-01",
            "left": "",
        },
    )
    assert response.status_code == 302
    assert counts() == (before[0] + 1, before[1] + 1)
    organisation = Organisation.objects.get(org_number=org_number(1))  # normalised with a dash
    assert organisation.name == "Stockholms kommun"
    assert organisation.kind == Organisation.Kind.MUNICIPALITY
    assert organisation.municipality == stockholm
    member = Member.objects.get(association=world.a, organisation=organisation)
    assert (member.joined, member.left) == (date(2024, 1, 1), None)
    assert response["Location"] == edit_url(world, member)
    assert messages_of(response) == ["Stockholms kommun är tillagd som medlem."]
    event = AuditEvent.objects.get(action="member.add")
    assert event.association == world.a
    assert event.user == world["alice"]
    assert event.object_id == str(member.public_id)
    assert event.reason == "Stockholms kommun"


def test_member_add_reuses_an_existing_organisation(as_persona, world):
    af = OrganisationFactory(
        name="Arbetsförmedlingen", kind=Organisation.Kind.AF, org_number=org_number(2)
    )
    MemberFactory(association=world.b, organisation=af, joined=date(2015, 1, 1))
    before = counts()
    response = as_persona("alice").post(
        add_url(world),
        {
            "name": "Ett annat namn",
            "kind": "other",
            "org_number": org_number(2),
            "joined": "2024-01-01",
        },
    )
    assert response.status_code == 302
    assert counts() == (before[0], before[1] + 1)
    af.refresh_from_db()
    assert af.name == "Arbetsförmedlingen"
    assert af.kind == Organisation.Kind.AF
    assert Member.objects.filter(association=world.a, organisation=af).exists()
    assert Member.objects.filter(association=world.b, organisation=af).exists()
    assert messages_of(response) == [
        "Arbetsförmedlingen fanns redan i registret och är nu medlem i förbundet."
    ]


def _post_invalid(client, world, data: dict, field: str | None):
    before = counts()
    payload = {
        "name": "Ny organisation",
        "kind": "other",
        "org_number": org_number(3),
        "joined": "2024-01-01",
        **data,
    }
    response = client.post(add_url(world), payload)
    assert response.status_code == 200
    assert counts() == before
    assert not AuditEvent.objects.filter(action="member.add").exists()
    form = response.context["form"]
    return form.errors.get(field or "__all__", []), response.content.decode()


def test_member_add_refuses_an_invalid_org_number(as_persona, world):
    errors, page = _post_invalid(
        as_persona("alice"), world, {"org_number": "212999-0001"}, "org_number"
    )
    assert len(errors) == 1
    assert "inte ett giltigt organisationsnummer" in errors[0]
    assert "212999-0001 är inte ett giltigt organisationsnummer" in page


def test_member_add_needs_a_municipality_for_a_municipality(as_persona, world):
    errors, page = _post_invalid(
        as_persona("alice"), world, {"kind": "municipality", "municipality": ""}, "municipality"
    )
    assert errors == ["Välj vilken av Sveriges kommuner det gäller."]
    assert "Välj vilken av Sveriges kommuner" in page


def test_member_add_refuses_a_municipality_not_in_the_list(as_persona, world):
    errors, _page = _post_invalid(
        as_persona("alice"),
        world,
        {"kind": "municipality", "municipality": "999999"},
        "municipality",
    )
    assert errors == ["Välj en av Sveriges kommuner i listan."]


def test_member_add_refuses_a_municipality_for_other_kinds(as_persona, world):
    stockholm = Municipality.objects.get(code="0180")
    errors, _page = _post_invalid(
        as_persona("alice"), world, {"kind": "region", "municipality": stockholm.pk}, "municipality"
    )
    assert errors == ["Lämna kommun tom för andra organisationer än kommuner."]


def test_member_add_refuses_a_municipality_tied_to_another_organisation(as_persona, world):
    krokom = Municipality.objects.get(code="2309")
    errors, _page = _post_invalid(
        as_persona("alice"),
        world,
        {"kind": "municipality", "municipality": krokom.pk},
        "org_number",
    )
    # Krokom is already tied to A's municipal member: one organisation per municipality, and the
    # likely mistake is the number typed, so the error names the registered one.
    registered = Organisation.objects.get(municipality=krokom)
    assert errors == [
        f"Krokom finns redan i registret som {registered.name} med organisationsnummer "
        f"{registered.org_number}. Kontrollera numret."
    ]


def test_member_add_refuses_an_existing_member(as_persona, world):
    fk = fk_member_of_a(world).organisation
    errors, _page = _post_invalid(
        as_persona("alice"), world, {"org_number": fk.org_number}, "org_number"
    )
    assert errors == ["Försäkringskassan är redan medlem i förbundet."]
    assert "redan medlem" in errors[0]


def test_member_add_refuses_left_before_joined(as_persona, world):
    errors, _page = _post_invalid(
        as_persona("alice"), world, {"joined": "2024-05-01", "left": "2024-04-30"}, "left"
    )
    assert errors == ["Slutdatum kan inte vara före startdatum."]


# --- member_edit -------------------------------------------------------------------------------


def test_member_edit_checks_owner(as_persona, world):
    member = municipal_member_of_a(world)
    for persona in OUTSIDERS:
        client = as_persona(persona)
        assert client.get(edit_url(world, member)).status_code == 404, persona
    # Dave's own association in the URL, A's member in the path: still nothing.
    dave_url = reverse(
        "core:association_member_edit",
        kwargs={"association": world.b.slug, "member": member.public_id},
    )
    response = as_persona("dave").post(
        dave_url, {"form": "membership", "joined": "2000-01-01", "left": ""}
    )
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.joined == date(2015, 1, 1)


def test_member_edit_of_an_unknown_member_is_a_404(as_persona, world):
    response = as_persona("alice").get(
        reverse(
            "core:association_member_edit",
            kwargs={"association": world.a.slug, "member": uuid.uuid4()},
        )
    )
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["carol", "helena"])
def test_member_edit_checks_role(as_persona, world, persona):
    member = municipal_member_of_a(world)
    client = as_persona(persona)
    assert client.get(edit_url(world, member)).status_code == 403
    response = client.post(
        edit_url(world, member), {"form": "population", "year": "2023", "population": "100"}
    )
    assert response.status_code == 403
    assert not MemberPopulation.objects.exists()


def test_member_edit_updates_the_dates(as_persona, world):
    member = municipal_member_of_a(world)
    response = as_persona("alice").post(
        edit_url(world, member),
        {"form": "membership", "joined": "2016-02-01", "left": "2030-12-31"},
    )
    assert response.status_code == 302
    assert response["Location"] == edit_url(world, member)
    member.refresh_from_db()
    assert (member.joined, member.left) == (date(2016, 2, 1), date(2030, 12, 31))
    assert messages_of(response) == ["Medlemskapet är sparat."]
    event = AuditEvent.objects.get(action="member.update")
    assert event.object_id == str(member.public_id)


def test_member_edit_refuses_left_before_joined(as_persona, world):
    member = municipal_member_of_a(world)
    response = as_persona("alice").post(
        edit_url(world, member),
        {"form": "membership", "joined": "2016-02-01", "left": "2016-01-31"},
    )
    assert response.status_code == 200
    assert response.context["membership_form"].errors["left"] == [
        "Slutdatum kan inte vara före startdatum."
    ]
    member.refresh_from_db()
    assert (member.joined, member.left) == (date(2015, 1, 1), None)


def test_member_edit_sets_a_population(as_persona, world):
    member = municipal_member_of_a(world)
    client = as_persona("alice")
    response = client.post(
        edit_url(world, member), {"form": "population", "year": "2023", "population": "19130"}
    )
    assert response.status_code == 302
    assert messages_of(response) == ["Folkmängden är sparad."]
    row = MemberPopulation.objects.get(member=member)
    assert (row.association, row.year, row.population) == (world.a, 2023, 19130)
    event = AuditEvent.objects.get(action="member.population")
    assert (event.association, event.object_id, event.reason) == (
        world.a,
        str(member.public_id),
        "2023: 19130",
    )
    # The same year again replaces the figure.
    client.post(
        edit_url(world, member), {"form": "population", "year": "2023", "population": "19200"}
    )
    assert list(MemberPopulation.objects.values_list("year", "population")) == [(2023, 19200)]
    page = client.get(edit_url(world, member)).content.decode()
    assert '<td>2023</td><td class="num">19\u00a0200</td>' in page


def test_member_edit_refuses_a_negative_population(as_persona, world):
    member = municipal_member_of_a(world)
    response = as_persona("alice").post(
        edit_url(world, member), {"form": "population", "year": "2023", "population": "-1"}
    )
    assert response.status_code == 200
    assert response.context["population_form"].errors["population"] == [
        "Folkmängden kan inte vara negativ."
    ]
    assert "Folkmängden kan inte vara negativ." in response.content.decode()
    assert not MemberPopulation.objects.exists()
    assert not AuditEvent.objects.filter(action="member.population").exists()


def test_member_edit_refuses_a_future_year(as_persona, world):
    member = municipal_member_of_a(world)
    next_year = timezone.localdate().year + 1
    response = as_persona("alice").post(
        edit_url(world, member), {"form": "population", "year": next_year, "population": "100"}
    )
    assert response.status_code == 200
    errors = response.context["population_form"].errors["year"]
    assert errors == ["Året kan inte ligga i framtiden."]
    assert "framtiden" in response.content.decode()
    assert not MemberPopulation.objects.exists()


def test_member_edit_refuses_a_population_for_other_kinds(as_persona, world):
    member = fk_member_of_a(world)
    response = as_persona("alice").post(
        edit_url(world, member), {"form": "population", "year": "2023", "population": "100"}
    )
    assert response.status_code == 200
    assert response.context["is_municipality"] is False
    assert response.context["population_form"].non_field_errors() == [
        "Folkmängd anges bara för kommuner."
    ]
    assert not MemberPopulation.objects.exists()
    assert not AuditEvent.objects.filter(action="member.population").exists()


# --- member_remove -----------------------------------------------------------------------------


def test_member_remove_needs_post(as_persona, world):
    member = municipal_member_of_a(world)
    assert as_persona("alice").get(remove_url(world, member)).status_code == 405
    assert Member.objects.filter(pk=member.pk).exists()


def test_member_remove_removes_and_audits(as_persona, world):
    member = municipal_member_of_a(world)
    MemberPopulation.objects.create(association=world.a, member=member, year=2023, population=1)
    public_id = str(member.public_id)
    response = as_persona("alice").post(remove_url(world, member))
    assert response.status_code == 302
    assert response["Location"] == members_url(world)
    assert not Member.objects.filter(pk=member.pk).exists()
    assert not MemberPopulation.objects.exists()
    # The organisation stays in the registry.
    assert Organisation.objects.filter(name="Krokom kommun").exists()
    assert messages_of(response) == ["Krokom kommun är borttagen som medlem."]
    event = AuditEvent.objects.get(action="member.remove")
    assert (event.association, event.object_id, event.reason) == (
        world.a,
        public_id,
        "Krokom kommun",
    )


def test_member_remove_is_refused_while_a_fixed_key_holds_a_share_of_it(as_persona, world):
    from stegvis.finance.models import ContributionKey, FixedShare

    member = municipal_member_of_a(world)
    key = ContributionKey.objects.create(
        association=world.a,
        year=2026,
        population_year=2025,
        total=1000,
        kind=ContributionKey.Kind.FIXED,
    )
    FixedShare.objects.create(association=world.a, key=key, member=member, percent=100)
    response = as_persona("alice").post(remove_url(world, member))
    assert response.status_code == 302
    assert response["Location"] == edit_url(world, member)
    assert messages_of(response) == [
        "Krokom kommun kan inte tas bort som medlem: den används i fasta andelar."
    ]
    assert Member.objects.filter(pk=member.pk).exists()
    assert FixedShare.objects.get().member == member
    assert not AuditEvent.objects.filter(action="member.remove").exists()


def test_member_remove_checks_owner(as_persona, world):
    member = municipal_member_of_a(world)
    for persona in OUTSIDERS:
        assert as_persona(persona).post(remove_url(world, member)).status_code == 404, persona
    assert Member.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize("persona", ["carol", "helena"])
def test_member_remove_checks_role(as_persona, world, persona):
    member = municipal_member_of_a(world)
    assert as_persona(persona).post(remove_url(world, member)).status_code == 403
    assert Member.objects.filter(pk=member.pk).exists()
    assert not AuditEvent.objects.filter(action="member.remove").exists()


# --- units -------------------------------------------------------------------------------------


def _unit_url(world, member):
    return reverse(
        "core:association_member_edit",
        kwargs={"association": world.a.slug, "member": member.public_id},
    )


def test_office_registers_a_provider_unit_of_a_member(as_persona, world):
    member = Member.objects.get(association=world.a, organisation__kind="municipality")
    response = as_persona("alice").post(
        _unit_url(world, member),
        {"form": "unit", "name": "Jobbcentrum", "is_provider": "on"},
    )
    assert response.status_code == 302
    unit = Unit.objects.get(organisation=member.organisation, name="Jobbcentrum")
    assert unit.is_provider is True
    assert AuditEvent.objects.filter(action="unit.add", object_id=str(unit.public_id)).count() == 1
    page = as_persona("alice").get(_unit_url(world, member)).content.decode()
    assert "Jobbcentrum" in page


def test_unit_names_are_unique_within_an_organisation(as_persona, world):
    member = Member.objects.get(association=world.a, organisation__kind="municipality")
    before = Unit.objects.count()
    response = as_persona("alice").post(
        _unit_url(world, member),
        {"form": "unit", "name": world.p.name.upper(), "is_provider": "on"},
    )
    assert response.status_code == 200
    assert "har redan en enhet med det namnet" in response.content.decode()
    assert Unit.objects.count() == before


def test_only_the_office_registers_units(as_persona, world):
    member = Member.objects.get(association=world.a, organisation__kind="municipality")
    before = Unit.objects.count()
    response = as_persona("carol").post(
        _unit_url(world, member), {"form": "unit", "name": "Ny enhet"}
    )
    assert response.status_code == 403
    assert Unit.objects.count() == before
