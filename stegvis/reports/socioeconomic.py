"""Socio-economic effect (calculations.md §4), from the packages the association received.

For each person who left an intervention for work, society gains per month the public support
no longer paid, the administration no longer needed and the tax paid from work. The effect of
the range's exits to work (report group *Arbete*) is ``persons × per month × horizon``.

Where the range's packages hold follow-ups (6 and 12 months after exit), the months *known* in
work replace that assumption: each follow-up at which a person was in paid work
(*förvärvsarbete*) attests the six months before it, if they lie within the horizon — so a
person in work at both follow-ups counts 12 months, at the 6-month one only 6. The report says
which of the two it used.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from stegvis.aggregates.package import GENDERS
from stegvis.core.codes import Occupation, ReportGroup
from stegvis.core.models import Association

from .association import AssociationReport, participant_report, total_label
from .base import Report, Section
from .models import SocioEconomicModel
from .periods import ReportRange
from .services import socioeconomic_model
from .tables import Table, Value

FOLLOW_UPS = {6: "follow_up_6", 12: "follow_up_12"}
MONTHS_PER_FOLLOW_UP = 6


@dataclass
class Effect:
    model: SocioEconomicModel
    exits_to_work: int
    followed_up: int  # follow-ups done (reached or not) in the range
    in_work: dict[int, int]  # months after exit → persons in work at that follow-up

    @property
    def assumed(self) -> int:
        return self.exits_to_work * self.model.per_month * self.model.horizon_months

    @property
    def found_in_work(self) -> int:
        """Follow-ups within the horizon that found the person in work (each attests six
        months): what the known effect counts, so what its amount reveals."""
        return sum(n for months, n in self.in_work.items() if months <= self.model.horizon_months)

    @property
    def known_person_months(self) -> int:
        return self.found_in_work * MONTHS_PER_FOLLOW_UP

    @property
    def known(self) -> int:
        return self.known_person_months * self.model.per_month

    @property
    def uses_follow_ups(self) -> bool:
        return self.followed_up > 0

    @property
    def effect(self) -> int:
        return self.known if self.uses_follow_ups else self.assumed


def socioeconomic_effect(
    association: Association,
    rng: ReportRange,
    model: SocioEconomicModel | None = None,
    *,
    figures: AssociationReport | None = None,
) -> Effect:
    report = figures or participant_report(association, rng)
    total = report.total
    exits = total.row("exit_groups", ReportGroup.ARBETE)["total"]
    in_work = {}
    followed_up = 0
    for months, table in FOLLOW_UPS.items():
        rows = total.tables.get(table, {})
        in_work[months] = sum(
            rows.get(Occupation.FORVARVSARBETE, dict.fromkeys(GENDERS, 0)).values()
        )
        followed_up += sum(sum(c.values()) for c in rows.values())
    return Effect(
        model=model or socioeconomic_model(association),
        exits_to_work=exits,
        followed_up=followed_up,
        in_work=in_work,
    )


def socioeconomic_report(association: Association, rng: ReportRange) -> Report:
    report = participant_report(association, rng)
    effect = socioeconomic_effect(association, rng, figures=report)
    m = effect.model
    parameters = Table(
        title=_("Modellens antaganden"),
        columns=[_("Värde")],
        rows=[
            (_("Offentlig försörjning som inte längre betalas (kr per månad)"), [m.support]),
            (_("Administration som inte längre behövs (kr per månad)"), [m.administration]),
            (_("Skatt från arbete (kr per månad)"), [m.tax]),
            (_("Summa per person och månad (kr)"), [m.per_month]),
            (_("Antagen tid i arbete (månader)"), [m.horizon_months]),
        ],
        key="samhallsekonomi-modell",
    )
    used_follow_ups = effect.uses_follow_ups
    rows: list[tuple[str, list[Value]]] = [
        (
            _("Antagande: avslut till arbete × kr per månad × månader"),
            [effect.exits_to_work, m.horizon_months, effect.assumed, _used(not used_follow_ups)],
        ),
        (
            _("Uppföljningar: kända månader i arbete × kr per månad"),
            [
                effect.in_work.get(6, 0) + effect.in_work.get(12, 0),
                effect.known_person_months,
                effect.known,
                _used(used_follow_ups),
            ],
        ),
    ]
    rows.append((total_label(), [None, None, effect.effect, ""]))
    result = Table(
        title=_("Samhällsekonomisk effekt (kr)"),
        columns=[_("Personer"), _("Månader"), _("Effekt (kr)"), _("Används")],
        rows=rows,
        key="samhallsekonomi-effekt",
    )
    if used_follow_ups:
        note = _(
            "Uppföljningar finns i paketen: kända månader i arbete ersätter antagandet "
            "(varje uppföljning i förvärvsarbete räknas som sex månader)."
        )
    else:
        note = _(
            "Inga uppföljningar i paketen för perioden: effekten bygger på antagandet "
            "om %(months)s månader i arbete."
        ) % {"months": m.horizon_months}
    section = Section(
        "socioeconomic",
        _("Samhällsekonomisk effekt"),
        [parameters, result],
        notes=[note],
        # The effect's rows hold counts of people: left out of a published export.
        public={parameters.key},
    )
    return Report(
        kind="socioeconomic",
        title=_("Samhällsekonomisk effekt %(period)s") % {"period": rng.label},
        owner_name=association.name,
        owner_key=association.slug,
        range=rng,
        sections=[section],
        notes=report.notes(),
        empty=report.empty,
    )


def _used(yes: bool) -> str:
    return _("Ja") if yes else _("Nej")
