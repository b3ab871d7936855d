"""The compilation as a chart (SVG data URI), an XLSX workbook and a PDF, all from one
:class:`~stegvis.deviations.compilation.Compilation`, so that they always agree with the page."""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import gettext as _

from stegvis.core.charts import svg_data_uri
from stegvis.core.pdf import html_to_pdf
from stegvis.deviations.compilation import Compilation

# Colour-blind-safe palette (Okabe–Ito), repeated if there are more categories.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def month_label(day: Any) -> str:
    return formats.date_format(day, "Y-m")


def chart_data_uri(compilation: Compilation) -> str | None:
    """Stacked bars: reports received per month, by category. None when there is nothing."""
    if not compilation.by_month:
        return None
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(7, 4.5), dpi=100)
    axes = figure.subplots()
    labels = [month_label(m) for m in compilation.months]
    bottom = [0] * len(labels)
    for index, (category, counts) in enumerate(compilation.by_month):
        axes.bar(
            labels,
            counts,
            bottom=bottom,
            label=category,
            color=PALETTE[index % len(PALETTE)],
            edgecolor="white",
            linewidth=0.5,
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_ylabel(_("Antal rapporter"), fontsize=11)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(axis="x", labelrotation=45, labelsize=11)
    axes.tick_params(axis="y", labelsize=11)
    # Below the bars, so that long category names do not squeeze the chart.
    axes.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2, fontsize=11)
    figure.tight_layout()
    return svg_data_uri(figure)


def chart_alt(compilation: Compilation) -> str:
    return _(
        "Stapeldiagram: antal mottagna rapporter per månad och kategori, %(start)s–%(end)s. "
        "Siffrorna finns i tabellen bredvid."
    ) % {"start": compilation.start.isoformat(), "end": compilation.end.isoformat()}


def xlsx_bytes(compilation: Compilation) -> bytes:
    """Two sheets: *Sammanställning* (the counts and time to decision) and *Rapporter* (one row per
    report with its decision). The format is documented in docs/dev/deviations.md."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("Sammanställning")
    bold = Font(bold=True)

    def heading(text: str) -> None:
        summary.append([])
        summary.append([text])
        summary.cell(row=summary.max_row, column=1).font = bold

    summary.append([_("Lex Heller-rapporter"), compilation.association.name])
    summary.append([_("Period från"), compilation.start])
    summary.append([_("Period till"), compilation.end])
    summary.append([_("Antal rapporter"), compilation.total])
    for title, rows in (
        (_("Per kategori"), compilation.by_category),
        (_("Per inblandad organisation"), compilation.by_organisation),
        (_("Per status"), compilation.by_state),
    ):
        heading(title)
        for row in rows:
            summary.append([row.label, row.count])
    heading(_("Tid från rapport till beslut (dagar)"))
    summary.append([_("Rapporter med beslut"), compilation.decided])
    summary.append(
        [
            _("Median"),
            float(compilation.median_days) if compilation.median_days is not None else None,
        ]
    )
    summary.append(
        [
            _("Medelvärde"),
            float(compilation.mean_days) if compilation.mean_days is not None else None,
        ]
    )
    heading(_("Per månad och kategori"))
    summary.append([_("Månad"), *(label for label, _counts in compilation.by_month)])
    for index, month in enumerate(compilation.months):
        summary.append(
            [month_label(month), *(counts[index] for _l, counts in compilation.by_month)]
        )
    for cell in (summary.cell(row=2, column=2), summary.cell(row=3, column=2)):
        cell.number_format = "yyyy-mm-dd"
    summary.column_dimensions["A"].width = 44

    sheet = book.create_sheet(_("Rapporter"))
    sheet.append(
        [
            _("Nummer"),
            _("Inkommen"),
            _("Datum för händelsen"),
            _("Kategori"),
            _("Inblandade organisationer"),
            _("Status"),
            _("Sammanslagen med"),
            _("Beslutad åtgärd"),
            _("Ansvarig organisation"),
            _("Beslutsdatum"),
            _("Dagar till beslut"),
        ]
    )
    for cell in sheet[1]:
        cell.font = bold
    assert compilation.reports is not None
    for report in compilation.reports:
        sheet.append(
            [
                report.number,
                report.received_on,
                report.event_date,
                report.category.name,
                ", ".join(o.name for o in report.organisations.all()),
                report.get_state_display(),
                report.merged_into.number if report.merged_into else None,
                report.action or None,
                report.action_organisation.name if report.action_organisation else None,
                report.decided_on,
                report.days_to_decision,
            ]
        )
    for row in sheet.iter_rows(min_row=2):
        for index in (1, 2, 9):
            row[index].number_format = "yyyy-mm-dd"
    for column, width in zip(
        "ABCDEFGHIJK", (9, 12, 12, 30, 40, 26, 12, 50, 28, 12, 10), strict=True
    ):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_bytes(context: dict[str, Any]) -> bytes:
    """The compilation page's own content, laid out for print by WeasyPrint."""
    html = render_to_string("deviations/compilation_print.html", context)
    return html_to_pdf(html, stylesheets=("css/stegvis.css", "deviations/deviations.css"))
