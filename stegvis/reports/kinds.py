"""Every kind of report the command line (``export_report``) and other callers can build: one
entry per kind, so that adding a kind is one line. A builder takes the owner (an association,
or a provider unit where the kind allows it) and the range, and returns a :class:`Report`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stegvis.core.models import Association, Unit

from .base import Report
from .periods import ReportRange

Owner = Association | Unit


@dataclass(frozen=True)
class Kind:
    build: Callable[[Owner, ReportRange], Report]
    providers: bool = False  # also for a provider (the provider's own report)


def _participants(owner: Owner, rng: ReportRange) -> Report:
    if isinstance(owner, Unit):
        from .provider import provider_report

        return provider_report(owner, rng)
    from .association import association_report

    return association_report(owner, rng, sections=("participants", "structural", "screening"))


def _association(build: Callable[[Association, ReportRange], Report]) -> Callable[..., Report]:
    def run(owner: Owner, rng: ReportRange) -> Report:
        assert isinstance(owner, Association)
        return build(owner, rng)

    return run


def _goals(association: Association, rng: ReportRange) -> Report:
    from .goals import goal_follow_up

    return goal_follow_up(association, rng)


def _socioeconomic(association: Association, rng: ReportRange) -> Report:
    from .socioeconomic import socioeconomic_report

    return socioeconomic_report(association, rng)


def _section(key: str, kind: str) -> Callable[[Association, ReportRange], Report]:
    def build(association: Association, rng: ReportRange) -> Report:
        from dataclasses import replace

        from .association import association_report

        report = association_report(association, rng, sections=(key,))
        title = f"{report.sections[0].title} {rng.label}"
        return replace(report, kind=kind, title=title)

    return build


KINDS: dict[str, Kind] = {
    "participants": Kind(_participants, providers=True),
    "goals": Kind(_association(_goals)),
    "socioeconomic": Kind(_association(_socioeconomic)),
    "finance": Kind(_association(_section("finance", "finance"))),
    "surveys": Kind(_association(_section("surveys", "surveys"))),
}
