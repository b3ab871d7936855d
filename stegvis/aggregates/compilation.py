"""The compilation package: an association's combined figures for a county or national network,
published with small-cell suppression (calculations.md §6), and the network's combined figures
across the associations whose packages it has imported. See docs/dev/compilation.md.

The document carries only published cells: a count of 0 or at least 5, or a mark ("<5" for 1–4,
"–" for a cell hidden so that no "<5" can be recomputed from a total). Each table is one grid
with its totals, suppressed as a whole, so that no two published lines can be subtracted to
reveal a hidden cell. Everything the network shows is computed from these published cells only,
so it cannot reveal more than the associations published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from stegvis.core.codes import ReportGroup
from stegvis.core.models import Association
from stegvis.reports.suppression import HIDDEN, SMALL, Shown, suppress_grid, suppress_row

from .figures import Figures
from .package import GENDERS
from .periods import PATTERN as PERIOD_PATTERN

SCHEMA_VERSION = 1
FORMAT = "stegvis-compilation-package"
FILE_FORMAT = "stegvis-compilation-file"
TOTAL = "totalt"
COLUMNS = (*GENDERS, TOTAL)
TABLE_NAMES = ("participants", "new", "exits")
GROUPS = list(ReportGroup.values)
# A file of compilations from many associations stays far below this.
MAX_BYTES = 50 * 1024 * 1024
CODE = r"(?!totalt$)(?!.*[0-9]{6})[a-z0-9-]{1,60}"
GROUP = "(" + "|".join(GROUPS) + ")"

Row = dict[str, Shown]
Tables = dict[str, dict[str, Row]]


class CompilationError(ValueError):
    """The association has nothing to compile for the period."""


def _row(values: list[Shown], total: Shown) -> Row:
    return {**dict(zip(GENDERS, values, strict=True)), TOTAL: total}


def _grid(rows: list[tuple[str, list[int]]]) -> dict[str, Row]:
    """Rows of counts by gender as one published grid, with its total row."""
    if len(rows) == 1:
        cells, total = suppress_row(rows[0][1])
        return {TOTAL: _row(cells, total)}
    grid = suppress_grid([values for _key, values in rows])
    published = {
        key: _row(cells, total)
        for (key, _values), cells, total in zip(rows, grid.cells, grid.row_totals, strict=True)
    }
    published[TOTAL] = _row(grid.column_totals, grid.total)
    return published


def _counts(counts: dict[str, int]) -> list[int]:
    return [int(counts.get(g, 0)) for g in GENDERS]


def published_tables(per: list[Figures], total: Figures, *, detail: bool) -> Tables:
    """The compilation's tables from the association's year figures, suppressed.

    Without detail, one grid per table for the association as a whole; with it, one row per
    intervention (and per intervention and report group for exits), the totals computed from
    the same grid.
    """
    if not per:
        raise CompilationError("no packages")
    if detail:
        participants = [(f.intervention.code, _counts(f.participants)) for f in per]  # type: ignore[union-attr]
        new = [(f.intervention.code, _counts(f.row("participants", "new"))) for f in per]  # type: ignore[union-attr]
        exits = [
            (f"{f.intervention.code}.{g}", _counts(f.row("exit_groups", g)))  # type: ignore[union-attr]
            for f in per
            for g in GROUPS
        ]
    else:
        participants = [(TOTAL, _counts(total.participants))]
        new = [(TOTAL, _counts(total.row("participants", "new")))]
        exits = [(g, _counts(total.row("exit_groups", g))) for g in GROUPS]
    return {"participants": _grid(participants), "new": _grid(new), "exits": _grid(exits)}


def build_document(
    *,
    key_id: str,
    association: Association,
    network: str,
    period: str,
    version: int,
    detail: bool,
    tables: Tables,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "association_key": key_id,
        "association": association.slug,
        "network": network,
        "period": period,
        "version": version,
        "detail": detail,
        "tables": tables,
    }


# --- Schema and consistency ------------------------------------------------------------------


def schema() -> dict[str, Any]:
    """The JSON schema of a compilation document (docs/dev/compilation-package.schema.json)."""
    slug = {"type": "string", "pattern": r"^(?!.*[0-9]{6})[a-z0-9-]{1,60}$"}
    row_keys = {
        "participants": f"^({TOTAL}|{CODE})$",
        "new": f"^({TOTAL}|{CODE})$",
        "exits": f"^({TOTAL}|({CODE}\\.)?{GROUP})$",
    }
    tables = {
        name: {
            "type": "object",
            "patternProperties": {pattern: {"$ref": "#/$defs/row"}},
            "required": [TOTAL],
            "additionalProperties": False,
        }
        for name, pattern in row_keys.items()
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://stegvis.se/schemas/compilation-package-1.json",
        "title": "Stegvis compilation package",
        "type": "object",
        "properties": {
            "format": {"const": FORMAT},
            "schema_version": {"const": SCHEMA_VERSION},
            "association_key": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
            "association": slug,
            "network": slug,
            "period": {"type": "string", "pattern": PERIOD_PATTERN},
            "version": {"type": "integer", "minimum": 1},
            "detail": {"type": "boolean"},
            "tables": {
                "type": "object",
                "properties": tables,
                "required": list(TABLE_NAMES),
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
            "detail",
            "tables",
        ],
        "additionalProperties": False,
        "$defs": {
            # A published cell: 0, at least 5, or a suppression mark; never 1–4.
            "cell": {
                "oneOf": [
                    {"type": "integer", "minimum": 0, "not": {"minimum": 1, "maximum": 4}},
                    {"enum": [SMALL, HIDDEN]},
                ]
            },
            "row": {
                "type": "object",
                "properties": {c: {"$ref": "#/$defs/cell"} for c in COLUMNS},
                "required": list(COLUMNS),
                "additionalProperties": False,
            },
        },
    }


def inconsistencies(tables: Tables) -> list[str]:
    """Every line whose shown cells and shown total do not add up (Swedish), empty when all do.
    A line with a mark cannot be checked and is left alone."""
    from django.utils.translation import gettext as _

    problems = []
    for name in TABLE_NAMES:
        rows = tables[name]
        for key, row in rows.items():
            values = [row[g] for g in GENDERS]
            known = all(isinstance(v, int) for v in [*values, row[TOTAL]])
            if known and sum(values) != row[TOTAL]:  # type: ignore[arg-type]
                problems.append(
                    _("Tabellen %(table)s, raden %(row)s: summan stämmer inte.")
                    % {"table": name, "row": key}
                )
        body = [row for key, row in rows.items() if key != TOTAL]
        if not body:
            continue
        for column in COLUMNS:
            values = [row[column] for row in body]
            shown_total = rows[TOTAL][column]
            known = all(isinstance(v, int) for v in [*values, shown_total])
            if known and sum(values) != shown_total:  # type: ignore[arg-type]
                problems.append(
                    _("Tabellen %(table)s, kolumnen %(column)s: summan stämmer inte.")
                    % {"table": name, "column": column}
                )
    return problems


def small_counts(tables: Tables) -> list[str]:
    """Where a count of 1–4 appears (a package that was not suppressed)."""
    return [
        f"{name}/{key}/{column}"
        for name in TABLE_NAMES
        for key, row in tables[name].items()
        for column, value in row.items()
        if isinstance(value, int) and 0 < value < 5
    ]


def cells(tables: Tables) -> list[dict[str, Any]]:
    """The document's cells as rows for CompilationCell."""
    result = []
    for name in TABLE_NAMES:
        for key, row in tables[name].items():
            group = key.rsplit(".", 1)[-1] if name == "exits" and key != TOTAL else ""
            for column, value in row.items():
                result.append(
                    {
                        "table": name,
                        "key": key,
                        "group": group,
                        "is_total": key == TOTAL,
                        "gender": column,
                        "count": value if isinstance(value, int) else None,
                        "mark": "" if isinstance(value, int) else str(value),
                    }
                )
    return result


