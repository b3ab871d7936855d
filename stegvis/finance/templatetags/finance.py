"""Template helpers of finance: URLs under the acting association, signed amounts."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.formats import number_format

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


@register.filter
def tenths(value: Decimal | int | None) -> str:
    """A figure with one decimal, Swedish style whatever the page's localisation: 1 234,5."""
    if value is None or value == "":
        return "–"
    return str(number_format(Decimal(value), 1, use_l10n=True, force_grouping=True))
