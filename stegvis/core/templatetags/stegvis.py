"""Swedish number formats: 1 234 567 kr, 12,5 %."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def kr(value: int | Decimal | float | None) -> str:
    """Whole kronor with a thin space between thousands: 1 234 567 kr."""
    if value is None or value == "":
        return "–"
    return f"{number_format(round(Decimal(value)), 0, use_l10n=True, force_grouping=True)}\u00a0kr"


@register.filter
def percent(value: int | Decimal | float | None, decimals: int = 1) -> str:
    """A share in per cent with a decimal comma: 12,5 %."""
    if value is None or value == "":
        return "–"
    return f"{number_format(Decimal(value), decimals, use_l10n=True, force_grouping=True)}\u00a0%"


@register.filter
def number(value: int | Decimal | float | None) -> str:
    if value is None or value == "":
        return "–"
    return str(number_format(value, 0, use_l10n=True, force_grouping=True))


@register.simple_tag(takes_context=True)
def owner_url(context: template.Context, name: str, **kwargs: object) -> str:
    """A URL under the acting role's owner: ``{% owner_url "user_role" assignment=… %}``."""
    from stegvis.core.actors import owner_url as _owner_url

    return _owner_url(context["actor"], name, **kwargs)
