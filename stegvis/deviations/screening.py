"""Refuse text that looks like personal data: a report describes a situation, never a person.

Three kinds are recognised:

- a **personnummer or samordningsnummer**: 10 or 12 digits (with or without ``-``/``+`` or a space
  before the last four) that :func:`stegvis.participants.identity.parse_national_id` accepts, i.e.
  a real date (day + 60 for a samordningsnummer) and a correct Luhn check digit;
- a **Swedish phone number**: ``0``, ``+46`` or ``0046`` followed by 7–9 digits, which may be
  grouped by spaces or hyphens (``070-123 45 67``, ``08-123 456 78``, ``+46 70 123 45 67``);
- an **e-mail address**: ``något@domän.se``.

Dates (``2026-03-05``), years, amounts and counts do not match: they do not start with ``0``/``+46``
and have no valid check digit.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from stegvis.participants.identity import parse_national_id

_NATIONAL_ID = re.compile(r"(?<![\d+])(\d{6}|\d{8})([-+ ]?)(\d{4})(?!\d)")
_PHONE = re.compile(r"(?<![\w+])(\+46|0046|0)[ \-]?\(?0?\)?[ \-]?(\d(?:[ \-]?\d){6,8})(?![\d])")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def has_national_id(text: str, today: date | None = None) -> bool:
    day = today or timezone.localdate()
    for head, sign, tail in _NATIONAL_ID.findall(text or ""):
        candidate = f"{head}{'-' if sign == ' ' else sign}{tail}"
        try:
            parse_national_id(candidate, today=day)
        except ValidationError:
            continue
        return True
    return False


def has_phone_number(text: str) -> bool:
    for _prefix, rest in _PHONE.findall(text or ""):
        digits = re.sub(r"\D", "", rest)
        if 7 <= len(digits) <= 9 and digits[0] != "0":
            return True
    return False


def has_email(text: str) -> bool:
    return _EMAIL.search(text or "") is not None


def problems(label: str, text: str, today: date | None = None) -> list[str]:
    """Swedish messages, naming the field, for each kind of personal data found in ``text``."""
    found = []
    if has_national_id(text, today):
        found.append(
            _(
                "”%(field)s” innehåller något som ser ut som ett personnummer eller "
                "samordningsnummer. Ta bort det: en rapport beskriver en situation, aldrig en "
                "person."
            )
            % {"field": label}
        )
    if has_phone_number(text):
        found.append(
            _(
                "”%(field)s” innehåller något som ser ut som ett telefonnummer. Ta bort det: "
                "ingen ska kunna identifieras i en rapport."
            )
            % {"field": label}
        )
    if has_email(text):
        found.append(
            _(
                "”%(field)s” innehåller en e-postadress. Ta bort den: ingen ska kunna "
                "identifieras i en rapport."
            )
            % {"field": label}
        )
    return found


def check(fields: dict[str, tuple[str, str]], today: date | None = None) -> None:
    """Raise one ValidationError with every problem, by field: ``{name: (label, text)}``."""
    errors = {
        name: found
        for name, (label, text) in fields.items()
        if (found := problems(label, text, today))
    }
    if errors:
        raise ValidationError(errors)
