"""The participant import: the file format, every kind of bad input, all-or-nothing, the command,
the pages, and random rows that must only ever give reported errors."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError
from stdnum import luhn

from stegvis.core.actors import Actor
from stegvis.core.codes import ExitReason
from stegvis.core.models import AuditEvent
from stegvis.interventions.models import Funding, Intervention
from stegvis.participants import imports
from stegvis.participants.imports import COLUMNS, RawRow, RowError, import_file, run_import
from stegvis.participants.models import Consent, Enrolment, FollowUp, Participant

TODAY = datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def insats(world):
    intervention = Intervention.objects.create(
        provider=world.p,
        lead_association=world.a,
        name="Steg",
        code="steg",
        kind="individual",
        orientation="rehabiliterande",
        start=date(2025, 1, 1),
        status="running",
    )
    Funding.objects.create(association=world.a, intervention=intervention, share=100)
    intervention.coaches.add(world["bob"])
    return intervention


@pytest.fixture
def tmp_imports(settings, tmp_path):
    """Waiting uploads go to a temporary BASE_DIR, not the project's var/."""
    settings.BASE_DIR = tmp_path
    return tmp_path / "var" / "imports"


def pnr(birth: str, serial: str = "238", *, coordination: bool = False) -> str:
    """A valid fictional personnummer (or samordningsnummer) ÅÅÅÅMMDD-NNNC."""
    if coordination:
        birth = birth[:6] + f"{int(birth[6:]) + 60:02d}"
    ten = birth[2:] + serial
    return f"{birth}-{serial}{luhn.calc_check_digit(ten)}"


NO_CONSENT = {"samtycke_datum": "", "samtycke_uppfoljning": ""}
NO_EXIT = dict.fromkeys(imports.EXIT_COLUMNS + imports.FOLLOW_UP_COLUMNS, "")
ANNA = pnr("19900101", "238")
BERTIL = pnr("19851224", "457")
CECILIA_SAMORDNING = pnr("19920315", "362", coordination=True)


def good_row(**cells: object) -> dict[str, object]:
    row: dict[str, object] = {
        "personnummer": ANNA,
        "namn": "Anna Andersson",
        "hemkommun": "2309",
        "insats": "steg",
        "startdatum": "2025-02-03",
        "samtycke_datum": "2025-01-27",
        "samtycke_uppfoljning": "ja",
        "forsorjning_start": "forsorjningsstod",
        "sysselsattning_start": "arbetssokande",
        "tid_utanfor": "3_5_ar",
        "utbildning": "gymnasial",
        "fodd_utanfor_norden": "nej",
        "remitterande": "af, kommun_socialtjanst",
        "avslutsdatum": "2025-09-30",
        "avslutsorsak": "arbete",
        "forsorjning_avslut": "lon",
        "sysselsattning_avslut": "forvarvsarbete",
        "uppfoljning_6_datum": "2026-04-08",
        "uppfoljning_6_nadd": "ja",
        "uppfoljning_6_sysselsattning": "forvarvsarbete",
        "uppfoljning_6_forsorjning": "lon",
    }
    row.update(cells)
    return row


def open_row(**cells: object) -> dict[str, object]:
    """A row for an enrolment that is still open (no exit, no follow-up)."""
    return good_row(**{**NO_EXIT, **cells})


def good_rows() -> list[dict[str, object]]:
    """Five people: a full path, an open enrolment with Swedish labels and a name with å/ä/ö, a
    reserve number, a protected identity, a samordningsnummer; and the first person again."""
    return [
        good_row(),
        open_row(
            personnummer=BERTIL,
            namn="Åsa Öberg",
            hemkommun="Östersund",
            startdatum="20250310",
            samtycke_datum="2025-03-01",
            samtycke_uppfoljning="nej",
            forsorjning_start="Försörjningsstöd (ekonomiskt bistånd)",
            sysselsattning_start="Arbetssökande",
            tid_utanfor="1–2 år",
            utbildning="Okänd",
            remitterande="Försäkringskassan",
        ),
        open_row(
            personnummer="",
            reservnummer="R-2025-17",
            kön="kvinna",
            födelseår="1985",
            namn="Dana Doe",
            startdatum="2025-04-01",
            samtycke_datum="2025-04-01",
        ),
        open_row(
            personnummer="",
            skyddad="ja",
            kön="man",
            födelseår="1979",
            namn="",
            startdatum="2025-05-05",
            samtycke_datum="2025-05-05",
        ),
        open_row(personnummer=CECILIA_SAMORDNING, namn="Cecilia", startdatum="2025-06-02"),
        open_row(startdatum="2025-11-03", **NO_CONSENT),
    ]


