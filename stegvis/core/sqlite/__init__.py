"""The embedded database (SQLite) as Stegvis uses it: Django's backend, plus query-planner
statistics kept up to date (``base.DatabaseWrapper``, ``optimize``)."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

# How many rows of each index ANALYZE samples when ``PRAGMA optimize`` decides to run it: SQLite's
# advice for long-lived databases is 100–1000; it keeps the statistics pass short on a laptop.
ANALYSIS_LIMIT = 400


def optimize(using: str = "default") -> None:
    """Let SQLite refresh its planner statistics where they are missing or stale (``PRAGMA
    optimize``: usually a no-op, an ``ANALYZE`` of a table that grew a lot). Without them SQLite
    can start a join from the wrong end (docs/performance.md, finding 1). PostgreSQL analyses by
    itself (autovacuum), so this does nothing there. Safe to call after any bulk write."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
            cursor.execute("PRAGMA optimize")
    # Django raises its own DatabaseError (wrapping sqlite3's), e.g. locked by a writer: the
    # statistics wait for the next time.
    except DatabaseError as exc:
        logger.warning("PRAGMA optimize skipped: %s", exc)
