"""Template helpers of the plan pages: URLs under the acting association, and figures in the
unit of their measure."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.formats import number_format

from stegvis.core.templatetags.stegvis import number, percent

register = template.Library()


@register.simple_tag(takes_context=True)
def plans_url(context: template.Context, name: str, **kwargs: object) -> str:
    """``{% plans_url "detail" plan=plan.public_id %}`` → /a/<association>/verksamhetsplan/…"""
    association = context["actor"].association
    return reverse(f"plans:{name}", kwargs={"association": association.slug, **kwargs})


@register.filter
def in_unit(value: Decimal | None, unit: str) -> str:
    """A target or outcome as its measure counts it: "12,5 %" for shares, "21" for counts,
    "–" for nothing."""
    if value is None:
        return "–"
    if unit == "percent":
        return str(percent(value))
    if unit == "count":
        return str(number(int(value)))
    return str(number_format(value, 1, use_l10n=True, force_grouping=True))
