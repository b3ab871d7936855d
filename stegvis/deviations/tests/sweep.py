"""The wall sweep's view of Lex Heller reports (see stegvis/core/tests/test_wall_sweep.py).

At each association: a report filed by its invited reporter (rita at A; a coach of the other
association's provider at B), an appointed administrator and a category. At each provider and at
the referrer's unit: a report filed there by its coach or referrer, to an association the unit's
organisation is a member of. Every kind is also reached with another owner's id.
"""

from __future__ import annotations

from datetime import date

from stegvis.core.models import Association, Organisation, Role, RoleAssignment, Unit
from stegvis.deviations.models import (
    DeviationAdministrator,
    DeviationCategory,
    DeviationComment,
    DeviationReport,
    DeviationStep,
    LexHellerCell,
    LexHellerDispatch,
    ReceivedLexHeller,
)

OBJECT_KINDS = {"report", "administrator", "category"}


def _report(association: Association, assignment: RoleAssignment) -> DeviationReport:
    number = DeviationReport.objects.filter(association=association).count() + 1
    report = DeviationReport.objects.create(
        association=association,
        number=number,
        event_date=date(2026, 1, 5),
        received_on=date(2026, 1, 7),
        reported_by=assignment.user,
        reporter_unit=assignment.unit,
        reporter_role=assignment.role,
        reporter_organisation=assignment.unit.organisation if assignment.unit else None,
        category=DeviationCategory.objects.filter(association=association).first(),
        what_happened=f"Sweep-situation {association.slug} {number}",
    )
    report.organisations.set(
        Organisation.objects.filter(memberships__association=association, kind="fk")
    )
    return report


def objects_for(world, owner) -> dict[str, object]:
    if isinstance(owner, Unit):
        assignment = RoleAssignment.objects.filter(
            unit=owner, role__in=[Role.COACH, Role.REFERRER]
        ).first()
        association = world.b if owner == world.q else world.a
        return {"report": _report(association, assignment).public_id}
    if owner == world.a:
        reporter = world.roles["rita"]
        office = world["alice"]
    else:
        reporter = world.roles["erin"]
        office = world["dave"]
    administrator = DeviationAdministrator.objects.create(
        association=owner, user=office, appointed_by=office
    )
    return {
        "report": _report(owner, reporter).public_id,
        "administrator": administrator.public_id,
        "category": DeviationCategory.objects.filter(association=owner).first().public_id,
    }


def counts() -> tuple[int, ...]:
    return (
        DeviationReport.objects.count(),
        *(
            DeviationReport.objects.filter(state=state).count()
            for state in DeviationReport.State.values
        ),
        DeviationStep.objects.count(),
        DeviationComment.objects.count(),
        DeviationAdministrator.objects.filter(ended_at__isnull=True).count(),
        DeviationCategory.objects.filter(active=True).count(),
        DeviationCategory.objects.count(),
        LexHellerDispatch.objects.count(),
        ReceivedLexHeller.objects.count(),
        LexHellerCell.objects.count(),
    )