def csv_bytes(
    rows: list[dict[str, object]],
    *,
    delimiter: str = ";",
    encoding: str = "cp1252",
    header: list[str] | None = None,
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    columns = header or list(COLUMNS)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def counts() -> tuple[int, ...]:
    return (
        Participant.objects.count(),
        Enrolment.objects.count(),
        Consent.objects.count(),
        FollowUp.objects.count(),
        # A refused import logs only the look-ups of the people already at the provider.
        AuditEvent.objects.exclude(action="participant.found").count(),
    )


def run(world, data: bytes, name: str = "deltagare.csv", **kwargs) -> imports.ImportResult:
    return import_file(world.p, name, data, **kwargs)


def refused(world, data: bytes, name: str = "deltagare.csv") -> list[RowError]:
    """Import for real; assert that it failed and that nothing at all was saved."""
    before = counts()
    result = run(world, data, name)
    assert result.errors
    assert not result.saved
    assert counts() == before
    return result.errors


def one_row_errors(world, **cells: object) -> list[RowError]:
    return refused(world, csv_bytes([good_row(**cells)]))


# --- Good files --------------------------------------------------------------------------------


def _assert_good_file_saved(world, result: imports.ImportResult) -> None:
    assert result.errors == []
    assert result.saved
    assert (result.new_participants, result.existing_participants) == (5, 0)
    assert (result.enrolments, result.exits, result.follow_ups, result.consents) == (6, 1, 1, 5)
    assert Participant.objects.filter(provider=world.p).count() == 5
    assert Enrolment.objects.filter(provider=world.p).count() == 6

    anna = Participant.objects.get(enrolments__start="2025-11-03")
    assert anna.national_id == ANNA
    assert anna.name == "Anna Andersson"
    assert anna.home_municipality.code == "2309"
    first, second = anna.enrolments.order_by("start")
    assert (first.exit_date, first.exit_reason) == (date(2025, 9, 30), ExitReason.ARBETE)
    assert first.referring_kinds == ["af", "kommun_socialtjanst"]
    assert first.occupation_start == "arbetssokande"
    assert second.is_open
    done = FollowUp.objects.get(enrolment=first, months=6)
    assert (done.done_on, done.reached, done.occupation) == (
        date(2026, 4, 8),
        True,
        "forvarvsarbete",
    )
    assert FollowUp.objects.get(enrolment=first, months=12).done_on is None

    asa = Participant.objects.get(enrolments__start="2025-03-10")
    assert asa.name == "Åsa Öberg"
    assert asa.home_municipality.name == "Östersund"
    enrolment = asa.enrolments.get()
    assert enrolment.income_source_start == "forsorjningsstod"
    assert enrolment.time_outside == "1_2_ar"
    assert enrolment.referring_kinds == ["fk"]

    reserve = Participant.objects.get(reserve_id="R-2025-17")
    assert (reserve.identity_kind, reserve.gender, reserve.birth_year) == ("reserv", "kvinna", 1985)
    protected = Participant.objects.get(identity_kind="skyddad")
    assert (protected.name_encrypted, protected.national_id_encrypted) == ("", "")
    assert Participant.objects.filter(identity_kind="samordningsnummer").count() == 1


def test_a_semicolon_windows_1252_csv_imports_fully(world, insats):
    result = run(world, csv_bytes(good_rows(), delimiter=";", encoding="cp1252"))
    _assert_good_file_saved(world, result)


def test_a_comma_utf8_csv_with_bom_imports_fully(world, insats):
    data = csv_bytes(good_rows(), delimiter=",", encoding="utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    _assert_good_file_saved(world, run(world, data))


def test_a_tab_separated_utf8_csv_without_bom_imports_fully(world, insats):
    _assert_good_file_saved(
        world, run(world, csv_bytes(good_rows(), delimiter="\t", encoding="utf-8"))
    )


def test_an_xlsx_with_date_cells_and_numbers_imports_fully(world, insats):
    table: list[list[object]] = [list(COLUMNS)]
    for row in good_rows():
        cells: list[object] = []
        for column in COLUMNS:
            value = row.get(column, "")
            if column == "startdatum" and value == "2025-02-03":
                value = datetime(2025, 2, 3)  # a date cell
            elif column == "avslutsdatum" and value:
                value = date(2025, 9, 30)
            elif column == "födelseår" and value:
                value = int(str(value))  # a number cell
            elif column == "hemkommun" and value == "2309":
                value = 2309
            cells.append(value if value != "" else None)
        table.append(cells)
    _assert_good_file_saved(world, run(world, xlsx_bytes(table), "deltagare.xlsx"))


def test_headers_match_without_case_accents_or_spaces(world, insats):
    header = [c.upper().replace("_", " ") for c in COLUMNS]
    header[COLUMNS.index("kön")] = "Kon"
    header[COLUMNS.index("födelseår")] = "FODELSEAR"
    data = csv_bytes([good_row()], header=list(COLUMNS))
    lines = data.decode("cp1252").split("\r\n")
    lines[0] = ";".join(header)
    result = run(world, "\r\n".join(lines).encode("cp1252"))
    assert result.errors == []
    assert result.enrolments == 1


def test_a_dry_run_counts_everything_and_saves_nothing(world, insats):
    before = counts()
    result = run(world, csv_bytes(good_rows()), dry_run=True)
    assert result.ok and not result.saved
    assert (result.new_participants, result.enrolments, result.follow_ups) == (5, 6, 1)
    assert counts() == before


def test_the_import_is_audited_with_the_provider_as_owner(world, insats):
    run(world, csv_bytes([good_row()]))
    events = AuditEvent.objects.filter(unit=world.p)
    actions = set(events.values_list("action", flat=True))
    assert {"participant.create", "consent.record", "enrolment.create", "enrolment.exit"} <= actions
    assert {"followup.record"} <= actions
    assert not events.filter(user__isnull=False).exists()


def test_the_progress_callback_reports_the_rows_written(world, insats):
    rows, errors = imports.read_file("x.csv", csv_bytes(good_rows()))
    assert errors == []
    seen: list[tuple[int, int]] = []
    result = run_import(world.p, rows, dry_run=True, progress=lambda d, t: seen.append((d, t)))
    assert result.ok
    assert seen[-1] == (6, 6)


# --- The same file twice -----------------------------------------------------------------------


def test_importing_the_same_file_twice_refuses_the_overlapping_enrolments(world, insats):
    data = csv_bytes([good_row(), open_row(personnummer=BERTIL, startdatum="2025-03-10")])
    assert run(world, data).saved
    errors = refused(world, data)
    assert errors == [
        RowError(
            2,
            "startdatum",
            "Personen har redan en inskrivning i insatsen som överlappar (startdatum 2025-02-03).",
        ),
        RowError(
            3,
            "startdatum",
            "Personen har redan en inskrivning i insatsen som överlappar (startdatum 2025-03-10).",
        ),
    ]
    assert Participant.objects.count() == 2
    # The check read both people's enrolments: each look-up is in the log, kept although the
    # import was not.
    found = AuditEvent.objects.filter(action="participant.found", reason="import, inte sparad")
    assert set(found.values_list("participant_ref", flat=True)) == set(
        Participant.objects.values_list("public_id", flat=True)
    )
    assert {(e.unit, e.user) for e in found} == {(world.p, None)}


def test_a_stored_error_leaves_out_the_existing_enrolments_date(world, insats):
    data = csv_bytes([good_row()])
    assert run(world, data).saved
    with imports.cell_values_left_out():
        result = run(world, data)
    assert result.errors == [
        RowError(
            2,
            "startdatum",
            "Personen har redan en inskrivning i insatsen som överlappar (startdatum …).",
        )
    ]


def test_a_preview_logs_each_person_it_looked_up(world, insats):
    assert run(world, csv_bytes([good_row()])).saved
    petra = Actor(user=world["petra"], assignment=world.roles["petra"])
    again = csv_bytes([open_row(startdatum="2025-11-03", **NO_CONSENT, namn="Anna A.")])
    assert run(world, again, actor=petra, dry_run=True).ok
    found = AuditEvent.objects.get(action="participant.found", reason="import, förhandsgranskning")
    assert found.participant_ref == Participant.objects.get().public_id
    assert (found.unit, found.user, found.reason) == (
        world.p,
        world["petra"],
        "import, förhandsgranskning",
    )
    # Nothing else of the preview is kept.
    assert Enrolment.objects.count() == 1


def test_a_second_import_finds_the_existing_participants(world, insats):
    assert run(world, csv_bytes([good_row()])).saved
    again = csv_bytes([open_row(startdatum="2025-11-03", **NO_CONSENT, namn="Anna A.")])
    result = run(world, again)
    assert result.saved
    assert (result.new_participants, result.existing_participants, result.enrolments) == (0, 1, 1)
    assert Participant.objects.count() == 1
    assert Enrolment.objects.count() == 2


def test_an_earlier_enrolment_cannot_be_added_after_a_later_one(world, insats):
    assert run(world, csv_bytes([open_row(startdatum="2025-11-03")])).saved
    errors = refused(world, csv_bytes([good_row()]))
    assert errors == [
        RowError(
            2,
            "startdatum",
            "Personen har en senare inskrivning i insatsen (startdatum 2025-11-03). "
            "En tidigare inskrivning kan inte läggas till efter den.",
        )
    ]


# --- Invalid numbers ---------------------------------------------------------------------------


def test_a_wrong_check_digit_is_reported(world, insats):
    wrong = ANNA[:-1] + str((int(ANNA[-1]) + 1) % 10)
    assert one_row_errors(world, personnummer=wrong) == [
        RowError(2, "personnummer", "Kontrollsiffran stämmer inte. Kontrollera numret.")
    ]


def test_an_impossible_date_in_the_number_is_reported(world, insats):
    assert one_row_errors(world, personnummer="19900230-2380") == [
        RowError(2, "personnummer", "Datumdelen 900230 är inget giltigt datum.")
    ]


def test_eleven_digits_are_reported(world, insats):
    assert one_row_errors(world, personnummer="19900101238") == [
        RowError(
            2,
            "personnummer",
            "Numret ska ha 10 eller 12 siffror (ÅÅMMDD-NNNN eller ÅÅÅÅMMDD-NNNN), inte 11.",
        )
    ]


def test_a_row_without_any_identity_is_reported(world, insats):
    assert one_row_errors(world, personnummer="") == [
        RowError(
            2, "personnummer", "Ange personnummer eller reservnummer, eller ja i kolumnen skyddad."
        )
    ]


def test_a_protected_identity_keeps_no_number_or_name(world, insats):
    errors = one_row_errors(world, skyddad="ja", kön="man", födelseår="1990")
    assert errors == [
        RowError(
            2,
            "personnummer",
            "Lämna personnummer tom för en person med skyddade personuppgifter.",
        ),
        RowError(2, "namn", "Lämna namn tom för en person med skyddade personuppgifter."),
    ]


def test_a_reserve_number_needs_gender_and_birth_year(world, insats):
    errors = one_row_errors(world, personnummer="", reservnummer="R1")
    assert errors == [
        RowError(2, "kön", "Ange kön när personnummer saknas."),
        RowError(2, "födelseår", "Ange födelseår när personnummer saknas."),
    ]


def test_a_birth_year_that_contradicts_the_number_is_reported(world, insats):
    assert one_row_errors(world, födelseår="1991") == [
        RowError(2, "födelseår", "Födelseåret stämmer inte med personnumret.")
    ]


# --- Dates -------------------------------------------------------------------------------------


def test_an_exit_before_the_start_is_reported(world, insats):
    errors = one_row_errors(world, avslutsdatum="2025-01-31")
    assert errors == [
        RowError(2, "avslutsdatum", "Avslutsdatum kan inte vara före startdatum 2025-02-03.")
    ]


def test_a_follow_up_before_the_exit_is_reported(world, insats):
    errors = one_row_errors(world, uppfoljning_6_datum="2025-09-29")
    assert errors == [
        RowError(2, "uppfoljning_6_datum", "Uppföljningen kan inte vara före avslutet 2025-09-30.")
    ]


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        (
            {"avslutsdatum": "2026-11-23"},
            "avslutsdatum",
            "Avslutsdatum kan inte ligga i framtiden.",
        ),
        (
            {"uppfoljning_6_datum": "2026-11-23"},
            "uppfoljning_6_datum",
            "Datumet kan inte ligga i framtiden.",
        ),
        (
            {"samtycke_datum": "2026-11-23", "startdatum": "2026-12-01", **NO_EXIT},
            "samtycke_datum",
            "Datumet kan inte ligga i framtiden.",
        ),
        ({"startdatum": "2027-11-24"}, "startdatum", "Startdatumet ligger för långt fram."),
        ({"personnummer": pnr("20261123")}, "personnummer", "Födelsedatumet ligger i framtiden."),
    ],
    ids=["exit", "follow-up", "consent", "start", "birth"],
)
def test_future_dates_are_reported_where_they_cannot_be(world, insats, cells, column, message):
    assert one_row_errors(world, **cells) == [RowError(2, column, message)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2025-02-30", "Datumet 2025-02-30 finns inte."),
        ("20250230", "Datumet 20250230 finns inte."),
        ("3/2 2025", "Skriv datumet som ÅÅÅÅ-MM-DD, inte ”3/2 2025”."),
        ("1985-01-01", "Datumet 1985-01-01 ligger för långt bak i tiden (tidigast 1990-01-01)."),
    ],
)
def test_bad_dates_are_reported(world, insats, value, message):
    errors = one_row_errors(world, samtycke_datum=value)
    assert errors == [RowError(2, "samtycke_datum", message)]


