"""The operations of scale.md, each as the application does it and as hand-written bare SQL.

Each :class:`Operation` has ``app()`` and ``bare()``, both returning the same comparable figures;
the benchmark checks that they are equal before it times anything. The bare SQL is written once,
by hand, for the figures it names (table names from the models' ``db_table``).

When the reports app lands, swap :func:`annual_report` for its annual-report function: the
comparison only needs its figures in the shape of :func:`_app_figures`.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.test import Client

from stegvis.aggregates import figures as aggregate_figures
from stegvis.aggregates import national, package, services
from stegvis.aggregates.models import PackageCell, PackageDispatch, ReceivedPackage
from stegvis.aggregates.periods import parse
from stegvis.core.actors import SESSION_KEY
from stegvis.core.models import Association, Role, RoleAssignment, Unit
from stegvis.interventions.models import (
    Attendance,
    Funding,
    Intervention,
    StructuralActivity,
)
from stegvis.participants import imports
from stegvis.participants.models import Enrolment, Participant

from .generator import quarters

CELL = PackageCell._meta.db_table
PACKAGE = ReceivedPackage._meta.db_table
ENROLMENT = Enrolment._meta.db_table
PARTICIPANT = Participant._meta.db_table
FUNDING = Funding._meta.db_table
INTERVENTION = Intervention._meta.db_table
ACTIVITY = StructuralActivity._meta.db_table
ATTENDANCE = Attendance._meta.db_table


def sql(query: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


@dataclass
class Operation:
    key: str
    title: str
    app: Callable[[], Any]
    bare: Callable[[], Any]
    bare_note: str
    # Run before each timed call (outside the timing), e.g. to undo the last one.
    setup: Callable[[], None] | None = None
    repeats: int | None = None


# --- 1. The annual report of one association -----------------------------------------------


def annual_report(association: Association, year: int) -> Any:
    """The application's annual-report participant figures: the reports app's figures layer
    (``reports.association.figures_in_range``, which ``association_figures`` wraps for a year)
    that the annual report document, the association report and the start page all use."""
    return aggregate_figures.association_figures(association, year)


def _app_figures(association: Association, year: int) -> dict[str, Any]:
    per, total = annual_report(association, year)
    result: dict[str, Any] = {}
    for figures in [*per, total]:
        key = figures.intervention.pk if figures.intervention else "total"
        cells = {
            (t, r, g): n
            for t, rows in figures.tables.items()
            for r, counts in rows.items()
            for g, n in counts.items()
            if n
        }
        people = {g: n for g, n in figures.participants.items() if n}
        result[str(key)] = {"cells": cells, "participants": people}
        if figures.intervention is not None:
            result[str(key)]["days"] = figures.days_covered
    return result


BARE_SUMS = f"""
SELECT p.intervention_id, c."table", c."row", c.gender, SUM(c.count)
FROM {CELL} c JOIN {PACKAGE} p ON p.id = c.package_id
WHERE c.association_id = %s AND p.association_id = %s AND p.replaced_by_id IS NULL
  AND p.period_start BETWEEN %s AND %s
GROUP BY p.intervention_id, c."table", c."row", c.gender
"""
BARE_AT_START = f"""
SELECT p.intervention_id, c.gender, SUM(c.count)
FROM {CELL} c JOIN {PACKAGE} p ON p.id = c.package_id
WHERE c.association_id = %s AND p.association_id = %s AND p.replaced_by_id IS NULL
  AND p.period_start BETWEEN %s AND %s
  AND c."table" = 'participants' AND c."row" = 'enrolled_at_start'
  AND p.period_start = (
    SELECT MIN(q.period_start) FROM {PACKAGE} q
    WHERE q.association_id = p.association_id AND q.intervention_id = p.intervention_id
      AND q.sender_id = p.sender_id AND q.replaced_by_id IS NULL
      AND q.period_start BETWEEN %s AND %s)
