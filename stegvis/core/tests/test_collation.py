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


def test_compare_agrees_with_the_key_and_equal_names_are_equal():
    from stegvis.core.collation import compare

    for left in NAMES:
        for right in NAMES:
            expected = (swedish_key(left) > swedish_key(right)) - (
                swedish_key(left) < swedish_key(right)
            )
            assert compare(left, right) == expected
            assert (compare(left, right) == 0) is (left == right)
    with pytest.raises(TypeError):
        swedish_key("Åre")[0][0] = (0, 0)  # a cached key is immutable


@pytest.mark.django_db
def test_sqlite_computes_each_names_key_once_however_often_it_compares_it():
    """SQLite calls the collation for every comparison of a sort or a grouping: thousands for
    a grouping over a few hundred rows of a few names. Each name's key is computed once (a
    national compilation on SQLite spent three quarters of its time computing keys)."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL collates with ICU")
    names = [f"Insats {i % 7} {'ÅÄÖ'[i % 3]}" for i in range(300)]
    for name in names:
        OrganisationFactory(name=name)
    swedish_key.cache_clear()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, COUNT(*) FROM core_organisation WHERE name LIKE 'Insats %%'"
            " GROUP BY name ORDER BY name"
        )
        grouped = cursor.fetchall()
    assert [name for name, _n in grouped] == sorted(set(names), key=swedish_key)
    assert sum(n for _name, n in grouped) == 300
    info = swedish_key.cache_info()
    assert info.misses <= len(set(names)) and info.hits > info.misses
