"""Load the fictional demo: two associations, their members and providers, a user for every role.

Idempotent: when the demo is already loaded it only prints the logins again. Refuses to run in
production. Every person, organisation number and key here is fictional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum import luhn

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.codes import Orientation, ReportGroup
from stegvis.core.models import (
    Association,
    Member,
    MemberPopulation,
    Municipality,
    Network,
    Organisation,
    Role,
    RoleAssignment,
    Unit,
    User,
)
from stegvis.interventions import services as interventions
from stegvis.interventions.models import Goal, Intervention, StructuralActivity

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
    owner: str  # "A", "B", a provider key, "fk" or "N" (the county network)


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
    DemoUser("rut", "Rut Lindqvist", "rut@fjallbygden.example", Role.REPORTER, "A"),
    DemoUser("nils", "Nils Nyberg", "nils@lansnatverket.example", Role.COMPILER, "N"),
]


@dataclass(frozen=True)
class Demo:
    """What the core demo made, for the apps that add their own demo data to it.

    ``owners``: "A", "B" (associations), "P", "Q" (providers), "fk" (a referrer's unit), "N"
    (the county network that compiles A's and B's figures);
    ``assignments``: by (user key, owner key), e.g. ``("bob", "P")``.
    """

    owners: dict[str, Association | Unit | Network]
    assignments: dict[tuple[str, str], RoleAssignment]

    def actor(self, key: str, owner: str) -> Actor:
        assignment = self.assignments[key, owner]
        return Actor(user=assignment.user, assignment=assignment)


def _app_demos() -> list[Any]:
    """The apps' own demo loaders (``stegvis.<app>.demo.load(demo)``), in INSTALLED_APPS order."""
    names = [
        f"{c.name}.demo"
        for c in apps.get_app_configs()
        if c.name.startswith("stegvis.") and c.name != "stegvis.core"
    ]
    return [import_module(name) for name in names if find_spec(name) is not None]


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
            # The demo's people are fictional and their notifications go nowhere, even where a
            # real mail server is configured.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
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
        owners: dict[str, Association | Unit | Network] = {"A": a, "B": b}
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
        owners["N"] = Network.objects.create(name="Länsnätverket Jämtland", slug="lansnatverket")
        assignments: dict[tuple[str, str], RoleAssignment] = {}
        for spec in USERS:
            user = User.objects.filter(email=spec.email).first() or User.objects.create_user(
                spec.email, DEMO_PASSWORD, full_name=spec.name
            )
            owner = owners[spec.owner]
            assignments[spec.key, spec.owner] = RoleAssignment.objects.create(
                user=user,
                role=spec.role,
                association=owner if isinstance(owner, Association) else None,
                unit=owner if isinstance(owner, Unit) else None,
                network=owner if isinstance(owner, Network) else None,
            )
            if spec.key in DEMO_TOTP_KEYS and not TOTPDevice.objects.filter(user=user).exists():
                TOTPDevice.objects.create(
                    user=user, name="demo", key=DEMO_TOTP_KEYS[spec.key], confirmed=True
                )
        _load_interventions(owners, assignments)
        demo = Demo(owners=owners, assignments=assignments)
        for module in _app_demos():
            module.load(demo)
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
            "  Arbetsmarknadsenheten (utförare i B), fk = Försäkringskassan (remittent),\n"
            "  N = Länsnätverket Jämtland (sammanställer A:s och B:s siffror).\n"
            "  Engångskod i terminalen: oathtool --totp -b NYCKEL\n"
        )


