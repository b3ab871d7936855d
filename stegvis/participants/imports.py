"""Import of participants with their enrolments, exits and follow-ups from XLSX or CSV.

The format (documented for users in ``docs/anvandare/import.md``, with a downloadable template from
:func:`template_workbook`): one row per enrolment, a header row of Swedish column names
(:data:`COLUMNS`; matched without regard to case, å/ä/ö or spaces), codes from
``stegvis.core.codes`` written as the code or its Swedish label, dates as ``ÅÅÅÅ-MM-DD`` or
``ÅÅÅÅMMDD`` (or date cells in XLSX).

Three steps, each of which reports problems as :class:`RowError` (row as in the spreadsheet, the
header being row 1; row 0 is the file as a whole) and raises nothing for bad content:

1. :func:`read_file` turns the bytes into :class:`RawRow` values: XLSX through openpyxl, CSV with
   the encoding (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252) and the separator
   (``;``, ``,`` or tab) detected; it refuses files that are too large, empty, of another kind, or
   whose header lacks required columns or has unknown ones.
2. :func:`run_import` parses and validates every row without writing: codes, dates, numbers, the
   intervention, duplicates and overlapping enrolments within the file and against the database,
   consent, exit before start, follow-up before exit, dates in the future.
3. In the same call and in ONE transaction, the rows are written as the services
   (``register_participant``, ``record_consent``, ``enrol_participant``, ``record_exit``,
   ``record_follow_up``) write them, each row all or nothing, so that an error a service's check
   raises becomes a RowError and the other rows are still checked. For speed this is done in bulk
   (:func:`_write`): the services' own checks run on the people in memory (read once for the
   whole file), then each table is inserted a batch at a time and the audit events, one per
   change as the services record them, are chained in one go. Writing row by row through the
   services (:func:`_write_rows`) is the reference the tests compare it with, and what runs if
   the bulk insert meets a database error. If anything failed, or on a dry run, the whole
   transaction is rolled back: nothing is ever partly saved, and a dry run (the preview) reports
   exactly what the real run will do.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import TextChoices
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.codes import (
    Education,
    ExitReason,
    Gender,
    IncomeSource,
    Occupation,
    ReferringKind,
    TimeOutside,
    YesNoUnknown,
)
from stegvis.core.models import AuditEvent, Municipality, Role, Unit
from stegvis.interventions.models import Intervention
from stegvis.participants import services
from stegvis.participants.identity import parse_national_id
from stegvis.participants.models import Consent, Enrolment, FollowUp, Participant
from stegvis.participants.signals import enrolments_created

# --- Limits and the column format ------------------------------------------------------------

MAX_BYTES = 20 * 1024 * 1024  # "20 MB" in the messages
MAX_ROWS = 10_000
MAX_COLUMNS = 200
# ``progress`` is called every this many rows (and at the start and end of writing).
PROGRESS_EVERY = 50
EARLIEST_DATE = date(1990, 1, 1)
FOLLOW_UP_MONTHS = (6, 12)
EXTENSIONS = (".xlsx", ".csv")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _follow_up_columns(months: int) -> tuple[str, ...]:
    prefix = f"uppfoljning_{months}"
    return (
        f"{prefix}_datum",
        f"{prefix}_nadd",
        f"{prefix}_sysselsattning",
        f"{prefix}_forsorjning",
    )


COLUMNS: tuple[str, ...] = (
    "personnummer",
    "reservnummer",
    "skyddad",
    "kön",
    "födelseår",
    "namn",
    "hemkommun",
    "insats",
    "startdatum",
    "samtycke_datum",
    "samtycke_uppfoljning",
    "forsorjning_start",
    "sysselsattning_start",
    "tid_utanfor",
    "utbildning",
    "fodd_utanfor_norden",
    "remitterande",
    "avslutsdatum",
    "avslutsorsak",
    "forsorjning_avslut",
    "sysselsattning_avslut",
    *_follow_up_columns(6),
    *_follow_up_columns(12),
)
REQUIRED_COLUMNS: tuple[str, ...] = ("personnummer", "insats", "startdatum")
EXIT_COLUMNS = ("avslutsdatum", "avslutsorsak", "forsorjning_avslut", "sysselsattning_avslut")
FOLLOW_UP_COLUMNS: tuple[str, ...] = tuple(
    c for months in FOLLOW_UP_MONTHS for c in _follow_up_columns(months)
)

_COLUMN_ORDER = {name: index for index, name in enumerate(COLUMNS)}


def _fold(value: str) -> str:
    """How names and codes are matched: lower case, no diacritics, spaces and dashes as ``_``."""
    text = unicodedata.normalize("NFKD", value.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[\s\-\u2010\u2011\u2012\u2013\u2014]+", "_", text)
    text = re.sub(r"_*/_*", "/", text)
    return text.strip("_")


_HEADER_NAMES = {_fold(name): name for name in COLUMNS}


# --- Results -----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class RowError:
    """One problem: the row as numbered in the spreadsheet (header = 1, 0 = the whole file), the
    column (empty for the whole row) and the reason in Swedish."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        if not self.column:
            return _("rad %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("rad %(row)s, kolumn %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass(frozen=True)
class RawRow:
    """A data row as read: its number in the spreadsheet, its cells by column name, and what was
    wrong with it already when it was read (e.g. a value under a column without a header)."""

    number: int
    values: Mapping[str, object]
    problems: tuple[RowError, ...] = ()


@dataclass
class ImportResult:
    """What an import did (or, on a dry run or with errors, would do) and every error found."""

    rows: int = 0
    new_participants: int = 0
    existing_participants: int = 0
    consents: int = 0
    enrolments: int = 0
    exits: int = 0
    follow_ups: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run

    def summary(self) -> str:
        return _(
            "Nya deltagare: %(new)s. Deltagare som redan fanns: %(existing)s. "
            "Inskrivningar: %(enrolments)s. Avslut: %(exits)s. Uppföljningar: %(follow_ups)s. "
            "Samtycken: %(consents)s."
        ) % {
            "new": self.new_participants,
            "existing": self.existing_participants,
            "enrolments": self.enrolments,
            "exits": self.exits,
            "follow_ups": self.follow_ups,
            "consents": self.consents,
        }


def _file_error(message: str) -> RowError:
    return RowError(0, "", message)


def too_large_message() -> str:
    return _("Filen är större än %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}


def not_a_spreadsheet_message() -> str:
    return _("Filen är varken XLSX eller CSV.")


def no_rows_message() -> str:
    return _("Filen innehåller inga rader.")


# --- Reading the file --------------------------------------------------------------------------


def read_file(name: str, data: bytes) -> tuple[list[RawRow], list[RowError]]:
    """The data rows of an uploaded file, or the errors that stop it from being read at all."""
    if len(data) > MAX_BYTES:
        return [], [_file_error(too_large_message())]
    extension = PurePath(name or "").suffix.lower()
    if extension not in EXTENSIONS:
        return [], [_file_error(not_a_spreadsheet_message())]
    if not data.strip():
        return [], [_file_error(no_rows_message())]
    is_zip = data[:4] == b"PK\x03\x04"
    try:
        if extension == ".xlsx":
            if not is_zip:
                return [], [_file_error(not_a_spreadsheet_message())]
            table = _xlsx_rows(data)
        else:
            if is_zip:
                return [], [_file_error(not_a_spreadsheet_message())]
            text = _decode(data)
            if text is None:
                return [], [_file_error(not_a_spreadsheet_message())]
            table = _csv_rows(text)
    except _Unreadable as problem:
        return [], [problem.error]
    return _rows_from_table(table)


class _Unreadable(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error


def _xlsx_rows(data: bytes) -> list[tuple[int, list[object]]]:
    """(row number, cells) of the first sheet, blank rows left out."""
    from openpyxl import load_workbook

    table: list[tuple[int, list[object]]] = []
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; they do not matter here.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                for number, cells in enumerate(
                    sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
                ):
                    values: list[object] = list(cells)
                    if all(_text(v) == "" for v in values):
                        continue
                    table.append((number, values))
                    if len(table) > MAX_ROWS + 1:
                        break
            finally:
                workbook.close()
    except Exception:  # any failure to parse the workbook: it is not an XLSX we can read
        raise _Unreadable(_file_error(not_a_spreadsheet_message())) from None
    return table


def _decode(data: bytes) -> str | None:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        candidates: tuple[tuple[bytes, str], ...] = ((data[3:], "utf-8"),)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ((data, "utf-16"),)
    elif b"\x00" in data:
        return None  # binary content
    else:
        candidates = ((data, "utf-8"), (data, "cp1252"))
    for raw, encoding in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            return None
        return text
    return None


def _delimiter(text: str) -> str:
    """``;`` (Swedish Excel), ``,`` or tab: the one that splits the header into known columns."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, best_score = ";", (-1, -1)
    for candidate in (";", ",", "\t"):
        try:
            cells = next(csv.reader([first], delimiter=candidate), [])
        except csv.Error:
            continue
        known = sum(1 for c in cells if _fold(c) in _HEADER_NAMES)
        score = (known, len(cells))
        if score > best_score:
            best, best_score = candidate, score
    return best


def _csv_rows(text: str) -> list[tuple[int, list[object]]]:
    table: list[tuple[int, list[object]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if all(_text(v) == "" for v in cells):
                continue
            table.append((number, list(cells[:MAX_COLUMNS])))
            if len(table) > MAX_ROWS + 1:
                break
    except csv.Error:
        raise _Unreadable(
            RowError(number + 1, "", _("Raden kunde inte läsas som CSV (kontrollera citattecken)."))
        ) from None
    return table


def _rows_from_table(table: list[tuple[int, list[object]]]) -> tuple[list[RawRow], list[RowError]]:
    """Check the header and turn the remaining rows into RawRows keyed by column name."""
    if not table:
        return [], [_file_error(no_rows_message())]
    header_number, header = table[0]
    errors: list[RowError] = []
    columns: list[str | None] = []
    seen: set[str] = set()
    unnamed: list[int] = []
    for index, cell in enumerate(header):
        raw = _text(cell)
        if not raw:
            columns.append(None)
            unnamed.append(index)
            continue
        name = _HEADER_NAMES.get(_fold(raw))
        if name is None:
            # A file without its header row has a person's data here.
            label = LEFT_OUT if _LEAVE_OUT_VALUES.get() else raw[:40]
            errors.append(
                RowError(
                    header_number,
                    label,
                    _("Okänd kolumn ”%(name)s”. Använd kolumnnamnen i mallen.") % {"name": label},
                )
            )
            columns.append(None)
        elif name in seen:
            errors.append(
                RowError(
                    header_number, name, _("Kolumnen %(name)s finns två gånger.") % {"name": name}
                )
            )
            columns.append(None)
        else:
            seen.add(name)
            columns.append(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            errors.append(
                RowError(
                    header_number,
                    name,
                    _("Obligatorisk kolumn saknas: %(name)s.") % {"name": name},
                )
            )
    data = table[1:]
    if not errors and not data:
        errors.append(_file_error(no_rows_message()))
    if len(data) > MAX_ROWS:
        errors.append(
            _file_error(
                _("Filen har fler än %(max)s rader. Dela upp den i flera filer.")
                % {"max": f"{MAX_ROWS:,}".replace(",", "\u00a0")}
            )
        )
    if errors:
        return [], sorted(errors)
    rows: list[RawRow] = []
    for number, cells in data:
        values: dict[str, object] = {}
        problems: list[RowError] = []
        for index, cell in enumerate(cells):
            name = columns[index] if index < len(columns) else None
            if name is not None:
                values[name] = cell
            elif _text(cell):
                problems.append(
                    RowError(
                        number,
                        "",
                        _("Kolumn %(index)s har ett värde men ingen rubrik.")
                        % {"index": index + 1},
                    )
                )
        rows.append(RawRow(number, values, tuple(problems)))
    return rows, []


# --- Cells -------------------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, datetime):
        if value.time() == time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


# Set by :func:`cell_values_left_out`: messages then name no cell's value.
_LEAVE_OUT_VALUES: ContextVar[bool] = ContextVar("stegvis_import_leave_out_values", default=False)
LEFT_OUT = "…"


@contextmanager
def cell_values_left_out() -> Iterator[None]:
    """Within this block, no message quotes what a cell holds (``”…”`` stands in its place).

    For errors that are stored (an import job's result): a value under the wrong column can be a
    personnummer or a name, and a stored error must name no one. The row, the column and the
    reason are enough to find and fix the cell.
    """
    reset = _LEAVE_OUT_VALUES.set(True)
    try:
        yield
    finally:
        _LEAVE_OUT_VALUES.reset(reset)


def _shown(value: str) -> str:
    """A cell's value quoted in a message, cut short (or left out, see above)."""
    if _LEAVE_OUT_VALUES.get():
        return LEFT_OUT
    return value if len(value) <= 40 else value[:39] + "…"


def _messages(error: ValidationError) -> list[str]:
    """The error's messages; with its parameters (parts of the value) left out when asked."""
    if not _LEAVE_OUT_VALUES.get():
        return list(error.messages)
    result = []
    for item in error.error_list:
        message = str(item.message)
        if item.params:
            params = item.params if isinstance(item.params, Mapping) else {}
            message = message % dict.fromkeys(params, LEFT_OUT)
        result.append(message)
    return result


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _choice_map(choices: type[TextChoices]) -> dict[str, str]:
    """Folded code or Swedish label → code."""
    mapping: dict[str, str] = {}
    with translation.override("sv"):
        for value, label in choices.choices:
            mapping.setdefault(_fold(str(label)), value)
    for value in choices.values:
        mapping[_fold(value)] = value
    return mapping


_YES = {"ja", "j"}
# ÅÅÅÅ-MM-DD (a time after it, as in a date cell saved as text, is ignored) or ÅÅÅÅMMDD.
_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"|(\d{4})(\d{2})(\d{2})"
)
_NO = {"nej", "n"}


@dataclass(frozen=True)
class _ExitData:
    exit_date: date
    reason: str
    income_source: str
    occupation: str


@dataclass(frozen=True)
class _FollowUpData:
    months: int
    done_on: date
    reached: bool
    occupation: str
    income_source: str


@dataclass
class _Row:
    """A row that parsed: everything the services need to write it."""

    number: int
    key: str | None  # the person's identity in this provider; None for protected identities
    identity: services.IdentityInput
    intervention: Intervention
    start: date
    consent_on: date | None
    consent_follow_up: bool
    background: services.Background
    exit: _ExitData | None
    follow_ups: list[_FollowUpData]
    copy_signature: tuple[str, ...]

    @property
    def end(self) -> date | None:
        return self.exit.exit_date if self.exit else None


class _Context:
    """What a row is checked against: code lists, municipalities, the provider's interventions."""

    def __init__(self, provider: Unit, today: date) -> None:
        self.provider = provider
        self.today = today
        self.gender = _choice_map(Gender)
        self.exit_reason = _choice_map(ExitReason)
        self.income_source = _choice_map(IncomeSource)
        self.occupation = _choice_map(Occupation)
        self.time_outside = _choice_map(TimeOutside)
        self.education = _choice_map(Education)
        self.yes_no_unknown = _choice_map(YesNoUnknown)
        self.referring_kind = _choice_map(ReferringKind)
        self.municipality_by_code: dict[str, Municipality] = {}
        self.municipality_by_name: dict[str, Municipality] = {}
        for municipality in Municipality.objects.all():
            self.municipality_by_code[municipality.code] = municipality
            self.municipality_by_name[_fold(municipality.name)] = municipality
        self.interventions: dict[str, list[Intervention]] = defaultdict(list)
        for intervention in Intervention.objects.filter(provider=provider).order_by("code", "pk"):
            self.interventions[_fold(intervention.code)].append(intervention)


class _RowParser:
    """Parse one row; every bad cell adds a RowError, and :meth:`parse` returns None if any did."""

    def __init__(self, context: _Context, raw: RawRow) -> None:
        self.c = context
        self.number = raw.number
        self.errors: list[RowError] = list(raw.problems)
        self.cells: dict[str, str] = {}
        self.refused: set[str] = set()  # cells already reported, read as empty from here on
        for name in COLUMNS:
            text = _text(raw.values.get(name))
            if _CONTROL.search(text):
                self.error(name, _("Värdet innehåller otillåtna tecken (kontrolltecken)."))
                self.refused.add(name)
                text = ""
            self.cells[name] = text
        self.raw = raw

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def text(self, column: str) -> str:
        return self.cells[column]

    def given(self, column: str) -> bool:
        """Whether the cell has a value (a refused value counts: it is reported already)."""
        return bool(self.cells[column]) or column in self.refused

    # Typed cells: None when empty or wrong (and then an error is recorded).

    def code(self, column: str, mapping: Mapping[str, str], what: str) -> str | None:
        value = self.text(column)
        if not value:
            return None
        code = mapping.get(_fold(value))
        if code is None:
            self.error(
                column,
                _("Okänd kod för %(what)s: ”%(value)s”. Tillåtna koder: %(codes)s.")
                % {
                    "what": what,
                    "value": _shown(value),
                    "codes": ", ".join(sorted(set(mapping.values()))),
                },
            )
        return code

    def yes_no(self, column: str) -> bool | None:
        value = _fold(self.text(column))
        if not value:
            return None
        if value in _YES:
            return True
        if value in _NO:
            return False
        self.error(
            column,
            _("Skriv ja eller nej, inte ”%(value)s”.") % {"value": _shown(self.text(column))},
        )
        return None

    def day(self, column: str) -> date | None:
        raw = self.raw.values.get(column)
        if isinstance(raw, datetime):
            day: date | None = raw.date()
        elif isinstance(raw, date):
            day = raw
        elif isinstance(raw, int | float) and not isinstance(raw, bool) and 20000 < raw < 80000:
            # An XLSX date cell without a date format: Excel's serial day number.
            day = date(1899, 12, 30) + timedelta(days=int(raw))
        else:
            day = self._date_from_text(column, self.text(column))
        if day is None:
            return None
        if day < EARLIEST_DATE:
            self.error(
                column,
                _("Datumet %(day)s ligger för långt bak i tiden (tidigast %(earliest)s).")
                % {"day": day.isoformat(), "earliest": EARLIEST_DATE.isoformat()},
            )
            return None
        return day

    def _date_from_text(self, column: str, value: str) -> date | None:
        if not value:
            return None
        match = _DATE.fullmatch(value)
        if match is None:
            self.error(
                column,
                _("Skriv datumet som ÅÅÅÅ-MM-DD, inte ”%(value)s”.") % {"value": _shown(value)},
            )
            return None
        parts = [int(p) for p in match.groups() if p is not None]
        try:
            return date(parts[0], parts[1], parts[2])
        except ValueError:
            self.error(
                column, _("Datumet %(value)s finns inte.") % {"value": _shown(value.split()[0])}
            )
            return None

    def not_future(self, column: str, day: date | None, message: str | None = None) -> date | None:
        if day is not None and day > self.c.today:
            self.error(column, message or _("Datumet kan inte ligga i framtiden."))
            return None
        return day

    # The row.

    def parse(self) -> _Row | None:
        identity, key = self._identity()
        intervention = self._intervention()
        start = self.day("startdatum")
        if start is None and not self.given("startdatum"):
            self.error("startdatum", _("Ange startdatum."))
        if start is not None and start > self.c.today + timedelta(days=366):
            self.error("startdatum", _("Startdatumet ligger för långt fram."))
            start = None
        consent_on = self.not_future("samtycke_datum", self.day("samtycke_datum"))
        consent_follow_up = self.yes_no("samtycke_uppfoljning")
        if consent_follow_up and consent_on is None and not self.given("samtycke_datum"):
            self.error("samtycke_datum", _("Ange samtycke_datum när samtycke_uppfoljning är ja."))
        background = self._background()
        exit_data = self._exit(start)
        follow_ups = self._follow_ups(intervention, exit_data)
        if self.errors:
            return None
        assert identity is not None and intervention is not None and start is not None
        assert background is not None
        return _Row(
            number=self.number,
            key=key,
            identity=identity,
            intervention=intervention,
            start=start,
            consent_on=consent_on,
            consent_follow_up=bool(consent_follow_up),
            background=background,
            exit=exit_data,
            follow_ups=follow_ups,
            copy_signature=tuple(_fold(self.cells[name]) for name in COLUMNS),
        )

    def _identity(self) -> tuple[services.IdentityInput | None, str | None]:
        number = self.text("personnummer")
        reserve = self.text("reservnummer")
        name = self.text("namn")
        protected = self.yes_no("skyddad")
        gender = self.code("kön", self.c.gender, _("kön"))
        birth_year = self._birth_year()
        municipality = self._municipality()
        born_outside = self.code(
            "fodd_utanfor_norden", self.c.yes_no_unknown, _("född utanför Norden")
        )
        if len(name) > 200:
            self.error("namn", _("Namnet får vara högst 200 tecken."))
        common: dict[str, Any] = {
            "name": name,
            "gender": gender or "",
            "home_municipality": municipality,
            "born_outside_nordic": born_outside or YesNoUnknown.EJ_ANGIVET,
        }
        if protected:
            cleared = False
            for column, value in (
                ("personnummer", number),
                ("reservnummer", reserve),
                ("namn", name),
            ):
                if value:
                    self.error(
                        column,
                        _("Lämna %(column)s tom för en person med skyddade personuppgifter.")
                        % {"column": column},
                    )
                    cleared = True
            self._gender_and_year_required(gender, birth_year)
            if cleared:
                return None, None
            return (
                services.IdentityInput(
                    kind=Participant.IdentityKind.PROTECTED,
                    birth_year=birth_year,
                    **{**common, "name": ""},
                ),
                None,
            )
        if number:
            if reserve:
                self.error(
                    "reservnummer",
                    _("Ange antingen personnummer eller reservnummer, inte båda."),
                )
            try:
                parsed = parse_national_id(number, today=self.c.today)
            except ValidationError as error:
                for message in _messages(error):
                    self.error("personnummer", message)
                return None, None
            if birth_year is not None and birth_year != parsed.birth_date.year:
                self.error("födelseår", _("Födelseåret stämmer inte med personnumret."))
            identity = services.IdentityInput(
                kind=Participant.IdentityKind.PERSONNUMMER, national_id=number, **common
            )
            return identity, f"nr:{parsed.canonical}"
        if reserve:
            if len(reserve) > 40:
                self.error("reservnummer", _("Reservnumret får vara högst 40 tecken."))
            self._gender_and_year_required(gender, birth_year)
            identity = services.IdentityInput(
                kind=Participant.IdentityKind.RESERVE,
                reserve_id=reserve,
                birth_year=birth_year,
                **common,
            )
            return identity, f"reserv:{reserve}"
        if not {"personnummer", "reservnummer", "skyddad"} & self.refused:
            self.error(
                "personnummer",
                _("Ange personnummer eller reservnummer, eller ja i kolumnen skyddad."),
            )
        return None, None

    def _gender_and_year_required(self, gender: str | None, birth_year: int | None) -> None:
        if gender is None and not self.given("kön"):
            self.error("kön", _("Ange kön när personnummer saknas."))
        if birth_year is None and not self.given("födelseår"):
            self.error("födelseår", _("Ange födelseår när personnummer saknas."))

    def _birth_year(self) -> int | None:
        value = self.text("födelseår")
        if not value:
            return None
        if not re.fullmatch(r"\d{4}", value) or not 1900 <= int(value) <= self.c.today.year:
            self.error("födelseår", _("Ange ett födelseår mellan 1900 och i år."))
            return None
        return int(value)

    def _municipality(self) -> Municipality | None:
        value = self.text("hemkommun")
        if not value:
            return None
        if value.isdigit() and len(value) <= 4:
            found = self.c.municipality_by_code.get(value.zfill(4))
        else:
            folded = _fold(value)
            folded = folded.removesuffix("_kommun") if folded.endswith("_kommun") else folded
            found = self.c.municipality_by_name.get(folded)
        if found is None:
            self.error(
                "hemkommun",
                _("Okänd kommun ”%(value)s”. Ange kommunkoden (fyra siffror) eller namnet.")
                % {"value": _shown(value)},
            )
        return found

    def _intervention(self) -> Intervention | None:
        value = self.text("insats")
        if not value:
            if not self.given("insats"):
                self.error("insats", _("Ange insatsens kortkod."))
            return None
        found = self.c.interventions.get(_fold(value), [])
        if not found:
            codes = sorted({i.code for group in self.c.interventions.values() for i in group})
            self.error(
                "insats",
                _("Okänd insats ”%(value)s”. Utförarens insatser har koderna: %(codes)s.")
                % {"value": _shown(value), "codes": ", ".join(codes) or "–"},
            )
            return None
        if len(found) > 1:
            self.error(
                "insats",
                _(
                    "Flera av utförarens insatser har koden %(code)s. Ge dem olika kortkoder "
                    "innan du importerar."
                )
                % {"code": found[0].code},
            )
            return None
        intervention = found[0]
        if intervention.kind != Intervention.Kind.INDIVIDUAL:
            self.error(
                "insats",
                _("Insatsen %(code)s är strukturövergripande och har inga inskrivna deltagare.")
                % {"code": intervention.code},
            )
            return None
        return intervention

    def _background(self) -> services.Background | None:
        income = self.code("forsorjning_start", self.c.income_source, _("försörjning"))
        occupation = self.code("sysselsattning_start", self.c.occupation, _("sysselsättning"))
        outside = self.code("tid_utanfor", self.c.time_outside, _("tid utanför arbetsmarknaden"))
        education = self.code("utbildning", self.c.education, _("utbildningsnivå"))
        kinds: list[str] = []
        for part in re.split(r"[,;]", self.text("remitterande")):
            if not part.strip():
                continue
            kind = self.c.referring_kind.get(_fold(part))
            if kind is None:
                self.error(
                    "remitterande",
                    _("Okänd kod för remitterande part: ”%(value)s”. Tillåtna koder: %(codes)s.")
                    % {
                        "value": _shown(part.strip()),
                        "codes": ", ".join(ReferringKind.values),
                    },
                )
            elif kind not in kinds:
                kinds.append(kind)
        return services.Background(
            income_source_start=income or IncomeSource.OKAND,
            occupation_start=occupation or Occupation.OVRIGT,
            time_outside=outside or TimeOutside.OKAND,
            education=education or Education.OKAND,
            referring_kinds=tuple(kinds),
        )

    def _exit(self, start: date | None) -> _ExitData | None:
        exit_date = self.day("avslutsdatum")
        reason = self.code("avslutsorsak", self.c.exit_reason, _("avslutsorsak"))
        income = self.code("forsorjning_avslut", self.c.income_source, _("försörjning"))
        occupation = self.code("sysselsattning_avslut", self.c.occupation, _("sysselsättning"))
        if not any(self.given(c) for c in EXIT_COLUMNS):
            return None
        if not self.given("avslutsdatum"):
            self.error(
                "avslutsdatum",
                _("Ange avslutsdatum, eller lämna avslutskolumnerna tomma om personen är kvar."),
            )
        if not self.given("avslutsorsak"):
            self.error("avslutsorsak", _("Ange avslutsorsak."))
        if not self.given("forsorjning_avslut"):
            self.error("forsorjning_avslut", _("Ange försörjning vid avslut."))
        if not self.given("sysselsattning_avslut"):
            self.error("sysselsattning_avslut", _("Ange sysselsättning vid avslut."))
        if exit_date is not None:
            if start is not None and exit_date < start:
                self.error(
                    "avslutsdatum",
                    _("Avslutsdatum kan inte vara före startdatum %(start)s.")
                    % {"start": start.isoformat()},
                )
                exit_date = None
            else:
                exit_date = self.not_future(
                    "avslutsdatum", exit_date, _("Avslutsdatum kan inte ligga i framtiden.")
                )
        if exit_date is None or reason is None or income is None or occupation is None:
            return None
        return _ExitData(exit_date, reason, income, occupation)

    def _follow_ups(
        self, intervention: Intervention | None, exit_data: _ExitData | None
    ) -> list[_FollowUpData]:
        result: list[_FollowUpData] = []
        for months in FOLLOW_UP_MONTHS:
            day_col, reached_col, occupation_col, income_col = _follow_up_columns(months)
            done_on = self.day(day_col)
            reached = self.yes_no(reached_col)
            occupation = self.code(occupation_col, self.c.occupation, _("sysselsättning"))
            income = self.code(income_col, self.c.income_source, _("försörjning"))
            if not any(self.given(c) for c in _follow_up_columns(months)):
                continue
            if not self.given(day_col):
                self.error(day_col, _("Ange datum för uppföljningen."))
                continue
            if not self.given(reached_col):
                self.error(reached_col, _("Ange ja eller nej: nåddes personen?"))
            if reached:
                if not self.given(occupation_col):
                    self.error(occupation_col, _("Ange sysselsättning när personen nåddes."))
                if not self.given(income_col):
                    self.error(income_col, _("Ange försörjning när personen nåddes."))
            if not any(self.given(c) for c in EXIT_COLUMNS):
                self.error(day_col, _("En uppföljning kräver att inskrivningen är avslutad."))
                continue
            if exit_data is not None and exit_data.reason == ExitReason.FELREGISTRERING:
                self.error(day_col, _("Inga uppföljningar görs efter en felregistrering."))
                continue
            if intervention is not None and months not in intervention.months_to_follow_up():
                self.error(
                    day_col,
                    _(
                        "Insatsen %(code)s följer inte upp efter %(months)s månader "
                        "(den följer upp efter %(planned)s månader)."
                    )
                    % {
                        "code": intervention.code,
                        "months": months,
                        "planned": ", ".join(str(m) for m in intervention.months_to_follow_up()),
                    },
                )
                continue
            if done_on is not None and exit_data is not None and done_on < exit_data.exit_date:
                self.error(
                    day_col,
                    _("Uppföljningen kan inte vara före avslutet %(exit)s.")
                    % {"exit": exit_data.exit_date.isoformat()},
                )
                continue
            done_on = self.not_future(day_col, done_on)
            if done_on is None or reached is None or exit_data is None:
                continue
            if reached and (occupation is None or income is None):
                continue
            result.append(
                _FollowUpData(
                    months=months,
                    done_on=done_on,
                    reached=reached,
                    occupation=(occupation or "") if reached else "",
                    income_source=(income or "") if reached else "",
                )
            )
        return result


# --- Checks across rows and against the database ----------------------------------------------


@dataclass
class _Existing:
    """The participants already at the provider that rows of the file name, by identity key."""

    participants: dict[str, Participant]

    @classmethod
    def load(cls, provider: Unit, rows: Iterable[_Row]) -> _Existing:
        indexes: dict[str, str] = {}
        reserves: dict[str, str] = {}
        for row in rows:
            if row.key is None:
                continue
            kind, _sep, value = row.key.partition(":")
            if kind == "nr":
                indexes[services.blind_index_for(provider.pk, value)] = row.key
            else:
                reserves[value] = row.key
        found: dict[str, Participant] = {}
        base = Participant.objects.filter(provider=provider).prefetch_related(
            "consents", "enrolments"
        )
        for chunk in _chunks(sorted(indexes), 500):
            for participant in base.filter(national_id_index__in=chunk):
                found[indexes[participant.national_id_index]] = participant
        for chunk in _chunks(sorted(reserves), 500):
            for participant in base.filter(reserve_id__in=chunk):
                found[reserves[participant.reserve_id]] = participant
        return cls(found)

    def enrolments(self, key: str | None, intervention: Intervention) -> list[Enrolment]:
        participant = self.participants.get(key) if key else None
        if participant is None:
            return []
        rows = [e for e in participant.enrolments.all() if e.intervention_id == intervention.pk]
        return sorted(rows, key=lambda e: e.start)

    def has_consent(self, key: str | None, on: date, scope: str) -> bool:
        participant = self.participants.get(key) if key else None
        return participant is not None and services.has_valid_consent(
            participant, on=on, scope=scope
        )


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for index in range(0, len(items), size):
        yield items[index : index + size]


def _intersects(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    """Whether two enrolments share a day (an open enrolment runs on for ever)."""
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def _cross_check(rows: list[_Row], existing: _Existing) -> list[RowError]:
    errors: list[RowError] = []
    bad: set[int] = set()
    copies: dict[tuple[str, ...], int] = {}
    for row in rows:
        first = copies.setdefault(row.copy_signature, row.number)
        if first != row.number:
            errors.append(
                RowError(row.number, "", _("Raden är en kopia av rad %(row)s.") % {"row": first})
            )
            bad.add(row.number)
    by_person: dict[tuple[str, int], list[_Row]] = defaultdict(list)
    for row in rows:
        if row.key is not None and row.number not in bad:
            by_person[(row.key, row.intervention.pk)].append(row)
    for group in by_person.values():
        for index, row in enumerate(group):
            for earlier in group[:index]:
                if earlier.start == row.start:
                    message = _(
                        "Raden är en dubblett av rad %(row)s: samma person, insats och startdatum."
                    )
                elif _intersects(earlier.start, earlier.end, row.start, row.end):
                    message = _(
                        "Inskrivningen överlappar inskrivningen på rad %(row)s i samma insats."
                    )
                else:
                    continue
                errors.append(RowError(row.number, "startdatum", message % {"row": earlier.number}))
                bad.add(row.number)
                break
    # Against the enrolments already in Stegvis (the services refuse an enrolment while another
    # enrolment in the intervention ends on or after its start).
    for row in rows:
        if row.number in bad:
            continue
        for enrolment in existing.enrolments(row.key, row.intervention):
            if _intersects(enrolment.start, enrolment.exit_date, row.start, row.end):
                message = _(
                    "Personen har redan en inskrivning i insatsen som överlappar "
                    "(startdatum %(start)s)."
                )
            elif enrolment.start > row.start:
                message = _(
                    "Personen har en senare inskrivning i insatsen (startdatum %(start)s). "
                    "En tidigare inskrivning kan inte läggas till efter den."
                )
            else:
                continue
            # The start date is the person's data in Stegvis, not the file's: a stored error
            # (a job's) leaves it out like a cell's value.
            start = _shown(enrolment.start.isoformat())
            errors.append(RowError(row.number, "startdatum", message % {"start": start}))
            bad.add(row.number)
            break
    # Consent: to registration when the intervention requires it, valid on the start date; to
    # follow-up for every follow-up recorded. Given on this row, another row of the same person,
    # or already in Stegvis.
    consents: dict[str, list[tuple[date, bool]]] = defaultdict(list)
    for row in rows:
        if row.key is not None and row.consent_on is not None and row.number not in bad:
            consents[row.key].append((row.consent_on, row.consent_follow_up))

    def consented(row: _Row, on: date, follow_up: bool) -> bool:
        own = [(row.consent_on, row.consent_follow_up)] if row.consent_on else []
        others = consents.get(row.key, []) if row.key else []
        if any(given <= on and (flag or not follow_up) for given, flag in [*own, *others]):
            return True
        return existing.has_consent(row.key, on, "follow_up" if follow_up else "registration")

    for row in rows:
        if row.number in bad:
            continue
        if row.intervention.requires_consent and not consented(row, row.start, False):
            if row.consent_on is not None and row.consent_on > row.start:
                message = _("Samtycket till registrering ska vara givet senast på startdatum.")
            else:
                message = _(
                    "Insatsen kräver samtycke till registrering: ange samtycke_datum "
                    "(senast på startdatum)."
                )
            errors.append(RowError(row.number, "samtycke_datum", message))
        for follow_up in row.follow_ups:
            if not consented(row, follow_up.done_on, True):
                errors.append(
                    RowError(
                        row.number,
                        "samtycke_uppfoljning",
                        _(
                            "Uppföljningen efter %(months)s månader kräver samtycke till "
                            "uppföljning: skriv ja i samtycke_uppfoljning."
                        )
                        % {"months": follow_up.months},
                    )
                )
    return errors


# --- Writing -----------------------------------------------------------------------------------

# Service field names → columns, per step of a row; "" is the step's column for errors without
# a field.
_STEP_COLUMNS: dict[str, dict[str, str]] = {
    "identity": {
        "": "personnummer",
        "national_id": "personnummer",
        "reserve_id": "reservnummer",
        "gender": "kön",
        "birth_year": "födelseår",
        "home_municipality": "hemkommun",
        "born_outside_nordic": "fodd_utanfor_norden",
    },
    "consent": {"": "samtycke_datum", "given_on": "samtycke_datum"},
    "enrol": {
        "": "samtycke_datum",
        "start": "startdatum",
        "income_source_start": "forsorjning_start",
        "occupation_start": "sysselsattning_start",
        "time_outside": "tid_utanfor",
        "education": "utbildning",
        "referring_kinds": "remitterande",
    },
    "exit": {
        "": "avslutsdatum",
        "exit_date": "avslutsdatum",
        "reason": "avslutsorsak",
        "income_source": "forsorjning_avslut",
        "occupation": "sysselsattning_avslut",
    },
}


def _step_columns(step: str) -> dict[str, str]:
    if step.startswith("uppfoljning_"):
        day_col, _reached, occupation_col, income_col = _follow_up_columns(int(step.split("_")[1]))
        return {
            "": "samtycke_uppfoljning",
            "done_on": day_col,
            "occupation": occupation_col,
            "income_source": income_col,
        }
    return _STEP_COLUMNS[step]


def _service_errors(number: int, step: str, error: ValidationError) -> list[RowError]:
    columns = _step_columns(step)
    result: list[RowError] = []
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            column = columns.get(name, columns[""])
            result.extend(RowError(number, column, m) for m in messages)
    else:
        result.extend(RowError(number, columns[""], m) for m in error.messages)
    return result


def _database_error(number: int, step: str) -> RowError:
    return RowError(
        number,
        _step_columns(step)[""],
        _("Raden kunde inte sparas: den krockar med uppgifter som redan finns i Stegvis."),
    )


def _same_consent(consents: Iterable[Consent], row: _Row) -> bool:
    """Whether the person already has the row's consent (not withdrawn): then it is not
    recorded again."""
    return row.consent_on is not None and any(
        c.given_on == row.consent_on
        and c.registration
        and c.follow_up == row.consent_follow_up
        and c.withdrawn_on is None
        for c in consents
    )


def _write_rows(
    provider: Unit,
    rows: list[_Row],
    actor: Actor | None,
    today: date,
    result: ImportResult,
    progress: Callable[[int, int], None] | None,
) -> list[RowError]:
    """Write the rows through the services, one savepoint per row; return the errors raised.

    The reference for :func:`_write`, which reaches the same result in bulk; used when the bulk
    write meets a database error, to tell which rows caused it."""
    errors: list[RowError] = []
    people: dict[str, Participant] = {}
    row_person: dict[int, Participant] = {}
    created: set[int] = set()
    found: set[int] = set()
    consents_done: set[tuple[int, date, bool]] = set()
    total = len(rows)
    # Each row is written in two passes below: every pass over a row is half a row done.
    steps = 0
    reported = 0
    if progress is not None:
        progress(0, total)

    def advance() -> None:
        nonlocal steps, reported
        steps += 1
        done = steps // 2
        due = done != reported and (done % PROGRESS_EVERY == 0 or done == total)
        if progress is not None and due:
            progress(done, total)
            reported = done

    # Pass 1, in file order: the person and the consent.
    for row in rows:
        advance()
        step = "identity"
        try:
            with transaction.atomic():
                participant = people.get(row.key) if row.key else None
                new_person = False
                if participant is None:
                    participant, new_person = services.register_participant(
                        actor, row.identity, provider_id=provider.pk, today=today
                    )
                consent_key = (participant.pk, row.consent_on, row.consent_follow_up)
                record = (
                    row.consent_on is not None
                    and consent_key not in consents_done
                    and not _same_consent(participant.consents.all(), row)
                )
                if record:
                    assert row.consent_on is not None
                    step = "consent"
                    services.record_consent(
                        actor,
                        participant,
                        given_on=row.consent_on,
                        form=Consent.Form.PAPER,
                        registration=True,
                        follow_up=row.consent_follow_up,
                    )
        except ValidationError as error:
            errors.extend(_service_errors(row.number, step, error))
            continue
        except DatabaseError:
            errors.append(_database_error(row.number, step))
            continue
        if row.key:
            people[row.key] = participant
        row_person[row.number] = participant
        (created if new_person else found).add(participant.pk)
        if row.consent_on is not None:
            consents_done.add((participant.pk, row.consent_on, row.consent_follow_up))
            result.consents += int(record)

    # Pass 2, oldest start first (an enrolment must be closed before the next one starts): the
    # enrolment, its exit and its follow-ups.
    for row in sorted(rows, key=lambda r: (r.start, r.number)):
        advance()
        person = row_person.get(row.number)
        if person is None:
            continue
        step = "enrol"
        exits = follow_ups = 0
        try:
            with transaction.atomic():
                enrolment = services.enrol_participant(
                    actor,
                    person,
                    row.intervention,
                    start=row.start,
                    background=row.background,
                    today=today,
                )
                if row.exit is not None:
                    step = "exit"
                    services.record_exit(
                        actor,
                        enrolment,
                        exit_date=row.exit.exit_date,
                        reason=row.exit.reason,
                        income_source=row.exit.income_source,
                        occupation=row.exit.occupation,
                        today=today,
                    )
                    exits += 1
                for data in row.follow_ups:
                    step = f"uppfoljning_{data.months}"
                    follow_up = FollowUp.objects.filter(
                        enrolment=enrolment, months=data.months
                    ).first()
                    if follow_up is None:
                        raise ValidationError(
                            {"done_on": _("Insatsen planerar ingen sådan uppföljning.")}
                        )
                    services.record_follow_up(
                        actor,
                        follow_up,
                        done_on=data.done_on,
                        reached=data.reached,
                        occupation=data.occupation,
                        income_source=data.income_source,
                        today=today,
                    )
                    follow_ups += 1
        except ValidationError as error:
            errors.extend(_service_errors(row.number, step, error))
            continue
        except DatabaseError:
            errors.append(_database_error(row.number, step))
            continue
        result.enrolments += 1
        result.exits += exits
        result.follow_ups += follow_ups

    result.new_participants = len(created)
    result.existing_participants = len(found - created)
    return errors


# Rows per INSERT of the bulk write (SQLite lowers it to its own limit on query parameters).
BATCH_SIZE = 1000


class _Person:
    """A participant as the import sees them while it plans the rows: saved already or new, with
    the consents and enrolments they have at this point of the import (new ones included)."""

    __slots__ = ("consents", "enrolments", "participant")

    def __init__(
        self, participant: Participant, consents: list[Consent], enrolments: list[Enrolment]
    ) -> None:
        self.participant = participant
        self.consents = consents
        self.enrolments = enrolments

    def consented(self, on: date, scope: str, also: Sequence[Enrolment] = ()) -> bool:
        return services.consent_in_force(
            self.consents, [*self.enrolments, *also], on=on, scope=scope
        )

    def overlapping(self, intervention: Intervention, start: date) -> bool:
        return services.covers_any_day(
            (
                (e.start, e.exit_date)
                for e in self.enrolments
                if e.intervention_id == intervention.pk
            ),
            start,
            None,
        )


@dataclass
class _Plan:
    """What :func:`_write_rows` would save, not saved yet, in the order it would save it."""

    participants: list[Participant] = field(default_factory=list)  # the new ones
    consents: list[Consent] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _plan(
    provider: Unit,
    rows: list[_Row],
    existing: _Existing,
    actor: Actor | None,
    today: date,
    result: ImportResult,
    advance: Callable[[], None],
) -> _Plan:
    """Run the services' checks on every row, in :func:`_write_rows`' order and with its
    all-or-nothing per row, on the people in memory instead of the database: the same errors and
    counts, and the rows and audit events it would save.

    The checks and the new objects are the services' own (``identity_fields``, ``new_consent``,
    ``check_enrolment``, ``new_enrolment``, ``close_enrolment``, ``complete_follow_up``,
    ``consent_in_force``); the database's part of them (the person with this number, their
    consents and enrolments) comes from ``existing``, read once for the whole file."""
    plan = _Plan()
    # Services audit an import from the command line with the provider as owner.
    owner = provider if actor is None else None
    people: dict[str, _Person] = {}
    row_person: dict[int, _Person] = {}
    created: set[_Person] = set()
    found: set[_Person] = set()
    consents_done: set[tuple[_Person, date, bool]] = set()
    consent_today = timezone.localdate()  # what record_consent checks against

    def event(action: str, participant: Participant, obj: Any = None, reason: str = "") -> Any:
        return audit.new_event(
            action,
            actor=actor,
            owner=owner,
            obj=obj,
            participant_ref=participant.public_id,
            reason=reason,
        )

    # Pass 1, in file order: the person and the consent (register_participant, record_consent).
    for row in rows:
        advance()
        step = "identity"
        events: list[AuditEvent] = []
        consent: Consent | None = None
        try:
            person = people.get(row.key) if row.key else None
            new_person = False
            if person is None:
                fields = services.identity_fields(provider.pk, row.identity, today)
                known = existing.participants.get(row.key) if row.key else None
                if known is not None:
                    person = _Person(
                        known, list(known.consents.all()), list(known.enrolments.all())
                    )
                    events.append(event("participant.found", known))
                else:
                    participant = Participant(provider_id=provider.pk, **fields)
                    # full_clean as the service does; the unique number and the check
                    # constraints are the database's to enforce (see _write), and the
                    # municipality was read from the database a moment ago.
                    participant.clean_fields(
                        exclude=[*services.PARTICIPANT_CLEAN_EXCLUDE, "home_municipality"]
                    )
                    person = _Person(participant, [], [])
                    new_person = True
                    events.append(event("participant.create", participant))
            record = (
                row.consent_on is not None
                and (person, row.consent_on, row.consent_follow_up) not in consents_done
                and not _same_consent(person.consents, row)
            )
            if record:
                assert row.consent_on is not None
                step = "consent"
                consent = services.new_consent(
                    person.participant,
                    given_on=row.consent_on,
                    form=Consent.Form.PAPER,
                    registration=True,
                    information_exchange=False,
                    exchange_with=[],
                    follow_up=row.consent_follow_up,
                    surveys=False,
                    valid_until=None,
                    today=consent_today,
                )
                events.append(event("consent.record", person.participant, consent))
        except ValidationError as error:
            plan.errors.extend(_service_errors(row.number, step, error))
            continue
        if row.key:
            people[row.key] = person
        row_person[row.number] = person
        (created if new_person else found).add(person)
        if new_person:
            plan.participants.append(person.participant)
        if consent is not None:
            person.consents.append(consent)
            plan.consents.append(consent)
        if row.consent_on is not None:
            consents_done.add((person, row.consent_on, row.consent_follow_up))
            result.consents += int(record)
        plan.events.extend(events)

    # Pass 2, oldest start first: the enrolment, its exit and its follow-ups (enrol_participant,
    # record_exit, record_follow_up).
    for row in sorted(rows, key=lambda r: (r.start, r.number)):
        advance()
        person = row_person.get(row.number)
        if person is None:
            continue
        step = "enrol"
        events = []
        planned: list[FollowUp] = []
        follow_ups = 0
        try:
            services.check_enrolment(
                row.intervention,
                start=row.start,
                intro_end=None,
                today=today,
                consented=partial(person.consented, row.start, "registration"),
                overlapping=partial(person.overlapping, row.intervention, row.start),
            )
            enrolment = services.new_enrolment(
                person.participant, row.intervention, start=row.start, background=row.background
            )
            enrolment.clean_fields(exclude=services.ENROLMENT_CLEAN_EXCLUDE)
            events.append(event("enrolment.create", person.participant, enrolment))
            if row.exit is not None:
                step = "exit"
                planned = services.close_enrolment(
                    enrolment,
                    exit_date=row.exit.exit_date,
                    reason=row.exit.reason,
                    income_source=row.exit.income_source,
                    occupation=row.exit.occupation,
                    today=today,
                )
                events.append(
                    event("enrolment.exit", person.participant, enrolment, row.exit.reason)
                )
            for data in row.follow_ups:
                step = f"uppfoljning_{data.months}"
                follow_up = next((f for f in planned if f.months == data.months), None)
                if follow_up is None:
                    raise ValidationError(
                        {"done_on": _("Insatsen planerar ingen sådan uppföljning.")}
                    )
                services.complete_follow_up(
                    follow_up,
                    exit_date=enrolment.exit_date,
                    done_on=data.done_on,
                    reached=data.reached,
                    occupation=data.occupation,
                    income_source=data.income_source,
                    today=today,
                    consented=partial(person.consented, data.done_on, "follow_up", [enrolment]),
                )
                events.append(event("followup.record", person.participant, follow_up))
                follow_ups += 1
        except ValidationError as error:
            plan.errors.extend(_service_errors(row.number, step, error))
            continue
        person.enrolments.append(enrolment)
        plan.enrolments.append(enrolment)
        plan.follow_ups.extend(planned)
        plan.events.extend(events)
        result.enrolments += 1
        result.exits += int(row.exit is not None)
        result.follow_ups += follow_ups

    result.new_participants = len(created)
    result.existing_participants = len(found - created)
    return plan


def _save(plan: _Plan) -> None:
    """Insert what the plan holds, a batch at a time, and chain its audit events."""
    Participant.objects.bulk_create(plan.participants, batch_size=BATCH_SIZE)
    Consent.objects.bulk_create(plan.consents, batch_size=BATCH_SIZE)
    Enrolment.objects.bulk_create(plan.enrolments, batch_size=BATCH_SIZE)
    # What post_save receivers of a new enrolment do (bulk_create sends no post_save).
    enrolments_created.send(sender=Enrolment, enrolments=plan.enrolments)
    FollowUp.objects.bulk_create(plan.follow_ups, batch_size=BATCH_SIZE)
    audit.append(plan.events, batch_size=BATCH_SIZE)


def _write(
    provider: Unit,
    rows: list[_Row],
    existing: _Existing,
    actor: Actor | None,
    today: date,
    result: ImportResult,
    progress: Callable[[int, int], None] | None,
) -> list[RowError]:
    """Write the rows as :func:`_write_rows` does, in bulk: check every row (:func:`_plan`), then
    insert each table a batch at a time and chain the audit events in one go. Returns the errors.

    The database still enforces its constraints; if the bulk insert meets an error the checks
    could not foresee (e.g. the same person saved by someone else meanwhile), it is undone and the
    rows are written one by one through the services instead, so that the error is reported at
    its row, as before."""
    if not connection.features.can_return_rows_from_bulk_insert:
        # SQLite before 3.35 gives no ids back from a bulk insert, and the rows need them.
        return _write_rows(provider, rows, actor, today, result, progress)
    total = len(rows)
    # Each row is checked in two passes: every pass over a row is half a row done. The last
    # report waits until the rows are saved.
    steps = 0
    reported = 0
    if progress is not None:
        progress(0, total)

    def advance() -> None:
        nonlocal steps, reported
        steps += 1
        done = steps // 2
        due = done != reported and done % PROGRESS_EVERY == 0 and done != total
        if progress is not None and due:
            progress(done, total)
            reported = done

    plan = _plan(provider, rows, existing, actor, today, result, advance)
    errors = plan.errors
    try:
        with transaction.atomic():
            _save(plan)
    except DatabaseError:
        rerun = ImportResult(rows=result.rows, dry_run=result.dry_run)
        errors = _write_rows(provider, rows, actor, today, rerun, None)
        for name in ("new_participants", "existing_participants", "consents"):
            setattr(result, name, getattr(rerun, name))
        for name in ("enrolments", "exits", "follow_ups"):
            setattr(result, name, getattr(rerun, name))
    if progress is not None and total and reported != total:
        progress(total, total)
    return errors


# --- The import --------------------------------------------------------------------------------


def run_import(
    provider: Unit,
    rows: Sequence[RawRow],
    *,
    actor: Actor | None = None,
    dry_run: bool = False,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Validate every row, then write them all in one transaction, or nothing.

    ``actor`` is the provider staff member who imports (audited as them), or None for the command
    line (audited with the provider as owner). ``progress(done, total)`` is called once with
    ``done == 0`` when every row has been checked and writing starts, then every
    :data:`PROGRESS_EVERY` rows written and at the end. It runs inside the import's transaction:
    what it writes to this database is seen by no one else until the import commits (and is
    rolled back with it), so a caller that wants others to see the progress keeps it elsewhere
    (``tasks.py`` uses a small file beside the waiting upload).
    """
    if actor is not None and (
        actor.unit is None
        or actor.unit.pk != provider.pk
        or actor.role not in {Role.PROVIDER_MANAGER, Role.COACH}
    ):
        raise PermissionDenied
    day = today or timezone.localdate()
    result = ImportResult(rows=len(rows), dry_run=dry_run)
    with transaction.atomic():
        context = _Context(provider, day)
        parsed: list[_Row] = []
        errors: list[RowError] = []
        for raw in rows:
            parser = _RowParser(context, raw)
            row = parser.parse()
            errors.extend(parser.errors)
            if row is not None:
                parsed.append(row)
        existing = _Existing.load(provider, parsed)
        cross = _cross_check(parsed, existing)
        errors.extend(cross)
        failed = {e.row for e in cross}
        writable = [row for row in parsed if row.number not in failed]
        errors.extend(_write(provider, writable, existing, actor, day, result, progress))
        result.errors = sorted(set(errors), key=_error_order)
        kept = not (result.errors or dry_run)
        if not kept:
            transaction.set_rollback(True)
    if not kept and existing.participants:
        # The check read the people the file names who are already at the provider (their
        # enrolments and consents; the messages can say so): each look-up is logged, as the
        # services log it, although the import's own events went with its rollback.
        reason = "import, förhandsgranskning" if dry_run else "import, inte sparad"
        audit.append(
            [
                audit.new_event(
                    "participant.found",
                    actor=actor,
                    owner=provider if actor is None else None,
                    participant_ref=person.public_id,
                    reason=reason,
                )
                for person in sorted(existing.participants.values(), key=lambda p: p.pk)
            ]
        )
    return result


def _error_order(error: RowError) -> tuple[int, int, str, str]:
    return (error.row, _COLUMN_ORDER.get(error.column, -1), error.column, error.message)


def import_file(
    provider: Unit,
    name: str,
    data: bytes,
    *,
    actor: Actor | None = None,
    dry_run: bool = False,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Read the file and import it: :func:`read_file`, then :func:`run_import`."""
    rows, errors = read_file(name, data)
    if errors:
        return ImportResult(rows=len(rows), errors=errors, dry_run=dry_run)
    return run_import(provider, rows, actor=actor, dry_run=dry_run, today=today, progress=progress)


# --- The template ------------------------------------------------------------------------------

EXAMPLE_ROW: dict[str, object] = {
    # Tolvan Tolvansson's number, the well-known fictional personnummer.
    "personnummer": "19121212-1212",
    "namn": "Tolvan Tolvansson",
    "hemkommun": "2309",
    "startdatum": date(2025, 2, 3),
    "samtycke_datum": date(2025, 1, 27),
    "samtycke_uppfoljning": "ja",
    "forsorjning_start": "forsorjningsstod",
    "sysselsattning_start": "arbetssokande",
    "tid_utanfor": "3_5_ar",
    "utbildning": "gymnasial",
    "fodd_utanfor_norden": "nej",
    "remitterande": "af, kommun_socialtjanst",
    "avslutsdatum": date(2025, 9, 30),
    "avslutsorsak": "arbete_med_stod",
    "forsorjning_avslut": "lon",
    "sysselsattning_avslut": "forvarvsarbete",
    "uppfoljning_6_datum": date(2026, 4, 8),
    "uppfoljning_6_nadd": "ja",
    "uppfoljning_6_sysselsattning": "forvarvsarbete",
    "uppfoljning_6_forsorjning": "lon",
}

_CODE_LISTS: tuple[tuple[str, type[TextChoices]], ...] = (
    ("kön", Gender),
    ("fodd_utanfor_norden", YesNoUnknown),
    ("forsorjning_start, forsorjning_avslut, uppfoljning_N_forsorjning", IncomeSource),
    ("sysselsattning_start, sysselsattning_avslut, uppfoljning_N_sysselsattning", Occupation),
    ("tid_utanfor", TimeOutside),
    ("utbildning", Education),
    ("remitterande", ReferringKind),
    ("avslutsorsak", ExitReason),
)


def template_workbook(intervention_code: str = "steg1") -> bytes:
    """An XLSX with the header row, one fictional example row and a sheet of the codes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Deltagare"
    sheet.append(list(COLUMNS))
    example = {**EXAMPLE_ROW, "insats": intervention_code}
    sheet.append([example.get(name) for name in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(name) + 2)
        value = sheet.cell(row=2, column=index)
        if isinstance(value.value, date):
            value.number_format = "yyyy-mm-dd"
        elif name in {"personnummer", "reservnummer", "hemkommun"}:
            value.number_format = "@"
    sheet.freeze_panes = "A2"
    codes = workbook.create_sheet("Koder")
    codes.append(["kolumn", "kod", "betydelse"])
    for cell in codes[1]:
        cell.font = Font(bold=True)
    with translation.override("sv"):
        for column, choices in _CODE_LISTS:
            for code, label in choices.choices:
                codes.append([column, code, str(label)])
        for yes_no in ("ja", "nej"):
            codes.append(
                ["skyddad, samtycke_uppfoljning, uppfoljning_N_nadd", yes_no, yes_no.capitalize()]
            )
    codes.column_dimensions["A"].width = 60
    codes.column_dimensions["B"].width = 26
    codes.column_dimensions["C"].width = 70
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