GROUP BY p.intervention_id, c.gender
"""
BARE_DAYS = f"""
SELECT intervention_id, MIN(period_start), MAX(period_end), period
FROM {PACKAGE}
WHERE association_id = %s AND replaced_by_id IS NULL AND period_start BETWEEN %s AND %s
GROUP BY intervention_id, period
"""


def _bare_figures(association_id: int, year: int) -> dict[str, Any]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    result: dict[str, Any] = {}

    def entry(key: str) -> dict[str, Any]:
        return result.setdefault(key, {"cells": {}, "participants": {}, "days": 0})

    for intervention_id, table, row, g, n in sql(
        BARE_SUMS, [association_id, association_id, first, last]
    ):
        for key in (str(intervention_id), "total"):
            cells = entry(key)["cells"]
            if n:
                cells[table, row, g] = cells.get((table, row, g), 0) + int(n)
    for intervention_id, g, n in sql(
        BARE_AT_START, [association_id, association_id, first, last, first, last]
    ):
        for key in (str(intervention_id), "total"):
            people = entry(key)["participants"]
            people[g] = people.get(g, 0) + int(n)
    for value in result.values():
        people = value["participants"]
        for (table, row, g), n in value["cells"].items():
            if table == "participants" and row == "new":
                people[g] = people.get(g, 0) + n
        value["participants"] = {g: n for g, n in people.items() if n}
    for intervention_id, start, end, _period in sql(BARE_DAYS, [association_id, first, last]):
        start = start if isinstance(start, date) else date.fromisoformat(start)
        end = end if isinstance(end, date) else date.fromisoformat(end)
        entry(str(intervention_id))["days"] += (end - start).days + 1
    result.get("total", {}).pop("days", None)
    return result


# --- 2. The national compilation -----------------------------------------------------------


def _app_national(years: list[int]) -> dict[str, Any]:
    """The whole country at once: ``national.country_counts`` (2 queries), as the
    ``national_export`` command calls it."""
    result: dict[str, Any] = {}
    counts = national.country_counts(years)
    for (association_id, year), rows in counts.individual.items():
        for row in rows:
            result[f"{association_id}/{year}/{row.intervention.pk}"] = (
                row.women,
                row.men,
                row.other,
            )
    for (association_id, year), rows in counts.structural.items():
        for row in rows:
            if row.occasions:
                result[f"{association_id}/{year}/{row.intervention.pk}/s"] = (
                    row.women,
                    row.men,
                    row.other,
                    row.occasions,
                    f"{Decimal(row.hours or 0):.2f}",
                )
    return result


BARE_NATIONAL = f"""
WITH current AS (
  SELECT id, association_id, intervention_id, sender_id, period_start,
         EXTRACT(YEAR FROM period_start) AS y
  FROM {PACKAGE} WHERE replaced_by_id IS NULL AND period_start BETWEEN %s AND %s
), firsts AS (
  SELECT association_id, intervention_id, sender_id, y, MIN(period_start) AS first_start
  FROM current GROUP BY association_id, intervention_id, sender_id, y
)
SELECT k.association_id, k.y, k.intervention_id, c.gender, SUM(c.count)
FROM current k JOIN {CELL} c ON c.package_id = k.id AND c.association_id = k.association_id
LEFT JOIN firsts f ON f.association_id = k.association_id AND f.intervention_id = k.intervention_id
  AND f.sender_id = k.sender_id AND f.y = k.y
WHERE c."table" = 'participants'
  AND (c."row" = 'new' OR (c."row" = 'enrolled_at_start' AND k.period_start = f.first_start))
GROUP BY k.association_id, k.y, k.intervention_id, c.gender
"""
BARE_STRUCTURAL = f"""
SELECT f.association_id, EXTRACT(YEAR FROM a.date) AS y, a.intervention_id,
       COUNT(*), SUM(a.hours),
       SUM((SELECT COALESCE(SUM(t.women), 0) FROM {ATTENDANCE} t WHERE t.activity_id = a.id)),
       SUM((SELECT COALESCE(SUM(t.men), 0) FROM {ATTENDANCE} t WHERE t.activity_id = a.id)),
       SUM((SELECT COALESCE(SUM(t.other), 0) FROM {ATTENDANCE} t WHERE t.activity_id = a.id))
