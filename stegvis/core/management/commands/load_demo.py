"""Load the fictional demo: two associations, their members and providers, a user for every role.

Idempotent: when the demo is already loaded it only prints the logins again. Refuses to run in
production. Every person, organisation number and key here is fictional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum import luhn

from stegvis.core import audit
from stegvis.core.models import (
    Association,
    Member,
    MemberPopulation,
    Municipality,
    Organisation,
    Role,
    RoleAssignment,
    Unit,
    User,
)

DEMO_PASSWORD = "stegvis-demo-2026"
# Fictional TOTP keys (hex) for the roles that need two factors; printed in base32 for an app.
DEMO_TOTP_KEYS = {
    "bob": "3132333435363738393031323334353637383930",
    "petra": "3132333435363738393031323334353637383931",
    "erin": "3132333435363738393031323334353637383932",
    "quentin": "3132333435363738393031323334353637383933",
    "frank": "3132333435363738393031323334353637383934",
}


def fictional_org_number(base: str) -> str:
    """A syntactically valid organisation number from nine digits (Luhn check digit added)."""
    digits = base + luhn.calc_check_digit(base)
    return f"{digits[:6]}-{digits[6:]}"


# Association A: five municipalities, a provider in each. Association B: one municipality.
A_MUNICIPALITIES = [
    ("2309", 14_900, 15_020),  # Krokom
    ("2313", 11_450, 11_380),  # Strömsund
    ("2321", 12_010, 12_160),  # Åre
    ("2326", 6_920, 6_880),  # Berg
    ("2361", 10_150, 10_090),  # Härjedalen
]
B_MUNICIPALITIES = [("2380", 64_100, 64_500)]  # Östersund


@dataclass(frozen=True)
class DemoUser:
    key: str
    name: str
    email: str
    role: Role
    owner: str  # "A", "B", a provider key or "fk"


USERS = [
    DemoUser("alice", "Alice Andersson", "alice@fjallbygden.example", Role.OFFICE, "A"),
    DemoUser("carol", "Carol Berg", "carol@fjallbygden.example", Role.BOARD, "A"),
    DemoUser("gustav", "Gustav Dahl", "gustav@fjallbygden.example", Role.PREPARATORY, "A"),
    DemoUser("helena", "Helena Ek", "helena@fjallbygden.example", Role.AUDITOR, "A"),
    DemoUser("dave", "Dave Lind", "dave@sjostaden.example", Role.OFFICE, "B"),
    DemoUser("maja", "Maja Norling", "maja@fjallbygden.example", Role.OFFICE, "A"),
    DemoUser("maja", "Maja Norling", "maja@fjallbygden.example", Role.OFFICE, "B"),
    DemoUser("petra", "Petra Holm", "petra@krokom.example", Role.PROVIDER_MANAGER, "P"),
    DemoUser("bob", "Bob Sandberg", "bob@krokom.example", Role.COACH, "P"),
    DemoUser("quentin", "Quentin Falk", "quentin@ostersund.example", Role.PROVIDER_MANAGER, "Q"),
    DemoUser("erin", "Erin Wik", "erin@ostersund.example", Role.COACH, "Q"),
    DemoUser("frank", "Frank Öberg", "frank@fk.example", Role.REFERRER, "fk"),
]


class Command(BaseCommand):
    help = (
        "Läser in demodata: två fiktiva samordningsförbund med medlemmar, utförare och användare."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demodata läses aldrig in i produktion.")
        if Association.objects.filter(slug="fjallbygden").exists():
            self.stdout.write("Demodata finns redan.")
        else:
            self.load()
            self.stdout.write(self.style.SUCCESS("Demodata inläst."))
        self.print_logins()

    @transaction.atomic
    def load(self) -> None:
        fk = _organisation("Försäkringskassan", Organisation.Kind.FK, "20210000")
        af = _organisation("Arbetsförmedlingen", Organisation.Kind.AF, "20210001")
        region = _organisation("Region Jämtland Härjedalen", Organisation.Kind.REGION, "23210000")
        a = Association.objects.create(
            name="Samordningsförbundet Fjällbygden",
            slug="fjallbygden",
            org_number=fictional_org_number("22200001"),
            street_address="Storgatan 1",
            postal_code="835 80",
            city="Krokom",
            founded=date(2008, 3, 1),
        )
        b = Association.objects.create(
            name="Samordningsförbundet Sjöstaden",
            slug="sjostaden",
            org_number=fictional_org_number("22200002"),
            street_address="Rådhusgatan 2",
            postal_code="831 82",
            city="Östersund",
            founded=date(2010, 1, 1),
        )
        owners: dict[str, Association | Unit] = {"A": a, "B": b}
        for association in (a, b):
            for org in (fk, af, region):
                Member.objects.create(
                    association=association, organisation=org, joined=date(2010, 1, 1)
                )
        for association, rows in ((a, A_MUNICIPALITIES), (b, B_MUNICIPALITIES)):
            for index, (code, pop_2024, pop_2025) in enumerate(rows):
                municipality = Municipality.objects.get(code=code)
                org = _organisation(
                    f"{municipality.name} kommun",
                    Organisation.Kind.MUNICIPALITY,
                    f"2120{code}",
                    municipality=municipality,
                )
                member = Member.objects.create(
                    association=association, organisation=org, joined=date(2010, 1, 1)
                )
                for year, population in ((2024, pop_2024), (2025, pop_2025)):
                    MemberPopulation.objects.create(
                        association=association, member=member, year=year, population=population
                    )
                provider = Unit.objects.create(
                    organisation=org, name="Arbetsmarknadsenheten", is_provider=True
                )
                if association == a and index == 0:
                    owners["P"] = provider
                if association == b:
                    owners["Q"] = provider
        owners["fk"] = Unit.objects.create(
            organisation=fk, name="Lokalt försäkringscenter Östersund"
        )
        for spec in USERS:
            user = User.objects.filter(email=spec.email).first() or User.objects.create_user(
                spec.email, DEMO_PASSWORD, full_name=spec.name
            )
            owner = owners[spec.owner]
            RoleAssignment.objects.create(
                user=user,
                role=spec.role,
                association=owner if isinstance(owner, Association) else None,
                unit=owner if isinstance(owner, Unit) else None,
            )
            if spec.key in DEMO_TOTP_KEYS and not TOTPDevice.objects.filter(user=user).exists():
                TOTPDevice.objects.create(
                    user=user, name="demo", key=DEMO_TOTP_KEYS[spec.key], confirmed=True
                )
        audit.record("demo.load", reason="load_demo")

    def print_logins(self) -> None:
        from base64 import b32encode

        self.stdout.write(f"\nDemoinloggningar (lösenord för alla: {DEMO_PASSWORD}):")
        for spec in USERS:
            line = f"  {spec.email:<28} {spec.role.label} – {spec.owner}"
            if spec.key in DEMO_TOTP_KEYS:
                secret = b32encode(bytes.fromhex(DEMO_TOTP_KEYS[spec.key])).decode()
                line += f"  (tvåsteg, TOTP-nyckel {secret})"
            self.stdout.write(line)
        self.stdout.write(
            "  A = Samordningsförbundet Fjällbygden, B = Samordningsförbundet Sjöstaden,\n"
            "  P = Krokom kommun, Arbetsmarknadsenheten (utförare i A), Q = Östersund kommun,\n"
            "  Arbetsmarknadsenheten (utförare i B), fk = Försäkringskassan (remittent).\n"
            "  Engångskod i terminalen: oathtool --totp -b NYCKEL\n"
        )


def _organisation(
    name: str, kind: str, base: str, municipality: Municipality | None = None
) -> Organisation:
    org, _created = Organisation.objects.get_or_create(
        org_number=fictional_org_number(base.ljust(9, "0")[:9]),
        defaults={"name": name, "kind": kind, "municipality": municipality},
    )
    return org
