"""A report as every output shows it: titled sections of :class:`~.tables.Table`s with notes.

The web page and the PDF render the same template from a :class:`Report`; the CSV and the XLSX
are its tables (``tables.to_csv``, ``tables.to_xlsx``); the JSON is :func:`to_json` (format
documented in ``docs/dev/report-json.md``). :meth:`Report.publish` gives the version that may
leave the office (calculations.md §6).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import ngettext

from .periods import ReportRange
from .tables import Table, Value, published, published_together

JSON_FORMAT = "stegvis-report"
JSON_VERSION = 1


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Keys of tables that hold no counts of people (amounts, hours, survey shares already
    # hidden under five answers): published as they are.
    public: set[str] = field(default_factory=set)


@dataclass
class Report:
    kind: str
    title: str
    owner_name: str
    owner_key: str
    range: ReportRange
    sections: list[Section]
    # Said before everything: an empty period, missing or misaligned packages, assumptions.
    notes: list[str] = field(default_factory=list)
    published: bool = False
    # Set when the report has no figures at all for the range.
    empty: bool = False
    # Entries of different tables that publish the same figure, as (table key, (row, column)) of
    # the table's rows and values (the totals last): :meth:`publish` suppresses those tables
    # together (``tables.published_together``), so that no table shows what another hides.
    links: list[list[tuple[str, tuple[int, int]]]] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables() if t.key == key), None)

    def publish(self) -> Report:
        """Counts 1–4 as "<5" with complementary cells hidden; tables that are not counts with
        totals are kept only when they hold no counts of people (already safe)."""
        if self.published:
            return self
        together = self._publish_linked()
        sections = [
            replace(s, tables=publish_tables([together.get(t.key, t) for t in s.tables], s.public))
            for s in self.sections
        ]
        left_out = len(self.tables()) - sum(len(s.tables) for s in sections)
        notes = list(self.notes)
        if left_out:
            notes.append(
                ngettext(
                    "%(n)s tabell med andelar räknade ur små antal ingår inte i den "
                    "avidentifierade versionen.",
                    "%(n)s tabeller med andelar räknade ur små antal ingår inte i den "
                    "avidentifierade versionen.",
                    left_out,
                )
                % {"n": left_out}
            )
        return replace(self, sections=sections, notes=notes, published=True)

    def _publish_linked(self) -> dict[str, Table]:
        """The linked tables of counts, published together, by key."""
        linked = {key for link in self.links for key, _pos in link}
        tables = [
            t
            for s in self.sections
            for t in s.tables
            if t.key in linked
            and t.key not in s.public
            and not t.suppressed
            and t.has_totals
            and len(t.rows) >= 2
        ]
        if not tables:
            return {}
        index = {t.key: i for i, t in enumerate(tables)}

        def inside(key: str, pos: tuple[int, int]) -> bool:
            rows = tables[index[key]].rows
            return pos[0] < len(rows) and pos[1] < len(rows[pos[0]][1])

        links = [
            [(index[key], pos) for key, pos in link if key in index and inside(key, pos)]
            for link in self.links
        ]
        return {t.key: t for t in published_together(tables, [m for m in links if len(m) > 1])}


def publish_tables(tables: list[Table], public: set[str]) -> list[Table]:
    result = []
    for table in tables:
        if table.suppressed or table.key in public:
            result.append(table)
        elif table.has_totals and len(table.rows) >= 2:
            result.append(published(table))
        elif table.has_totals:
            result.append(replace(table, suppressed=True))  # only a total row of zeros
    return result


def _json_value(value: Value) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_dict(report: Report) -> dict[str, Any]:
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "kind": report.kind,
        "title": report.title,
        "owner": {"key": report.owner_key, "name": report.owner_name},
        "from": report.range.start.isoformat(),
        "to": report.range.end.isoformat(),
        "period": report.range.label,
        "published": report.published,
        "empty": report.empty,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "notes": list(report.notes),
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "notes": list(s.notes),
                "tables": [
                    {
                        "key": t.key,
                        "title": t.title,
                        "columns": list(t.columns),
                        "rows": [
                            {"label": label, "values": [_json_value(v) for v in values]}
                            for label, values in t.rows
                        ],
                        "has_totals": t.has_totals,
                        "suppressed": t.suppressed,
                        "note": t.note,
                    }
                    for t in s.tables
                ],
            }
            for s in report.sections
        ],
    }


def to_json(report: Report) -> bytes:
    return json.dumps(to_dict(report), ensure_ascii=False, indent=2).encode("utf-8")
