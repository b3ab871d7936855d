"""The questionnaire file (YAML): read, check and normalise it. Documented in
``docs/dev/questionnaire-file.md``; the shipped samples are in ``stegvis/surveys/data/``.

:func:`parse` turns a file into a :class:`QuestionnaireSpec` or raises ``FileProblems`` listing
every problem at once, each with the place in the file (``items[3].scale``) and a Swedish reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.utils.translation import gettext as _

from stegvis.core.codes import Gender
from stegvis.surveys.models import Questionnaire, RespondentGroup

FORMAT = "stegvis-enkat/1"
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
MAX_BYTES = 512 * 1024


class FileProblems(Exception):
    """Every problem found in a file: ``problems`` is a list of (place, reason)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{where}: {what}" for where, what in problems))
        self.problems = problems


@dataclass
class ItemSpec:
    key: str
    number: str
    part: str
    texts: dict[str, str]
    options: list[dict[str, Any]]
    positive: list[str]
    is_gender: bool = False
    placeholder: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "number": self.number,
            "part": self.part,
            "texts": self.texts,
            "options": self.options,
            "positive": self.positive,
            "is_gender": self.is_gender,
            "placeholder": self.placeholder,
        }


@dataclass
class QuestionnaireSpec:
    key: str
    kind: str
    respondent_group: str
    titles: dict[str, str]
    intro: dict[str, str]
    items: list[ItemSpec] = field(default_factory=list)
    has_local_part: bool = False

    def content_hash(self) -> str:
        content = {
            "kind": self.kind,
            "respondent_group": self.respondent_group,
            "titles": self.titles,
            "intro": self.intro,
            "items": [i.as_dict() for i in self.items],
        }
        return hashlib.sha256(
            json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()


class _Reader:
    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def problem(self, where: str, what: str) -> None:
        self.problems.append((where, what))

    def texts(self, raw: Any, where: str, *, required: bool = True) -> dict[str, str]:
        """``{sv: …, en: …}``, or a plain string (Swedish only)."""
        if raw is None or raw == "":
            if required:
                self.problem(where, _("Texten saknas (minst på svenska, sv)."))
            return {}
        if isinstance(raw, str):
            raw = {"sv": raw}
        if not isinstance(raw, dict):
            self.problem(where, _("Ska vara en text eller översättningar som sv: …, en: …."))
            return {}
        result: dict[str, str] = {}
        for language, text in raw.items():
            if not isinstance(language, str) or not LANGUAGE.match(language):
                self.problem(where, _("Okänd språkkod %(code)s.") % {"code": language})
                continue
            if not isinstance(text, str) or not text.strip():
                self.problem(f"{where}.{language}", _("Texten är tom."))
                continue
            result[language] = text.strip()
        if required and "sv" not in result:
            self.problem(where, _("Svensk text (sv) saknas."))
        return result

    def options(self, raw: Any, where: str) -> list[dict[str, Any]]:
        if not isinstance(raw, list) or not raw:
            self.problem(where, _("Ange minst ett svarsalternativ."))
            return []
        result: list[dict[str, Any]] = []
        seen: set[str] = set()
        for index, option in enumerate(raw):
            here = f"{where}[{index}]"
            if not isinstance(option, dict):
                self.problem(here, _("Ett svarsalternativ ska ha value och label."))
                continue
            value = str(option.get("value", "")).strip()
            if not value or len(value) > 20:
                self.problem(f"{here}.value", _("Värdet ska vara 1–20 tecken."))
                continue
            if value in seen:
                self.problem(
                    f"{here}.value", _("Värdet %(value)s finns två gånger.") % {"value": value}
                )
                continue
            seen.add(value)
            score: str | None = None
            if option.get("score") is not None:
                try:
                    score = str(Decimal(str(option["score"])))
                except InvalidOperation:
                    self.problem(f"{here}.score", _("Poängen ska vara ett tal."))
            result.append(
                {
                    "value": value,
                    "label": self.texts(option.get("label"), f"{here}.label"),
                    "score": score,
                }
            )
        return result

    def positive(self, raw: Any, options: list[dict[str, Any]], where: str) -> list[str]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(where, _("Ska vara en lista med svarsvärden."))
            return []
        values = {o["value"] for o in options}
        result = [str(v) for v in raw]
        for value in result:
            if value not in values:
                self.problem(
                    where, _("%(value)s är inget av frågans svarsvärden.") % {"value": value}
                )
        return result


def parse(content: bytes | str, *, source: str = "") -> QuestionnaireSpec:
    """Read a questionnaire file (YAML, or XLSX when ``source`` ends in .xlsx); raise
    FileProblems with every problem found."""
    if isinstance(content, bytes) and len(content) > MAX_BYTES:
        raise FileProblems([(source or _("filen"), _("Filen är större än 512 kB."))])
    if source.lower().endswith(".xlsx") and isinstance(content, bytes):
        from stegvis.surveys.questionnaire_xlsx import read_workbook

        data, places = read_workbook(content)
        try:
            return parse_data(data)
        except FileProblems as error:
            raise FileProblems([(places(where), what) for where, what in error.problems]) from None
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            raise FileProblems(
                [(source or _("filen"), _("Filen är inte sparad som UTF-8-text."))]
            ) from None
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = _("rad %(line)s") % {"line": mark.line + 1} if mark else (source or _("filen"))
        raise FileProblems([(where, _("Filen är inte giltig YAML."))]) from None
    if not isinstance(data, dict):
        raise FileProblems(
            [
                (
                    source or _("filen"),
                    _("Filen ska börja med format: %(format)s.") % {"format": FORMAT},
                )
            ]
        )
    return parse_data(data)


def parse_data(data: dict[str, Any]) -> QuestionnaireSpec:
    """Check and normalise a questionnaire already read into a dict (from YAML or XLSX)."""
    reader = _Reader()
    if data.get("format") != FORMAT:
        reader.problem("format", _("Ska vara %(format)s.") % {"format": FORMAT})
    key = str(data.get("key", ""))
    if not KEY.match(key):
        reader.problem("key", _("Nyckeln ska vara 1–40 små bokstäver, siffror, - eller _."))
    kind = data.get("kind")
    if kind not in Questionnaire.Kind.values:
        reader.problem("kind", _("Ska vara national, own eller violence."))
    group = data.get("respondent_group")
    if group not in RespondentGroup.values:
        reader.problem(
            "respondent_group",
            _("Okänd respondentgrupp. Möjliga: %(groups)s.")
            % {"groups": ", ".join(RespondentGroup.values)},
        )
    titles = reader.texts(data.get("title"), "title")
    intro = reader.texts(data.get("intro"), "intro", required=False)
    scales = _scales(reader, data.get("scales") or {})
    items: list[ItemSpec] = []
    keys: set[str] = set()
    numbers: set[str] = set()
    for part, section in (("national", "items"), ("local", "local_items")):
        raw_items = data.get(section) or []
        if not isinstance(raw_items, list):
            reader.problem(section, _("Ska vara en lista med frågor."))
            continue
        for index, raw in enumerate(raw_items):
            item = _item(reader, raw, f"{section}[{index}]", part, kind, scales)
            if item is None:
                continue
            if item.key in keys:
                reader.problem(
                    f"{section}[{index}].key",
                    _("Nyckeln %(key)s finns två gånger.") % {"key": item.key},
                )
                continue
            if item.number and item.number in numbers:
                reader.problem(
                    f"{section}[{index}].number",
                    _("Frågenummer %(number)s finns två gånger.") % {"number": item.number},
                )
            keys.add(item.key)
            if item.number:
                numbers.add(item.number)
            items.append(item)
    if not items:
        reader.problem("items", _("Enkäten har inga frågor."))
    if sum(1 for i in items if i.is_gender) > 1:
        reader.problem("items", _("Bara en fråga kan vara frågan om kön."))
    if reader.problems:
        raise FileProblems(reader.problems)
    return QuestionnaireSpec(
        key=key,
        kind=str(kind),
        respondent_group=str(group),
        titles=titles,
        intro=intro,
        items=items,
        has_local_part="local_items" in data,
    )


def _scales(reader: _Reader, raw: Any) -> dict[str, tuple[list[dict[str, Any]], list[str]]]:
    if not isinstance(raw, dict):
        reader.problem("scales", _("Ska vara namngivna skalor."))
        return {}
    scales = {}
    for name, scale in raw.items():
        where = f"scales.{name}"
        if not isinstance(scale, dict):
            reader.problem(where, _("En skala ska ha options och positive."))
            continue
        options = reader.options(scale.get("options"), f"{where}.options")
        scales[str(name)] = (
            options,
            reader.positive(scale.get("positive"), options, f"{where}.positive"),
        )
    return scales


def _item(
    reader: _Reader,
    raw: Any,
    where: str,
    part: str,
    kind: Any,
    scales: dict[str, tuple[list[dict[str, Any]], list[str]]],
) -> ItemSpec | None:
    if not isinstance(raw, dict):
        reader.problem(where, _("En fråga ska ha key, text och scale eller options."))
        return None
    key = str(raw.get("key", ""))
    if not KEY.match(key):
        reader.problem(
            f"{where}.key", _("Nyckeln ska vara 1–40 små bokstäver, siffror, - eller _.")
        )
        return None
    number = str(raw.get("number") or "").strip()
    is_gender = bool(raw.get("gender", False))
    placeholder = bool(raw.get("placeholder", False))
    if len(number) > 10:
        reader.problem(f"{where}.number", _("Frågenumret får vara högst 10 tecken."))
    if part == "local" and number:
        reader.problem(
            f"{where}.number",
            _("Lokala frågor har inget nationellt frågenummer: ta bort number."),
        )
    if part == "national" and kind == "national" and not number and not is_gender:
        reader.problem(f"{where}.number", _("Frågor i en nationell enkät ska ha sitt frågenummer."))
    texts = reader.texts(raw.get("text"), f"{where}.text")
    if "scale" in raw:
        scale = scales.get(str(raw["scale"]))
        if scale is None:
            reader.problem(f"{where}.scale", _("Okänd skala %(scale)s.") % {"scale": raw["scale"]})
            return None
        options, positive = scale
    else:
        options = reader.options(raw.get("options"), f"{where}.options")
        positive = []
    if "positive" in raw:
        positive = reader.positive(raw.get("positive"), options, f"{where}.positive")
    if is_gender:
        allowed = set(Gender.values)
        wrong = [o["value"] for o in options if o["value"] not in allowed]
        if wrong:
            reader.problem(
                f"{where}.options",
                _("Frågan om kön har bara värdena kvinna, man och annat, inte %(values)s.")
                % {"values": ", ".join(wrong)},
            )
    return ItemSpec(
        key=key,
        number=number,
        part=part,
        texts=texts,
        options=options,
        positive=positive,
        is_gender=is_gender,
        placeholder=placeholder,
    )
