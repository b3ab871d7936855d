"""Exports: survey results as XLSX and PDF, the annual delivery and the violence tallies as CSV.

Every figure comes from :mod:`stegvis.surveys.results`; the PDF is the results page's own
template printed by WeasyPrint. The CSV formats are documented in ``docs/dev/surveys.md``.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from stegvis.core.models import Association
from stegvis.surveys.models import Answer, Item, Questionnaire, ViolenceTally
from stegvis.surveys.results import (
    MIN_ANSWERS,
    Results,
    latest_items,
    suppress,
    suppress_total,
    violence_tallies,
)

DELIVERY_COLUMNS = [
    "ar",
    "forbund_orgnr",
    "enkat",
    "respondentgrupp",
    "fraga",
    "svar",
    "antal",
]
VIOLENCE_COLUMNS = ["ar", "forbund_orgnr", "fraga", "svar", "antal"]


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def results_xlsx(results: Results) -> bytes:
    """The results table (and goals) as a workbook; hidden figures are empty cells."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Resultat")[:31]
    sheet.append([results.questionnaire.title, results.year])
    sheet.append(
        [
            _("Antal svar"),
            results.responses if results.shown else f"<{MIN_ANSWERS}",
        ]
    )
    header = [
        _("Fråga"),
        _("Text"),
        _("Antal svar"),
        _("Andel positiva (%)"),
        _("Medelvärde"),
        _("Nationellt (%)"),
        _("Skillnad (procentenheter)"),
        _("Föregående år (%)"),
    ]
    group_labels = [label for _key, label in results.groups]
    header += [f"{label}: {_('andel positiva (%)')}" for label in group_labels]
    sheet.append([])
    sheet.append(header)
    for row in results.items:
        line = [
            row.label,
            row.text,
            row.total.n if row.total.shown else None,
            _number(row.total.share_positive),
            _number(row.total.shown_mean),
            _number(row.reference.share_positive) if row.reference else None,
            _number(row.difference),
            _number(row.previous.share_positive) if row.previous else None,
        ]
        line += [_number(row.groups[key].share_positive) for key, _label in results.groups]
        sheet.append(line)
    if results.goals:
        goals = book.create_sheet(_("Mål")[:31])
        goals.append([_("Mål"), _("Utfall (%)"), _("Målvärde (%)"), _("Uppfyllt")])
        for goal in results.goals:
            met = "" if goal.met is None else (_("Ja") if goal.met else _("Nej"))
            goals.append([goal.text, _number(goal.outcome), _number(goal.target), met])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def delivery_csv(association: Association, year: int) -> str:
    """The annual delivery for the national compilation: for each national questionnaire and
    numbered question, how many gave each answer in ``year`` (and a total row), counts only,
    suppressed as in calculations.md §6. Two aggregate queries."""
    answers = Answer.objects.filter(
        association=association,
        response__answered_on__year=year,
        item__version__questionnaire__kind=Questionnaire.Kind.NATIONAL,
    ).exclude(item__number="")
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in answers.values(
        "item__version__questionnaire__key", "item__number", "value"
    ).annotate(n=Count("id")):
        pair = (row["item__version__questionnaire__key"], row["item__number"])
        counts.setdefault(pair, {})[row["value"]] = row["n"]
    questionnaires = {
        q.key: q
        for q in Questionnaire.objects.filter(
            association=association, key__in={k for k, _n in counts}
        )
    }
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(DELIVERY_COLUMNS)
    for (key, item_number), by_value in sorted(counts.items()):
        questionnaire = questionnaires[key]
        options = _options_of(questionnaire, item_number)
        values = [v for v in options if v in by_value] + sorted(set(by_value) - set(options))
        cells = suppress([by_value[v] for v in values])
        common = [year, association.org_number, key, questionnaire.respondent_group, item_number]
        for value, cell in zip(values, cells, strict=True):
            writer.writerow([*common, value, cell])
        writer.writerow([*common, "totalt", suppress_total([by_value[v] for v in values])])
    return out.getvalue()


def _options_of(questionnaire: Questionnaire, number: str) -> list[str]:
    item = (
        Item.objects.filter(version__questionnaire=questionnaire, number=number)
        .order_by("-version__number")
        .first()
    )
    return [str(o["value"]) for o in item.options] if item else []


def violence_csv(association: Association, year: int) -> str:
    """The year's anonymous violence tallies for the national compilation: per question and
    answer ("" = no answer, written as inget_svar), suppressed as in calculations.md §6."""
    tallies = ViolenceTally.objects.filter(association=association, year=year)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(VIOLENCE_COLUMNS)
    sums: dict[str, dict[str, int]] = {}
    for row in tallies.values("item__key", "value").annotate(n=Sum("count")):
        sums.setdefault(row["item__key"], {})[row["value"]] = row["n"]
    for item in latest_items(tallies, set(sums)):
        values = [str(o["value"]) for o in item.options] + [""]
        counts = [sums[item.key].get(v, 0) for v in values]
        for value, cell in zip(values, suppress(counts), strict=True):
            writer.writerow([year, association.org_number, item.label, value or "inget_svar", cell])
        writer.writerow(
            [
                year,
                association.org_number,
                item.label,
                "totalt",
                suppress_total(counts),
            ]
        )
    return out.getvalue()


__all__ = ["delivery_csv", "results_xlsx", "violence_csv", "violence_tallies"]
