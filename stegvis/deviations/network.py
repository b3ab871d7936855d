"""Compiling Lex Heller reports with other associations (a county's network) through the same
signed-package mechanism as aggregate compilations (``aggregates.compilation``): the association
exports counts only, signed with its own key (``aggregates.AssociationKey``); the network's
compiler imports them, with the keys registered once (``aggregates.AssociationKeyRegistration``),
and sees the combined compilation. See docs/dev/deviations.md.

A package holds the number of reports received in the period, by category (the association's
category names), by kind of organisation involved (a report counts once per kind), by state, and
the time from report to decision as a distribution of whole days. No text of any report, no
reporter, no organisation's name, no date finer than the period.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import jsonschema
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from stegvis.aggregates import signing
from stegvis.aggregates.models import AssociationKeyRegistration
from stegvis.aggregates.periods import PATTERN as PERIOD_PATTERN
from stegvis.aggregates.periods import PeriodError, parse
from stegvis.aggregates.services import (
    PackageRefused,
    association_key,
    check_network_document,
    replaced_compilation,
    signed_by_association,
)
from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.models import Association, Network, Organisation, User
from stegvis.deviations.models import (
    DeviationCategory,
    DeviationReport,
    LexHellerCell,
    LexHellerDispatch,
    ReceivedLexHeller,
)
from stegvis.deviations.permissions import can_manage_setup

SCHEMA_VERSION = 1
FORMAT = "stegvis-lexheller-compilation"
FILE_FORMAT = "stegvis-lexheller-compilation-file"
MAX_BYTES = 50 * 1024 * 1024
DIMENSIONS = ("category", "organisation_kind", "state", "decision_days")
# A category name: the association's label, never a report's text (no digits, no @).
CATEGORY_PATTERN = r"^[^0-9@]{1,100}$"


# --- The association's side ------------------------------------------------------------------


def compute(association: Association, start: Any, end: Any) -> dict[str, Any]:
    """The counts of the reports received from ``start`` to ``end``. Four queries."""
    reports = DeviationReport.objects.filter(
        association=association, received_on__gte=start, received_on__lte=end
    )
    by_category = dict.fromkeys(
        DeviationCategory.objects.filter(association=association, active=True)
        .order_by("position", "name")
        .values_list("name", flat=True),
        0,
    )
    for name, n in (
        reports.order_by().values_list("category__name").annotate(n=Count("pk")).order_by()
    ):
        by_category[name] = n
    kinds = reports.order_by().aggregate(
        total=Count("pk", distinct=True),
        **{
            kind: Count("pk", filter=Q(organisations__kind=kind), distinct=True)
            for kind in Organisation.Kind.values
        },
    )
    by_state = dict.fromkeys(DeviationReport.State.values, 0)
    for state, n in reports.order_by().values_list("state").annotate(n=Count("pk")).order_by():
        by_state[state] = n
    days = {
        str(d): n
        for d, n in reports.filter(days_to_decision__isnull=False)
        .order_by()
        .values_list("days_to_decision")
        .annotate(n=Count("pk"))
        .order_by("days_to_decision")
    }
    return {
        "reports": kinds.pop("total"),
        "category": by_category,
        "organisation_kind": {kind: kinds[kind] for kind in Organisation.Kind.values},
        "state": by_state,
        "decision_days": days,
    }


@transaction.atomic
def build_file(
    association: Association,
    network: str,
    period_label: str,
    *,
    user: User | None,
    actor: Actor | None = None,
) -> tuple[str, bytes]:
    """The signed Lex Heller compilation of ``association`` for ``network`` and the period,
    and its file name; recorded as built."""
    import re

    if actor is not None and (not can_manage_setup(actor) or actor.association != association):
        raise PermissionDenied
    network = (network or "").strip()
    if not re.fullmatch(r"[a-z0-9-]{1,60}", network):
        raise PackageRefused(_("Ange nätverkets kortnamn: små bokstäver, siffror och bindestreck."))
    try:
        period = parse(period_label.strip().upper())
    except PeriodError as exc:
        raise PackageRefused(str(exc)) from exc
    if period.start > timezone.localdate():
        raise PackageRefused(
            _("Perioden %(period)s ligger i framtiden.") % {"period": period.label}
        )
    last = LexHellerDispatch.objects.filter(
        association=association, network=network, period=period.label
    ).aggregate(v=Max("version"))["v"]
    key = association_key(association)
    document = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "association_key": key.key_id,
        "association": association.slug,
        "network": network,
        "period": period.label,
        "version": (last or 0) + 1,
        **compute(association, period.start, period.end),
    }
    dispatch = LexHellerDispatch.objects.create(
        association=association,
        network=network,
        period=period.label,
        version=document["version"],
        document=document,
        built_by=user,
    )
    signed = signed_by_association(key, FILE_FORMAT, document)
    audit.record(
        "deviation.network_compilation_built",
        actor=actor,
        user=user,
        owner=association,
        obj=dispatch,
        reason=f"{network} {period.label} v{document['version']}",
    )
    name = f"lex-heller-{association.slug}-{network}-{period.label}-v{document['version']}.json"
    return name, signing.to_bytes(signed)


# --- Schema and checks -----------------------------------------------------------------------


def schema() -> dict[str, Any]:
    """The JSON schema of a Lex Heller compilation (docs/dev/lexheller-compilation.schema.json)."""
    count = {"type": "integer", "minimum": 0}
    slug = {"type": "string", "pattern": r"^(?!.*[0-9]{6})[a-z0-9-]{1,60}$"}

    def closed(keys: list[str]) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": dict.fromkeys(keys, count),
            "required": keys,
            "additionalProperties": False,
        }

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://stegvis.se/schemas/lexheller-compilation-1.json",
        "title": "Stegvis Lex Heller compilation",
        "type": "object",
        "properties": {
            "format": {"const": FORMAT},
            "schema_version": {"const": SCHEMA_VERSION},
            "association_key": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
            "association": slug,
            "network": slug,
            "period": {"type": "string", "pattern": PERIOD_PATTERN},
            "version": {"type": "integer", "minimum": 1},
            "reports": count,
            "category": {
                "type": "object",
                "patternProperties": {CATEGORY_PATTERN: count},
                "additionalProperties": False,
            },
            "organisation_kind": closed(list(Organisation.Kind.values)),
            "state": closed(list(DeviationReport.State.values)),
            "decision_days": {
                "type": "object",
                "patternProperties": {"^(0|[1-9][0-9]{0,4})$": count},
                "additionalProperties": False,
            },
        },
        "required": [
            "format",
            "schema_version",
            "association_key",
            "association",
            "network",
            "period",
            "version",
            "reports",
            *DIMENSIONS,
        ],
        "additionalProperties": False,
    }


def inconsistencies(document: dict[str, Any]) -> list[str]:
    """Totals that do not add up (Swedish)."""
    problems = []
    n = document["reports"]
    for dimension in ("category", "state"):
        total = sum(document[dimension].values())
        if total != n:
            problems.append(
                _("%(dimension)s summerar till %(total)s, inte %(n)s rapporter.")
                % {"dimension": dimension, "total": total, "n": n}
            )
    if any(v > n for v in document["organisation_kind"].values()):
        problems.append(_("Fler rapporter per organisationstyp än rapporter."))
    if sum(document["decision_days"].values()) > n:
        problems.append(_("Fler rapporter med beslut än rapporter."))
    return problems


def _load(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_BYTES:
        raise PackageRefused(
            _("Filen är för stor (%(size)s byte): en sammanställning är högst 50 MB.")
            % {"size": len(raw)}
        )
    try:
        signed = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackageRefused(
            _("Filen är inte en sammanställning: den går inte att läsa som JSON.")
        ) from exc
    if (
        not isinstance(signed, dict)
        or signed.get("format") != FILE_FORMAT
        or not isinstance(signed.get("compilation"), dict)
        or not isinstance(signed.get("signature"), dict)
    ):
        raise PackageRefused(
            _(
                "Filen är inte en signerad Lex Heller-sammanställning från Stegvis (format, "
                "compilation, signature saknas)."
            )
        )
    document = signed["compilation"]
    if document.get("schema_version") != SCHEMA_VERSION:
        raise PackageRefused(
            _("Sammanställningens schemaversion %(version)s stöds inte (bara %(supported)s).")
            % {"version": document.get("schema_version"), "supported": SCHEMA_VERSION}
        )
    errors = sorted(
        jsonschema.Draft202012Validator(schema()).iter_errors(document),
        key=lambda e: list(e.absolute_path),
    )
    if errors:
        raise PackageRefused(
            *[
                _("Fel i sammanställningen vid %(path)s: %(message)s")
                % {"path": "/".join(str(p) for p in e.absolute_path) or "/", "message": e.message}
                for e in errors[:20]
            ]
        )
    return signed


# --- The network's side ----------------------------------------------------------------------


@transaction.atomic
def receive(network: Network, raw: bytes, *, user: User | None) -> ReceivedLexHeller:
    """Check a signed Lex Heller compilation and store it for ``network``; PackageRefused
    (nothing saved) otherwise. A newer version for the same association and period replaces
    the earlier one."""
    signed = _load(raw)
    document = signed["compilation"]
    registration, period = check_network_document(network, signed, document)
    problems = inconsistencies(document)
    if problems:
        raise PackageRefused(_("Sammanställningens summor går inte ihop:"), *problems)
    current = ReceivedLexHeller.objects.select_for_update().filter(
        network=network, association_slug=registration.association_slug, replaced_by__isnull=True
    )
    same = replaced_compilation(current, period, document["version"])
    received = ReceivedLexHeller(
        network=network,
        registration=registration,
        association_slug=registration.association_slug,
        period=period.label,
        period_start=period.start,
        period_end=period.end,
        version=document["version"],
        document=document,
        signature=str(signed["signature"]["value"])[:128],
        key_id=registration.key_id,
        received_by=user,
    )
    if same is not None:
        same.replaced_by = same
        same.save(update_fields=["replaced_by"])
    received.save()
    if same is not None:
        same.replaced_by = received
        same.save(update_fields=["replaced_by"])
    LexHellerCell.objects.bulk_create(
        LexHellerCell(network=network, compilation=received, dimension=d, key=k, count=n)
        for d in DIMENSIONS
        for k, n in document[d].items()
    )
    audit.record(
        "deviation.network_compilation_received",
        user=user,
        owner=network,
        obj=received,
        reason=f"{registration.association_slug} {period.label} v{received.version}",
    )
    return received


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Combined:
    """The network's compilation for a year: per association the number of reports, and in
    total every dimension summed, with median and mean days to decision."""

    year: int
    associations: list[tuple[str, int]] = field(default_factory=list)
    reports: int = 0
    category: list[tuple[str, int]] = field(default_factory=list)
    organisation_kind: list[tuple[str, int]] = field(default_factory=list)
    state: list[tuple[str, int]] = field(default_factory=list)
    decided: int = 0
    median_days: Decimal | None = None
    mean_days: Decimal | None = None


def combined(compilations: QuerySet[ReceivedLexHeller], year: int) -> Combined:
    """Sum the cells of the current compilations of ``year``. Two queries."""
    current = compilations.filter(replaced_by__isnull=True, period_start__year=year)
    result = Combined(year=year)
    names = dict(
        AssociationKeyRegistration.objects.filter(
            pk__in=current.values("registration_id")
        ).values_list("association_slug", "association_name")
    )
    per: dict[str, int] = {}
    for slug, document in current.values_list("association_slug", "document"):
        per[slug] = per.get(slug, 0) + int(document["reports"])
    result.associations = sorted(
        ((names.get(slug, slug), n) for slug, n in per.items()), key=lambda r: r[0]
    )
    result.reports = sum(per.values())
    sums: dict[str, dict[str, int]] = {d: {} for d in DIMENSIONS}
    for row in (
        LexHellerCell.objects.filter(compilation__in=current)
        .values("dimension", "key")
        .annotate(n=Sum("count"))
        .order_by("dimension", "key")
    ):
        sums[row["dimension"]][row["key"]] = row["n"]
    kinds = dict(Organisation.Kind.choices)
    states = dict(DeviationReport.State.choices)
    result.category = sorted(sums["category"].items(), key=lambda r: (-r[1], r[0]))
    result.organisation_kind = [
        (str(kinds[k]), sums["organisation_kind"].get(k, 0)) for k in Organisation.Kind.values
    ]
    result.state = [(str(states[s]), sums["state"].get(s, 0)) for s in DeviationReport.State.values]
    days = sorted((int(d), n) for d, n in sums["decision_days"].items() if n)
    result.decided = sum(n for _d, n in days)
    if result.decided:
        values = [d for d, n in days for _ in range(n)]
        middle = len(values) // 2
        median = (
            Decimal(values[middle])
            if len(values) % 2
            else Decimal(values[middle - 1] + values[middle]) / 2
        )
        result.median_days = _one_decimal(median)
        result.mean_days = _one_decimal(Decimal(sum(values)) / len(values))
    return result


def tables(c: Combined) -> list[Any]:
    """The combined compilation as report tables (for the XLSX; the page shows the same)."""
    from stegvis.reports.tables import Table

    number = _("Antal")
    return [
        Table(_("Rapporter per förbund"), [number], [(n, [v]) for n, v in c.associations]),
        Table(_("Per kategori"), [number], [(n, [v]) for n, v in c.category]),
        Table(
            _("Per typ av inblandad organisation"),
            [number],
            [(n, [v]) for n, v in c.organisation_kind],
        ),
        Table(_("Per status"), [number], [(n, [v]) for n, v in c.state]),
        Table(
            _("Tid från rapport till beslut (dagar)"),
            [_("Värde")],
            [
                (_("Rapporter med beslut"), [c.decided]),
                (_("Median"), [c.median_days]),
                (_("Medelvärde"), [c.mean_days]),
            ],
        ),
    ]
