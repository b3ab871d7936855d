"""The instrument file (YAML): parse and validate it into an :class:`InstrumentSpec`.

The format is documented in ``docs/dev/instrument-files.md`` (and for users in
``docs/anvandare/stegforflyttning.md``). Every problem is reported with where it is (the item's
number and key, and the field) and the reason, in Swedish; nothing is saved from a file with
errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils.translation import gettext as _

FORMAT = "stegvis-instrument/1"
KINDS = {"self", "coach", "both"}
AUDIENCES = {"participant", "coach"}
KEY = re.compile(r"^[a-z0-9_-]{1,60}$")
MAX_BYTES = 200_000


@dataclass(frozen=True)
class ItemSpec:
    key: str
    audience: str
    text: str
    area: str
    scale_type: str
    min_value: int
    max_value: int
    min_label: str
    max_label: str
    options: list[dict[str, Any]]
    higher_is_better: bool

    def signature(self) -> dict[str, Any]:
        values = (
            [int(o["value"]) for o in self.options]
            if self.scale_type == "categories"
            else list(range(self.min_value, self.max_value + 1))
        )
        return {
            "type": self.scale_type,
            "min": self.min_value,
            "max": self.max_value,
            "values": values,
            "higher_is_better": self.higher_is_better,
        }


@dataclass(frozen=True)
class InstrumentSpec:
    key: str
    name: str
    description: str
    kind: str
    is_ladder: bool
    items: list[ItemSpec] = field(default_factory=list)


class InstrumentFileError(Exception):
    """The file could not be used; ``problems`` lists every reason, each a Swedish sentence."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value.strip())
    return None


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _item(raw: Any, number: int, kind: str, problems: list[str]) -> ItemSpec | None:
    where = _("Fråga %(n)s") % {"n": number}
    if not isinstance(raw, dict):
        problems.append(
            _("%(where)s: ska vara en uppsättning fält (key, text, scale …).") % {"where": where}
        )
        return None
    key = _text(raw.get("key"))
    if key:
        where = _("Fråga %(n)s (%(key)s)") % {"n": number, "key": key}
    before = len(problems)
    if not KEY.match(key):
        problems.append(
            _("%(where)s, key: ange en nyckel med små bokstäver a–z, siffror, - eller _.")
            % {"where": where}
        )
    text = _text(raw.get("text"))
    if not text:
        problems.append(_("%(where)s, text: frågan saknar text.") % {"where": where})
    default_audience = {"self": "participant", "coach": "coach"}.get(kind, "")
    audience = _text(raw.get("audience")) or default_audience
    if audience not in AUDIENCES:
        problems.append(
            _("%(where)s, audience: ange participant (deltagaren) eller coach.") % {"where": where}
        )
    higher = raw.get("higher_is_better", True)
    if not isinstance(higher, bool):
        problems.append(_("%(where)s, higher_is_better: ange true eller false.") % {"where": where})
        higher = True
    scale = raw.get("scale")
    scale_type, low, high = "numeric", 0, 0
    options: list[dict[str, Any]] = []
    min_label = max_label = ""
    if not isinstance(scale, dict):
        problems.append(_("%(where)s, scale: skalan saknas.") % {"where": where})
    else:
        scale_type = _text(scale.get("type")) or "numeric"
        if scale_type == "numeric":
            lo, hi = _int(scale.get("min")), _int(scale.get("max"))
            if lo is None or hi is None or lo >= hi:
                problems.append(
                    _("%(where)s, scale: ange heltalen min och max, med min mindre än max.")
                    % {"where": where}
                )
            elif hi - lo > 1000:
                problems.append(
                    _("%(where)s, scale: skalan får ha högst 1 001 steg.") % {"where": where}
                )
            else:
                low, high = lo, hi
            min_label = _text(scale.get("min_label"))
            max_label = _text(scale.get("max_label"))
        elif scale_type == "categories":
            raw_options = scale.get("options")
            if not isinstance(raw_options, list) or len(raw_options) < 2:
                problems.append(
                    _("%(where)s, scale.options: ange minst två svarsalternativ.")
                    % {"where": where}
                )
            else:
                previous: int | None = None
                for index, option in enumerate(raw_options, start=1):
                    value = _int(option.get("value")) if isinstance(option, dict) else None
                    label = _text(option.get("label")) if isinstance(option, dict) else ""
                    if value is None or not label:
                        problems.append(
                            _(
                                "%(where)s, scale.options %(i)s: ange value (ett heltal) och "
                                "label (text)."
                            )
                            % {"where": where, "i": index}
                        )
                        continue
                    if previous is not None and value <= previous:
                        problems.append(
                            _(
                                "%(where)s, scale.options %(i)s: värdena ska öka uppifrån och "
                                "ned (lägst först)."
                            )
                            % {"where": where, "i": index}
                        )
                    previous = value
                    options.append({"value": value, "label": label})
                if options and len(options) == len(raw_options):
                    low, high = int(options[0]["value"]), int(options[-1]["value"])
        else:
            problems.append(
                _("%(where)s, scale.type: ange numeric eller categories.") % {"where": where}
            )
    if len(problems) > before:
        return None
    return ItemSpec(
        key=key,
        audience=audience,
        text=text,
        area=_text(raw.get("area")),
        scale_type=scale_type,
        min_value=low,
        max_value=high,
        min_label=min_label,
        max_label=max_label,
        options=options,
        higher_is_better=higher,
    )


