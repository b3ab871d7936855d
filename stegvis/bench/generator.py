"""Reproducible fictional data at the sizes of ``shared/domain/scale.md``, for the benchmark.

``generate(scale, seed)`` writes associations with members (real municipalities from the shipped
list), providers, individual and structural interventions (some co-funded by a neighbour),
participants with fictional personnummer, enrolments, exits with a realistic mix of reasons,
follow-ups, ladder measurements, structural activities with attendance; on the association
side survey rounds with anonymous responses and answers against national reference values,
budgets with lines and booked outcomes (with the contribution key, equity and ceiling), and Lex
Heller reports with their handling steps; and the aggregate packages (quarterly, monthly for
some providers): a sample built and received through the project's own services
(``aggregates.services.build_file`` and ``receive``), the rest computed from the same rows in
memory and bulk-inserted, so that country scale finishes in minutes.

Everything is written in bulk, one association at a time (so memory stays bounded): the big
tables as plain rows with ``COPY`` on PostgreSQL (``insert_rows``; ``bulk_create`` on SQLite), the
rest with ``bulk_create``. On PostgreSQL as a superuser the per-row foreign-key triggers are off
during the load and every foreign key is checked once, set-wise, at the end
(``check_foreign_keys``). The same seed gives the same rows: every random choice comes from one
``random.Random(seed)``, public ids are drawn from it, and the encrypted fields are Fernet tokens
made with a seeded IV and a fixed timestamp (so even the ciphertexts repeat).

Every person is fictional: personnummer take serial numbers 980–999 (with a valid Luhn check
digit), the range kept for test persons, and names are drawn from a short list of first names
with a numbered surname ("Testsson 123").
"""

from __future__ import annotations

import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from decimal import Decimal
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum import luhn

from stegvis.bench.accounts import EMAIL_DOMAIN, PASSWORD, bench_totp_key
from stegvis.core import crypto
from stegvis.core.codes import (
    EXIT_REPORT_GROUP,
    Education,
    ExitReason,
    IncomeSource,
    Occupation,
    ReferringKind,
    TimeOutside,
)
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
from stegvis.interventions.models import Attendance, Funding, Intervention, StructuralActivity
from stegvis.participants.models import Enrolment, FollowUp, Participant
from stegvis.progression.models import Answer, Item, Measurement

BATCH = 5000
SLUG_PREFIX = "bench-"
# Years are whole calendar years that have ended, so every quarter's package can be built.
LAST_YEAR = 2025

EXIT_MIX: list[tuple[str, int]] = [
    (ExitReason.ARBETE, 15),
    (ExitReason.ARBETE_MED_STOD, 12),
    (ExitReason.STUDIER, 10),
    (ExitReason.ARBETSSOKANDE, 12),
    (ExitReason.ORDINARIE_INSATS, 14),
    (ExitReason.ATER_REMITTENT, 12),
    (ExitReason.SJUKDOM, 12),
    (ExitReason.EGEN_BEGARAN, 7),
    (ExitReason.FLYTT, 3),
    (ExitReason.ANNAT, 2),
    (ExitReason.FELREGISTRERING, 1),
]
EXIT_OCCUPATION = {
    "arbete": Occupation.FORVARVSARBETE,
    "studier": Occupation.STUDIER,
    "arb_rehab": Occupation.OVRIGT,
    "sjukdom": Occupation.OVRIGT,
    "annat": Occupation.ARBETSSOKANDE,
}
# The choices once (an enum's ``.values`` builds a new list on every access).
INCOME_SOURCES = list(IncomeSource.values)
OCCUPATIONS = list(Occupation.values)
TIMES_OUTSIDE = list(TimeOutside.values)
EDUCATIONS = list(Education.values)
REFERRING_KINDS = list(ReferringKind.values)
FIRST_NAMES = ["Alva", "Elsa", "Maja", "Noah", "Liam", "Hugo", "Sara", "Omar", "Ali", "Vera"]

# Survey responses a year by questionnaire (the shipped samples; the violence questions are
# tallies, never responses): mostly participants, then staff, referrers and managers.
SURVEY_MIX: list[tuple[str, int]] = [
    ("deltagare-avslut", 40),
    ("deltagare-pagaende", 30),
    ("personal", 9),
    ("remittent", 8),
    ("chefsgrupp", 4),
    ("styrelse", 3),
    ("seminarieutvardering", 6),
]
SURVEYS_OF_INTERVENTIONS = {"deltagare-avslut", "deltagare-pagaende", "personal", "remittent"}
# Administration's sub-lines (finance.models.AdminLine) and their share of it.
ADMIN_LINES = [
    ("kansli_personal", "Kansli, personal", 0.60),
    ("kansli_drift", "Kansli, drift", 0.12),
    ("styrelse", "Styrelse", 0.08),
    ("revision", "Revision", 0.05),
    ("ekonomi", "Ekonomitjänster", 0.09),
    ("medlemskap", "Medlemskap och nätverk", 0.06),
]
# A Lex Heller report's states in the order of its handling (returned and merged aside).
DEVIATION_FLOW = ["received", "reviewed", "taken", "decided", "feedback", "closed"]
DEVIATION_TEXTS = [
    "Två myndigheter gav motstridiga besked om arbetsförmåga, och ersättningen uteblev.",
    "Läkarintyg kom inte fram mellan vården och handläggaren; papper fick bäras för hand.",
    "Ingen part ansåg sig ansvarig efter avbrutna studier; ärendet bollades mellan enheter.",
    "Telefontiderna ändrades utan förvarning och det gick inte att boka möte på tre veckor.",
    "Regler för aktivitetsstöd och försörjningsstöd gav motstridiga krav på närvaro.",
    "Beslut dröjde i väntan på handlingar som redan fanns hos en annan part.",
    "Remiss till psykiatrin avvisades med hänvisning till primärvården, som hänvisade tillbaka.",
]
DEVIATION_CONSEQUENCES = [
    "Vägen mot arbete stannade upp i flera månader.",
    "Ersättningen uteblev under en period.",
    "Insatsen fick avbrytas i väntan på besked.",
    "",
]
DEVIATION_PROPOSALS = [
    "Gemensam rutin för överlämning mellan parterna.",
    "En kontaktperson per myndighet för ärenden i samverkan.",
    "Gemensamt möte med personen innan beslut.",
    "",
]
DEVIATION_ACTIONS = [
    "Beredningsgruppen tar fram en gemensam rutin för överlämning.",
    "Frågan lyfts till ledningsgruppen hos berörda parter.",
    "Parterna utser kontaktpersoner för samverkansärenden.",
]


@dataclass(frozen=True)
class Scale:
    name: str
    associations: int
    providers_per_association: int
    years: tuple[int, ...]
    individual_per_association: int
    structural_per_association: int
    # How long an intervention runs (months); None: from before the first year to today.
    intervention_months: int | None
    enrolments_per_association_year: int
    # Participants of the first intervention of the first association (the list page bench).
    list_intervention_participants: int
    activities_per_structural_year: int
    # Packages built and received through the services (the rest are bulk-inserted).
    service_packages: int
    # Providers of each association but the first that report monthly, not quarterly (the
    # first's packages stay quarterly: the benchmark rebuilds them as quarterly corrections).
    monthly_providers: int = 0


SCALES = {
    "tiny": Scale("tiny", 2, 1, (2025,), 2, 1, None, 40, 60, 4, 4, monthly_providers=1),
    "association": Scale(
        "association", 2, 5, (2023, 2024, 2025), 12, 2, None, 800, 2000, 25, 12, monthly_providers=2
    ),
    # Country: a fixed small sample through the services (each costs ~1 s of query building).
    # Country: three of five providers report monthly (outside bench-01), ~62 000 packages;
    # all five would give ~94 000 for ~11.3 s instead of ~9.3 s CPU per association.
    "country": Scale(
        "country",
        75,
        5,
        tuple(range(2016, 2026)),
        40,
        3,
        30,
        1000,
        2000,
        22,
        12,
        monthly_providers=3,
    ),
}


