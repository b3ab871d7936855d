"""Django's SQLite backend that runs ``PRAGMA optimize`` just before it closes a connection, as
SQLite advises for long-lived databases with complex queries: the statistics of the tables that
connection's queries used are refreshed when missing or stale, so an embedded deployment keeps
good query plans as its data grows, without a scheduled job."""

from __future__ import annotations

import logging
import sqlite3

from django.db.backends.sqlite3 import base

from . import ANALYSIS_LIMIT

logger = logging.getLogger(__name__)


class DatabaseWrapper(base.DatabaseWrapper):
    def _close(self) -> None:
        if self.connection is not None and not self.in_atomic_block:
            try:
                self.connection.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
                self.connection.execute("PRAGMA optimize")
            except sqlite3.Error as exc:  # never let statistics stop a close
                logger.warning("PRAGMA optimize skipped: %s", exc)
        super()._close()  # type: ignore[misc]  # not in django-stubs