FROM {ACTIVITY} a JOIN {FUNDING} f ON f.intervention_id = a.intervention_id
JOIN {INTERVENTION} i ON i.id = a.intervention_id AND i.kind = 'structural'
WHERE a.date BETWEEN %s AND %s
GROUP BY f.association_id, EXTRACT(YEAR FROM a.date), a.intervention_id
"""


def _year_sql(query: str) -> str:
    if connection.vendor == "sqlite":
        return query.replace(
            "EXTRACT(YEAR FROM period_start)", "CAST(strftime('%%Y', period_start) AS INTEGER)"
        ).replace("EXTRACT(YEAR FROM a.date)", "CAST(strftime('%%Y', a.date) AS INTEGER)")
    return query


def _bare_national(years: list[int]) -> dict[str, Any]:
    first, last = date(min(years), 1, 1), date(max(years), 12, 31)
    people: dict[str, dict[str, int]] = defaultdict(lambda: {"kvinna": 0, "man": 0, "annat": 0})
    for association_id, y, intervention_id, g, n in sql(_year_sql(BARE_NATIONAL), [first, last]):
        people[f"{association_id}/{int(y)}/{intervention_id}"][g] += int(n)
    result: dict[str, Any] = {key: (c["kvinna"], c["man"], c["annat"]) for key, c in people.items()}
    for association_id, y, intervention_id, n, hours, women, men, other in sql(
        _year_sql(BARE_STRUCTURAL), [first, last]
    ):
        result[f"{association_id}/{int(y)}/{intervention_id}/s"] = (
            int(women),
            int(men),
            int(other),
            int(n),
            f"{Decimal(str(hours)):.2f}",
        )
    return result


# --- 3. The participant list page ----------------------------------------------------------


PUBLIC_ID = re.compile(r"/deltagare/([0-9a-f-]{36})/")


def _list_client(intervention: Intervention) -> tuple[Client, str]:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assignment = (
        RoleAssignment.objects.filter(unit=intervention.provider, role=Role.PROVIDER_MANAGER)
        .select_related("user")
        .first()
    )
    assert assignment is not None
    client = Client()
    client.force_login(assignment.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_KEY] = str(assignment.public_id)
    device = TOTPDevice.objects.filter(user=assignment.user, confirmed=True).first()
    assert device is not None
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    url = f"/p/{intervention.provider.public_id}/deltagare/?intervention={intervention.pk}"
    return client, url


BARE_LIST = f"""
SELECT p.public_id, p.name_encrypted, p.identity_kind, p.identity_erased_at
FROM {PARTICIPANT} p
WHERE p.provider_id = %s
  AND EXISTS (SELECT 1 FROM {ENROLMENT} e WHERE e.participant_id = p.id
              AND e.provider_id = %s AND e.intervention_id = %s)
ORDER BY p.created_at DESC, p.id DESC
LIMIT 50
"""
BARE_LIST_ENROLMENTS = f"""
SELECT e.participant_id, e.start, e.exit_date, i.name FROM {ENROLMENT} e
JOIN {INTERVENTION} i ON i.id = e.intervention_id
WHERE e.provider_id = %s AND e.participant_id IN (
  SELECT p.id FROM {PARTICIPANT} p WHERE p.provider_id = %s AND EXISTS (
    SELECT 1 FROM {ENROLMENT} x WHERE x.participant_id = p.id AND x.provider_id = %s
      AND x.intervention_id = %s)
  ORDER BY p.created_at DESC, p.id DESC LIMIT 50)
ORDER BY e.start DESC
"""


def _bare_list(intervention: Intervention) -> list[str]:
    from stegvis.core import crypto

    provider_id = intervention.provider_id
    rows = sql(BARE_LIST, [provider_id, provider_id, intervention.pk])
    sql(BARE_LIST_ENROLMENTS, [provider_id, provider_id, provider_id, intervention.pk])
    for _id, name, _kind, _erased in rows:
        if name:
            crypto.decrypt(name)  # the page shows each name
    return [str(uuid_value).replace("-", "") for uuid_value, *_rest in rows]


def _app_list(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    seen: list[str] = []
    for found in PUBLIC_ID.findall(response.content.decode()):
        short = found.replace("-", "")
        if short not in seen:
            seen.append(short)
    return seen


# --- 4. The import of 10 000 participant rows ----------------------------------------------


def import_file_bytes(intervention: Intervention, rows: int, seed: int) -> bytes:
    """A CSV of ``rows`` fictional people (test-range personnummer) for the intervention."""
    import random

    from .generator import national_id

    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["personnummer", "namn", "hemkommun", "insats", "startdatum", "samtycke_datum"])
    seen: set[str] = set()
    area = list(intervention.lead_association.area().values_list("code", flat=True))
    while len(seen) < rows:
        born = date(1965, 1, 1).toordinal() + rng.randint(0, 14000)
        number = national_id(rng, date.fromordinal(born))
        if number in seen:
            continue
        seen.add(number)
        start = date(2025, 1, 1).toordinal() + rng.randint(0, 300)
        day = date.fromordinal(start).isoformat()
        writer.writerow(
            [number, f"Testperson {len(seen)}", rng.choice(area), intervention.code, day, day]
        )
    return out.getvalue().encode()


def _bare_parse(data: bytes) -> int:
    reader = csv.reader(io.StringIO(data.decode()), delimiter=";")
    next(reader)
    return sum(1 for _row in reader)


# --- 5. Packages: every provider's packages for one year, built and received ----------------


BARE_PACKAGE = f"""
SELECT p.gender,
  SUM(CASE WHEN e.start < %s THEN 1 ELSE 0 END),
  SUM(CASE WHEN e.start >= %s THEN 1 ELSE 0 END),
  COUNT(*),
  SUM(CASE WHEN e.exit_date BETWEEN %s AND %s THEN 1 ELSE 0 END)
