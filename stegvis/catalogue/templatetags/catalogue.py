"""Template helpers of the catalogue, for other apps' pages."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stegvis.catalogue.services import open_count

register = template.Library()


@register.simple_tag(takes_context=True)
def interest_inbox_link(context: template.Context) -> str:
    """A link to the provider's interest registrations, with the number of new ones (for the
    referral list: registrations from the catalogue are where many referrals start)."""
    actor = context.get("actor")
    if actor is None or actor.unit is None:
        return ""
    count = open_count(actor)
    url = reverse("catalogue:inbox", kwargs={"provider": actor.unit.public_id})
    label = (
        ngettext(
            "%(count)s ny intresseanmälan från katalogen",
            "%(count)s nya intresseanmälningar från katalogen",
            count,
        )
        % {"count": count}
        if count
        else _("Intresseanmälningar från katalogen")
    )
    return format_html('<p class="interest-link"><a href="{}">{}</a></p>', url, label)
