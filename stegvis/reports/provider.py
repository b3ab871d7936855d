"""The provider's own report: the same participant tables as the association's, for the
provider's individual interventions, with exact figures, computed from its enrolments by the
package's own aggregation (``aggregates.package.tables_for``) over the whole range and every
participant, wherever they live. Reading it is audit-logged: it is built from personal data."""

from __future__ import annotations

from django.utils.translation import gettext as _

from stegvis.aggregates.figures import Figures
from stegvis.aggregates.package import GENDERS, provider_enrolments, tables_for
from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.models import Unit
from stegvis.interventions.models import Intervention

from .association import participant_section, screening_section
from .base import Report
from .periods import ReportRange


def provider_figures(
    provider: Unit, interventions: list[Intervention], rng: ReportRange
) -> tuple[list[Figures], Figures]:
    """Per intervention (those with anyone in the range) and in total. A constant number of
    queries per intervention, whatever the number of participants."""
    period = rng.as_period()
    per = []
    total = Figures(intervention=None)
    for intervention in interventions:
        tables = tables_for(provider_enrolments(provider, intervention), intervention, period)
        active = tables["participants"]["active"]
        if not any(active.values()):
            continue
        figures = Figures(
            intervention=intervention,
            tables=tables,
            participants=dict(active),
            days_covered=rng.days,
        )
        per.append(figures)
        for name, rows in tables.items():
            target = total.tables.setdefault(name, {})
            for row, counts in rows.items():
                cell = target.setdefault(row, dict.fromkeys(GENDERS, 0))
                for g in GENDERS:
                    cell[g] += counts[g]
        for g in GENDERS:
            total.participants[g] = total.participants.get(g, 0) + active[g]
    return per, total


def provider_interventions(provider: Unit, actor: Actor | None = None) -> list[Intervention]:
    interventions = Intervention.objects.filter(
        provider=provider, kind=Intervention.Kind.INDIVIDUAL
    )
    if actor is not None:
        interventions = interventions & Intervention.objects.visible_to(actor)
    # By id where two share a name: a published grid's order decides what it hides.
    return list(interventions.order_by("name", "pk"))


def provider_report(
    provider: Unit,
    rng: ReportRange,
    *,
    actor: Actor | None = None,
    intervention: str = "",
    shown_as: str = "sida",
) -> Report:
    """The report for the interventions of ``provider`` that ``actor`` may see (all, for the
    command line). Records an audit event for the provider, saying how it is read (``shown_as``:
    the page, or the download's format)."""
    interventions = provider_interventions(provider, actor)
    per, total = provider_figures(provider, interventions, rng)
    selected = next(
        (f for f in per if f.intervention and str(f.intervention.public_id) == intervention),
        None,
    )
    audit.record(
        "reports.provider_report",
        actor=actor,
        owner=provider,
        reason=f"{rng.label}, {len(per)} insatser ({shown_as})",
    )
    notes = []
    if not per:
        notes.append(
            _("Inga deltagare i utförarens insatser under perioden %(period)s.")
            % {"period": rng.label}
        )
    return Report(
        kind="participants",
        title=_("Utförarrapport %(period)s") % {"period": rng.label},
        owner_name=provider.name,
        owner_key=str(provider.public_id),
        range=rng,
        sections=[participant_section(per, total, selected), screening_section(per, total)],
        notes=notes,
        empty=not per,
    )
