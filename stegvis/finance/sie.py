"""Reading SIE 4 files (the Swedish accounting export format), written for Stegvis.

An SIE file is lines of a label (``#VER``, ``#TRANS``, ``#KONTO``…) and fields separated by
spaces; a field with spaces is quoted, ``{…}`` is an object list, and the body of a voucher is a
``{``…``}`` block of ``#TRANS`` lines. The character set is given by ``#FORMAT``: ``PC8`` (IBM
code page 437, the standard's default) is the only one the standard allows; files without
``#FORMAT`` are read as PC8 as well. We read ``#FLAGGA``, ``#FORMAT``, ``#SIETYP``, ``#FNAMN``,
``#RAR``, ``#KONTO``, ``#VER``/``#TRANS`` and ``#RES``; other labels are skipped. Every problem is
reported with its line number; nothing is guessed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

KNOWN_ENCODINGS = {"PC8": "cp437"}
_FIELD = re.compile(r'"((?:[^"\\]|\\.)*)"|(\{[^}]*\})|(\S+)')


@dataclass
class Transaction:
    line: int
    account: str
    amount: Decimal
    day: date | None


@dataclass
class Voucher:
    line: int
    series: str
    number: str
    day: date
    text: str
    transactions: list[Transaction] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.series} {self.number}".strip()


@dataclass
class SieFile:
    company: str = ""
    sie_type: str = ""
    year_start: date | None = None
    year_end: date | None = None
    accounts: dict[str, str] = field(default_factory=dict)
    vouchers: list[Voucher] = field(default_factory=list)
    results: dict[str, tuple[int, Decimal]] = field(
        default_factory=dict
    )  # account → (line, amount)
    errors: list[str] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.errors.append(_("Rad %(line)s: %(message)s") % {"line": line, "message": message})


def split_fields(text: str) -> list[str]:
    fields = []
    for quoted, braces, plain in _FIELD.findall(text):
        if braces:
            fields.append(braces)
        elif plain:
            fields.append(plain)
        else:
            fields.append(quoted.replace('\\"', '"'))
    return fields


def _day(value: str) -> date | None:
    if not re.fullmatch(r"\d{8}", value):
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def _amount(value: str) -> Decimal | None:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def decode(data: bytes) -> tuple[str | None, str | None]:
    """The file's text, or an error about its character set."""
    head = data[:4000].decode("latin-1")
    match = re.search(r"^\s*#FORMAT\s+(\S+)", head, re.MULTILINE)
    name = match.group(1).strip('"').upper() if match else "PC8"
    if name not in KNOWN_ENCODINGS:
        return None, _(
            "Okänd teckenkodning %(name)s i #FORMAT: en SIE 4-fil ska vara PC8 (IBM-teckentabell "
            "437). Exportera filen igen med PC8."
        ) % {"name": name}
    if data.startswith(b"\xef\xbb\xbf") or _looks_like_utf8(data):
        return None, _(
            "Filen är sparad som UTF-8 men säger att den är PC8. Exportera den igen från "
            "bokföringsprogrammet utan att öppna och spara den i en textredigerare."
        )
    if _looks_like_ansi(data):
        return None, _(
            "Filen verkar vara sparad som Windows-1252/ISO 8859-1 (å, ä och ö har fel koder för "
            "PC8). Exportera den igen från bokföringsprogrammet med teckenuppsättningen PC8."
        )
    return data.decode(KNOWN_ENCODINGS[name]), None


# å ä ö Å Ä Ö é in code page 437, and in Windows-1252 / ISO 8859-1.
_PC8_SWEDISH = frozenset(b"\x86\x84\x94\x8f\x8e\x99\x82")
_ANSI_SWEDISH = frozenset(b"\xe5\xe4\xf6\xc5\xc4\xd6\xe9")


