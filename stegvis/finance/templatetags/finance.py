"""Template helpers of finance: URLs under the acting association, signed amounts."""

from __future__ import annotations

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def finance_url(
    context: template.Context, name: str, ar: int | None = None, **kwargs: object
) -> str:
    """``{% finance_url "report" ar=2026 %}`` → /a/<association>/ekonomi/uppfoljning/?ar=2026."""
    association = context["actor"].association
    target = reverse(f"finance:{name}", kwargs={"association": association.slug, **kwargs})
    return f"{target}?ar={ar}" if ar is not None else target


@register.filter
def get(mapping: dict, key: object) -> object:
    return mapping.get(key) if mapping else None
