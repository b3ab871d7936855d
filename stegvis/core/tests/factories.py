"""factory_boy factories for the foundation's models. Every value is fictional."""

from __future__ import annotations

import factory
from stdnum import luhn

from stegvis.core.models import (
    Association,
    Member,
    Municipality,
    Organisation,
    Role,
    RoleAssignment,
    Unit,
    User,
)


def _org_number(n: int) -> str:
    base = f"{(212000000 + n) % 10**9:09d}"
    digits = base + luhn.calc_check_digit(base)
    return f"{digits[:6]}-{digits[6:]}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"user{n}@test.example")
    full_name = factory.Sequence(lambda n: f"Användare {n}")
    password = factory.django.Password("ett-bra-testlosenord")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.OTHER
    org_number = factory.Sequence(_org_number)


class MunicipalOrganisationFactory(OrganisationFactory):
    kind = Organisation.Kind.MUNICIPALITY
    municipality = factory.Iterator(Municipality.objects.order_by("code"))
    name = factory.LazyAttribute(lambda o: f"{o.municipality.name} kommun")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")
    is_provider = False


class ProviderFactory(UnitFactory):
    is_provider = True


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"Samordningsförbundet Test {n}")
    slug = factory.Sequence(lambda n: f"forbund-{n}")
    org_number = factory.Sequence(lambda n: _org_number(500000 + n))


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    association = factory.SubFactory(AssociationFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    joined = factory.Faker("date_between", start_date="-10y", end_date="-1y")


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.OFFICE
    association = factory.SubFactory(AssociationFactory)
    unit = None
