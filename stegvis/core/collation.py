"""Swedish alphabetical order for names (Å, Ä, Ö after Z; upper and lower case together).

A column declared with ``db_collation=SWEDISH`` sorts the Swedish way in every ``ORDER BY`` on
it, in the application and in hand-written SQL alike. On PostgreSQL the collation is ICU's Swedish
(``CREATE COLLATION swedish (provider = icu, locale = 'sv')``, made by core's migration 0008; ICU
is in every standard PostgreSQL 10+ build). SQLite has no ICU, so every new SQLite connection gets
a collation of the same name here (:func:`register`, connected in ``CoreConfig.ready``) that
compares by :func:`swedish_key`. The name has no hyphen: Django writes it unquoted on SQLite.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

SWEDISH = "swedish"

# The Swedish alphabet after z; æ and ø sort as ä and ö, ü as y (as in Swedish dictionaries).
_AFTER_Z = {"å": 1, "ä": 2, "æ": 2, "ö": 3, "ø": 3}
_AS = {"ü": "y"}


def _primary(ch: str) -> tuple[int, int]:
    """A character's place: digits, then a–z, then å, ä, ö; other letters by their base letter
    (é as e); anything else after, by code point."""
    if ch in _AFTER_Z:
        return (2, 26 + _AFTER_Z[ch])
    ch = _AS.get(ch, ch)
    base = unicodedata.normalize("NFD", ch)[0]
    if "a" <= base <= "z":
        return (2, ord(base) - ord("a"))
    if base.isdigit():
        return (1, int(base) if base in "0123456789" else 0)
    if base.isspace() or base in "-–.,'’":
        return (0, ord(base))
    return (3, ord(base))


@lru_cache(maxsize=8192)
def swedish_key(text: str) -> tuple[Any, ...]:
    """Primary: the letters in Swedish order, case and accents (other than å, ä, ö) ignored.
    Ties: lower case before upper case, then the text itself, so that only equal texts are
    equal (the order is total, like a deterministic ICU collation). Cached: SQLite calls
    :func:`compare` for every comparison of a sort or grouping, mostly on the same few names
    (a key is immutable, so a cached one cannot be changed by its caller)."""
    folded = text.casefold()
    return (
        tuple(_primary(ch) for ch in folded),
        tuple(ch.isupper() for ch in text),
        text,
    )


def compare(left: str, right: str) -> int:
    if left == right:
        return 0
    a, b = swedish_key(left), swedish_key(right)
    return (a > b) - (a < b)


def register(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: give a new SQLite connection the Swedish collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SWEDISH, compare)


def create_on_postgresql(apps: Any, schema_editor: Any) -> None:
    """Migration step: the Swedish ICU collation on PostgreSQL (SQLite gets it per connection)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE COLLATION IF NOT EXISTS {SWEDISH} (provider = icu, locale = 'sv')"
        )
