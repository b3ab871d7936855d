"""The annual or interim report as a document: its period, its versions of the office's texts
(every write here), and one context for the web page, the PDF and the XLSX, so that all three show
the same figures.

A report is one per association, kind and period. The office's texts live in versions: saving
edits the newest version while it is a draft; once a version is final it is locked, and the next
save makes a new version. The board (and the preparatory group and the auditor) read the newest
final version's texts with the figures suppressed; the office reads exact figures.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.models import Association, Role
from stegvis.core.pdf import html_to_pdf
from stegvis.reports.document_models import AnnualReport, ReportVersion
from stegvis.reports.document_sections import SECTION_KEYS, build_sections, has_data
from stegvis.reports.tables import Table, Value, to_xlsx

READ_ROLES = frozenset({Role.OFFICE, Role.BOARD, Role.PREPARATORY, Role.AUDITOR})
WRITE_ROLES = frozenset({Role.OFFICE})
END_MONTHS = (4, 6, 8, 12)
MAX_TEXT = 20_000
STYLESHEET = "reports/document_print.css"


def can_view_document(actor: Actor) -> bool:
    return actor.role in READ_ROLES and actor.association is not None


def can_edit_document(actor: Actor) -> bool:
    return actor.role in WRITE_ROLES and actor.association is not None


def sees_exact(actor: Actor) -> bool:
    """Only the office sees exact figures; every other reader sees the published version."""
    return actor.role == Role.OFFICE


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def kind(self) -> str:
        full = self.start == date(self.start.year, 1, 1) and self.end == date(
            self.start.year, 12, 31
        )
        return AnnualReport.Kind.ANNUAL if full else AnnualReport.Kind.INTERIM

    @property
    def end_month(self) -> int:
        return self.end.month


def period(year: Any, end_month: Any = 12) -> Period:
    """January 1 to the end of ``end_month`` (4, 6, 8 or 12) of ``year``; a ValidationError with
    a Swedish message for anything else."""
    try:
        y, m = int(year), int(end_month)
    except (TypeError, ValueError):
        raise ValidationError(_("Ange år och period med siffror, t.ex. 2026 och 12.")) from None
    if not 2000 <= y <= 2100:
        raise ValidationError(_("Året måste vara mellan 2000 och 2100."))
    if m not in END_MONTHS:
        raise ValidationError(
            _("Perioden kan sluta i april, juni, augusti eller december (4, 6, 8 eller 12).")
        )
    return Period(date(y, 1, 1), date(y, m, monthrange(y, m)[1]))


def find_report(association: Association, p: Period) -> AnnualReport | None:
    return AnnualReport.objects.filter(
        association=association, kind=p.kind, start=p.start, end=p.end
    ).first()


def versions(report: AnnualReport | None) -> list[ReportVersion]:
    if report is None:
        return []
    return list(report.versions.select_related("created_by", "finalised_by").order_by("-number"))


def version_for(
    association: Association, p: Period, *, exact: bool, number: int | None = None
) -> ReportVersion | None:
    """The version a reader sees: the office any version (default the newest), others only the
    newest final one."""
    report = find_report(association, p)
    if report is None:
        return None
    rows = report.versions.select_related("created_by", "finalised_by").order_by("-number")
    if not exact:
        rows = rows.filter(final=True)
    if number is not None:
        rows = rows.filter(number=number)
    return rows.first()


def _require_office(actor: Actor, association: Association) -> None:
    if not can_edit_document(actor) or actor.association != association:
        raise PermissionDenied


def clean_texts(raw: dict[str, Any]) -> dict[str, str]:
    texts = {}
    for key in SECTION_KEYS:
        value = str(raw.get(key, "") or "").replace("\r\n", "\n").strip()
        if len(value) > MAX_TEXT:
            raise ValidationError(
                {
                    key: _("Texten får vara högst %(n)s tecken.")
                    % {"n": f"{MAX_TEXT:_}".replace("_", " ")}
                }
            )
        texts[key] = value
    return texts


@transaction.atomic
def save_texts(
    actor: Actor, association: Association, p: Period, raw: dict[str, Any]
) -> ReportVersion:
    """Save the office's section texts: into the newest version while it is a draft, else into
    a new version (the first, or the one after a final version)."""
    _require_office(actor, association)
    texts = clean_texts(raw)
    report, _created = AnnualReport.objects.get_or_create(
        association=association, kind=p.kind, start=p.start, end=p.end
    )
    latest = report.versions.select_for_update().order_by("-number").first()
    now = timezone.now()
    if latest is not None and not latest.final:
        latest.texts = texts
        latest.saved_at = now
        latest.save(update_fields=["texts", "saved_at"])
        audit.record("reports.document.save", actor=actor, obj=latest)
        return latest
    number = (report.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ReportVersion.objects.create(
        association=association,
        report=report,
        number=number,
        texts=texts,
        created_by=actor.user,
        created_at=now,
        saved_at=now,
    )
    audit.record("reports.document.version", actor=actor, obj=version)
    return version


@transaction.atomic
def finalise(actor: Actor, association: Association, p: Period) -> ReportVersion:
    """Mark the newest version final; from then on it is locked."""
    _require_office(actor, association)
    report = find_report(association, p)
    latest = report.versions.select_for_update().order_by("-number").first() if report else None
    if latest is None:
        raise ValidationError(_("Skriv och spara texterna innan du fastställer en version."))
    if latest.final:
        raise ValidationError(_("Version %(n)s är redan fastställd.") % {"n": latest.number})
    latest.final = True
    latest.finalised_by = actor.user
    latest.finalised_at = timezone.now()
    latest.save(update_fields=["final", "finalised_by", "finalised_at"])
    audit.record("reports.document.finalise", actor=actor, obj=latest)
    return latest


# --- What the page, the PDF and the XLSX show --------------------------------------------------


def cell(value: Value) -> str:
    """A table value as the page and the PDF print it: 1 234, 43,3; "–" for nothing."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    if isinstance(value, int):
        return str(number_format(value, 0, use_l10n=True, force_grouping=True))
    if isinstance(value, Decimal):
        return str(number_format(value, 1, use_l10n=True, force_grouping=True))
    return str(value)