# --- The network's combined figures ----------------------------------------------------------


@dataclass(frozen=True)
class Combined:
    """A sum of published cells: exact when every part was shown, else a lower bound."""

    count: int = 0
    small: int = 0
    hidden: int = 0

    def __add__(self, other: Combined) -> Combined:
        return Combined(
            self.count + other.count, self.small + other.small, self.hidden + other.hidden
        )

    @property
    def shown(self) -> Shown:
        """The number when every part is known; the one part's own mark when it is the only
        non-zero part; otherwise "≥n", the least the hidden parts can add up to."""
        if not self.small and not self.hidden:
            return self.count
        if not self.count and self.small + self.hidden == 1:
            return SMALL if self.small else HIDDEN
        return f"≥{self.count + self.small + 5 * self.hidden}"


LINES = ("participants", "new", "exited", *GROUPS)


@dataclass
class NetworkFigures:
    label: str
    lines: dict[str, dict[str, Combined]] = field(default_factory=dict)

    def add(self, line: str, gender: str, value: Combined) -> None:
        row = self.lines.setdefault(line, {c: Combined() for c in COLUMNS})
        row[gender] = row[gender] + value

    def shown(self) -> list[tuple[str, list[Shown]]]:
        empty = {c: Combined() for c in COLUMNS}
        return [(line, [self.lines.get(line, empty)[c].shown for c in COLUMNS]) for line in LINES]


def network_figures(
    compilations: QuerySet[Any], names: dict[str, str]
) -> tuple[list[NetworkFigures], NetworkFigures]:
    """Per association and in total, from the cells of ``compilations`` (current ones): the
    participants, new, exited and exits by report group, by gender and in total. One query."""
    from .models import CompilationCell

    sums = (
        CompilationCell.objects.filter(compilation__in=compilations)
        .filter(Q(is_total=True) | Q(table="exits"))
        .values("compilation__association_slug", "table", "is_total", "group", "gender")
        .annotate(
            n=Sum("count"),
            small=Count("pk", filter=Q(mark=SMALL)),
            hidden=Count("pk", filter=Q(mark=HIDDEN)),
        )
        .order_by()
    )
    per: dict[str, NetworkFigures] = {
        slug: NetworkFigures(label=names.get(slug, slug)) for slug in sorted(names)
    }
    total = NetworkFigures(label="")
    for row in sums:
        if row["table"] == "exits":
            line = "exited" if row["is_total"] else row["group"]
        else:
            if not row["is_total"]:
                continue
            line = row["table"]
        value = Combined(row["n"] or 0, row["small"], row["hidden"])
        slug = row["compilation__association_slug"]
        per.setdefault(slug, NetworkFigures(label=names.get(slug, slug))).add(
            line, row["gender"], value
        )
        total.add(line, row["gender"], value)
    ordered = sorted(per.values(), key=lambda f: f.label)
    return ordered, total