def insert_rows(
    model: Any, columns: list[str], rows: list[tuple[Any, ...]], returning: bool = False
) -> list[int]:
    """Insert plain tuples (values for ``columns``, field attnames) without building a model
    instance per row: with ``COPY`` on PostgreSQL (ids reserved from the table's sequence first
    when ``returning``), with ``bulk_create`` elsewhere. Columns left out get the field's default
    (a callable one called per row, except ``timezone.now``: one instant per call, as a bulk
    load would have). Returns the new ids in row order when ``returning``."""
    if not rows:
        return []
    meta = model._meta
    pk = meta.pk.attname
    if connection.vendor != "postgresql":
        objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        for start in range(0, len(objects), BATCH):
            model.objects.bulk_create(objects[start : start + BATCH])
        return [o.pk for o in objects] if returning else []
    fields = {f.attname: f for f in meta.concrete_fields}
    missing = [f for f in meta.concrete_fields if f.attname not in columns and f.attname != pk]
    now = timezone.now()
    per_row = [f for f in missing if callable(f.default) and f.default is not timezone.now]
    fixed = [f for f in missing if f not in per_row]
    fixed_values = tuple(
        f.get_db_prep_save(now if f.default is timezone.now else f.get_default(), connection)
        for f in fixed
    )
    json = [i for i, c in enumerate(columns) if isinstance(fields[c], models.JSONField)]
    names = ([meta.pk.column] if returning else []) + [
        fields[c].column for c in columns + [f.attname for f in fixed + per_row]
    ]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        ids: list[int] = []
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = [r[0] for r in cursor.fetchall()]
        sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for n, row in enumerate(rows):
                if json:
                    values = list(row)
                    for i in json:
                        values[i] = fields[columns[i]].get_db_prep_save(values[i], connection)
                    row = tuple(values)
                extra = tuple(f.get_db_prep_save(f.get_default(), connection) for f in per_row)
                copy.write_row(((ids[n],) if returning else ()) + row + fixed_values + extra)
    return ids


def insert_objects(model: Any, objects: list[Any]) -> None:
    """Insert unsaved model instances and set their ids: ``COPY`` of their field values on
    PostgreSQL (no per-row preparation of ``bulk_create``), ``bulk_create`` elsewhere."""
    if connection.vendor != "postgresql":
        for start in range(0, len(objects), BATCH):
            model.objects.bulk_create(objects[start : start + BATCH])
        return
    pk = model._meta.pk.attname
    columns = [f.attname for f in model._meta.concrete_fields if f.attname != pk]
    rows = [tuple(o.__dict__[c] for c in columns) for o in objects]
    for obj, new_id in zip(objects, insert_rows(model, columns, rows, returning=True), strict=True):
        setattr(obj, pk, new_id)
        obj._state.adding = False


def months(year: int) -> list[tuple[str, date, date]]:
    return [
        (f"{year}-{m:02d}", date(year, m, 1), add_months(date(year, m, 1), 1) - timedelta(days=1))
        for m in range(1, 13)
    ]


def quarters(year: int) -> list[tuple[str, date, date]]:
    ends = [(3, 31), (6, 30), (9, 30), (12, 31)]
    starts = [1, 4, 7, 10]
    return [(f"{year}Q{n + 1}", date(year, starts[n], 1), date(year, *ends[n])) for n in range(4)]


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, 28))


class Cipher:
    """Fernet tokens of the first configured key with a seeded IV: decryptable by
    ``core.crypto`` exactly as the services' own, and the same for the same seed."""

    def __init__(self, rng: random.Random) -> None:
        self.fernet = Fernet(settings.ENCRYPTION_KEYS[0].encode())
        self.rng = rng
        self.at = int(time.mktime(date(LAST_YEAR + 1, 1, 1).timetuple()))

    def encrypt(self, text: str) -> str:
        iv = self.rng.getrandbits(128).to_bytes(16, "big")
        return self.fernet._encrypt_from_parts(text.encode(), self.at, iv).decode()


def national_id(rng: random.Random, born: date) -> str:
    """A fictional personnummer YYYYMMDD-NNNC: a test-range serial (980–999) and a valid Luhn
    check digit, canonical as the identity parser writes it."""
    serial = f"{rng.randint(980, 999)}"
    ten = f"{born:%y%m%d}{serial}"
    return f"{born:%Y%m%d}-{serial}{luhn.calc_check_digit(ten)}"


def gender_of(serial_digit: int) -> str:
    return "kvinna" if serial_digit % 2 == 0 else "man"


@dataclass
class Counters:
    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seconds: float = 0.0

    def add(self, name: str, n: int) -> None:
        self.rows[name] += n


