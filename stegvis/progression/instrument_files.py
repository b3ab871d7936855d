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
