"""A report's time range: one or more whole report periods (month, quarter, tertial, half-year,
year), from the first day of its first period to the last day of its last."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from stegvis.aggregates.periods import Period, PeriodError, parse


class RangeError(ValueError):
    """A range that cannot be reported on, with a Swedish message."""


@dataclass(frozen=True)
class ReportRange:
    start: date
    end: date

    @property
    def label(self) -> str:
        """The period's own name when the range is one (2026, 2026H1, 2026T2, 2026Q3, 2026-03),
        else first–last month."""
        for label in _candidates(self.start.year):
            period = parse(label)
            if period.start == self.start and period.end == self.end:
                return label
        return f"{self.start:%Y-%m}–{self.end:%Y-%m}"

    @property
    def year(self) -> int:
        """The year of the range's end: the year of the budget and of the surveys shown."""
        return self.end.year

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_period(self) -> Period:
        return Period(self.label, self.start, self.end)

    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)


def _candidates(year: int) -> list[str]:
    return [
        str(year),
        *(f"{year}H{n}" for n in (1, 2)),
        *(f"{year}T{n}" for n in (1, 2, 3)),
        *(f"{year}Q{n}" for n in (1, 2, 3, 4)),
        *(f"{year}-{m:02d}" for m in range(1, 13)),
    ]


def period_range(first: str, last: str | None = None) -> ReportRange:
    """From the start of period ``first`` to the end of period ``last`` (default: ``first``)."""
    try:
        start = parse(first)
        end = parse(last) if last else start
    except PeriodError as exc:
        raise RangeError(str(exc)) from exc
    return date_range(start.start, end.end)


def date_range(start: date, end: date) -> ReportRange:
    """The range between two dates that must bound whole months: the first day of a month and
    the last day of a month, the end not before the start."""
    if end < start:
        raise RangeError(
            _("Slutet (%(end)s) ligger före början (%(start)s).") % {"start": start, "end": end}
        )
    if start.day != 1:
        raise RangeError(
            _("Början måste vara den första dagen i en månad, inte %(day)s.") % {"day": start}
        )
    if end.day != monthrange(end.year, end.month)[1]:
        raise RangeError(
            _("Slutet måste vara den sista dagen i en månad, inte %(day)s.") % {"day": end}
        )
    if end.year - start.year > 10:
        raise RangeError(_("En rapport kan omfatta högst tio år."))
    return ReportRange(start, end)