def test_a_start_date_is_required(world, insats):
    assert one_row_errors(world, startdatum="") == [RowError(2, "startdatum", "Ange startdatum.")]


# --- Codes -------------------------------------------------------------------------------------


def test_an_unknown_exit_reason_is_reported(world, insats):
    codes = ", ".join(sorted(ExitReason.values))
    assert one_row_errors(world, avslutsorsak="pension") == [
        RowError(
            2,
            "avslutsorsak",
            f"Okänd kod för avslutsorsak: ”pension”. Tillåtna koder: {codes}.",
        )
    ]


def test_an_unknown_intervention_is_reported(world, insats):
    assert one_row_errors(world, insats="okand") == [
        RowError(2, "insats", "Okänd insats ”okand”. Utförarens insatser har koderna: steg.")
    ]


def test_another_providers_intervention_is_unknown(world, insats):
    Intervention.objects.create(
        provider=world.q,
        lead_association=world.b,
        name="Annan",
        code="annan",
        kind="individual",
        orientation="rehabiliterande",
        start=date(2025, 1, 1),
    )
    errors = one_row_errors(world, insats="annan")
    assert errors == [
        RowError(2, "insats", "Okänd insats ”annan”. Utförarens insatser har koderna: steg.")
    ]


def test_unknown_municipality_gender_and_referrer_are_reported(world, insats):
    errors = one_row_errors(
        world,
        hemkommun="Atlantis",
        kön="x",
        remitterande="af, polisen",
        fodd_utanfor_norden="kanske",
    )
    assert [(e.column, e.message.split(".")[0]) for e in errors] == [
        ("kön", "Okänd kod för kön: ”x”"),
        ("hemkommun", "Okänd kommun ”Atlantis”"),
        ("fodd_utanfor_norden", "Okänd kod för född utanför Norden: ”kanske”"),
        ("remitterande", "Okänd kod för remitterande part: ”polisen”"),
    ]


