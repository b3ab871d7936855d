"""The questionnaire file as a workbook (XLSX), for offices that keep questionnaires in Excel.

Three sheets, each with a header row (documented in docs/dev/questionnaire-file.md):

- ``enkät``: rows of ``fält`` and ``värde``: format, key, kind, respondent_group, title_sv,
  title_en, intro_sv, intro_en (other ``title_xx``/``intro_xx`` for more languages);
- ``skalor``: ``skala, value, score, label_sv, label_en, positiv`` — one row per option;
  ``positiv`` is ``ja`` for the values that count as positive;
- ``frågor``: ``del, key, number, scale, text_sv, text_en, kön, platshållare, positiva`` — ``del``
  is ``nationell`` or ``lokal``; ``kön`` and ``platshållare`` are ``ja`` or empty; ``positiva``
  (optional) overrides the scale's positive values, comma-separated.

It is turned into the same structure as the YAML file and checked by the same code; problems are
reported by sheet and row.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from stegvis.surveys.questionnaire_file import FileProblems

YES = {"ja", "j", "x", "yes", "1", "true"}


def _rows(book: Any, name: str) -> list[tuple[int, dict[str, str]]]:
    sheet = next((ws for ws in book.worksheets if ws.title.strip().lower() == name), None)
    if sheet is None:
        raise FileProblems([(name, _("Bladet %(name)s saknas.") % {"name": name})])
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        return []
    header = [str(h or "").strip().lower() for h in rows[0]]
    result = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {
            header[i]: "" if value is None else _text(value)
            for i, value in enumerate(row)
            if i < len(header) and header[i]
        }
        if any(cells.values()):
            result.append((number, cells))
    return result


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _translations(cells: dict[str, str], prefix: str) -> dict[str, str]:
    return {
        key[len(prefix) + 1 :]: value
        for key, value in cells.items()
        if key.startswith(prefix + "_") and value
    }


def read_workbook(content: bytes) -> tuple[dict[str, Any], Callable[[str], str]]:
    """The workbook as the YAML file's structure, and a function that turns a place in that
    structure (``items[2].scale``) into a sheet and row (``frågor, rad 4``)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise FileProblems([(_("filen"), _("Filen går inte att läsa som XLSX."))]) from None
    meta: dict[str, str] = {}
    for _number, cells in _rows(book, "enkät"):
        meta[cells.get("fält", "").lower()] = cells.get("värde", "")
    data: dict[str, Any] = {
        "format": meta.get("format", ""),
        "key": meta.get("key", ""),
        "kind": meta.get("kind", ""),
        "respondent_group": meta.get("respondent_group", ""),
        "title": _translations(meta, "title"),
        "intro": _translations(meta, "intro"),
        "scales": {},
    }
    scale_rows: dict[str, list[int]] = {}
    for number, cells in _rows(book, "skalor"):
        name = cells.get("skala", "")
        scale = data["scales"].setdefault(name, {"options": [], "positive": []})
        option: dict[str, Any] = {
            "value": cells.get("value", ""),
            "label": _translations(cells, "label"),
        }
        if cells.get("score"):
            option["score"] = cells["score"].replace(",", ".")
        scale["options"].append(option)
        if cells.get("positiv", "").lower() in YES:
            scale["positive"].append(option["value"])
        scale_rows.setdefault(name, []).append(number)
    item_rows: dict[str, list[int]] = {"items": [], "local_items": []}
    for number, cells in _rows(book, "frågor"):
        section = "local_items" if cells.get("del", "").lower().startswith("lok") else "items"
        item: dict[str, Any] = {
            "key": cells.get("key", ""),
            "number": cells.get("number", ""),
            "text": _translations(cells, "text"),
            "gender": cells.get("kön", "").lower() in YES,
            "placeholder": cells.get("platshållare", "").lower() in YES,
        }
        if cells.get("scale"):
            item["scale"] = cells["scale"]
        if cells.get("positiva"):
            item["positive"] = [v.strip() for v in cells["positiva"].split(",") if v.strip()]
        data.setdefault(section, []).append(item)
        item_rows[section].append(number)

    def places(where: str) -> str:
        found = re.match(r"^(items|local_items)\[(\d+)\]", where)
        if found and int(found.group(2)) < len(item_rows[found.group(1)]):
            row = item_rows[found.group(1)][int(found.group(2))]
            return _("frågor, rad %(row)s (%(where)s)") % {"row": row, "where": where}
        found = re.match(r"^scales\.([^.]+)\.options\[(\d+)\]", where)
        if found and int(found.group(2)) < len(scale_rows.get(found.group(1), [])):
            row = scale_rows[found.group(1)][int(found.group(2))]
            return _("skalor, rad %(row)s (%(where)s)") % {"row": row, "where": where}
        if where.split(".")[0] in {"format", "key", "kind", "respondent_group", "title", "intro"}:
            return _("enkät (%(where)s)") % {"where": where}
        return where

    return data, places
