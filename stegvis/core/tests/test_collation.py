"""Swedish alphabetical order of names, on SQLite (our collation) and PostgreSQL (ICU) alike."""

from __future__ import annotations

import pytest
from django.db import connection

from stegvis.core.collation import SWEDISH, swedish_key
from stegvis.core.models import Organisation
from stegvis.core.tests.factories import OrganisationFactory

# Å, Ä, Ö after Z; upper and lower case together (lower first); é with e.
NAMES = [
    "Arjeplog",
    "bjurholm",
    "Bjurholm",
    "Boden",
    "Éva",
    "Eda",
    "Zeta",
    "Åre",
    "Älvdalen",
    "Örebro",
]
SWEDISH_ORDER = [
    "Arjeplog", "bjurholm", "Bjurholm", "Boden", "Eda", "Éva", "Zeta", "Åre", "Älvdalen", "Örebro",
]  # fmt: skip


def test_the_key_sorts_the_swedish_way():
    assert sorted(NAMES, key=swedish_key) == SWEDISH_ORDER
    # Bytewise, lower case would come after Z and Ä (U+00C4) before Å (U+00C5).
    assert sorted(NAMES)[-5:] == ["bjurholm", "Älvdalen", "Åre", "Éva", "Örebro"]


@pytest.mark.django_db
def test_names_sort_the_swedish_way_in_the_database():
    for name in reversed(NAMES):
        OrganisationFactory(name=name)
    ordered = Organisation.objects.filter(name__in=NAMES).order_by("name", "pk")
    assert list(ordered.values_list("name", flat=True)) == SWEDISH_ORDER
    # The column carries the collation: hand-written SQL sorts the same way.
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(NAMES))
        cursor.execute(
            f"SELECT name FROM core_organisation WHERE name IN ({placeholders}) ORDER BY name, id",  # noqa: S608
            NAMES,
        )
        assert [row[0] for row in cursor.fetchall()] == SWEDISH_ORDER
    assert Organisation._meta.get_field("name").db_collation == SWEDISH