class Generator:
    def __init__(self, scale: Scale, seed: int, log: Callable[[str], None] = print) -> None:
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.cipher = Cipher(self.rng)
        self.log = log
        self.counters = Counters()
        self.password = make_password(PASSWORD, salt=f"stegvis-bench-{seed:08d}")
        self.org_seq = 0
        self.offices: dict[int, User] = {}
        from stegvis.bench import packages as bulk_packages

        bulk_packages._registered.clear()
        if not Item.objects.filter(version__instrument__key="trappa").exists():
            from django.core.management import call_command

            call_command("load_instruments", verbosity=0)
        self.item: Item = Item.objects.get(
            version__instrument__key="trappa",
            version__instrument__association__isnull=True,
            version__instrument__provider__isnull=True,
            version__number=1,
        )
        self.version_id = self.item.version_id

    # --- helpers ---------------------------------------------------------------------------

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def org_number(self) -> str:
        self.org_seq += 1
        base = f"2129{self.org_seq:05d}"
        digits = base + luhn.calc_check_digit(base)
        return f"{digits[:6]}-{digits[6:]}"

    def bulk(self, model: Any, rows: list[Any]) -> list[Any]:
        for start in range(0, len(rows), BATCH):
            model.objects.bulk_create(rows[start : start + BATCH])
        self.counters.add(model._meta.label, len(rows))
        return rows

    def user(self, email: str, name: str, totp: bool) -> User:
        user = User.objects.create(
            email=email, full_name=name, password=self.password, public_id=self.uid()
        )
        if totp:
            TOTPDevice.objects.create(
                user=user, name="bench", key=bench_totp_key(email), confirmed=True
            )
        return user

    # --- the run ---------------------------------------------------------------------------

    def run(self) -> Counters:
        started = time.monotonic()
        if Association.objects.filter(slug__startswith=SLUG_PREFIX).exists():
            raise RuntimeError("The database already holds generated data (bench-… associations).")
        if connection.vendor == "postgresql":
            # This session only: a commit does not wait for its WAL flush (a crash could lose the
            # last association's rows; the run is repeated then anyway).
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")
        municipalities = list(Municipality.objects.order_by("code"))
        per_association = max(2, len(municipalities) // max(self.scale.associations, 1))
        per_association = min(per_association, 6)
        shared = self.shared_organisations()
        associations: list[tuple[Association, list[Municipality], Organisation]] = []
        for a in range(self.scale.associations):
            chosen = municipalities[a * per_association : (a + 1) * per_association]
            if len(chosen) < 2:
                chosen = municipalities[(a * 2) % len(municipalities) :][:2]
            with transaction.atomic():
                associations.append(self.association(a, chosen, shared))
        plans = [self.intervention_plan(a, n) for a, n in enumerate(associations)]
        with foreign_key_triggers_off() as unchecked:
            for a, (association, area, _region) in enumerate(associations):
                neighbour = associations[(a + 1) % len(associations)]
                with transaction.atomic():
                    self.provider_side(a, association, area, neighbour, plans[a])
                self.log(
                    f"  {association.slug}: {self.counters.rows['participants.Enrolment']}"
                    f" enrolments so far, {time.monotonic() - started:.0f} s"
                )
        if unchecked:
            checking = time.monotonic()
            checked = check_foreign_keys()
            self.log(f"  {checked} foreign keys checked in {time.monotonic() - checking:.0f} s")
        analyze()
        self.counters.seconds = time.monotonic() - started
        return self.counters

    def shared_organisations(self) -> dict[str, Organisation]:
        fk = Organisation.objects.filter(kind=Organisation.Kind.FK).first()
        af = Organisation.objects.filter(kind=Organisation.Kind.AF).first()
        if fk is None:
            fk = Organisation.objects.create(
                name="Försäkringskassan", kind="fk", org_number=self.org_number()
            )
        if af is None:
            af = Organisation.objects.create(
                name="Arbetsförmedlingen", kind="af", org_number=self.org_number()
            )
        return {"fk": fk, "af": af}

    def association(
        self, a: int, area: list[Municipality], shared: dict[str, Organisation]
    ) -> tuple[Association, list[Municipality], Organisation]:
        association = Association.objects.create(
            name=f"Samordningsförbundet Bench {a + 1:02d}",
            slug=f"{SLUG_PREFIX}{a + 1:02d}",
            org_number=self.org_number(),
            city=area[0].name,
            founded=date(2008, 1, 1),
            public_id=self.uid(),
        )
        region = Organisation.objects.create(
            name=f"Region Bench {a + 1:02d}", kind="region", org_number=self.org_number()
        )
        members = [
            Member(association=association, organisation=o, joined=date(2008, 1, 1))
            for o in (shared["fk"], shared["af"], region)
        ]
        populations = []
        for municipality in area:
            org = Organisation.objects.filter(municipality=municipality).first()
            if org is None:
                org = Organisation.objects.create(
                    name=f"{municipality.name} kommun",
                    kind="municipality",
                    municipality=municipality,
                    org_number=self.org_number(),
                )
            member = Member(association=association, organisation=org, joined=date(2008, 1, 1))
            members.append(member)
        for member in members:
            member.public_id = self.uid()
        self.bulk(Member, members)
        for member in members[3:]:
            for year in self.scale.years:
                populations.append(
                    MemberPopulation(
                        association=association,
                        member=member,
                        year=year,
                        population=self.rng.randint(2500, 120000),
                    )
                )
        self.bulk(MemberPopulation, populations)
        office = self.user(f"kansli{a + 1}@{EMAIL_DOMAIN}", f"Kansli Bench {a + 1}", totp=False)
        RoleAssignment.objects.create(
            user=office, role=Role.OFFICE, association=association, public_id=self.uid()
        )
        self.offices[association.pk] = office
        return association, area, region

    def intervention_plan(
        self, a: int, entry: tuple[Association, list[Municipality], Organisation]
    ) -> list[tuple[date, date | None]]:
        """Start and end of each individual intervention of the association."""
        first = date(self.scale.years[0], 1, 1)
        months = self.scale.intervention_months
        plan: list[tuple[date, date | None]] = []
        for i in range(self.scale.individual_per_association):
            if a == 0 and i == 0:
                # The list page's intervention runs through every year (still running at the
                # end, as at the scales without an end), so its participants' stays are real.
                plan.append((date(first.year - 1, 1, 1), None))
                continue
            if months is None:
                plan.append((date(first.year - 1, 1 + i % 12, 1), None))
                continue
            # Staggered by a quarter: about months/3 run at any time.
            start = add_months(first, (i - months // 3) * 3)
            start = date(start.year, start.month, 1)
            end = add_months(start, months) - timedelta(days=1)
            plan.append((start, end if end <= date(LAST_YEAR, 12, 31) else None))
        return plan

    def provider_side(
        self,
        a: int,
        association: Association,
        area: list[Municipality],
        neighbour: tuple[Association, list[Municipality], Organisation],
        plan: list[tuple[date, date | None]],
    ) -> None:
        rng = self.rng
        scale = self.scale
        municipal_orgs = list(Organisation.objects.filter(municipality__in=area).order_by("pk"))
        providers: list[Unit] = []
        coaches: dict[int, list[User]] = {}
        for p in range(scale.providers_per_association):
            org = municipal_orgs[p % len(municipal_orgs)]
            unit = Unit.objects.create(
                organisation=org,
                name=f"Arbetsmarknadsenheten {p + 1}",
                is_provider=True,
                public_id=self.uid(),
            )
            providers.append(unit)
            tag = f"{a + 1}-{p + 1}"
            manager = self.user(f"chef{tag}@{EMAIL_DOMAIN}", f"Chef Bench {tag}", totp=True)
            RoleAssignment.objects.create(
                user=manager, role=Role.PROVIDER_MANAGER, unit=unit, public_id=self.uid()
            )
            coaches[unit.pk] = []
            for k in range(2):
                coach = self.user(
                    f"coach{tag}-{k + 1}@{EMAIL_DOMAIN}", f"Coach Bench {tag}-{k + 1}", totp=True
                )
                RoleAssignment.objects.create(
                    user=coach, role=Role.COACH, unit=unit, public_id=self.uid()
                )
                coaches[unit.pk].append(coach)
        interventions: list[Intervention] = []
        cofunded: set[int] = set()
        for i, (start, end) in enumerate(plan):
            provider = providers[i % len(providers)]
            intervention = Intervention.objects.create(
                provider=provider,
                lead_association=association,
                name=f"Steg {a + 1}-{i + 1}",
                code=f"steg{i + 1}",
                kind=Intervention.Kind.INDIVIDUAL,
                orientation=rng.choice(["rehabiliterande", "forberedande", "kartlaggning"]),
                start=start,
                ended=end,
                status=Intervention.Status.ENDED if end else Intervention.Status.RUNNING,
                places=rng.choice([15, 20, 25, 30, 40]),
                follow_up_months=[6, 12],
                public_id=self.uid(),
            )
            intervention.coaches.add(*coaches[provider.pk])
            share = Decimal(100)
            if i % 5 == 4 and neighbour[0] != association:  # every fifth is co-funded
                share = Decimal(60)
                Funding.objects.create(
                    association=neighbour[0], intervention=intervention, share=Decimal(40)
                )
                cofunded.add(intervention.pk)
            Funding.objects.create(association=association, intervention=intervention, share=share)
            interventions.append(intervention)
        structural, activities = self.structural(a, association, providers, area)
        office = self.offices[association.pk]
        self.surveys(association, interventions, activities)
        self.finance(a, association, interventions, structural)
        self.plans(a, association, interventions)
        self.deviations(association, office, interventions, coaches)
        home_areas = {
            i.pk: (area + neighbour[1]) if i.pk in cofunded else area for i in interventions
        }
        enrolments = self.enrolments(a, providers, interventions, coaches, home_areas)
        self.measurements(enrolments, coaches)
        if a == 0:
            analyze()  # statistics before the first queries, as after any bulk load
        monthly = {u.pk for u in providers[: scale.monthly_providers]} if a > 0 else set()
        self.packages(a, association, neighbour[0], interventions, cofunded, enrolments, monthly)

    def structural(
        self, a: int, association: Association, providers: list[Unit], area: list[Municipality]
    ) -> tuple[list[Intervention], list[StructuralActivity]]:
        rng = self.rng
        orgs = list(Organisation.objects.filter(memberships__association=association))
        activities: list[StructuralActivity] = []
        structural: list[Intervention] = []
        for s in range(self.scale.structural_per_association):
            intervention = Intervention.objects.create(
                provider=providers[s % len(providers)],
                lead_association=association,
                name=f"Samverkan {a + 1}-{s + 1}",
                code=f"samverkan{s + 1}",
                kind=Intervention.Kind.STRUCTURAL,
                orientation="kompetensutveckling",
                follow_up_method=Intervention.FollowUpMethod.ACTIVITIES,
                start=date(self.scale.years[0] - 1, 1, 1),
                status=Intervention.Status.RUNNING,
                public_id=self.uid(),
            )
            Funding.objects.create(association=association, intervention=intervention, share=100)
            structural.append(intervention)
            for year in self.scale.years:
                for _n in range(self.scale.activities_per_structural_year):
                    activities.append(
                        StructuralActivity(
                            intervention=intervention,
                            public_id=self.uid(),
                            date=date(year, rng.randint(1, 12), rng.randint(1, 28)),
                            title=rng.choice(["Utbildning", "Nätverksträff", "Seminarium"]),
                            type=rng.choice(list(StructuralActivity.Type.values)),
                            hours=Decimal(rng.choice([2, 3, 4, 6, 8])),
                        )
                    )
        self.bulk(StructuralActivity, activities)
        attendance = []
        for activity in activities:
            for org in rng.sample(orgs, k=min(len(orgs), rng.randint(1, 3))):
                attendance.append(
                    Attendance(
                        activity=activity,
                        organisation=org,
                        women=rng.randint(0, 15),
                        men=rng.randint(0, 10),
                        other=rng.randint(0, 1),
                    )
                )
        self.bulk(Attendance, attendance)
        return structural, activities

    def enrolments(
        self,
        a: int,
        providers: list[Unit],
        interventions: list[Intervention],
        coaches: dict[int, list[User]],
        home_areas: dict[int, list[Municipality]],
    ) -> list[Enrolment]:
        rng = self.rng
        scale = self.scale
        last_day = date(LAST_YEAR, 12, 31)
        wanted: list[tuple[Intervention, date]] = []
        for year in scale.years:
            active = [
                i
                for i in interventions
                if i.start <= date(year, 12, 31)
                and (i.ended is None or i.ended >= date(year, 1, 1))
            ]
            for _n in range(scale.enrolments_per_association_year):
                intervention = rng.choice(active)
                low = max(date(year, 1, 1), intervention.start)
                high = min(date(year, 12, 31), intervention.ended or last_day)
                wanted.append(
                    (intervention, low + timedelta(days=rng.randint(0, (high - low).days)))
                )
        if a == 0:
            # The list page's intervention: this many participants over the years.
            big = interventions[0]
            have = sum(1 for i, _d in wanted if i.pk == big.pk)
            span = (last_day - max(big.start, date(scale.years[0], 1, 1))).days
            for _n in range(max(0, scale.list_intervention_participants - have)):
                day = max(big.start, date(scale.years[0], 1, 1))
                wanted.append((big, day + timedelta(days=rng.randint(0, span))))
        wanted.sort(key=lambda pair: pair[1])
        participants: list[Participant] = []
        enrolments: list[Enrolment] = []
        follow_ups: list[tuple[Any, ...]] = []
        weights = [w for _r, w in EXIT_MIX]
        reasons = [r for r, _w in EXIT_MIX]
        by_provider: dict[int, list[Participant]] = defaultdict(list)
        seen_ids: dict[int, set[str]] = defaultdict(set)
        for intervention, start in wanted:
            provider_id = intervention.provider_id
            earlier = by_provider[provider_id]
            participant: Participant | None = None
            if earlier and rng.random() < 0.08:  # a second enrolment of someone known
                participant = rng.choice(earlier)
                if any(
                    e.participant is participant and e.intervention_id == intervention.pk
                    for e in enrolments[-200:]
                ):
                    participant = None
            if participant is None:
                participant = self.participant(provider_id, home_areas[intervention.pk], seen_ids)
                participant.created_at = datetime.combine(
                    start, dt_time(8), tzinfo=UTC
                ) + timedelta(seconds=len(participants))
                participants.append(participant)
                earlier.append(participant)
            exit_date = None
            reason = ""
            stay = rng.choice([30, 60, 90, 120, 180, 240, 300, 365, 450, 540])
            stay = int(stay * (0.7 + 0.6 * rng.random()))
            end_limit = min(intervention.ended or date(2026, 10, 31), date(2026, 10, 31))
            if start + timedelta(days=stay) <= end_limit and rng.random() < 0.92:
                exit_date = start + timedelta(days=stay)
                reason = rng.choices(reasons, weights)[0]
            elif intervention.ended is not None:
                exit_date = max(start, intervention.ended)
                reason = ExitReason.ANNAT
            group = EXIT_REPORT_GROUP.get(reason) if reason else None
            enrolment = Enrolment(
                provider_id=provider_id,
                public_id=self.uid(),
                participant=participant,
                intervention=intervention,
                start=start,
                coach=rng.choice(coaches[provider_id]),
                intensity=rng.choice([25, 50, 75, 100, 100]),
                income_source_start=rng.choice(INCOME_SOURCES),
                occupation_start=rng.choice(OCCUPATIONS),
                time_outside=rng.choice(TIMES_OUTSIDE),
                education=rng.choice(EDUCATIONS),
                referring_kinds=[rng.choice(REFERRING_KINDS)],
                exit_date=exit_date,
                exit_reason=reason,
                income_source_exit=rng.choice(INCOME_SOURCES) if exit_date else "",
                occupation_exit=(
                    EXIT_OCCUPATION.get(str(group), Occupation.OVRIGT) if exit_date else ""
                ),
                violence_screening_asked=exit_date is not None and rng.random() < 0.7,
                survey_offered_at_exit=exit_date is not None and rng.random() < 0.6,
            )
            enrolment.home_at_start = participant.home_municipality_id  # type: ignore[attr-defined]
            # Kept beside the foreign key: setting participant_id after the participants are
            # inserted drops Django's cached object (a query per read afterwards).
            enrolment.bench_participant = participant  # type: ignore[attr-defined]
            enrolment.bench_follow_ups = []  # type: ignore[attr-defined]
            enrolment.bench_steps = (0, 0, 0)  # type: ignore[attr-defined]
            enrolments.append(enrolment)
        insert_objects(Participant, participants)
        self.counters.add(Participant._meta.label, len(participants))
        for enrolment in enrolments:
            enrolment.participant_id = enrolment.bench_participant.pk  # type: ignore[attr-defined]
        # Sorted by start, an open enrolment follows any earlier one of the same person and
        # intervention only if that one has ended: keep the constraint "one open" true.
        open_pairs: set[tuple[int, int]] = set()
        for enrolment in enrolments:
            pair = (enrolment.participant_id, enrolment.intervention_id)
            if enrolment.exit_date is None:
                if pair in open_pairs:
                    enrolment.exit_date = enrolment.start
                    enrolment.exit_reason = ExitReason.FELREGISTRERING
                    enrolment.income_source_exit = IncomeSource.OKAND
                    enrolment.occupation_exit = Occupation.OVRIGT
                else:
                    open_pairs.add(pair)
        insert_objects(Enrolment, enrolments)
        self.counters.add(Enrolment._meta.label, len(enrolments))
        from stegvis.aggregates.models import EnrolmentResidence

        for enrolment in enrolments:
            if enrolment.exit_date is None or enrolment.exit_reason == ExitReason.FELREGISTRERING:
                continue
            for months in (6, 12):
                due = add_months(enrolment.exit_date, months)
                done = due <= date(2026, 10, 31) and rng.random() < 0.75
                reached = done and rng.random() < 0.8
                occupation = rng.choice(OCCUPATIONS) if reached else ""
                if done:
                    enrolment.bench_follow_ups.append((months, due, reached, occupation))  # type: ignore[attr-defined]
                follow_ups.append(
                    (
                        enrolment.provider_id,
                        self.uid(),
                        enrolment.pk,
                        months,
                        due,
                        due if done else None,
                        reached if done else None,
                        occupation,
                        rng.choice(INCOME_SOURCES) if reached else "",
                    )
                )
        insert_rows(
            EnrolmentResidence,
            ["provider_id", "enrolment_id", "municipality_id"],
            [(e.provider_id, e.pk, e.home_at_start) for e in enrolments],  # type: ignore[attr-defined]
        )
        self.counters.add(EnrolmentResidence._meta.label, len(enrolments))
        insert_rows(
            FollowUp,
            [
                "provider_id",
                "public_id",
                "enrolment_id",
                "months",
                "due",
                "done_on",
                "reached",
                "occupation",
                "income_source",
            ],
            follow_ups,
        )
        self.counters.add(FollowUp._meta.label, len(follow_ups))
        return enrolments

    def participant(
        self, provider_id: int, area: list[Municipality], seen: dict[int, set[str]]
    ) -> Participant:
        rng = self.rng
        kind = rng.random()
        born = date(1960, 1, 1) + timedelta(days=rng.randint(0, 16000))
        home = rng.choice(area)
        common = {
            "provider_id": provider_id,
            "public_id": self.uid(),
            "birth_year": born.year,
            "home_municipality_id": home.pk,
            "born_outside_nordic": rng.choice(["ja", "nej", "nej", "ej_angivet"]),
        }
        if kind < 0.03:
            return Participant(
                identity_kind=Participant.IdentityKind.PROTECTED,
                gender=rng.choice(["kvinna", "man", "annat"]),
                **common,
            )
        name = f"{rng.choice(FIRST_NAMES)} Testsson {rng.randint(1, 99999)}"
        if kind < 0.09:
            return Participant(
                identity_kind=Participant.IdentityKind.RESERVE,
                reserve_id=f"R-{self.uid().hex[:10]}",
                name_encrypted=self.cipher.encrypt(name),
                gender=rng.choice(["kvinna", "man"]),
                **common,
            )
        number = national_id(rng, born)
        while number in seen[provider_id]:
            born += timedelta(days=1)
            number = national_id(rng, born)
        seen[provider_id].add(number)
        common["birth_year"] = born.year
        return Participant(
            identity_kind=Participant.IdentityKind.PERSONNUMMER,
            national_id_encrypted=self.cipher.encrypt(number),
            national_id_index=crypto.blind_index(number, scope=f"provider:{provider_id}"),
            name_encrypted=self.cipher.encrypt(name),
            contact_encrypted=self.cipher.encrypt(f"07{rng.randint(0, 99999999):08d}"),
            gender=gender_of(int(number[-2])),
            birth_date=born,
            **common,
        )

    def measurements(self, enrolments: list[Enrolment], coaches: dict[int, list[User]]) -> None:
        """A ladder measurement at start, every 12 weeks and at exit; a step that mostly
        climbs."""
        rng = self.rng
        rows: list[tuple[Any, ...]] = []
        values: list[tuple[int, int]] = []
        today = date(2026, 11, 1)
        for enrolment in enrolments:
            if enrolment.exit_reason == ExitReason.FELREGISTRERING:
                continue
            end = enrolment.exit_date or today
            days = [enrolment.start]
            day = enrolment.start + timedelta(weeks=12)
            while day < end and len(days) < 4:
                days.append(day)
                day += timedelta(weeks=12)
            occasions = ["start"] + ["periodic"] * (len(days) - 1)
            if enrolment.exit_date is not None:
                days.append(enrolment.exit_date)
                occasions.append("exit")
            step = rng.choice([1, 2, 2, 3, 3, 4])
            first = step
            created_by = coaches[enrolment.provider_id][0].pk
            for day, occasion in zip(days, occasions, strict=True):
                rows.append(
                    (enrolment.provider_id, self.uid(), enrolment.pk, occasion, day, created_by)
                )
                values.append((enrolment.provider_id, step))
                latest = step
                step = max(1, min(7, step + rng.choice([-1, 0, 0, 1, 1, 1])))
            enrolment.bench_steps = (first, latest, len(days))  # type: ignore[attr-defined]
        ids = insert_rows(
            Measurement,
            ["provider_id", "public_id", "enrolment_id", "occasion", "date", "created_by_id"],
            rows,
            returning=True,
        )
        self.counters.add(Measurement._meta.label, len(rows))
        through = Measurement.versions.through
        insert_rows(
            through,
            ["measurement_id", "instrumentversion_id"],
            [(m, self.version_id) for m in ids],
        )
        self.counters.add(through._meta.label, len(ids))
        insert_rows(
            Answer,
            ["provider_id", "measurement_id", "item_id", "value", "score", "by"],
            [
                (provider, m, self.item.pk, v, v, Answer.By.COACH)
                for m, (provider, v) in zip(ids, values, strict=True)
            ],
        )
        self.counters.add(Answer._meta.label, len(ids))

    # --- association side: surveys, finance, Lex Heller ------------------------------------

    def active_in(self, interventions: list[Intervention], year: int) -> list[Intervention]:
        return [
            i
            for i in interventions
            if i.start <= date(year, 12, 31) and (i.ended is None or i.ended >= date(year, 1, 1))
        ]

    def surveys(
        self,
        association: Association,
        interventions: list[Intervention],
        activities: list[StructuralActivity],
    ) -> None:
        """The shipped sample questionnaires (loaded by the survey service), national reference
        values for every year, a closed round per questionnaire and year (the participants' and
        staff's for the year's running interventions, a seminar evaluation per a few activities)
        and 100–500 anonymous responses a year with their answers, written as ``submit_response``
        writes them (score from the option, positive as the version defines it)."""
        from stegvis.core import throttle
        from stegvis.surveys import services as survey_services
        from stegvis.surveys.models import (
            Answer as SurveyAnswer,
        )
        from stegvis.surveys.models import (
            Questionnaire,
            QuestionnaireVersion,
            ReferenceValue,
            SurveyResponse,
            SurveyRound,
        )

        rng = self.rng
        loaded = {r.questionnaire.key: r for r in survey_services.load_samples(None, association)}
        for result in loaded.values():  # the same seed, the same public ids
            Questionnaire.objects.filter(pk=result.questionnaire.pk).update(public_id=self.uid())
            QuestionnaireVersion.objects.filter(pk=result.version.pk).update(public_id=self.uid())
        items = {
            key: survey_services.answerable_items(result.version)
            for key, result in loaded.items()
            if key in dict(SURVEY_MIX)
        }
        references = []
        for key, result in loaded.items():
            if result.questionnaire.kind != Questionnaire.Kind.NATIONAL:
                continue
            for year in self.scale.years:
                for item in items.get(key, []):
                    if not item.number or not item.positive:
                        continue
                    references.append(
                        ReferenceValue(
                            association=association,
                            year=year,
                            respondent_group=result.questionnaire.respondent_group,
                            number=item.number,
                            share_positive=Decimal(rng.randint(550, 850)) / 10,
                            mean=Decimal(rng.randint(340, 430)) / 100,
                            responses=rng.randint(800, 3000),
                        )
                    )
        self.bulk(ReferenceValue, references)
        rounds: list[SurveyRound] = []
        round_interventions: dict[int, list[Intervention]] = {}
        by_year: dict[tuple[int, str], list[SurveyRound]] = defaultdict(list)
        for year in self.scale.years:
            running = self.active_in(interventions, year)
            for key, _weight in SURVEY_MIX:
                version = loaded[key].version
                if key == "seminarieutvardering":
                    held = sorted(
                        (x for x in activities if x.date.year == year), key=lambda x: x.date
                    )
                    chosen = rng.sample(held, k=min(len(held), 4))
                    spans: list[tuple[StructuralActivity | None, date, date]] = [
                        (x, x.date, x.date + timedelta(days=14)) for x in chosen
                    ]
                else:
                    spans = [(None, date(year, 1, 1), date(year, 12, 31))]
                for activity, opens, closes in spans:
                    token = self.uid().hex + self.uid().hex
                    survey_round = SurveyRound(
                        association=association,
                        public_id=self.uid(),
                        version=version,
                        title=f"{loaded[key].questionnaire.title} {year}",
                        activity=activity,
                        opens_on=opens,
                        closes_on=closes,
                        closed_on=closes,
                        token_hash=throttle.hash_token(token),
                        token_encrypted=self.cipher.encrypt(token),
                        created_at=datetime.combine(opens, dt_time(8), tzinfo=UTC),
                    )
                    rounds.append(survey_round)
                    by_year[(year, key)].append(survey_round)
                    round_interventions[id(survey_round)] = (
                        running if key in SURVEYS_OF_INTERVENTIONS else []
                    )
        self.bulk(SurveyRound, rounds)
        through = SurveyRound.interventions.through
        insert_rows(
            through,
            ["surveyround_id", "intervention_id"],
            [(r.pk, i.pk) for r in rounds for i in round_interventions[id(r)]],
        )
        keys = [k for k, _w in SURVEY_MIX]
        weights = [w for _k, w in SURVEY_MIX]
        responses: list[tuple[Any, ...]] = []
        answers: list[tuple[Any, ...]] = []
        for year in self.scale.years:
            for _n in range(rng.randint(100, 500)):
                key = rng.choices(keys, weights)[0]
                if not by_year[(year, key)]:
                    key = "deltagare-avslut"
                survey_round = rng.choice(by_year[(year, key)])
                allowed = round_interventions[id(survey_round)]
                intervention = rng.choice(allowed) if allowed else None
                low, high = survey_round.opens_on, survey_round.closes_on
                if intervention is not None:
                    low = max(low, intervention.start)
                    high = min(high, intervention.ended or high)
                day = low + timedelta(days=rng.randint(0, max(0, (high - low).days)))
                response_id = self.uid()
                happy = rng.random() < 0.75
                gender = ""
                for item in items[key]:
                    if rng.random() < 0.04:
                        continue  # left unanswered
                    if item.is_gender:
                        value = rng.choices(["kvinna", "man", "annat"], [52, 45, 3])[0]
                        gender = value
                        answers.append(
                            (self.uid(), association.pk, response_id, item.pk, value, None, None)
                        )
                        continue
                    scored = [o for o in item.options if o.get("score") is not None]
                    if rng.random() < 0.05 and len(scored) < len(item.options):
                        value = next(
                            str(o["value"]) for o in item.options if o.get("score") is None
                        )
                        answers.append(
                            (self.uid(), association.pk, response_id, item.pk, value, None, None)
                        )
                        continue
                    good = [o for o in scored if str(o["value"]) in item.positive]
                    bad = [o for o in scored if str(o["value"]) not in item.positive]
                    wanted = good if (rng.random() < (0.85 if happy else 0.35) or not bad) else bad
                    option = rng.choice(wanted or scored)
                    value = str(option["value"])
                    answers.append(
                        (
                            self.uid(),
                            association.pk,
                            response_id,
                            item.pk,
                            value,
                            Decimal(option["score"]),
                            value in item.positive,
                        )
                    )
                language = "en" if rng.random() < 0.06 else "sv"
                responses.append(
                    (
                        response_id,
                        association.pk,
                        survey_round.pk,
                        survey_round.version_id,
                        intervention.pk if intervention else None,
                        day,
                        language,
                        gender,
                    )
                )
        insert_rows(
            SurveyResponse,
            [
                "id",
                "association_id",
                "round_id",
                "version_id",
                "intervention_id",
                "answered_on",
                "language",
                "gender",
            ],
            responses,
        )
        self.counters.add(SurveyResponse._meta.label, len(responses))
        insert_rows(
            SurveyAnswer,
            ["id", "association_id", "response_id", "item_id", "value", "score", "positive"],
            answers,
        )
        self.counters.add(SurveyAnswer._meta.label, len(answers))

    def finance(
        self,
        a: int,
        association: Association,
        interventions: list[Intervention],
        structural: list[Intervention],
    ) -> None:
        """A budget per year decided by the board in November before (a third of the years
        also a revision in June), with lines for the members' contributions, other income,
        the planned use of equity, the six administration lines, every running intervention
        and unallocated room; the year's contribution key, equity opening and ceiling tiers;
        and booked outcomes per post (monthly, or quarterly for every fourth association)."""
        from stegvis.finance.models import (
            Budget,
            BudgetLine,
            BudgetPost,
            CeilingTier,
            ContributionKey,
            EquityYear,
            Outcome,
        )
        from stegvis.finance.models import Category as C

        rng = self.rng
        posts: dict[str, BudgetPost] = {}

        def post(
            code: str, name: str, category: str, intervention: Intervention | None = None
        ) -> None:
            posts[code] = BudgetPost(
                association=association,
                public_id=self.uid(),
                code=code,
                name=name,
                category=category,
                intervention=intervention,
            )

        post("bidrag", "Medlemsbidrag", C.MEDLEMSBIDRAG)
        post("ovriga", "Övriga intäkter", C.OVRIGA_INTAKTER)
        post("ek", "Planerat nyttjande av eget kapital", C.EGET_KAPITAL)
        for code, name, _share in ADMIN_LINES:
            post(f"administration-{code}", name, C.ADMINISTRATION)
        for intervention in interventions:
            post(f"insats-{intervention.code}", intervention.name, C.INDIVIDINRIKTADE, intervention)
        for intervention in structural:
            post(
                f"insats-{intervention.code}",
                intervention.name,
                C.STRUKTUROVERGRIPANDE,
                intervention,
            )
        post("nya", "Ej fördelat utrymme för nya insatser", C.NYA_INSATSER)
        self.bulk(BudgetPost, list(posts.values()))
        quarterly = a % 4 == 3
        budgets: list[Budget] = []
        planned: list[tuple[Budget, dict[str, int]]] = []
        keys, tiers, equity, outcomes = [], [], [], []
        opening = rng.randrange(1_500_000, 4_000_000, 1000)
        for year in self.scale.years:
            total = rng.randrange(4_000_000, 16_000_000, 50_000)
            amounts = {
                "bidrag": total,
                "ovriga": rng.choice([0, 0, 0, 150_000, 300_000]),
                "ek": rng.choice([0, 0, 200_000, 400_000, 600_000]),
            }
            income = sum(amounts.values())
            admin = income * rng.uniform(0.11, 0.16)
            for code, _name, share in ADMIN_LINES:
                amounts[f"administration-{code}"] = int(round(admin * share, -3))
            running = self.active_in(interventions, year) + structural
            pool = income - sum(amounts[f"administration-{c}"] for c, _n, _s in ADMIN_LINES)
            pool -= int(income * rng.uniform(0.0, 0.06))
            weight = {
                i.code: (0.4 if i in structural else 1.0) * rng.uniform(0.6, 1.4) for i in running
            }
            whole = sum(weight.values())
            for i in running:
                amounts[f"insats-{i.code}"] = int(pool * weight[i.code] / whole) // 1000 * 1000
            spent = sum(v for k, v in amounts.items() if k not in ("bidrag", "ovriga", "ek"))
            amounts["nya"] = income - spent
            amounts = {k: v for k, v in amounts.items() if v > 0}
            decided = date(year - 1, 11, rng.randint(10, 28))
            revisions = [(0, decided, amounts)]
            if rng.random() < 0.33:
                changed = dict(amounts)
                moved = rng.randrange(50_000, 300_000, 10_000)
                if changed.get("nya", 0) >= moved:
                    changed["nya"] -= moved
                    target = rng.choice([f"insats-{i.code}" for i in running])
                    changed[target] = changed.get(target, 0) + moved
                revisions.append((1, date(year, 6, rng.randint(10, 25)), changed))
            for revision, on, lines in revisions:
                budget = Budget(
                    association=association,
                    public_id=self.uid(),
                    year=year,
                    revision=revision,
                    decided_on=on,
                    created_at=datetime.combine(on - timedelta(days=30), dt_time(9), tzinfo=UTC),
                )
                budgets.append(budget)
                planned.append((budget, lines))
            final = revisions[-1][2]
            keys.append(
                ContributionKey(
                    association=association,
                    public_id=self.uid(),
                    year=year,
                    total=total,
                    kind=ContributionKey.Kind.POPULATION,
                    population_year=max(year - 1, self.scale.years[0]),
                )
            )
            for lower, upper, above in ((0, 7_099_999, 20), (7_100_000, None, 15)):
                tiers.append(
                    CeilingTier(
                        association=association,
                        public_id=self.uid(),
                        year=year,
                        lower=lower,
                        upper=upper,
                        first_amount=7_000_000,
                        first_percent=Decimal(20),
                        above_percent=Decimal(above),
                    )
                )
            equity.append(EquityYear(association=association, year=year, opening=opening))
            periods = (
                [(m, 3) for m in (3, 6, 9, 12)] if quarterly else [(m, 1) for m in range(1, 13)]
            )
            result = 0
            for code, amount in final.items():
                if code == "ek" or (code == "nya" and rng.random() < 0.7):
                    continue  # equity is financing, not booked; the room often stays unused
                income_post = code in ("bidrag", "ovriga")
                for month, months in periods:
                    booked = int(round(amount * months / 12 * rng.uniform(0.8, 1.2), -2))
                    if rng.random() < 0.01:
                        booked = -rng.randrange(1000, 20_000, 100)  # a credit note
                    if income_post and code == "bidrag":
                        booked = amount * months // 12
                    result += booked if income_post else -booked
                    source = rng.choice(["sie", "sie", "sie", "file", "manual"])
                    outcomes.append(
                        (association.pk, posts[code].pk, year, month, months, booked, source)
                    )
            opening += result
        self.bulk(Budget, budgets)
        budget_lines = [
            (association.pk, self.uid(), budget.pk, posts[code].pk, amount)
            for budget, amounts_of in planned
            for code, amount in amounts_of.items()
        ]
        insert_rows(
            BudgetLine,
            ["association_id", "public_id", "budget_id", "post_id", "amount"],
            budget_lines,
        )
        self.counters.add(BudgetLine._meta.label, len(budget_lines))
        insert_rows(
            Outcome,
            ["association_id", "post_id", "year", "month", "months", "amount", "source"],
            outcomes,
        )
        self.counters.add(Outcome._meta.label, len(outcomes))
        self.bulk(ContributionKey, keys)
        self.bulk(CeilingTier, tiers)
        self.bulk(EquityYear, equity)

    def plans(self, a: int, association: Association, interventions: list[Intervention]) -> None:
        """An operating plan per year, decided by the board in December before: two focus areas
        with the goals an association follows up in its annual report (exits to work or studies
        by gender, positive step movement and occupancy of the year's first running
        intervention, violence screening, structural activities, the share of costs to
        interventions, equity within the ceiling) and a goal followed up in text. Its own random
        stream, so the rest of the data is the same with or without plans."""
        from stegvis.plans.models import FocusArea, Plan, PlanActivity, PlanGoal

        rng = random.Random(f"plans-{self.seed}-{a}")

        def uid() -> uuid.UUID:
            return uuid.UUID(int=rng.getrandbits(128), version=4)

        plans, areas, goals, activities = [], [], [], []
        for year in self.scale.years:
            plan = Plan(
                association=association,
                public_id=uid(),
                year=year,
                status=Plan.Status.DECIDED,
                decided_on=date(year - 1, 12, rng.randint(5, 18)),
                decision_number=f"§ {rng.randint(20, 60)}/{year - 1}",
            )
            plans.append(plan)
            work, together = (
                FocusArea(
                    association=association, public_id=uid(), plan=plan, position=i, name=name
                )
                for i, name in enumerate(["Fler i arbete eller studier", "Samverkan och ekonomi"])
            )
            areas += [work, together]
            first = min(self.active_in(interventions, year), key=lambda i: i.code, default=None)
            chosen: list[tuple[FocusArea, str, str, int | None, Intervention | None, bool]] = [
                (
                    work,
                    "Minst %s %% av avsluten till arbete eller studier",
                    "exits_work_studies",
                    rng.choice([35, 40, 45]),
                    None,
                    True,
                ),
                (
                    work,
                    "Våldsfrågor ställda till minst %s %% av de avslutade",
                    "screening_coverage",
                    90,
                    None,
                    False,
                ),
                (
                    together,
                    "Minst %s strukturövergripande aktiviteter",
                    "structural_activities",
                    rng.choice([10, 20, 30]),
                    None,
                    False,
                ),
                (
                    together,
                    "Minst %s %% av kostnaderna till insatser",
                    "cost_share_interventions",
                    75,
                    None,
                    False,
                ),
                (
                    together,
                    "Eget kapital högst %s %% av taket",
                    "equity_of_ceiling",
                    100,
                    None,
                    False,
                ),
            ]
            if first is not None:
                chosen[1:1] = [
                    (
                        work,
                        f"Positiv stegförflyttning för minst %s %% i {first.name}",
                        "positive_step",
                        rng.choice([40, 50]),
                        first,
                        True,
                    ),
                    (work, f"Beläggning minst %s %% i {first.name}", "occupancy", 80, first, False),
                ]
            chosen.append((together, "Ett gott samarbete med medlemmarna", "", None, None, False))
            for position, (area, text, measure, target, intervention, by_gender) in enumerate(
                chosen
            ):
                goals.append(
                    PlanGoal(
                        association=association,
                        public_id=uid(),
                        area=area,
                        position=position,
                        text=text if target is None else text % target,
                        measure=measure,
                        target=None if target is None else Decimal(target),
                        intervention=intervention,
                        by_gender=by_gender,
                    )
                )
            for quarter, text in ((1, "Medlemssamråd"), (3, "Temadag för beredningsgruppen")):
                activities.append(
                    PlanActivity(
                        association=association,
                        public_id=uid(),
                        area=together,
                        text=text,
                        responsible="Förbundschef",
                        year=year,
                        quarter=quarter,
                    )
                )
        self.bulk(Plan, plans)
        self.bulk(FocusArea, areas)
        self.bulk(PlanGoal, goals)
        self.bulk(PlanActivity, activities)

    def deviations(
        self,
        association: Association,
        office: User,
        interventions: list[Intervention],
        coaches: dict[int, list[User]],
    ) -> None:
        """5–50 Lex Heller reports a year: filed by the providers' coaches or registered from
        paper by the office, in the association's own categories (made by the app when the
        association was created), with the steps of their handling so far."""
        from stegvis.deviations.models import DeviationCategory, DeviationReport, DeviationStep

        rng = self.rng
        State = DeviationReport.State
        categories = list(DeviationCategory.objects.filter(association=association))
        categories.sort(key=lambda c: (c.position, c.name))
        for category in categories:
            DeviationCategory.objects.filter(pk=category.pk).update(public_id=self.uid())
        orgs = list(
            Organisation.objects.filter(memberships__association=association).order_by("pk")
        )
        units = {u.pk: u for u in Unit.objects.filter(pk__in=list(coaches))}
        pool = [(unit_id, c) for unit_id, users in coaches.items() for c in users]
        reports: list[DeviationReport] = []
        for year in self.scale.years:
            for _n in range(rng.randint(5, 50)):
                received = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
                if rng.random() < 0.75:
                    unit_id, user = rng.choice(pool)
                    own = [i for i in interventions if i.provider_id == unit_id]
                    report = DeviationReport(
                        reported_by=user,
                        reporter_unit_id=unit_id,
                        reporter_role=Role.COACH,
                        reporter_organisation_id=units[unit_id].organisation_id,
                        intervention=rng.choice(own) if own and rng.random() < 0.6 else None,
                    )
                else:
                    report = DeviationReport(
                        reported_by=office,
                        reporter_role=Role.OFFICE,
                        reporter_organisation=rng.choice(orgs),
                        on_paper=True,
                    )
                report.association = association
                report.public_id = self.uid()
                report.received_on = received
                report.event_date = received - timedelta(days=rng.randint(0, 30))
                report.category = rng.choice(categories)
                report.what_happened = rng.choice(DEVIATION_TEXTS)
                report.consequence = rng.choice(DEVIATION_CONSEQUENCES)
                report.proposed_solution = rng.choice(DEVIATION_PROPOSALS)
                report.created_at = datetime.combine(received, dt_time(9), tzinfo=UTC)
                report.bench_orgs = rng.sample(orgs, k=min(len(orgs), rng.randint(1, 3)))  # type: ignore[attr-defined]
                reports.append(report)
        reports.sort(key=lambda r: (r.received_on, r.public_id))
        steps: list[tuple[Any, ...]] = []
        for number, report in enumerate(reports, start=1):
            report.number = number
            late = report.received_on.year == LAST_YEAR and report.received_on.month >= 10
            roll = rng.random()
            if roll < 0.02 and number > 1:
                earlier = [
                    r for r in reports[max(0, number - 10) : number - 1] if not r.merged_into
                ]
                report.merged_into = rng.choice(earlier) if earlier else None
            if report.merged_into is not None:
                report.state = State.MERGED
                path = [State.MERGED]
            else:
                last = rng.choices(
                    DEVIATION_FLOW, [3, 2, 2, 3, 3, 2] if late else [0, 0, 0, 1, 2, 15]
                )[0]
                path = [State(s) for s in DEVIATION_FLOW[1 : DEVIATION_FLOW.index(last) + 1]]
                if roll > 0.97:
                    path = [State.RETURNED, *path]
                    report.return_message = "Beskriv vilka myndigheter som var inblandade."
                report.state = path[-1] if path else State.RECEIVED
            day = report.received_on
            at = [(State.RECEIVED, report.received_on, report.reported_by_id)]
            for state in path:
                day += timedelta(days=rng.randint(1, 20))
                at.append((state, day, office.pk))
                if state == State.TAKEN:
                    report.taken_at = datetime.combine(day, dt_time(13), tzinfo=UTC)
                elif state == State.DECIDED:
                    report.decided_on = day
                    report.days_to_decision = (day - report.received_on).days
                    report.action = rng.choice(DEVIATION_ACTIONS)
                    report.action_organisation = rng.choice(orgs)
                elif state == State.FEEDBACK:
                    report.feedback = "Parterna har tagit fram en gemensam rutin."
            report.bench_steps = at  # type: ignore[attr-defined]
        first = [r for r in reports if r.merged_into is None]
        insert_objects(DeviationReport, first)
        merged = [r for r in reports if r.merged_into is not None]
        for report in merged:
            report.merged_into_id = report.merged_into.pk  # type: ignore[union-attr]
        insert_objects(DeviationReport, merged)
        self.counters.add(DeviationReport._meta.label, len(reports))
        for report in reports:
            previous = ""
            for state, day, by in report.bench_steps:  # type: ignore[attr-defined]
                steps.append(
                    (
                        association.pk,
                        report.pk,
                        previous,
                        state,
                        by,
                        datetime.combine(day, dt_time(10), tzinfo=UTC),
                    )
                )
                previous = state
        insert_rows(
            DeviationStep,
            ["association_id", "report_id", "from_state", "to_state", "by_id", "at"],
            steps,
        )
        self.counters.add(DeviationStep._meta.label, len(steps))
        through = DeviationReport.organisations.through
        insert_rows(
            through,
            ["deviationreport_id", "organisation_id"],
            [(r.pk, o.pk) for r in reports for o in r.bench_orgs],  # type: ignore[attr-defined]
        )

    # --- packages --------------------------------------------------------------------------

    def packages(
        self,
        a: int,
        association: Association,
        neighbour: Association,
        interventions: list[Intervention],
        cofunded: set[int],
        enrolments: list[Enrolment],
        monthly: set[int],
    ) -> None:
        """Every quarter (every month for the ``monthly`` providers) of every year for each
        funder: through the services for the first ``service_packages`` of the first
        association, bulk-inserted otherwise."""
        from stegvis.bench import packages as bulk_packages

        todo: list[tuple[Intervention, Association, str, date, date]] = []
        for intervention in interventions:
            funders = [association] + ([neighbour] if intervention.pk in cofunded else [])
            periods = months if intervention.provider_id in monthly else quarters
            for year in self.scale.years:
                for label, start, end in periods(year):
                    if end < intervention.start or (
                        intervention.ended is not None and start > intervention.ended
                    ):
                        continue
                    for funder in funders:
                        todo.append((intervention, funder, label, start, end))
        sample = todo[: self.scale.service_packages] if a == 0 else []
        if sample:
            office = User.objects.get(email=f"kansli{a + 1}@{EMAIL_DOMAIN}")
            bulk_packages.through_services(sample, office)
            self.counters.add("packages via services", len(sample))
        rest = todo[len(sample) :]
        made = bulk_packages.bulk_insert(rest, enrolments)
        self.counters.add("aggregates.ReceivedPackage", made[0])
        self.counters.add("aggregates.PackageCell", made[1])


class OrphanRows(RuntimeError):
    """Rows whose foreign key points at no row, found after a load without the checks."""


@contextmanager
def foreign_key_triggers_off() -> Iterator[bool]:
    """On PostgreSQL, as a superuser, load without the per-row foreign-key triggers: each
    inserted row otherwise looks up its parent row once (through a trigger, inside PostgreSQL),
    which was most of the server's work at country scale. ``session_replication_role = replica``
    turns them off for this session only (the project has no triggers of its own, so nothing
    else changes). Yields whether they are off: the caller then checks every foreign key once,
    set-wise, with ``check_foreign_keys``. Elsewhere (SQLite, or a role that may not set it)
    the load keeps the ordinary checks."""
    if connection.vendor != "postgresql":
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if not (row and row[0]):
            yield False
            return
        cursor.execute("SET session_replication_role = replica")
    try:
        yield True
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


FOREIGN_KEYS_SQL = """
SELECT con.conname, con.conrelid::regclass::text, con.confrelid::regclass::text,
       array_agg(quote_ident(a.attname) ORDER BY k.n),
       array_agg(quote_ident(f.attname) ORDER BY k.n)
FROM pg_constraint con
CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(col, fcol, n)
JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.col
JOIN pg_attribute f ON f.attrelid = con.confrelid AND f.attnum = k.fcol
WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace
GROUP BY con.oid, con.conname, con.conrelid, con.confrelid
ORDER BY 2, 1
"""


def check_foreign_keys() -> int:
    """Check every foreign-key constraint of the schema with one anti-join each (what the
    triggers would have checked row by row) and raise ``OrphanRows`` naming each constraint
    with rows that point nowhere. Returns the number of constraints checked."""
    orphans: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(FOREIGN_KEYS_SQL)
        constraints = cursor.fetchall()
        for name, child, parent, columns, referenced in constraints:
            matches = " AND ".join(
                f"p.{r} = c.{c}" for c, r in zip(columns, referenced, strict=True)
            )
            present = " AND ".join(f"c.{c} IS NOT NULL" for c in columns)
            cursor.execute(
                f"SELECT count(*) FROM {child} c WHERE {present}"
                f" AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {matches})"
            )
            count = cursor.fetchone()[0]
            if count:
                orphans.append(f"{name} ({child} → {parent}): {count} rows")
    if orphans:
        raise OrphanRows("Rows whose parent row is missing: " + "; ".join(orphans))
    return len(constraints)


def analyze() -> None:
    """Refresh the query planner's statistics after a bulk load. PostgreSQL's autovacuum would
    get there by itself; SQLite never does, and without statistics it plans the progression
    subqueries of a package from the item instead of the enrolment (90 s instead of 0.8 s per
    package at association scale, see docs/performance.md)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def generate(
    scale: str, seed: int, log: Callable[[str], None] = print, associations: int | None = None
) -> Counters:
    """Generate the scale; ``associations`` keeps only its first N associations (the same
    rows as the full run's first N, except the last one's co-funding neighbour)."""
    chosen = SCALES[scale]
    if associations is not None:
        chosen = replace(chosen, associations=associations)
    return Generator(chosen, seed, log).run()


def chunked(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