def test_yes_no_columns_take_ja_or_nej(world, insats):
    assert one_row_errors(world, samtycke_uppfoljning="kanske") == [
        RowError(2, "samtycke_uppfoljning", "Skriv ja eller nej, inte ”kanske”.")
    ]


def test_an_exit_needs_all_its_columns(world, insats):
    errors = one_row_errors(world, avslutsorsak="", forsorjning_avslut="")
    assert errors == [
        RowError(2, "avslutsorsak", "Ange avslutsorsak."),
        RowError(2, "forsorjning_avslut", "Ange försörjning vid avslut."),
    ]


def test_a_follow_up_needs_an_exit(world, insats):
    row = open_row(uppfoljning_12_datum="2026-10-01", uppfoljning_12_nadd="nej")
    errors = refused(world, csv_bytes([row]))
    assert errors == [
        RowError(2, "uppfoljning_12_datum", "En uppföljning kräver att inskrivningen är avslutad.")
    ]


def test_a_follow_up_the_intervention_does_not_plan_is_reported(world, insats):
    insats.follow_up_months = [12]
    insats.save()
    errors = one_row_errors(world)
    assert errors == [
        RowError(
            2,
            "uppfoljning_6_datum",
            "Insatsen steg följer inte upp efter 6 månader (den följer upp efter 12 månader).",
        )
    ]