def parse(data: Any) -> InstrumentSpec:
    """Validate an instrument already read from YAML. Raises InstrumentFileError."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise InstrumentFileError(
            [_("Filen ska innehålla ett instrument (fält som key och items).")]
        )
    if data.get("format") != FORMAT:
        problems.append(_("format: första raden ska vara format: %(format)s.") % {"format": FORMAT})
    key = _text(data.get("key"))
    if not KEY.match(key):
        problems.append(_("key: ange en nyckel med små bokstäver a–z, siffror, - eller _."))
    name = _text(data.get("name"))
    if not name:
        problems.append(_("name: instrumentet saknar namn."))
    kind = _text(data.get("kind"))
    if kind not in KINDS:
        problems.append(_("kind: ange self (självskattning), coach eller both."))
    is_ladder = data.get("ladder", False)
    if not isinstance(is_ladder, bool):
        problems.append(_("ladder: ange true eller false."))
        is_ladder = False
    raw_items = data.get("items")
    items: list[ItemSpec] = []
    if not isinstance(raw_items, list) or not raw_items:
        problems.append(_("items: instrumentet behöver minst en fråga."))
    else:
        seen: set[str] = set()
        for number, raw in enumerate(raw_items, start=1):
            spec = _item(raw, number, kind, problems)
            if spec is None:
                continue
            if spec.key in seen:
                problems.append(
                    _("Fråga %(n)s (%(key)s), key: nyckeln finns redan i instrumentet.")
                    % {"n": number, "key": spec.key}
                )
            seen.add(spec.key)
            items.append(spec)
        audiences = {i.audience for i in items}
        if kind == "self" and audiences - {"participant"}:
            problems.append(_("kind self: alla frågor ska besvaras av deltagaren."))
        if kind == "coach" and audiences - {"coach"}:
            problems.append(_("kind coach: alla frågor ska besvaras av coachen."))
        if kind == "both" and items and audiences != AUDIENCES and len(items) == len(raw_items):
            problems.append(_("kind both: ange frågor både för deltagaren och för coachen."))
        if is_ladder and (len(raw_items) != 1 or any(i.scale_type != "categories" for i in items)):
            problems.append(
                _("ladder: en trappa har exakt en fråga med ordnade svarsalternativ (stegen).")
            )
    if problems:
        raise InstrumentFileError(problems)
    return InstrumentSpec(
        key=key,
        name=name,
        description=_text(data.get("description")),
        kind=kind,
        is_ladder=bool(is_ladder),
        items=items,
    )


def read_yaml(content: bytes | str) -> InstrumentSpec:
    """Parse an uploaded or shipped YAML file."""
    if isinstance(content, bytes):
        if len(content) > MAX_BYTES:
            raise InstrumentFileError([_("Filen är för stor (högst 200 kB).")])
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InstrumentFileError([_("Filen ska vara sparad som UTF-8-text.")]) from None
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = _("rad %(line)s: ") % {"line": mark.line + 1} if mark is not None else ""
        raise InstrumentFileError(
            [where + _("filen går inte att läsa som YAML. Kontrollera indrag och kolon.")]
        ) from None
    return parse(data)


def to_yaml(spec: InstrumentSpec) -> str:
    """The file for a spec: what a manager downloads, edits and uploads again."""
    items = []
    for item in spec.items:
        scale: dict[str, Any] = {"type": item.scale_type}
        if item.scale_type == "categories":
            scale["options"] = item.options
        else:
            scale.update(min=item.min_value, max=item.max_value)
            if item.min_label:
                scale["min_label"] = item.min_label
            if item.max_label:
                scale["max_label"] = item.max_label
        row: dict[str, Any] = {"key": item.key, "audience": item.audience}
        if item.area:
            row["area"] = item.area
        row["text"] = item.text
        row["scale"] = scale
        if not item.higher_is_better:
            row["higher_is_better"] = False
        items.append(row)
    data: dict[str, Any] = {
        "format": FORMAT,
        "key": spec.key,
        "name": spec.name,
        "kind": spec.kind,
    }
    if spec.description:
        data["description"] = spec.description
    if spec.is_ladder:
        data["ladder"] = True
    data["items"] = items
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


# --- XLSX ----------------------------------------------------------------------------------
#
# Two sheets. "instrument": one field per row, name in column A and value in column B (format,
# key, name, description, kind, ladder). "frågor": a header row, then one question per row, with
# the columns of ITEM_COLUMNS; ordered categories go in "alternativ" as "1=Sämre; 2=Lika; 3=Bättre".

INSTRUMENT_SHEET = "instrument"
ITEMS_SHEET = "frågor"
ITEM_COLUMNS = [
    "key",
    "audience",
    "area",
    "text",
    "scale",
    "min",
    "max",
    "min_label",
    "max_label",
    "alternativ",
    "higher_is_better",
]


def _bool_cell(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in {"true", "ja", "sant", "1"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"false", "nej", "falskt", "0", ""}:
        return False
    if value is None:
        return None
    return value


def _options_cell(value: Any, row: int, problems: list[str]) -> list[dict[str, Any]]:
    options = []
    for part in str(value or "").split(";"):
        if not part.strip():
            continue
        number, sep, label = part.partition("=")
        if not sep:
            problems.append(
                _("Blad frågor, rad %(row)s, kolumn alternativ: skriv som 1=Sämre; 2=Bättre.")
                % {"row": row}
            )
            return []
        options.append({"value": number.strip(), "label": label.strip()})
    return options


def read_xlsx(content: bytes) -> InstrumentSpec:
    """Parse an uploaded XLSX instrument file (the same fields as the YAML format)."""
    import io

    from openpyxl import load_workbook

    if len(content) > MAX_BYTES * 5:
        raise InstrumentFileError([_("Filen är för stor (högst 1 MB).")])
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise InstrumentFileError([_("Filen går inte att läsa som en XLSX-arbetsbok.")]) from None
    problems: list[str] = []
    for sheet in (INSTRUMENT_SHEET, ITEMS_SHEET):
        if sheet not in book.sheetnames:
            problems.append(_("Bladet %(sheet)s saknas.") % {"sheet": sheet})
    if problems:
        raise InstrumentFileError(problems)
    data: dict[str, Any] = {}
    for row in book[INSTRUMENT_SHEET].iter_rows(values_only=True):
        if row and row[0] is not None:
            data[str(row[0]).strip()] = row[1] if len(row) > 1 else None
    data["ladder"] = _bool_cell(data.get("ladder")) or False
    rows = list(book[ITEMS_SHEET].iter_rows(values_only=True))
    header = [str(c).strip() if c is not None else "" for c in (rows[0] if rows else [])]
    missing = [c for c in ("key", "text") if c not in header]
    if missing:
        raise InstrumentFileError(
            [
                _("Blad frågor, rad 1: kolumnerna %(columns)s saknas.")
                % {"columns": ", ".join(missing)}
            ]
        )
    items = []
    for number, row in enumerate(rows[1:], start=2):
        cells = dict(zip(header, row, strict=False))
        if not any(v not in (None, "") for v in cells.values()):
            continue
        scale: dict[str, Any] = {"type": cells.get("scale") or "numeric"}
        if scale["type"] == "categories":
            scale["options"] = _options_cell(cells.get("alternativ"), number, problems)
        else:
            scale.update(
                min=cells.get("min"),
                max=cells.get("max"),
                min_label=cells.get("min_label"),
                max_label=cells.get("max_label"),
            )
        item: dict[str, Any] = {k: cells.get(k) for k in ("key", "audience", "area", "text")}
        item["scale"] = scale
        better = _bool_cell(cells.get("higher_is_better"))
        item["higher_is_better"] = True if better is None else better
        items.append(item)
    data["items"] = items
    if problems:
        raise InstrumentFileError(problems)
    return parse(data)


def to_xlsx(spec: InstrumentSpec) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = INSTRUMENT_SHEET
    for name, value in (
        ("format", FORMAT),
        ("key", spec.key),
        ("name", spec.name),
        ("description", spec.description),
        ("kind", spec.kind),
        ("ladder", "true" if spec.is_ladder else "false"),
    ):
        sheet.append([name, value])
    items = book.create_sheet(ITEMS_SHEET)
    items.append(ITEM_COLUMNS)
    for item in spec.items:
        options = "; ".join(f"{o['value']}={o['label']}" for o in item.options)
        numeric = item.scale_type == "numeric"
        items.append(
            [
                item.key,
                item.audience,
                item.area,
                item.text,
                item.scale_type,
                item.min_value if numeric else None,
                item.max_value if numeric else None,
                item.min_label,
                item.max_label,
                options,
                "true" if item.higher_is_better else "false",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_file(name: str, content: bytes) -> InstrumentSpec:
    """An uploaded instrument file, YAML or XLSX by its name."""
    if name.lower().endswith(".xlsx"):
        return read_xlsx(content)
    return read_yaml(content)
