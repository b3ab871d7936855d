"""Participant lists to CSV and XLSX, for provider staff after re-authentication.

One row per enrolment: the person's identity (decrypted here, on the provider's own server) and
the enrolment's dates and exit reason. The caller passes a queryset already scoped with
``Enrolment.objects.visible_to(actor)``; this module adds the joins so that the number of queries
does not depend on the number of rows. Each export is one ``participant.export`` audit event with
the format, the filters and the row count; the rows are not logged one by one, as the event says
who took out which list, and when.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, cast

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.participants.models import Enrolment, Participant

Format = Literal["csv", "xlsx"]

CONTENT_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters XLSX cannot hold.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Cell = str | int | date | None


def header() -> list[str]:
    return [
        _("namn"),
        _("personnummer/reservnummer"),
        _("kön"),
        _("födelseår"),
        _("hemkommun"),
        _("insats"),
        _("startdatum"),
        _("avslutsdatum"),
        _("avslutsorsak"),
        _("coach"),
    ]


def _name(participant: Participant) -> str:
    if participant.identity_kind == Participant.IdentityKind.PROTECTED:
        return participant.display_name
    if participant.identity_erased_at is not None:
        return participant.display_name
    return participant.name


def with_joins(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """The rows in a stable order with everything a row shows, in one query."""
    return enrolments.select_related(
        "participant__home_municipality", "intervention", "coach"
    ).order_by("intervention__name", "start", "pk")


def rows(enrolments: Iterable[Enrolment]) -> Iterator[list[Cell]]:
    """One list of cells per enrolment, in the order of :func:`header`."""
    for enrolment in enrolments:
        person = enrolment.participant
        yield [
            _name(person),
            person.national_id or person.reserve_id,
            person.get_gender_display(),
            person.birth_year,
            person.home_municipality.name if person.home_municipality else "",
            enrolment.intervention.name,
            enrolment.start,
            enrolment.exit_date,
            enrolment.get_exit_reason_display() if enrolment.exit_reason else "",
            enrolment.coach.full_name if enrolment.coach else "",
        ]


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(data: list[list[Cell]]) -> bytes:
    """Semicolons and UTF-8 with a BOM: what Excel set to Swedish opens correctly."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header())
    for row in data:
        writer.writerow([_csv_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(data: list[list[Cell]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Deltagare"))
    for index, width in enumerate([28, 22, 10, 10, 16, 28, 12, 12, 30, 22], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(header())
    for row in data:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, str):
                text = _ILLEGAL.sub("", value)
                cell = WriteOnlyCell(sheet, value=text)
                cell.data_type = "s"  # always text: a name starting with "=" is not a formula
            else:
                # openpyxl writes dates and ints; its stubs list only float and datetime.
                cell = WriteOnlyCell(sheet, value=cast(Any, value))
                if isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    rows: int


def export_enrolments(
    actor: Actor,
    enrolments: QuerySet[Enrolment],
    fmt: Format,
    *,
    filters: dict[str, str] | None = None,
) -> ExportFile:
    """The list as a file, and its audit event. ``enrolments`` is already ``visible_to(actor)``;
    ``filters`` (codes only, never personal data) are recorded in the event."""
    data = list(rows(with_joins(enrolments)))
    content = write_csv(data) if fmt == "csv" else write_xlsx(data)
    described = ", ".join(f"{k}={v}" for k, v in sorted((filters or {}).items()) if v)
    audit.record(
        "participant.export",
        actor=actor,
        reason=f"{fmt}, {len(data)} rader" + (f", {described}" if described else ""),
    )
    stamp = timezone.localdate().isoformat()
    return ExportFile(
        content=content,
        filename=f"deltagare-{stamp}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
        rows=len(data),
    )
