"""The embedded database keeps its planner statistics: ``optimize`` and the backend's close."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection

from stegvis.core.sqlite import optimize
from stegvis.core.sqlite.base import DatabaseWrapper

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")


def _stats(cursor: Any, table: str) -> dict[str, str]:
    """Index name → its sqlite_stat1 line for ``table`` (empty before any ANALYZE)."""
    cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
    if not cursor.fetchall():
        return {}
    cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = ?", [table])
    return dict(cursor.fetchall())


def _fill(run: Callable[..., Any]) -> None:
    """A table with two indexes and 2 000 rows, and a query whose plan would use statistics
    (SQLite notes the table for PRAGMA optimize). ``run``: a cursor's or connection's execute."""
    run("CREATE TABLE t (id INTEGER PRIMARY KEY, owner INTEGER, item INTEGER)")
    run("CREATE INDEX t_owner ON t (owner)")
    run("CREATE INDEX t_item ON t (item)")
    for n in range(2000):
        run("INSERT INTO t (owner, item) VALUES (?, ?)", [n % 7, n % 300])
    run("SELECT COUNT(*) FROM t WHERE owner = 3 AND item = 5")


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_optimize_analyses_a_table_that_has_no_statistics():
    with connection.cursor() as cursor:
        _fill(cursor.execute)
        assert _stats(cursor, "t") == {}
        optimize()
        stats = _stats(cursor, "t")
        cursor.execute("DROP TABLE t")
    assert set(stats) == {"t_owner", "t_item"}
    # The row count as sampled (analysis_limit bounds the pass, so it is an estimate).
    assert int(stats["t_owner"].split()[0]) > 1000


@on_sqlite
def test_closing_a_connection_refreshes_the_statistics(tmp_path, django_db_blocker):
    path = tmp_path / "embedded.sqlite3"
    wrapper = DatabaseWrapper(
        {
            **connection.settings_dict,
            "NAME": str(path),
            "ENGINE": "stegvis.core.sqlite",
            "TEST": {},
        },
        alias="statistics-test",
    )
    with django_db_blocker.unblock():  # a database of its own, not the test database
        wrapper.ensure_connection()
        assert wrapper.connection is not None
        _fill(wrapper.connection.execute)
        wrapper.connection.commit()
        wrapper.close()
    reopened = sqlite3.connect(path)
    try:
        stats = _stats(reopened.cursor(), "t")
    finally:
        reopened.close()
    assert set(stats) == {"t_owner", "t_item"}


@on_sqlite
@pytest.mark.django_db
def test_optimize_skips_a_locked_database(monkeypatch, caplog):
    """Django's cursor raises its own OperationalError, not sqlite3's."""

    class Locked:
        def __enter__(self) -> Locked:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def execute(self, sql: str) -> None:
            raise OperationalError("database is locked")

    connection.ensure_connection()
    monkeypatch.setattr(connection, "cursor", Locked)
    optimize()
    assert "PRAGMA optimize skipped: database is locked" in caplog.text


@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL analyses by itself")
@pytest.mark.django_db
def test_optimize_does_nothing_on_postgresql(django_assert_num_queries):
    connection.ensure_connection()
    with django_assert_num_queries(0):
        optimize()
