"""Template filters of progression."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def at(mapping: dict[str, Any] | None, key: str) -> Any:
    """``{{ figures.enrolments|at:"women" }}``: a figure of one group."""
    return (mapping or {}).get(key)