def _load_interventions(
    owners: dict[str, Association | Unit | Network],
    assignments: dict[tuple[str, str], RoleAssignment],
) -> None:
    """Three interventions, made through the services as the office and the provider manager
    would: A's individual "Steg till arbete" at P, "Gemensam väg" at Q led by B and co-funded by
    A, and A's structural "Samverkansutbildning" with two counted activities."""

    def actor(key: str, owner: str) -> Actor:
        assignment = assignments[key, owner]
        return Actor(user=assignment.user, assignment=assignment)

    a, b, p, q = owners["A"], owners["B"], owners["P"], owners["Q"]
    assert isinstance(a, Association) and isinstance(b, Association)
    assert isinstance(p, Unit) and isinstance(q, Unit)
    orgs = {o.name: o for o in Organisation.objects.filter(memberships__association__in=[a, b])}
    fk, af = orgs["Försäkringskassan"], orgs["Arbetsförmedlingen"]
    region, krokom = orgs["Region Jämtland Härjedalen"], orgs["Krokom kommun"]
    alice, dave = actor("alice", "A"), actor("dave", "B")

    steg = interventions.create_intervention(
        alice,
        interventions.InterventionDetails(
            name="Steg till arbete",
            code="steg",
            kind=Intervention.Kind.INDIVIDUAL,
            orientation=Orientation.REHABILITERANDE,
            provider=p,
            start=date(2025, 1, 1),
            planned_end=date(2027, 12, 31),
            status=Intervention.Status.RUNNING,
            fundings=[interventions.FundingShare(a, Decimal("100"))],
            responsible_manager="Petra Holm",
            participating_members=[fk, af, region, krokom],
            staffing={krokom: Decimal("2"), af: Decimal("0.5")},
            places=20,
            target_group="Personer 16–64 år som behöver samordnat stöd från minst två parter "
            "för att närma sig arbete eller studier.",
        ),
    )
    for text, measure in (
        ("Minst 4 av 10 ska efter insatsen ha arbete eller studera", "exits"),
        ("Ytterligare 4 av 10 ska ha tagit ett steg närmare arbetsmarknaden", "step"),
    ):
        interventions.add_goal(
            alice,
            steg,
            text=text,
            measure=Goal.Measure.SHARE_EXITS_IN_GROUPS
            if measure == "exits"
            else Goal.Measure.SHARE_POSITIVE_STEP,
            report_groups=[ReportGroup.ARBETE, ReportGroup.STUDIER],
            target=Decimal("40"),
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
        )
    interventions.assign_coaches(actor("petra", "P"), steg, [assignments["bob", "P"].user])

    gemensam = interventions.create_intervention(
        dave,
        interventions.InterventionDetails(
            name="Gemensam väg",
            code="gemensam",
            kind=Intervention.Kind.INDIVIDUAL,
            orientation=Orientation.FORBEREDANDE,
            provider=q,
            start=date(2025, 3, 1),
            planned_end=date(2026, 12, 31),
            status=Intervention.Status.RUNNING,
            fundings=[
                interventions.FundingShare(b, Decimal("60")),
                interventions.FundingShare(a, Decimal("40")),
            ],
            responsible_manager="Quentin Falk",
            participating_members=[fk, af, region, orgs["Östersund kommun"]],
            places=12,
            target_group="Unga vuxna 18–29 år i Östersund och Fjällbygdens kommuner.",
        ),
    )
    # Fjällbygden's office takes the share Östersund asked it to (an offer until then).
    for offer in gemensam.funding_offers.all():
        interventions.accept_funding_offer(alice, offer)
    interventions.assign_coaches(actor("quentin", "Q"), gemensam, [assignments["erin", "Q"].user])

    training = interventions.create_intervention(
        alice,
        interventions.InterventionDetails(
            name="Samverkansutbildning",
            code="samverkan",
            kind=Intervention.Kind.STRUCTURAL,
            orientation=Orientation.KOMPETENSUTVECKLING,
            provider=p,
            start=date(2025, 9, 1),
            planned_end=date(2026, 6, 30),
            status=Intervention.Status.RUNNING,
            fundings=[interventions.FundingShare(a, Decimal("100"))],
            participating_members=[fk, af, region, krokom],
            target_group="Handläggare och chefer hos förbundets medlemmar.",
        ),
    )
    activities = [
        (
            date(2025, 10, 14),
            "Samverkan i praktiken",
            StructuralActivity.Type.UTBILDNING,
            Decimal("6"),
            {fk: (4, 1, 0), af: (3, 2, 0), region: (5, 1, 0), krokom: (6, 2, 1)},
        ),
        (
            date(2025, 11, 18),
            "Nätverksträff psykisk hälsa och arbete",
            StructuralActivity.Type.NATVERK,
            Decimal("3"),
            {fk: (2, 1, 0), region: (4, 0, 0), orgs["Strömsund kommun"]: (3, 1, 0)},
        ),
    ]
    for day, title, kind, hours, counts in activities:
        interventions.add_activity(
            alice,
            training,
            date=day,
            title=title,
            type=kind,
            hours=hours,
            attendance={org: interventions.Count(*c) for org, c in counts.items()},
        )


def _organisation(
    name: str, kind: str, base: str, municipality: Municipality | None = None
) -> Organisation:
    org, _created = Organisation.objects.get_or_create(
        org_number=fictional_org_number(base.ljust(9, "0")[:9]),
        defaults={"name": name, "kind": kind, "municipality": municipality},
    )
    return org