FROM {ENROLMENT} e
JOIN {PARTICIPANT} p ON p.id = e.participant_id
LEFT JOIN aggregates_enrolmentresidence r ON r.enrolment_id = e.id
WHERE e.provider_id = %s AND e.intervention_id = %s AND e.exit_reason <> 'felregistrering'
  AND COALESCE(r.municipality_id, p.home_municipality_id) IN ({{area}})
  AND e.start <= %s AND (e.exit_date IS NULL OR e.exit_date >= %s)
GROUP BY p.gender
"""


def _package_jobs(association: Association, year: int) -> list[tuple[Intervention, str]]:
    jobs = []
    for intervention in (
        Intervention.objects.filter(
            fundings__association=association,
            kind=Intervention.Kind.INDIVIDUAL,
            code__startswith="steg",
        )
        .select_related("provider", "lead_association")
        .order_by("pk")
    ):
        for label, start, end in quarters(year):
            if end < intervention.start or (intervention.ended and start > intervention.ended):
                continue
            jobs.append((intervention, label))
    return jobs


def _app_packages(association: Association, year: int) -> dict[str, Any]:
    """Build each signed file (provider side) and receive it (association side), as a
    correction of the package already there; the caller rolls the writes back."""
    result = {}
    for intervention, label in _package_jobs(association, year):
        provider = intervention.provider
        raw = services.build_file(provider, intervention, association, label)
        # build_file numbers versions from the dispatches; raise it above the received one.
        import json

        signed = json.loads(raw)
        current = ReceivedPackage.objects.filter(
            association=association,
            intervention=intervention,
            period=label,
            replaced_by__isnull=True,
        ).first()
        if current is not None and signed["package"]["version"] <= current.version:
            signed["package"]["version"] = current.version + 1
            signed = services.sign(provider, signed["package"])
            raw = json.dumps(signed).encode()
        received = services.receive(association, raw, user=None, via=PackageDispatch.Via.FILE)
        people = received.document["tables"]["participants"]
        result[f"{intervention.pk}/{label}"] = {
            g: (
                people["enrolled_at_start"][g],
                people["new"][g],
                people["active"][g],
                people["exited"][g],
            )
            for g in package.GENDERS
            if people["active"][g]
        }
    return result


def _bare_packages(association: Association, year: int) -> dict[str, Any]:
    area = list(association.area().values_list("pk", flat=True))
    query = BARE_PACKAGE.replace("{area}", ",".join(str(int(pk)) for pk in area))
    result = {}
    for intervention, label in _package_jobs(association, year):
        period = parse(label)
        rows = sql(
            query,
            [
                period.start,
                period.start,
                period.start,
                period.end,
                intervention.provider_id,
                intervention.pk,
                period.end,
                period.start,
            ],
        )
        result[f"{intervention.pk}/{label}"] = {
            g: (int(a), int(b), int(c), int(d)) for g, a, b, c, d in rows if c
        }
        # …and store the cells, as receiving does.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {PACKAGE} (association_id, public_id, sender_id, intervention_id,"
                " period, period_start, period_end, version, document, signature, key_id,"
                " received_at, received_via, changes) VALUES"
                " (%s, %s, %s, %s, %s, %s, %s, 99, '{}', '', '', %s, 'file', '[]')",
                [
                    association.pk,
                    __import__("uuid").uuid4().hex,
                    intervention.provider_id,
                    intervention.pk,
                    label + "b",
                    period.start,
                    period.end,
                    __import__("django.utils.timezone").utils.timezone.now(),
                ],
            )
            cursor.execute(f"SELECT MAX(id) FROM {PACKAGE}")
            (package_id,) = cursor.fetchone()
            cursor.executemany(
                f'INSERT INTO {CELL} (association_id, package_id, "table", "row", gender, count)'
                " VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (association.pk, package_id, "participants", row, g, n)
                    for g, counts in result[f"{intervention.pk}/{label}"].items()
                    for row, n in zip(
                        ("enrolled_at_start", "new", "active", "exited"), counts, strict=True
                    )
                ],
            )
    return result


# --- The list -------------------------------------------------------------------------------


def list_intervention() -> Intervention:
    """The first association's first intervention: the one with the most participants."""
    return (
        Intervention.objects.filter(lead_association__slug="bench-01", code="steg1")
        .select_related("provider", "lead_association")
        .get()
    )


