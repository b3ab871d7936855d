"""Rules every template keeps, read from the template files themselves."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = sorted(Path(settings.BASE_DIR, "stegvis").rglob("templates/**/*.html"))
SCROLL_BOX = re.compile(r"<div[^>]*\bclass=\"table-scroll\"[^>]*>")


def test_the_templates_are_found():
    assert len(TEMPLATES) > 100


def test_every_scrolling_table_box_is_reachable_with_the_keyboard_and_named():
    """A .table-scroll box scrolls when its table is wider than the screen, and a keyboard user
    must be able to reach it with Tab to scroll it (WCAG 2.1.1); a screen reader names it."""
    missing = [
        f"{path.relative_to(settings.BASE_DIR)}: {tag}"
        for path in TEMPLATES
        for tag in SCROLL_BOX.findall(path.read_text(encoding="utf-8"))
        if not all(part in tag for part in ('tabindex="0"', 'role="region"', "aria-label="))
    ]
    assert missing == []