def _looks_like_utf8(data: bytes) -> bool:
    """Non-ASCII bytes that all form valid UTF-8 sequences: PC8 text (å = 0x86…) never does."""
    if all(b < 0x80 for b in data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _looks_like_ansi(data: bytes) -> bool:
    """Swedish letters at their Windows-1252 codes and none at their PC8 codes."""
    present = set(data)
    return bool(present & _ANSI_SWEDISH) and not present & _PC8_SWEDISH


def parse(data: bytes) -> SieFile:
    """Parse an SIE 4 file. ``errors`` lists every problem, each with its line number."""
    sie = SieFile()
    text, problem = decode(data)
    if text is None:
        sie.errors.append(problem or "")
        return sie
    current: Voucher | None = None
    in_block = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line == "{":
            if current is None or in_block:
                sie.error(number, _("oväntat {"))
            in_block = True
            continue
        if line == "}":
            if not in_block:
                sie.error(number, _("oväntat }"))
            in_block = False
            current = None
            continue
        fields = split_fields(line)
        label, args = fields[0].upper(), fields[1:]
        if in_block and label not in {"#TRANS", "#RTRANS", "#BTRANS"}:
            sie.error(number, _("%(label)s får inte stå inuti en verifikation") % {"label": label})
            continue
        if label == "#SIETYP":
            sie.sie_type = args[0] if args else ""
        elif label == "#FNAMN":
            sie.company = args[0] if args else ""
        elif label == "#RAR" and len(args) >= 3 and args[0] == "0":
            sie.year_start, sie.year_end = _day(args[1]), _day(args[2])
            if sie.year_start is None or sie.year_end is None:
                sie.error(number, _("#RAR har ett ogiltigt datum"))
        elif label == "#KONTO" and len(args) >= 2:
            sie.accounts[args[0]] = args[1]
        elif label == "#RES" and len(args) >= 3 and args[0] == "0":
            amount = _amount(args[2])
            if amount is None:
                sie.error(number, _("#RES har ett ogiltigt belopp: %(value)s") % {"value": args[2]})
            else:
                sie.results[args[1]] = (number, amount)
        elif label == "#VER":
            if len(args) < 3 or _day(args[2]) is None:
                sie.error(number, _("#VER saknar ett giltigt datum (ÅÅÅÅMMDD)"))
                current = Voucher(number, "", "", date.min, "")
            else:
                current = Voucher(
                    number,
                    args[0],
                    args[1],
                    _day(args[2]) or date.min,
                    args[3] if len(args) > 3 else "",
                )
            sie.vouchers.append(current)
        elif label == "#TRANS":
            if current is None or not in_block:
                sie.error(number, _("#TRANS utanför en verifikation"))
                continue
            if len(args) < 3 or not args[0].isdigit():
                sie.error(number, _("#TRANS saknar konto eller belopp"))
                continue
            amount = _amount(args[2])
            if amount is None:
                sie.error(number, _("ogiltigt belopp %(value)s") % {"value": args[2]})
                continue
            day = _day(args[3]) if len(args) > 3 and args[3] else None
            current.transactions.append(Transaction(number, args[0], amount, day))
    if in_block:
        sie.error(len(text.splitlines()), _("en verifikation avslutas aldrig med }"))
    if sie.sie_type and sie.sie_type not in {"4", "4E", "4I"}:
        sie.errors.insert(
            0,
            _("Filen är SIE typ %(type)s; Stegvis läser SIE typ 4 (med verifikationer).")
            % {"type": sie.sie_type},
        )
    if not sie.sie_type and not sie.vouchers:
        sie.errors.insert(0, _("Filen ser inte ut som en SIE-fil (ingen #SIETYP och inga #VER)."))
    _check_balance(sie)
    _check_results(sie)
    return sie


def _check_balance(sie: SieFile) -> None:
    for voucher in sie.vouchers:
        total = sum((t.amount for t in voucher.transactions), Decimal(0))
        if total != 0:
            sie.error(
                voucher.line,
                _("verifikation %(ver)s balanserar inte (debet och kredit skiljer %(diff)s kr)")
                % {"ver": voucher.label, "diff": f"{total:f}".replace(".", ",")},
            )


def _check_results(sie: SieFile) -> None:
    """``#RES 0`` (the year's result per account), where given, must equal the transactions."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for voucher in sie.vouchers:
        for t in voucher.transactions:
            sums[t.account] += t.amount
    for account, (line, amount) in sie.results.items():
        if sums.get(account, Decimal(0)) != amount:
            sie.error(
                line,
                _(
                    "#RES för konto %(account)s är %(res)s kr men transaktionerna summerar till "
                    "%(sum)s kr"
                )
                % {
                    "account": account,
                    "res": f"{amount:f}".replace(".", ","),
                    "sum": f"{sums.get(account, Decimal(0)):f}".replace(".", ","),
                },
            )


def is_result_account(account: str) -> bool:
    """Income and cost accounts (BAS 3000–8899); 89xx is tax and the year's result."""
    return account.isdigit() and len(account) == 4 and 3000 <= int(account) <= 8899