def test_consent_is_required_when_the_intervention_requires_it(world, insats):
    assert one_row_errors(world, **NO_CONSENT) == [
        RowError(
            2,
            "samtycke_datum",
            "Insatsen kräver samtycke till registrering: ange samtycke_datum "
            "(senast på startdatum).",
        ),
        RowError(
            2,
            "samtycke_uppfoljning",
            "Uppföljningen efter 6 månader kräver samtycke till uppföljning: "
            "skriv ja i samtycke_uppfoljning.",
        ),
    ]


def test_consent_after_the_start_is_reported(world, insats):
    assert one_row_errors(world, samtycke_datum="2025-02-04") == [
        RowError(
            2,
            "samtycke_datum",
            "Samtycket till registrering ska vara givet senast på startdatum.",
        )
    ]


def test_a_follow_up_needs_consent_to_follow_up(world, insats):
    assert one_row_errors(world, samtycke_uppfoljning="nej") == [
        RowError(
            2,
            "samtycke_uppfoljning",
            "Uppföljningen efter 6 månader kräver samtycke till uppföljning: "
            "skriv ja i samtycke_uppfoljning.",
        )
    ]


def test_without_a_consent_requirement_no_consent_is_needed(world, insats):
    insats.requires_consent = False
    insats.save()
    result = run(world, csv_bytes([open_row(**NO_CONSENT)]))
    assert result.saved
    assert Consent.objects.count() == 0


# --- Duplicates and overlaps in one file -------------------------------------------------------


def test_an_exact_copy_of_a_row_is_reported(world, insats):
    errors = refused(world, csv_bytes([good_row(), good_row()]))
    assert errors == [RowError(3, "", "Raden är en kopia av rad 2.")]


def test_the_same_person_intervention_and_start_twice_is_reported(world, insats):
    errors = refused(world, csv_bytes([good_row(), good_row(namn="Anna B. Andersson")]))
    assert errors == [
        RowError(
            3,
            "startdatum",
            "Raden är en dubblett av rad 2: samma person, insats och startdatum.",
        )
    ]


def test_overlapping_enrolments_in_one_file_are_reported(world, insats):
    rows = [good_row(), open_row(startdatum="2025-09-30", **NO_CONSENT)]
    errors = refused(world, csv_bytes(rows))
    assert errors == [
        RowError(3, "startdatum", "Inskrivningen överlappar inskrivningen på rad 2 i samma insats.")
    ]


def test_the_same_number_written_two_ways_is_the_same_person(world, insats):
    ten_digits = ANNA[2:]  # ÅÅMMDD-NNNN
    rows = [good_row(), open_row(personnummer=ten_digits, startdatum="2025-05-01")]
    errors = refused(world, csv_bytes(rows))
    assert errors == [
        RowError(3, "startdatum", "Inskrivningen överlappar inskrivningen på rad 2 i samma insats.")
    ]


# --- Errors raised by the services while writing -----------------------------------------------


def test_a_service_error_while_writing_becomes_a_row_error_and_rolls_everything_back(world, insats):
    # The file's checks accept row 3 (row 2's consent is older than its start), but the service
    # knows that consent ran out two years after row 2's exit.
    rows = [
        good_row(
            startdatum="2020-01-01",
            samtycke_datum="2019-12-01",
            avslutsdatum="2020-06-01",
            **dict.fromkeys(imports._follow_up_columns(6), ""),
        ),
        open_row(startdatum="2025-01-10", **NO_CONSENT),
        open_row(personnummer=BERTIL, startdatum="2025-03-10"),
    ]
    errors = refused(world, csv_bytes(rows))
    assert errors == [
        RowError(
            3,
            "samtycke_datum",
            "Samtycke till registrering saknas eller är återkallat. Utan samtycke kan personen "
            "bara räknas anonymt (kön och år).",
        )
    ]


# --- Files that cannot be read -----------------------------------------------------------------


NOT_A_SPREADSHEET = [RowError(0, "", "Filen är varken XLSX eller CSV.")]


def _zip_without_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hej.txt", "inte en arbetsbok")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("deltagare.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
        ("deltagare.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
        ("deltagare", b"personnummer;insats;startdatum\n"),
        ("deltagare.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ("deltagare.csv", _zip_without_a_workbook()),
        ("deltagare.xlsx", b"personnummer;insats;startdatum\n1;2;3\n"),
        ("deltagare.xlsx", _zip_without_a_workbook()),
        ("deltagare.csv", b"\x81\x8d\x8f\x90\x9d;\x81"),  # not UTF-8, not Windows-1252
    ],
    ids=[
        "pdf",
        "xls",
        "no-extension",
        "png-as-csv",
        "zip-as-csv",
        "text-as-xlsx",
        "zip-as-xlsx",
        "undecodable",
    ],
)
def test_a_file_that_is_not_xlsx_or_csv_is_refused(world, insats, name, data):
    assert refused(world, data, name) == NOT_A_SPREADSHEET


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("tom.csv", b""),
        ("tom.xlsx", b""),
        ("blank.csv", b" \r\n\r\n"),
        ("rubrik.csv", ";".join(COLUMNS).encode("utf-8") + b"\r\n;;;\r\n"),
        ("rubrik.xlsx", xlsx_bytes([list(COLUMNS)])),
        ("bom.csv", b"\xef\xbb\xbf"),
    ],
    ids=["empty-csv", "empty-xlsx", "blank-lines", "header-only-csv", "header-only-xlsx", "bom"],
)
def test_an_empty_file_or_a_header_alone_is_refused(world, insats, name, data):
    assert refused(world, data, name) == [RowError(0, "", "Filen innehåller inga rader.")]


