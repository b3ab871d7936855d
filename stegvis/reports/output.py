"""A :class:`Report` as a file: JSON, CSV, XLSX or PDF (the PDF from the same section template
as the web page), and as a download response."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify

from stegvis.core.pdf import html_to_pdf

from .base import Report, to_json
from .tables import Table, to_csv, to_xlsx

CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def pdf(report: Report, request: HttpRequest | None = None) -> bytes:
    html = render_to_string("reports/print.html", {"report": report}, request=request)
    return html_to_pdf(html)


def render(
    report: Report,
    fmt: str,
    *,
    tables: list[Table] | None = None,
    request: HttpRequest | None = None,
) -> bytes:
    """The report (or only ``tables`` of it, for CSV and XLSX) in ``fmt``."""
    chosen = report.tables() if tables is None else tables
    if fmt == "csv":
        return to_csv(chosen)
    if fmt == "xlsx":
        return to_xlsx(chosen)
    if fmt == "pdf":
        return pdf(report, request)
    if fmt == "json":
        return to_json(report)
    raise ValueError(fmt)


def filename(report: Report, fmt: str, table: Table | None = None) -> str:
    parts = [report.kind, report.owner_key[:40], report.range.label]
    if table is not None:
        parts.append(table.key)
    return slugify("-".join(parts)) + f".{fmt}"


def download(
    request: HttpRequest, report: Report, fmt: str, table: Table | None = None
) -> HttpResponse:
    content = render(report, fmt, tables=[table] if table else None, request=request)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename(report, fmt, table)}"'
    return response
