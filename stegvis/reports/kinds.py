"""Every kind of report the command line (``export_report``) and other callers can build: one
entry per kind, so that adding a kind is one line. A builder takes the owner (an association,
or a provider unit where the kind allows it) and the range, and returns a :class:`Report`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from stegvis.core.models import Association, Unit

from .base import Report
from .periods import RangeError, ReportRange

Owner = Association | Unit


@dataclass(frozen=True)
class Kind:
    build: Callable[[Owner, ReportRange], Report]
    providers: bool = False  # also for a provider (the provider's own report)
    # A kind that suppresses as it builds (its shares and charts follow the published counts)
    # and lays out its own PDF: the annual report document.
    build_published: Callable[[Owner, ReportRange], Report] | None = None
    pdf: Callable[[Owner, ReportRange, bool], bytes] | None = None

    def report(self, owner: Owner, rng: ReportRange, *, publish: bool) -> Report:
        if publish and self.build_published is not None:
            return self.build_published(owner, rng)
        report = self.build(owner, rng)
        return report.publish() if publish else report


def _participants(owner: Owner, rng: ReportRange) -> Report:
    if isinstance(owner, Unit):
        from .provider import provider_report

        return provider_report(owner, rng, shown_as="export")
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


def _annual(publish: bool) -> Callable[[Association, ReportRange], Report]:
    def build(association: Association, rng: ReportRange) -> Report:
        from .base import Section
        from .document_sections import build_sections

        if rng.start.year != rng.end.year:
            raise RangeError(_("Verksamhetsberättelsen gäller ett år: början och slut i samma år."))
        sections = build_sections(association, rng.start, rng.end, publish=publish, charts=False)
        return Report(
            kind="annual",
            title=_("Verksamhetsberättelse %(period)s") % {"period": rng.label},
            owner_name=association.name,
            owner_key=association.slug,
            range=rng,
            sections=[Section(s.key, s.title, s.tables, s.notes) for s in sections],
            published=publish,
            empty=not any(s.tables for s in sections),
        )

    return build


def _annual_pdf(owner: Owner, rng: ReportRange, publish: bool) -> bytes:
    from .document import annual_pdf

    assert isinstance(owner, Association)
    return annual_pdf(owner, rng.start, rng.end, publish=publish)


KINDS: dict[str, Kind] = {
    "participants": Kind(_participants, providers=True),
    "goals": Kind(_association(_goals)),
    "socioeconomic": Kind(_association(_socioeconomic)),
    "finance": Kind(_association(_section("finance", "finance"))),
    "surveys": Kind(_association(_section("surveys", "surveys"))),
    "annual": Kind(
        _association(_annual(publish=False)),
        build_published=_association(_annual(publish=True)),
        pdf=_annual_pdf,
    ),
}
