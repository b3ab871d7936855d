"""Report periods of an aggregate package: month, quarter, tertial, half-year, year.

A period is written as ``2026-03`` (month), ``2026Q3`` (quarter), ``2026T2`` (tertial),
``2026H1`` (half-year) or ``2026`` (year). It is the finest time a package knows.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])|Q[1-4]|T[1-3]|H[1-2])?$"
_RE = re.compile(PATTERN)


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _months(year: int, first: int, last: int, label: str) -> Period:
    return Period(label, date(year, first, 1), date(year, last, monthrange(year, last)[1]))


def parse(label: str) -> Period:
    """The period named by ``label``, or :class:`PeriodError` with a Swedish message."""
    label = (label or "").strip().upper()
    if not _RE.match(label):
        raise PeriodError(
            _(
                "Okänd period %(label)s. Skriv t.ex. 2026-03 (månad), 2026Q3 (kvartal), "
                "2026T2 (tertial), 2026H1 (halvår) eller 2026 (år)."
            )
            % {"label": label or "–"}
        )
    year = int(label[:4])
    rest = label[4:]
    if not rest:
        return _months(year, 1, 12, label)
    if rest.startswith("-"):
        month = int(rest[1:])
        return _months(year, month, month, label)
    number = int(rest[1])
    size = {"Q": 3, "T": 4, "H": 6}[rest[0]]
    return _months(year, (number - 1) * size + 1, number * size, label)