def operations(year: int, years: list[int], import_rows: int = 10_000) -> list[Operation]:
    association = Association.objects.get(slug="bench-01")
    intervention = list_intervention()
    client, url = _list_client(intervention)
    data = import_file_bytes(intervention, import_rows, seed=7)

    def fresh_provider() -> tuple[Unit, bytes]:
        """A provider and intervention of its own for each import (rolled back with it)."""
        unit = Unit.objects.create(
            organisation=intervention.provider.organisation,
            name="Importenheten",
            is_provider=True,
        )
        twin = Intervention.objects.create(
            provider=unit,
            lead_association=association,
            name="Importinsatsen",
            code="importinsats",
            kind=Intervention.Kind.INDIVIDUAL,
            orientation="rehabiliterande",
            start=date(2024, 1, 1),
            status=Intervention.Status.RUNNING,
        )
        Funding.objects.create(association=association, intervention=twin, share=100)
        return unit, data.replace(f";{intervention.code};".encode(), f";{twin.code};".encode())

    def app_import() -> tuple[int, int]:
        unit, rows = fresh_provider()
        result = imports.import_file(unit, "deltagare.csv", rows)
        assert not result.errors, result.errors[:3]
        return result.rows, result.rows

    def bare_import() -> tuple[int, int]:
        n = _bare_parse(data)
        return n, n

    return [
        Operation(
            "annual_report",
            f"Annual report figures of one association, {year}",
            lambda: _app_figures(association, year),
            lambda: _bare_figures(association.pk, year),
            "3 queries on package cells (sums, at-start of first period, days covered)",
        ),
        Operation(
            "national_1y",
            f"National compilation, every association, {year}",
            lambda: _app_national([year]),
            lambda: _bare_national([year]),
            "2 queries for the whole country (participants; structural volume)",
        ),
        Operation(
            "national_10y",
            f"National compilation, every association, {min(years)}–{max(years)}",
            lambda: _app_national(years),
            lambda: _bare_national(years),
            "the same 2 queries over the decade",
            repeats=3,
        ),
        Operation(
            "participant_list",
            "Participant list page of an intervention with 2 000 participants (test client)",
            lambda: _app_list(client, url),
            lambda: _bare_list(intervention),
            "2 queries (the page's 50 participants and their enrolments) + decrypting the names",
        ),
        Operation(
            "import_10k",
            f"Import of {import_rows} participant rows (CSV) through the import service",
            app_import,
            bare_import,
            "parsing the same CSV file with csv.reader (no validation, no writes)",
            repeats=2,
        ),
        Operation(
            "packages_year",
            f"Every provider's packages of one association for {year}: build + receive",
            lambda: _app_packages(association, year),
            lambda: _bare_packages(association, year),
            "1 query per package for the participants table + inserting its cells",
            repeats=2,
        ),
    ]


def in_rollback(function: Callable[[], Any]) -> Callable[[], Any]:
    """Run ``function`` in a transaction that is rolled back (for operations that write)."""

    def run() -> Any:
        with transaction.atomic():
            value = function()
            transaction.set_rollback(True)
        return value

    return run