@dataclass(frozen=True)
class ShownTable:
    table: Table
    rows: list[tuple[str, list[str]]]


def shown(table: Table) -> ShownTable:
    return ShownTable(table, [(label, [cell(v) for v in values]) for label, values in table.rows])


def context(
    association: Association,
    p: Period,
    *,
    publish: bool,
    version: ReportVersion | None,
) -> dict[str, Any]:
    sections = build_sections(association, p.start, p.end, publish=publish)
    texts = version.texts if version is not None else {}
    return {
        "association": association,
        "period": p,
        "kind_label": AnnualReport.Kind(p.kind).label,
        "publish": publish,
        "version": version,
        "has_data": has_data(sections),
        "sections": [
            {
                "section": s,
                "number": i,
                "text": texts.get(s.key, ""),
                "tables": [shown(t) for t in s.tables],
            }
            for i, s in enumerate(sections, start=1)
        ],
        "generated_on": timezone.localdate(),
    }


def _texts_version(association: Association, p: Period, *, publish: bool) -> ReportVersion | None:
    return version_for(association, p, exact=not publish)


def annual_pdf(
    association: Association,
    start: date,
    end: date,
    *,
    publish: bool,
    version: ReportVersion | None = None,
) -> bytes:
    """The report as a PDF: cover, contents, sections with charts and tables, page numbers.
    Without ``version``: the newest final version's texts when published, else the newest."""
    p = Period(start, end)
    chosen = version or _texts_version(association, p, publish=publish)
    html = render_to_string(
        "reports/document/print.html", context(association, p, publish=publish, version=chosen)
    )
    return html_to_pdf(html, stylesheets=(STYLESHEET,))


def annual_xlsx(association: Association, start: date, end: date, *, publish: bool) -> bytes:
    """One sheet per table of the report (the office's texts are in the PDF and on the page)."""
    sections = build_sections(association, start, end, publish=publish, charts=False)
    tables = [t for s in sections for t in s.tables]
    return to_xlsx(tables)


def has_text(version: ReportVersion | None) -> bool:
    return version is not None and any(version.texts.get(k) for k in SECTION_KEYS)
