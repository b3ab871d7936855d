"""Test set-up shared by every app: the personas of DESIGN.md §5 and the browser's launch."""

from __future__ import annotations

import os
import shutil

# Before Django reads its settings: the test profile (fast hasher, no secrets needed).
os.environ["DJANGO_ENV"] = "test"
# Playwright's sync API runs an event loop; Django must allow ORM calls from the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest

pytest_plugins = ["stegvis.core.tests.personas"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, not a browser build downloaded by Playwright."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Chromium saknas: kör `make browser-deps` (Debians paket chromium).")
    return {**browser_type_launch_args, "executable_path": executable, "headless": True}
