"""The personas of DESIGN.md §5, available in every test module as fixtures.

- alice: office of association A          - dave: office of association B
- bob: coach at provider P (serves A)      - erin: coach at provider Q (serves B)
- carol: board of A                        - frank: referrer at an FK unit
- petra: provider manager at P             - helena: auditor of A
- rita: reporter of A (Lex Heller), invited by the office; sees only her own reports
- nina: compiler of network N (a county's     - olle: compiler of network O
  compilation of associations' figures)

``act_as(client, persona)`` logs the persona in with the role chosen and, for roles that need it,
a verified second factor, exactly as after a real log-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from stegvis.core.actors import SESSION_KEY
from stegvis.core.models import (
    Association,
    Member,
    Municipality,
    Network,
    Organisation,
    Role,
    RoleAssignment,
    Unit,
    User,
)
from stegvis.core.services import load_municipalities
from stegvis.core.tests.factories import (
    AssociationFactory,
    MemberFactory,
    OrganisationFactory,
    ProviderFactory,
    UnitFactory,
    UserFactory,
)

PERSONAS = [
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "petra",
    "helena",
    "rita",
    "nina",
    "olle",
]


@dataclass
class World:
    a: Association
    b: Association
    p: Unit
    q: Unit
    fk_unit: Unit
    n: Network
    o: Network
    users: dict[str, User]
    roles: dict[str, RoleAssignment]

    def __getitem__(self, persona: str) -> User:
        return self.users[persona]


def _municipal_member(association: Association, code: str) -> Member:
    municipality = Municipality.objects.get(code=code)
    org = OrganisationFactory(
        name=f"{municipality.name} kommun",
        kind=Organisation.Kind.MUNICIPALITY,
        municipality=municipality,
    )
    return MemberFactory(association=association, organisation=org, joined=date(2015, 1, 1))


@pytest.fixture
def world(db) -> World:
    # Live-server tests flush the database, migration data included: reload the list if needed.
    load_municipalities()
    a = AssociationFactory(name="Förbund A", slug="forbund-a")
    b = AssociationFactory(name="Förbund B", slug="forbund-b")
    fk = OrganisationFactory(name="Försäkringskassan", kind=Organisation.Kind.FK)
    for association in (a, b):
        MemberFactory(association=association, organisation=fk, joined=date(2015, 1, 1))
    member_a = _municipal_member(a, "2309")
    member_b = _municipal_member(b, "2380")
    p = ProviderFactory(organisation=member_a.organisation, name="Arbetsmarknadsenheten P")
    q = ProviderFactory(organisation=member_b.organisation, name="Arbetsmarknadsenheten Q")
    fk_unit = UnitFactory(organisation=fk, name="Lokalt försäkringscenter")
    n = Network.objects.create(name="Länsnätverk N", slug="natverk-n")
    o = Network.objects.create(name="Riksnätverk O", slug="natverk-o")
    specs = {
        "alice": (Role.OFFICE, a, None, None),
        "carol": (Role.BOARD, a, None, None),
        "helena": (Role.AUDITOR, a, None, None),
        "dave": (Role.OFFICE, b, None, None),
        "petra": (Role.PROVIDER_MANAGER, None, p, None),
        "bob": (Role.COACH, None, p, None),
        "erin": (Role.COACH, None, q, None),
        "frank": (Role.REFERRER, None, fk_unit, None),
        "rita": (Role.REPORTER, a, None, None),
        "nina": (Role.COMPILER, None, None, n),
        "olle": (Role.COMPILER, None, None, o),
    }
    users, roles = {}, {}
    for name, (role, association, unit, network) in specs.items():
        user = UserFactory(email=f"{name}@test.example", full_name=name.capitalize())
        users[name] = user
        roles[name] = RoleAssignment.objects.create(
            user=user,
            role=role,
            association=association,
            unit=unit,
            network=network,
        )
    return World(a=a, b=b, p=p, q=q, fk_unit=fk_unit, n=n, o=o, users=users, roles=roles)


def act_as(client: Client, world: World, persona: str) -> Client:
    """Log ``persona`` in with their role chosen (and two factors verified when needed)."""
    return sign_in_as(client, world.roles[persona])


def sign_in_as(client: Client, assignment: RoleAssignment) -> Client:
    """Log the assignment's user in with it chosen (and two factors verified when needed)."""
    user = assignment.user
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_KEY] = str(assignment.public_id)
    if assignment.role in {Role.PROVIDER_MANAGER, Role.COACH, Role.REFERRER}:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def as_persona(world: World):
    """``as_persona("alice")`` → a test client logged in as alice, acting in her role."""

    def make(persona: str) -> Client:
        return act_as(Client(), world, persona)

    return make