def test_a_file_of_50_mb_is_refused(world, insats):
    data = csv_bytes([good_row()]) + b"x" * (50 * 1024 * 1024)
    assert refused(world, data) == [RowError(0, "", "Filen är större än 20 MB.")]


def test_missing_required_columns_are_named(world, insats):
    header = [c for c in COLUMNS if c not in {"insats", "startdatum"}]
    errors = refused(world, csv_bytes([good_row()], header=header))
    assert errors == [
        RowError(1, "insats", "Obligatorisk kolumn saknas: insats."),
        RowError(1, "startdatum", "Obligatorisk kolumn saknas: startdatum."),
    ]


def test_unknown_and_repeated_columns_are_named(world, insats):
    header = [*COLUMNS, "telefon", "insats"]
    errors = refused(world, csv_bytes([good_row(telefon="070")], header=header))
    assert errors == [
        RowError(1, "insats", "Kolumnen insats finns två gånger."),
        RowError(1, "telefon", "Okänd kolumn ”telefon”. Använd kolumnnamnen i mallen."),
    ]


def test_a_value_in_a_column_without_a_header_is_reported(world, insats):
    data = (
        csv_bytes([good_row()])
        .replace(b"\r\n", b";;extra\r\n", 2)
        .replace(b";;extra\r\n", b"\r\n", 1)
    )
    errors = refused(world, data)
    assert errors == [RowError(2, "", f"Kolumn {len(COLUMNS) + 2} har ett värde men ingen rubrik.")]


def test_a_broken_quote_in_a_csv_is_reported(world, insats):
    data = csv_bytes([good_row()]) + b'"' + b"x" * 200_000 + b"\r\n"
    errors = refused(world, data)
    assert errors == [RowError(3, "", "Raden kunde inte läsas som CSV (kontrollera citattecken).")]


@pytest.mark.parametrize("column", ["namn", "personnummer", "startdatum", "insats"])
def test_control_characters_are_refused_once(world, insats, column):
    value = str(good_row()[column]) + "\x1b"
    assert one_row_errors(world, **{column: value}) == [
        RowError(2, column, "Värdet innehåller otillåtna tecken (kontrolltecken).")
    ]


