"""The generated aggregate packages: a sample through the project's own services, the rest
computed in memory from the rows the generator has just written and bulk-inserted.

:func:`tables_in_memory` follows ``aggregates.package.compute_tables`` definition by definition
(the tiny-scale test checks that both give the same tables), so a bulk-inserted package holds what
the provider would have sent.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from stegvis.aggregates import package, services, signing
from stegvis.aggregates.models import (
    PackageCell,
    PackageDispatch,
    ProviderKeyRegistration,
    ReceivedPackage,
)
from stegvis.aggregates.periods import parse
from stegvis.bench.generator import insert_rows
from stegvis.core import crypto
from stegvis.core.codes import AGE_BANDS, EXIT_REPORT_GROUP, ExitReason, IncomeSource
from stegvis.core.models import Association, User
from stegvis.interventions.models import Intervention
from stegvis.participants.models import Enrolment

Job = tuple[Intervention, Association, str, date, date]
Tables = dict[str, dict[str, dict[str, int]]]


def through_services(jobs: list[Job], user: User) -> None:
    """Build each signed file as the provider's operator would and receive it at the
    association (every check of ``receive``)."""
    for intervention, funder, label, _start, _end in jobs:
        provider = intervention.provider
        raw = services.build_file(provider, intervention, funder, label)
        services._ensure_registered(provider, funder, user)
        services.receive(funder, raw, user=user, via=PackageDispatch.Via.FILE)


def tables_in_memory(enrolments: list[Enrolment], area: set[int], start: date, end: date) -> Tables:
    """The package's tables for the enrolments of one intervention (each with
    ``home_at_start``, ``bench_participant``, ``bench_steps`` and ``bench_follow_ups`` attached)."""
    genders = package.GENDERS
    tables: Tables = {
        name: {row: dict.fromkeys(genders, 0) for row in spec[0]}
        for name, spec in package.TABLES.items()
    }
    steps: dict[str, dict[str, int]] = {}

    def add(table: str, row: str, g: str, n: int = 1) -> None:
        tables[table][row][g] += n

    for e in enrolments:
        if e.exit_reason == ExitReason.FELREGISTRERING or e.home_at_start not in area:  # type: ignore[attr-defined]
            continue
        g = e.bench_participant.gender  # type: ignore[attr-defined]
        for months, done_on, reached, occupation in e.bench_follow_ups:  # type: ignore[attr-defined]
            if start <= done_on <= end:
                add(f"follow_up_{months}", occupation if reached else "ej_nadd", g)
        if e.start > end or (e.exit_date is not None and e.exit_date < start):
            continue
        add("participants", "enrolled_at_start" if e.start < start else "new", g)
        add("participants", "active", g)
        last = min(e.exit_date or end, end)
        add("participants", "participant_days", g, (last - max(e.start, start)).days + 1)
        age = end.year - e.bench_participant.birth_year  # type: ignore[attr-defined]
        band = next((f"{lo}_{hi}" for lo, hi in AGE_BANDS if lo <= age <= hi), "ovriga")
        add("age_bands", band, g)
        if e.exit_date is None or not start <= e.exit_date <= end:
            continue
        add("participants", "exited", g)
        add("exit_reasons", e.exit_reason, g)
        add("exit_groups", str(EXIT_REPORT_GROUP[e.exit_reason]), g)
        add("income_start", e.income_source_start, g)
        add("income_exit", e.income_source_exit or IncomeSource.OKAND, g)
        add("occupation_start", e.occupation_start or package.NOT_STATED, g)
        add("occupation_exit", e.occupation_exit or package.NOT_STATED, g)
        days = (e.exit_date - e.start).days
        for key, (low, high) in package.TIME_BANDS.items():
            if days >= low and (high is None or days <= high):
                add("time_in_intervention", key, g)
        add("violence_screening", "asked" if e.violence_screening_asked else "not_asked", g)
        add("survey_at_exit", "offered" if e.survey_offered_at_exit else "not_offered", g)
        first, latest, n = e.bench_steps  # type: ignore[attr-defined]
        if n < 2:
            add("progression", "ej_matt", g)
            continue
        moved = latest - first
        add("progression", "positiv" if moved > 0 else "negativ" if moved < 0 else "ingen", g)
        if moved > 0:
            add("positive_by_group", str(EXIT_REPORT_GROUP[e.exit_reason]), g)
        key = "0" if moved == 0 else f"{moved:+d}"
        steps.setdefault(key, dict.fromkeys(genders, 0))[g] += 1
    tables["steps_moved"] = {k: steps[k] for k in sorted(steps, key=int)}
    return tables


def bulk_insert(jobs: list[Job], enrolments: list[Enrolment]) -> tuple[int, int]:
    """Signed, received packages and their cells, without the per-package queries."""
    by_intervention: dict[int, list[Enrolment]] = defaultdict(list)
    for e in enrolments:
        by_intervention[e.intervention_id].append(e)
    areas: dict[int, set[int]] = {}
    keys: dict[int, tuple[str, str, str]] = {}
    received: list[tuple[Any, ...]] = []
    cells: list[list[tuple[int, str, str, str, int]]] = []
    for intervention, funder, label, start, end in jobs:
        if funder.pk not in areas:
            areas[funder.pk] = set(funder.area().values_list("pk", flat=True))
        provider = intervention.provider
        if provider.pk not in keys:
            key = services.provider_key(provider)
            keys[provider.pk] = (
                key.key_id,
                crypto.decrypt(key.private_key_encrypted),
                key.public_key,
            )
        key_id, private, public = keys[provider.pk]
        if (funder.pk, key_id) not in _registered:
            ProviderKeyRegistration.objects.get_or_create(
                association=funder,
                key_id=key_id,
                defaults={
                    "sender": provider,
                    "public_key": public,
                    "registered_by_id": intervention.coaches.values_list("pk", flat=True)[0],
                },
            )
            _registered.add((funder.pk, key_id))
        tables = tables_in_memory(by_intervention[intervention.pk], areas[funder.pk], start, end)
        document = package.build_document(
            key_id=key_id,
            association=funder,
            intervention=intervention,
            period=parse(label),
            version=1,
            tables=tables,
        )
        received.append(
            (
                funder.pk,
                provider.pk,
                intervention.pk,
                label,
                start,
                end,
                1,
                document,
                signing.sign(private, document),
                key_id,
                PackageDispatch.Via.FILE,
            )
        )
        cells.append(
            [
                (funder.pk, table, name, g, counts[g])
                for table, rows in tables.items()
                for name, counts in rows.items()
                for g in package.GENDERS
            ]
        )
    ids = insert_rows(
        ReceivedPackage,
        [
            "association_id",
            "sender_id",
            "intervention_id",
            "period",
            "period_start",
            "period_end",
            "version",
            "document",
            "signature",
            "key_id",
            "received_via",
        ],
        received,
        returning=True,
    )
    rows = [
        (association, package_id, table, name, g, count)
        for package_id, package_cells in zip(ids, cells, strict=True)
        for association, table, name, g, count in package_cells
    ]
    insert_rows(
        PackageCell, ["association_id", "package_id", "table", "row", "gender", "count"], rows
    )
    return len(received), len(rows)


_registered: set[tuple[int, str]] = set()


def as_dict(tables: Tables) -> dict[str, Any]:
    return {t: {r: dict(c) for r, c in rows.items()} for t, rows in tables.items()}
