"""Panels on the start pages (core looks up ``<app>.dashboard.panels(actor)`` for every app).

- The office: this year so far from the received packages (participants, new, exits by group),
  packages missing, budget used, survey rounds open, and the way to the annual report.
- The board, the preparatory group and the auditor: the same participant figures, suppressed
  (calculations.md §6), and the annual report.
- The provider manager and the coach: how many measurements and follow-ups are due, how many
  referrals are open (their own caseload: a coach's counts come from their own interventions,
  through each model's ``visible_to``), and, for the manager, which packages are still to send.

Panels show counts only, never a participant, so nothing here is a read of personal data; each
links to the app's own list, which logs its reads. Every panel runs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from stegvis.aggregates.figures import missing_packages
from stegvis.aggregates.models import PackageDispatch
from stegvis.aggregates.periods import Period, parse
from stegvis.aggregates.permissions import can_send_packages
from stegvis.core.actors import Actor
from stegvis.core.models import ASSOCIATION_ROLES, PROVIDER_ROLES, Role
from stegvis.finance.figures import deviation_report, percent_of
from stegvis.interventions.models import FundingOffer, Intervention
from stegvis.participants.models import Referral
from stegvis.participants.services import follow_ups_due
from stegvis.progression.services import work_list
from stegvis.reports import document_figures, document_sections
from stegvis.reports.tables import Table, Value
from stegvis.surveys.models import SurveyRound


@dataclass
class Panel:
    key: str
    title: str
    template: str
    data: dict[str, Any] = field(default_factory=dict)


def panels(actor: Actor) -> list[Panel]:
    if actor.association is not None and actor.role in ASSOCIATION_ROLES:
        return association_panels(actor)
    if actor.unit is not None and actor.role in PROVIDER_ROLES:
        return provider_panels(actor)
    return []


# --- Association side -----------------------------------------------------------------------


def _totals(table: Table | None) -> list[tuple[str, Value]]:
    """The total row of a table as (column, value), without the grand total."""
    if table is None:
        return []
    return list(zip(table.columns[:-1], table.rows[-1][1][:-1], strict=True))


def year_so_far(actor: Actor, today: date | None = None) -> dict[str, Any]:
    """This year's participants, new and exits by group from the packages received; exact for
    the office, suppressed for every other association role."""
    assert actor.association is not None
    day = today or timezone.localdate()
    start, end = date(day.year, 1, 1), date(day.year, 12, 31)
    per, total = document_figures.participant_figures(actor.association, start, end, goals=False)
    publish = actor.role != Role.OFFICE
    context = document_sections.Context(
        actor.association, start, end, publish, per, total, document_sections._genders(total)
    )
    tables = {t.key: t for t in document_sections.individual_tables(context)} if per else {}

    def grand(key: str) -> Value:
        table = tables.get(key)
        return table.rows[-1][1][-1] if table is not None else 0

    return {
        "year": day.year,
        "publish": publish,
        "has_packages": bool(per),
        "participants": grand("participants"),
        "participants_by_gender": _totals(tables.get("participants")),
        "new": grand("new"),
        "exited": grand("exited"),
        "exit_groups": _totals(tables.get("exit_groups")),
    }


def association_panels(actor: Actor) -> list[Panel]:
    assert actor.association is not None
    slug = actor.association.slug
    today = timezone.localdate()
    report_url = reverse("reports_document:document", kwargs={"association": slug})
    result = [
        Panel(
            "year",
            _("%(year)s hittills") % {"year": today.year},
            "reports/dashboard/year_so_far.html",
            {**year_so_far(actor, today), "report_url": report_url},
        )
    ]
    if actor.role != Role.OFFICE:
        return result
    missing = missing_packages(actor.association, today.year)
    report = deviation_report(actor.association, today.year)
    open_rounds = SurveyRound.objects.filter(
        association=actor.association,
        closed_on__isnull=True,
        opens_on__lte=today,
        closes_on__gte=today,
    ).count()
    result.append(
        Panel(
            "office",
            _("Att hålla koll på"),
            "reports/dashboard/office.html",
            {
                "missing": missing,
                "late": sum(1 for m in missing if m.late),
                "costs_budget": report.costs.budget,
                "costs_outcome": report.costs.outcome,
                "budget_used": percent_of(report.costs.outcome, report.costs.budget),
                "months": report.months,
                "open_rounds": open_rounds,
                # Shares other associations ask the office to take (interventions' list).
                "offers": FundingOffer.objects.open_to(actor.association).count(),
                "interventions_url": reverse(
                    "interventions:association_list",
                    kwargs={"association": actor.association.slug},
                ),
            },
        )
    )
    return result


# --- Provider side --------------------------------------------------------------------------


def _quarters(year: int) -> list[Period]:
    return [parse(f"{year}Q{n}") for n in range(1, 5)]


def _covered(spans: list[tuple[date, date]], period: Period) -> bool:
    day = period.start
    for start, end in sorted(spans):
        if start <= day <= end:
            day = end + timedelta(days=1)
    return day > period.end


@dataclass(frozen=True)
class ToSend:
    intervention: str
    association: str
    period: str


def packages_to_send(actor: Actor, today: date | None = None) -> list[ToSend]:
    """Each ended quarter of this year, per individual intervention of the provider and funding
    association, that no package sent covers. Three queries."""
    assert actor.unit is not None
    day = today or timezone.localdate()
    interventions = (
        Intervention.objects.visible_to(actor)
        .filter(kind=Intervention.Kind.INDIVIDUAL)
        .prefetch_related("fundings__association")
        .order_by("name")
    )
    sent: dict[tuple[int, int], list[tuple[date, date]]] = {}
    for intervention_id, association_id, label in PackageDispatch.objects.filter(
        provider=actor.unit, period__startswith=str(day.year)
    ).values_list("intervention_id", "recipient_id", "period"):
        period = parse(label)
        sent.setdefault((intervention_id, association_id), []).append((period.start, period.end))
    result = []
    for intervention in interventions:
        for funding in intervention.fundings.all():
            for quarter in _quarters(day.year):
                if quarter.end >= day or quarter.end < intervention.start:
                    continue
                if intervention.ended and quarter.start > intervention.ended:
                    continue
                if _covered(sent.get((intervention.pk, funding.association_id), []), quarter):
                    continue
                result.append(ToSend(intervention.name, funding.association.name, quarter.label))
    return result


def provider_panels(actor: Actor) -> list[Panel]:
    assert actor.unit is not None
    provider = {"provider": actor.unit.public_id}
    due = work_list(actor)
    open_states = [Referral.State.RECEIVED, Referral.State.VISA_BOOKED]
    data: dict[str, Any] = {
        "measurements": len(due),
        "measurements_overdue": sum(1 for d in due if d.overdue),
        "follow_ups": follow_ups_due(actor).count(),
        "referrals": Referral.objects.visible_to(actor).filter(state__in=open_states).count(),
        "own_caseload": actor.role == Role.COACH,
        "measurement_url": reverse("progression:work_list", kwargs=provider),
        "follow_up_url": reverse("participants:follow_up_list", kwargs=provider),
        "referral_url": reverse("participants:referral_list", kwargs=provider),
    }
    result = [Panel("work", _("Att göra"), "reports/dashboard/provider_work.html", data)]
    if can_send_packages(actor):
        result.append(
            Panel(
                "packages",
                _("Paket att skicka"),
                "reports/dashboard/provider_packages.html",
                {
                    "to_send": packages_to_send(actor),
                    "url": reverse("aggregates:provider_packages", kwargs=provider),
                },
            )
        )
    return result