def test_too_many_rows_are_refused(world, insats, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    rows = [open_row(personnummer=pnr(f"1990010{d}")) for d in range(1, 6)]
    assert refused(world, csv_bytes(rows)) == [
        RowError(0, "", "Filen har fler än 3 rader. Dela upp den i flera filer.")
    ]


def test_every_bad_row_is_reported_at_once(world, insats):
    rows = [
        good_row(personnummer="19900230-2380"),
        open_row(personnummer=BERTIL, startdatum="2025-03-10"),
        open_row(personnummer=CECILIA_SAMORDNING, avslutsorsak="pension"),
        open_row(personnummer="", reservnummer="R9", kön="kvinna", födelseår="1980", insats="x"),
    ]
    errors = refused(world, csv_bytes(rows))
    # Row 3 is fine; every problem of rows 2, 4 and 5 is there, in column order.
    assert [(e.row, e.column) for e in errors] == [
        (2, "personnummer"),
        (4, "avslutsdatum"),
        (4, "avslutsorsak"),
        (4, "forsorjning_avslut"),
        (4, "sysselsattning_avslut"),
        (5, "insats"),
    ]
    assert errors[1].message == (
        "Ange avslutsdatum, eller lämna avslutskolumnerna tomma om personen är kvar."
    )


# --- The template ------------------------------------------------------------------------------


def test_the_template_has_every_column_and_its_example_row_imports(world, insats):
    content = imports.template_workbook("steg")
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    sheets = workbook.sheetnames
    header = next(workbook[sheets[0]].iter_rows(values_only=True))
    workbook.close()
    assert sheets == ["Deltagare", "Koder"]
    assert list(header) == list(COLUMNS)
    result = run(world, content, "mall.xlsx")
    assert result.saved
    assert (result.new_participants, result.enrolments, result.exits, result.follow_ups) == (
        1,
        1,
        1,
        1,
    )


# --- The command line --------------------------------------------------------------------------


def _file(tmp_path: Path, data: bytes, name: str = "deltagare.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_the_command_imports_and_prints_the_counts(world, insats, tmp_path):
    out = io.StringIO()
    call_command(
        "import_participants",
        str(world.p.public_id),
        _file(tmp_path, csv_bytes(good_rows())),
        stdout=out,
    )
    assert "Importen är klar: 6 rader." in out.getvalue()
    assert "Nya deltagare: 5." in out.getvalue()
    assert Participant.objects.count() == 5


def test_the_command_with_dry_run_writes_nothing(world, insats, tmp_path):
    before = counts()
    out = io.StringIO()
    path = _file(tmp_path, csv_bytes(good_rows()))
    call_command("import_participants", str(world.p.public_id), path, "--dry-run", stdout=out)
    assert "Inget har sparats (--dry-run)" in out.getvalue()
    assert "Inskrivningar: 6." in out.getvalue()
    assert counts() == before


def test_the_command_prints_every_error_and_fails(world, insats, tmp_path):
    before = counts()
    err = io.StringIO()
    wrong = ANNA[:-1] + str((int(ANNA[-1]) + 1) % 10)
    path = _file(
        tmp_path,
        csv_bytes(
            [good_row(personnummer=wrong), good_row(personnummer=BERTIL, avslutsorsak="pension")]
        ),
    )
    with pytest.raises(CommandError, match=r"2 fel i filen\. Inget har sparats\."):
        call_command("import_participants", str(world.p.public_id), path, stderr=err)
    lines = err.getvalue().splitlines()
    assert (
        lines[0] == "rad 2, kolumn personnummer: Kontrollsiffran stämmer inte. Kontrollera numret."
    )
    assert lines[1].startswith("rad 3, kolumn avslutsorsak: Okänd kod för avslutsorsak: ”pension”.")
    assert counts() == before


def test_the_command_refuses_a_large_file_before_reading_it(world, insats, tmp_path):
    path = tmp_path / "stor.csv"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 fel i filen"):
        call_command("import_participants", str(world.p.public_id), str(path), stderr=err)
    assert err.getvalue().strip() == "Filen är större än 20 MB."


@pytest.mark.parametrize("provider", ["inte-ett-id", "00000000-0000-0000-0000-000000000000"])
def test_the_command_needs_a_provider(world, insats, tmp_path, provider):
    with pytest.raises(CommandError):
        call_command("import_participants", provider, _file(tmp_path, csv_bytes([good_row()])))


def test_the_command_refuses_a_unit_that_is_not_a_provider(world, insats, tmp_path):
    with pytest.raises(CommandError, match="ingen utförare"):
        call_command(
            "import_participants",
            str(world.fk_unit.public_id),
            _file(tmp_path, csv_bytes([good_row()])),
        )


# --- The pages ---------------------------------------------------------------------------------


def _url(world, name: str) -> str:
    return reverse(f"participants:{name}", kwargs={"provider": world.p.public_id})


def _upload(client, world, data: bytes, name: str = "deltagare.csv"):
    return client.post(_url(world, "provider_import"), {"fil": SimpleUploadedFile(name, data)})


def test_upload_preview_and_confirm_as_the_provider_manager(world, insats, as_persona, tmp_imports):
    client = as_persona("petra")
    page = client.get(_url(world, "provider_import"))
    assert page.status_code == 200
    assert "Importera deltagare" in page.content.decode()

    before = counts()
    preview = _upload(client, world, csv_bytes(good_rows()))
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "Filen har 6 rader utan fel." in body
    assert "Bekräfta och spara" in body
    assert Participant.objects.count() == before[0]
    waiting = list(tmp_imports.iterdir())
    assert len(waiting) == 1
    assert b"Anna" not in waiting[0].read_bytes()  # encrypted at rest
    token = client.session["stegvis_import"]["token"]
    assert token not in body  # the token is never in a page or a URL

    done = client.post(_url(world, "provider_import_confirm"))
    assert done.status_code == 302
    assert Participant.objects.count() == 5
    assert list(tmp_imports.iterdir()) == []
    landing = client.get(done["Location"])
    assert "Importen är klar. Nya deltagare: 5." in landing.content.decode()
    assert "stegvis_import" not in client.session
    event = AuditEvent.objects.filter(action="enrolment.create").first()
    assert event.user == world["petra"]
    # The preview read the provider's participants and rolled back its own writes: one event
    # after it says so, and one for the import itself (the background job's import.finish).
    preview_event = AuditEvent.objects.get(action="import.preview")
    assert (preview_event.unit, preview_event.user) == (world.p, world["petra"])
    assert preview_event.reason == "provkörd: 6 rader, 0 fanns redan"
    assert AuditEvent.objects.get(action="import.finish").reason == "sparad: 6 rader, 0 fanns redan"


def test_a_file_with_errors_shows_each_error_and_cannot_be_confirmed(
    world, insats, as_persona, tmp_imports
):
    client = as_persona("petra")
    response = _upload(client, world, csv_bytes([good_row(avslutsdatum="2025-01-31")]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Filen har 1 fel. Inget har sparats." in body
    assert "Avslutsdatum kan inte vara före startdatum 2025-02-03." in body
    assert "<td>avslutsdatum</td>" in body
    assert "Bekräfta och spara" not in body
    assert "stegvis_import" not in client.session
    assert (
        AuditEvent.objects.get(action="import.preview").reason
        == "inte sparad: 1 fel, 0 fanns redan"
    )
    assert not tmp_imports.exists() or list(tmp_imports.iterdir()) == []
    confirm = client.post(_url(world, "provider_import_confirm"))
    assert confirm.status_code == 302
    assert Participant.objects.count() == 0


def test_a_large_upload_is_refused_on_the_page(world, insats, as_persona, tmp_imports):
    client = as_persona("petra")
    response = _upload(client, world, b"x" * (imports.MAX_BYTES + 1))
    assert "Filen är större än 20 MB." in response.content.decode()
    assert "stegvis_import" not in client.session


def test_the_confirmation_rechecks_the_file(world, insats, as_persona, tmp_imports):
    client = as_persona("petra")
    data = csv_bytes([good_row()])
    _upload(client, world, data)
    assert run(world, data).saved  # someone imported the same rows meanwhile
    response = client.post(_url(world, "provider_import_confirm"))
    assert response.status_code == 200
    assert (
        "Personen har redan en inskrivning i insatsen som överlappar" in response.content.decode()
    )
    assert Enrolment.objects.count() == 1


def test_the_template_downloads(world, insats, as_persona):
    response = as_persona("petra").get(_url(world, "provider_import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == imports.XLSX_CONTENT_TYPE
    assert "stegvis-import-mall.xlsx" in response["Content-Disposition"]
    assert run(world, response.content, "mall.xlsx").saved


@pytest.mark.parametrize(
    "name", ["provider_import", "provider_import_confirm", "provider_import_template"]
)
def test_it_checks_role(world, insats, as_persona, name):
    client = as_persona("bob")
    assert client.get(_url(world, name)).status_code == 403
    assert client.post(_url(world, name)).status_code == 403


@pytest.mark.parametrize(
    "name", ["provider_import", "provider_import_confirm", "provider_import_template"]
)
@pytest.mark.parametrize("persona", ["alice", "erin"])
def test_it_checks_owner(world, insats, as_persona, name, persona):
    client = as_persona(persona)
    assert client.get(_url(world, name)).status_code == 404
    assert client.post(_url(world, name)).status_code == 404


def test_a_coach_cannot_upload(world, insats, as_persona, tmp_imports):
    response = _upload(as_persona("bob"), world, csv_bytes([good_row()]))
    assert response.status_code == 403
    assert Participant.objects.count() == 0


# --- Random rows -------------------------------------------------------------------------------

_dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
_near_dates = st.dates(min_value=date(1985, 1, 1), max_value=date(2028, 12, 31))
_date_text = st.one_of(
    _near_dates.map(date.isoformat),
    _near_dates.map(lambda d: d.strftime("%Y%m%d")),
    _dates.map(date.isoformat),
    st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True),
)
_codes = st.sampled_from(
    [
        "",
        "ja",
        "nej",
        "arbete",
        "felregistrering",
        "lon",
        "okand",
        "forvarvsarbete",
        "studier",
        "ovrigt",
        "3_5_ar",
        "gymnasial",
        "kvinna",
        "man",
        "annat",
        "af",
        "fk, af",
        "steg",
        "2309",
        "Östersund",
        "Lön / arbete",
        "JA",
    ]
)
_numbers = st.one_of(
    st.builds(
        pnr,
        _near_dates.map(lambda d: d.strftime("%Y%m%d")),
        st.from_regex(r"[0-9]{3}", fullmatch=True),
    ),
    st.from_regex(r"\d{6,12}[-+]?\d{0,4}", fullmatch=True),
)
_cell = st.one_of(
    st.none(),
    st.text(max_size=30),
    _codes,
    _date_text,
    _dates,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)


def _column_strategy(column: str):
    if column == "personnummer":
        return st.one_of(_numbers, _cell)
    if column.endswith("datum"):
        return st.one_of(_date_text, _dates, _cell)
    if column == "insats":
        return st.one_of(st.just("steg"), _cell)
    return _cell


_random_row = st.fixed_dictionaries({c: _column_strategy(c) for c in COLUMNS})
# A good row with a few cells changed: these get past the first checks and reach the services.
_change = st.sampled_from(COLUMNS).flatmap(lambda c: _column_strategy(c).map(lambda v: (c, v)))
_people = st.sampled_from([ANNA, BERTIL, CECILIA_SAMORDNING, pnr("19700707", "111")])
_changed_row = st.builds(
    lambda person, changes: {**good_row(personnummer=person), **dict(changes)},
    _people,
    st.lists(_change, min_size=1, max_size=3),
)
_good_row = st.builds(lambda person: good_row(personnummer=person), _people)
_open_row = st.builds(lambda person: open_row(personnummer=person), _people)
_row = st.one_of(_random_row, _changed_row, _good_row, _open_row)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(_row, min_size=1, max_size=4), dry_run=st.booleans())
def test_random_rows_give_errors_or_a_result_and_never_raise(world, insats, rows, dry_run):
    before = counts()
    raw = [RawRow(number=i + 2, values=row) for i, row in enumerate(rows)]
    result = run_import(world.p, raw, dry_run=dry_run)
    assert isinstance(result, imports.ImportResult)
    event("saved" if result.saved else "checked" if result.ok else "errors")
    assert all(isinstance(e, RowError) and e.message for e in result.errors)
    if result.errors or dry_run:
        assert counts() == before


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {c: st.one_of(_codes, st.text(max_size=12), _date_text) for c in COLUMNS}
        ),
        max_size=3,
    ),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    noise=st.binary(max_size=64),
    name=st.sampled_from(["x.csv", "x.xlsx", "x.txt", "x.CSV"]),
)
def test_random_files_give_errors_or_a_result_and_never_raise(
    world, insats, rows, delimiter, encoding, noise, name
):
    before = counts()
    try:
        data = csv_bytes(rows, delimiter=delimiter, encoding=encoding)
    except UnicodeEncodeError:
        data = csv_bytes(rows, delimiter=delimiter, encoding="utf-8")
    for data_variant in (data, data + noise, noise):
        result = import_file(world.p, name, data_variant, dry_run=True)
        assert isinstance(result, imports.ImportResult)
    assert counts() == before


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(_row, min_size=1, max_size=3))
def test_random_rows_in_an_xlsx_give_errors_or_a_result_and_never_raise(world, insats, rows):
    before = counts()
    try:
        data = xlsx_bytes([list(COLUMNS), *[[row.get(c) for c in COLUMNS] for row in rows]])
    except (IllegalCharacterError, ValueError, TypeError):
        return  # a value openpyxl cannot write into a workbook at all
    result = import_file(world.p, "x.xlsx", data, dry_run=True)
    assert isinstance(result, imports.ImportResult)
    assert counts() == before
