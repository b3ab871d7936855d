"""Swedish personnummer and samordningsnummer: parsing, validation, derived birth date and gender.

Accepted forms: 10 or 12 digits, with or without the separator; ``-`` before the last four digits
means under 100 years old, ``+`` means 100 or older (10-digit form only). A samordningsnummer has
60 added to the day. The check digit is the Luhn digit of the last ten digits (python-stdnum).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError

from stegvis.core.codes import Gender

_FORM = re.compile(r"^(\d{6}|\d{8})([-+]?)(\d{4})$")


@dataclass(frozen=True)
class NationalId:
    canonical: str  # YYYYMMDD-NNNN, stored encrypted and hashed for the blind index
    birth_date: date
    gender: str
    coordination: bool  # a samordningsnummer

    @property
    def kind(self) -> str:
        return "samordningsnummer" if self.coordination else "personnummer"


def parse_national_id(raw: str, *, today: date) -> NationalId:
    """Parse and validate; raise ValidationError with a Swedish message saying what is wrong."""
    value = re.sub(r"\s", "", raw or "")
    if not value:
        raise ValidationError(_("Ange ett personnummer eller samordningsnummer."), code="required")
    match = _FORM.match(value)
    if match is None:
        digits = re.sub(r"\D", "", value)
        if re.search(r"[^\d+-]", value):
            raise ValidationError(
                _("Numret får bara innehålla siffror och bindestreck eller plustecken."),
                code="format",
            )
        raise ValidationError(
            _(
                "Numret ska ha 10 eller 12 siffror (ÅÅMMDD-NNNN eller ÅÅÅÅMMDD-NNNN), "
                "inte %(count)s."
            )
            % {"count": len(digits)},
            code="length",
        )
    head, sign, tail = match.groups()
    if len(head) == 8 and sign == "+":
        raise ValidationError(
            _("Plustecken används bara i den tiosiffriga formen (ÅÅMMDD+NNNN)."), code="format"
        )
    month, day = int(head[-4:-2]), int(head[-2:])
    coordination = day > 60
    if coordination:
        day -= 60
    # The part as a parameter, so that a message that is stored can leave it out.
    invalid_date = ValidationError(
        _("Datumdelen %(part)s är inget giltigt datum."), code="date", params={"part": head[-6:]}
    )
    if len(head) == 8:
        candidates = [int(head[:4])]
    else:
        # The latest date not after today in this or the previous century; "+" adds a century.
        yy = int(head[:2])
        century = today.year // 100 * 100
        candidates = [century + yy, century - 100 + yy]
    dates = []
    for year in candidates:
        try:
            dates.append(date(year, month, day))
        except ValueError:
            continue
    if not dates:
        raise invalid_date
    if len(head) == 8:
        born = dates[0]
    else:
        past = [d for d in dates if d <= today]
        if not past:
            raise invalid_date
        born = max(past)
        if sign == "+":
            try:
                born = born.replace(year=born.year - 100)
            except ValueError:
                raise invalid_date from None
    if born > today:
        raise ValidationError(_("Födelsedatumet ligger i framtiden."), code="future")
    ten = head[-6:] + tail
    try:
        luhn.validate(ten)
    except StdnumError:
        raise ValidationError(
            _("Kontrollsiffran stämmer inte. Kontrollera numret."), code="checksum"
        ) from None
    gender = Gender.MAN if int(tail[2]) % 2 else Gender.KVINNA
    canonical = f"{born.year:04d}{head[-4:]}-{tail}"
    return NationalId(
        canonical=canonical, birth_date=born, gender=gender, coordination=coordination
    )
