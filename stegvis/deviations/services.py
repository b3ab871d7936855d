"""Every write of Lex Heller reports, with its validation, its audit event and its e-mails.

Views, the demo and tests call these; nothing else saves the app's models. Each function checks
the named predicate again, validates (Swedish messages, by field), writes in one transaction and
records the audit event in the association's log. E-mails carry a report's number and state, never
its content.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.models import (
    ASSOCIATION_ROLES,
    Association,
    Organisation,
    Unit,
    User,
)
from stegvis.deviations import screening
from stegvis.deviations.models import (
    DEFAULT_CATEGORIES,
    DeviationAdministrator,
    DeviationCategory,
    DeviationComment,
    DeviationReport,
    DeviationStep,
)
from stegvis.deviations.permissions import (
    can_comment,
    can_file_reports,
    can_handle_reports,
    can_manage_setup,
)
from stegvis.interventions.models import Intervention

State = DeviationReport.State


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- Categories -----------------------------------------------------------------------------


def seed_default_categories(association: Association) -> None:
    """Give an association the default categories, unless it has categories already."""
    if DeviationCategory.objects.filter(association=association).exists():
        return
    DeviationCategory.objects.bulk_create(
        DeviationCategory(association=association, name=name, position=index * 10)
        for index, name in enumerate(DEFAULT_CATEGORIES, start=1)
    )


@transaction.atomic
def add_category(actor: Actor, *, name: str) -> DeviationCategory:
    _require(can_manage_setup(actor))
    association = actor.association
    assert association is not None
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Ange kategorins namn.")})
    if DeviationCategory.objects.filter(association=association, name__iexact=name).exists():
        raise ValidationError({"name": _("Det finns redan en kategori med det namnet.")})
    last = DeviationCategory.objects.filter(association=association).aggregate(m=Max("position"))
    category = DeviationCategory.objects.create(
        association=association, name=name, position=(last["m"] or 0) + 10
    )
    audit.record("deviation.category.add", actor=actor, obj=category, reason=name)
    return category


@transaction.atomic
def update_category(
    actor: Actor, category: DeviationCategory, *, name: str, active: bool
) -> DeviationCategory:
    """Rename or retire a category. A retired one keeps its reports and its place in figures."""
    _require(can_manage_setup(actor) and category.association_id == _pk(actor.association))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Ange kategorins namn.")})
    clash = DeviationCategory.objects.filter(
        association=category.association, name__iexact=name
    ).exclude(pk=category.pk)
    if clash.exists():
        raise ValidationError({"name": _("Det finns redan en kategori med det namnet.")})
    if not active and category.active:
        others = DeviationCategory.objects.filter(association=category.association, active=True)
        if not others.exclude(pk=category.pk).exists():
            raise ValidationError(
                {
                    "active": _(
                        "Minst en kategori måste användas, annars går det inte att rapportera."
                    )
                }
            )
    category.name = name
    category.active = active
    category.save(update_fields=["name", "active"])
    audit.record(
        "deviation.category.update", actor=actor, obj=category, reason=f"{name} ({active})"
    )
    return category


# --- Administrators -------------------------------------------------------------------------


def administrator_candidates(association: Association) -> QuerySet[User]:
    """The association's own users (active association roles), who may be appointed."""
    return (
        User.objects.filter(
            is_active=True,
            roles__association=association,
            roles__role__in=sorted(ASSOCIATION_ROLES),
            roles__deactivated_at__isnull=True,
        )
        .distinct()
        .order_by("full_name")
    )


@transaction.atomic
def appoint_administrator(actor: Actor, user: User) -> DeviationAdministrator:
    _require(can_manage_setup(actor))
    association = actor.association
    assert association is not None
    if not administrator_candidates(association).filter(pk=user.pk).exists():
        raise ValidationError(
            {
                "user": _(
                    "Bara förbundets egna användare (kansli, styrelse, beredningsgrupp, revisor) "
                    "kan utses."
                )
            }
        )
    if DeviationAdministrator.objects.active().filter(association=association, user=user).exists():
        raise ValidationError({"user": _("%(name)s är redan handläggare.") % {"name": user}})
    administrator = DeviationAdministrator.objects.create(
        association=association, user=user, appointed_by=actor.user
    )
    audit.record("deviation.administrator.appoint", actor=actor, obj=administrator)
    return administrator


@transaction.atomic
def end_administrator(actor: Actor, administrator: DeviationAdministrator) -> None:
    _require(can_manage_setup(actor) and administrator.association_id == _pk(actor.association))
    if administrator.ended_at is not None:
        raise ValidationError(_("Uppdraget är redan avslutat."))
    administrator.ended_at = timezone.now()
    administrator.save(update_fields=["ended_at"])
    audit.record("deviation.administrator.end", actor=actor, obj=administrator)


def administrator_emails(association: Association) -> list[str]:
    """Addresses of the active administrators who still hold a role in the association."""
    return list(
        DeviationAdministrator.objects.active()
        .filter(
            association=association,
            user__is_active=True,
            user__roles__association=association,
            user__roles__role__in=sorted(ASSOCIATION_ROLES),
            user__roles__deactivated_at__isnull=True,
        )
        .values_list("user__email", flat=True)
        .distinct()
        .order_by("user__email")
    )


# --- Filing a report ------------------------------------------------------------------------


def reportable_associations(actor: Actor) -> QuerySet[Association]:
    """The associations the actor may report to: an invited reporter's own; for a role in a
    provider or a member's unit, the associations its organisation is a current member of."""
    if not can_file_reports(actor):
        return Association.objects.none()
    if actor.association is not None:
        return Association.objects.filter(pk=actor.association.pk)
    assert actor.unit is not None
    today = timezone.localdate()
    return (
        Association.objects.filter(
            Q(members__left__isnull=True) | Q(members__left__gte=today),
            members__organisation=actor.unit.organisation,
            members__joined__lte=today,
        )
        .distinct()
        .order_by("name")
    )


def member_organisations(
    association: Association, on: date | None = None
) -> QuerySet[Organisation]:
    """The association's member organisations on a day (today by default)."""
    day = on or timezone.localdate()
    return (
        Organisation.objects.filter(
            Q(memberships__left__isnull=True) | Q(memberships__left__gte=day),
            memberships__association=association,
            memberships__joined__lte=day,
        )
        .distinct()
        .order_by("name")
    )


def association_interventions(association: Association) -> QuerySet[Intervention]:
    """The interventions the association funds."""
    return (
        Intervention.objects.filter(fundings__association=association).distinct().order_by("name")
    )


@dataclass(frozen=True)
class ReportDetails:
    """What the reporter writes. ``reporter_organisation`` is read from the role for a role in a
    unit; an invited reporter names it among the association's members (or leaves it empty)."""

    event_date: date
    category: DeviationCategory
    organisations: list[Organisation]
    what_happened: str
    consequence: str = ""
    proposed_solution: str = ""
    intervention: Intervention | None = None
    reporter_organisation: Organisation | None = None


TEXT_FIELDS = ("what_happened", "consequence", "proposed_solution")


def _text_labels() -> dict[str, str]:
    return {
        "what_happened": _("Vad hände"),
        "consequence": _("Konsekvens för individen"),
        "proposed_solution": _("Förslag på lösning"),
    }


def _validate(association: Association, details: ReportDetails, *, received_on: date) -> None:
    errors: dict[str, list[str]] = {}
    if details.event_date > timezone.localdate():
        errors.setdefault("event_date", []).append(
            _("Datumet för händelsen kan inte ligga i framtiden.")
        )
    if details.event_date > received_on:
        errors.setdefault("event_date", []).append(
            _("Händelsen kan inte ha inträffat efter att rapporten kom in.")
        )
    if details.category.association_id != association.pk or not details.category.active:
        errors.setdefault("category", []).append(_("Välj en av förbundets kategorier."))
    if not details.what_happened.strip():
        errors.setdefault("what_happened", []).append(_("Beskriv vad som hände."))
    if not details.organisations:
        errors.setdefault("organisations", []).append(
            _("Välj minst en organisation som var inblandad.")
        )
    members = set(
        member_organisations(association, details.event_date).values_list("pk", flat=True)
    )
    outside = [o.name for o in details.organisations if o.pk not in members]
    if outside:
        errors.setdefault("organisations", []).append(
            _("%(names)s var inte medlem i %(association)s den dagen händelsen inträffade.")
            % {"names": ", ".join(sorted(outside)), "association": association.name}
        )
    org = details.reporter_organisation
    if org is not None and not member_organisations(association).filter(pk=org.pk).exists():
        errors.setdefault("reporter_organisation", []).append(
            _("Välj en av förbundets medlemsorganisationer, eller lämna fältet tomt.")
        )
    if (
        details.intervention is not None
        and not association_interventions(association).filter(pk=details.intervention.pk).exists()
    ):
        errors.setdefault("intervention", []).append(
            _("Insatsen finansieras inte av %(association)s.") % {"association": association.name}
        )
    labels = _text_labels()
    for name in TEXT_FIELDS:
        found = screening.problems(labels[name], getattr(details, name))
        if found:
            errors.setdefault(name, []).extend(found)
    if errors:
        raise ValidationError(errors)


def _reporter_organisation(actor: Actor, details: ReportDetails) -> Organisation | None:
    if actor.unit is not None:
        return actor.unit.organisation
    return details.reporter_organisation


@transaction.atomic
def file_report(
    actor: Actor,
    association: Association,
    details: ReportDetails,
    *,
    base_url: str,
    received_on: date | None = None,
) -> DeviationReport:
    """File a report to ``association``; tell its administrators by e-mail.

    ``received_on`` is today unless given (a report that came in earlier, e.g. on paper, or the
    demo's year of reports); it can never lie in the future.
    """
    _require(can_file_reports(actor))
    if not reportable_associations(actor).filter(pk=association.pk).exists():
        raise ValidationError(
            _("Din organisation är inte medlem i %(association)s.") % {"association": association}
        )
    today = received_on or timezone.localdate()
    if today > timezone.localdate():
        raise ValidationError(_("En rapport kan inte komma in i framtiden."))
    _validate(association, details, received_on=today)
    # Numbers run per association; the lock on the association row keeps them unique.
    Association.objects.select_for_update().filter(pk=association.pk).first()
    last = DeviationReport.objects.filter(association=association).aggregate(m=Max("number"))
    report = DeviationReport.objects.create(
        association=association,
        number=(last["m"] or 0) + 1,
        event_date=details.event_date,
        received_on=today,
        reported_by=actor.user,
        reporter_unit=actor.unit,
        reporter_role=actor.role,
        reporter_organisation=_reporter_organisation(actor, details),
        intervention=details.intervention,
        category=details.category,
        what_happened=details.what_happened.strip(),
        consequence=details.consequence.strip(),
        proposed_solution=details.proposed_solution.strip(),
    )
    report.organisations.set(details.organisations)
    DeviationStep.objects.create(
        association=association,
        report=report,
        from_state="",
        to_state=State.RECEIVED,
        by=actor.user,
    )
    audit.record("deviation.report.file", actor=actor, owner=association, obj=report)
    _notify_administrators(report, base_url)
    return report


@transaction.atomic
def register_paper_report(
    actor: Actor,
    details: ReportDetails,
    *,
    received_on: date,
    base_url: str,
) -> DeviationReport:
    """The office registers a report that arrived on paper: the same checks as a filed report
    (personal data refused, organisations that were members, no future dates), the reporter's
    organisation chosen by the office, the day the paper arrived as ``received_on``."""
    _require(can_manage_setup(actor))
    association = actor.association
    assert association is not None
    errors: dict[str, list[str]] = {}
    if received_on > timezone.localdate():
        errors["received_on"] = [_("En rapport kan inte komma in i framtiden.")]
    if details.reporter_organisation is None:
        errors["reporter_organisation"] = [_("Välj rapportörens organisation.")]
    try:
        _validate(association, details, received_on=min(received_on, timezone.localdate()))
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    Association.objects.select_for_update().filter(pk=association.pk).first()
    last = DeviationReport.objects.filter(association=association).aggregate(m=Max("number"))
    report = DeviationReport.objects.create(
        association=association,
        number=(last["m"] or 0) + 1,
        event_date=details.event_date,
        received_on=received_on,
        reported_by=actor.user,
        reporter_unit=None,
        reporter_role=actor.role,
        reporter_organisation=details.reporter_organisation,
        intervention=details.intervention,
        category=details.category,
        what_happened=details.what_happened.strip(),
        consequence=details.consequence.strip(),
        proposed_solution=details.proposed_solution.strip(),
        on_paper=True,
    )
    report.organisations.set(details.organisations)
    DeviationStep.objects.create(
        association=association,
        report=report,
        from_state="",
        to_state=State.RECEIVED,
        by=actor.user,
        note=_("Registrerad från en pappersrapport."),
    )
    audit.record("deviation.report.paper", actor=actor, obj=report)
    _notify_administrators(report, base_url)
    return report


@transaction.atomic
def supplement_report(
    actor: Actor, report: DeviationReport, details: ReportDetails, *, base_url: str
) -> DeviationReport:
    """The reporter completes a report that was sent back; it is received again."""
    _require(can_file_reports(actor) and _is_reporter_of(actor, report))
    report = _locked(report)
    if report.state != State.RETURNED:
        raise ValidationError(
            _(
                "Rapport %(number)s har status ”%(state)s” och kan bara kompletteras när den har "
                "skickats tillbaka."
            )
            % {"number": report.number, "state": report.get_state_display()}
        )
    _validate(report.association, details, received_on=report.received_on)
    for field in ("event_date", "category", "intervention", *TEXT_FIELDS):
        value = getattr(details, field)
        setattr(report, field, value.strip() if isinstance(value, str) else value)
    if actor.unit is None:
        report.reporter_organisation = details.reporter_organisation
    report.state = State.RECEIVED
    report.save()
    report.organisations.set(details.organisations)
    _step(actor, report, State.RETURNED, State.RECEIVED, _("Kompletterad av rapportören."))
    audit.record("deviation.report.supplement", actor=actor, owner=report.association, obj=report)
    _notify_administrators(report, base_url)
    return report


def _is_reporter_of(actor: Actor, report: DeviationReport) -> bool:
    return DeviationReport.objects.visible_to(actor).filter(pk=report.pk).exists() and (
        report.reported_by_id == actor.user.pk
    )


# --- Handling -------------------------------------------------------------------------------

# The states each step starts from.
STEP_FROM: dict[str, set[str]] = {
    "review": {State.RECEIVED},
    "return": {State.RECEIVED, State.REVIEWED},
    "merge": {State.RECEIVED, State.REVIEWED},
    "take": {State.REVIEWED},
    "decide": {State.TAKEN},
    "feedback": {State.DECIDED},
    "close": {State.FEEDBACK},
}


def _locked(report: DeviationReport) -> DeviationReport:
    return (
        DeviationReport.objects.select_for_update().select_related("association").get(pk=report.pk)
    )


def _check_state(report: DeviationReport, step: str, doing: str) -> None:
    allowed = STEP_FROM[step]
    if report.state in allowed:
        return
    required = " " + _("eller") + " "
    raise ValidationError(
        _(
            "Rapport %(number)s har status ”%(state)s” och kan inte %(doing)s nu: det steget "
            "kräver status ”%(required)s”."
        )
        % {
            "number": report.number,
            "state": report.get_state_display(),
            "doing": doing,
            "required": required.join(
                str(label) for value, label in State.choices if value in allowed
            ),
        },
        code="out_of_order",
    )


def _step(actor: Actor, report: DeviationReport, old: str, new: str, note: str = "") -> None:
    DeviationStep.objects.create(
        association=report.association,
        report=report,
        from_state=old,
        to_state=new,
        by=actor.user,
        note=note,
    )


def _screen(**fields: tuple[str, str]) -> None:
    screening.check(fields)


def _handle(actor: Actor, report: DeviationReport, step: str, doing: str) -> DeviationReport:
    _require(
        can_handle_reports(actor)
        and actor.association is not None
        and report.association_id == actor.association.pk
    )
    locked = _locked(report)
    _check_state(locked, step, doing)
    return locked


@transaction.atomic
def review(actor: Actor, report: DeviationReport, *, note: str = "") -> DeviationReport:
    report = _handle(actor, report, "review", _("granskas"))
    _screen(note=(_("Anteckning"), note))
    report.state = State.REVIEWED
    report.save(update_fields=["state"])
    _step(actor, report, State.RECEIVED, State.REVIEWED, note.strip())
    audit.record("deviation.report.review", actor=actor, obj=report)
    return report


@transaction.atomic
def send_back(
    actor: Actor, report: DeviationReport, *, message: str, base_url: str
) -> DeviationReport:
    """Ask the reporter for more detail; they see ``message`` and can complete the report."""
    report = _handle(actor, report, "return", _("skickas tillbaka"))
    if not message.strip():
        raise ValidationError({"message": _("Skriv vad rapportören behöver komplettera.")})
    _screen(message=(_("Vad behöver kompletteras"), message))
    old = report.state
    report.state = State.RETURNED
    report.return_message = message.strip()
    report.save(update_fields=["state", "return_message"])
    _step(actor, report, old, State.RETURNED, message.strip())
    audit.record("deviation.report.return", actor=actor, obj=report)
    _notify_reporters(report, base_url)
    return report


@transaction.atomic
def merge(
    actor: Actor, report: DeviationReport, *, into: DeviationReport, note: str = ""
) -> DeviationReport:
    """Merge ``report`` into a similar one: it is handled, decided and answered there."""
    report = _handle(actor, report, "merge", _("slås ihop"))
    if into.association_id != report.association_id or into.pk == report.pk:
        raise ValidationError({"into": _("Välj en annan rapport i samma förbund.")})
    if into.state in {State.MERGED, State.RETURNED, State.CLOSED}:
        raise ValidationError(
            {
                "into": _(
                    "Rapport %(number)s har status ”%(state)s” och kan inte ta emot fler rapporter."
                )
                % {"number": into.number, "state": into.get_state_display()}
            }
        )
    _screen(note=(_("Anteckning"), note))
    old = report.state
    report.state = State.MERGED
    report.merged_into = into
    report.save(update_fields=["state", "merged_into"])
    text = _("Sammanslagen med rapport %(number)s.") % {"number": into.number}
    _step(actor, report, old, State.MERGED, f"{text} {note.strip()}".strip())
    audit.record("deviation.report.merge", actor=actor, obj=report, reason=str(into.public_id))
    return report


@transaction.atomic
def take_to_group(actor: Actor, report: DeviationReport, *, note: str = "") -> DeviationReport:
    report = _handle(actor, report, "take", _("tas till beredningsgruppen"))
    _screen(note=(_("Anteckning"), note))
    report.state = State.TAKEN
    report.taken_at = timezone.now()
    report.save(update_fields=["state", "taken_at"])
    _step(actor, report, State.REVIEWED, State.TAKEN, note.strip())
    audit.record("deviation.report.take", actor=actor, obj=report)
    return report


@transaction.atomic
def decide(
    actor: Actor,
    report: DeviationReport,
    *,
    action: str,
    organisation: Organisation,
    decided_on: date,
) -> DeviationReport:
    """Record the action the preparatory group decided, who is responsible, and when."""
    report = _handle(actor, report, "decide", _("få ett beslut"))
    errors: dict[str, list[str]] = {}
    if not action.strip():
        errors["action"] = [_("Beskriv den beslutade åtgärden.")]
    if decided_on > timezone.localdate():
        errors["decided_on"] = [_("Beslutsdatumet kan inte ligga i framtiden.")]
    elif decided_on < report.received_on:
        errors["decided_on"] = [
            _("Beslutsdatumet kan inte vara före rapportens inkomstdatum (%(date)s).")
            % {"date": report.received_on.isoformat()}
        ]
    if not member_organisations(report.association).filter(pk=organisation.pk).exists():
        errors["organisation"] = [_("Välj en av förbundets medlemsorganisationer.")]
    found = screening.problems(_("Beslutad åtgärd"), action)
    if found:
        errors.setdefault("action", []).extend(found)
    if errors:
        raise ValidationError(errors)
    report.state = State.DECIDED
    report.action = action.strip()
    report.action_organisation = organisation
    report.decided_on = decided_on
    report.days_to_decision = (decided_on - report.received_on).days
    report.save(
        update_fields=["state", "action", "action_organisation", "decided_on", "days_to_decision"]
    )
    _step(actor, report, State.TAKEN, State.DECIDED)
    audit.record("deviation.report.decide", actor=actor, obj=report)
    return report


@transaction.atomic
def give_feedback(
    actor: Actor, report: DeviationReport, *, feedback: str, base_url: str
) -> DeviationReport:
    """Write the feedback the reporter sees, and tell them (and the reporters of reports merged
    into this one) by e-mail."""
    report = _handle(actor, report, "feedback", _("få återkoppling"))
    if not feedback.strip():
        raise ValidationError({"feedback": _("Skriv återkopplingen till rapportören.")})
    _screen(feedback=(_("Återkoppling"), feedback))
    report.state = State.FEEDBACK
    report.feedback = feedback.strip()
    report.save(update_fields=["state", "feedback"])
    _step(actor, report, State.DECIDED, State.FEEDBACK)
    audit.record("deviation.report.feedback", actor=actor, obj=report)
    _notify_reporters(report, base_url)
    return report


@transaction.atomic
def close(actor: Actor, report: DeviationReport, *, note: str = "") -> DeviationReport:
    report = _handle(actor, report, "close", _("avslutas"))
    _screen(note=(_("Anteckning"), note))
    report.state = State.CLOSED
    report.save(update_fields=["state"])
    _step(actor, report, State.FEEDBACK, State.CLOSED, note.strip())
    audit.record("deviation.report.close", actor=actor, obj=report)
    return report


@transaction.atomic
def add_comment(actor: Actor, report: DeviationReport, *, text: str) -> DeviationComment:
    _require(
        can_comment(actor)
        and DeviationReport.objects.visible_to(actor).filter(pk=report.pk).exists()
    )
    if not text.strip():
        raise ValidationError({"text": _("Skriv en kommentar.")})
    _screen(text=(_("Kommentar"), text))
    comment = DeviationComment.objects.create(
        association=report.association,
        report=report,
        author=actor.user,
        author_role=actor.role,
        text=text.strip(),
    )
    audit.record("deviation.comment.add", actor=actor, obj=comment)
    return comment


# --- E-mail ---------------------------------------------------------------------------------


def _reporter_url(report: DeviationReport, base_url: str) -> str:
    return base_url.rstrip("/") + reporter_detail_path(report)


def reporter_detail_path(report: DeviationReport) -> str:
    """Where the reporter reads their report, in the role they filed it in."""
    if report.reporter_unit_id is not None:
        unit: Unit = report.reporter_unit  # type: ignore[assignment]
        prefix = "provider" if unit.is_provider else "unit"
        return reverse(
            f"deviations:{prefix}_detail",
            kwargs={prefix: unit.public_id, "report": report.public_id},
        )
    return reverse(
        "deviations:reporter_detail",
        kwargs={"association": report.association.slug, "report": report.public_id},
    )


def _notify_administrators(report: DeviationReport, base_url: str) -> None:
    recipients = administrator_emails(report.association)
    if not recipients:
        return
    link = base_url.rstrip("/") + reverse(
        "deviations:association_detail",
        kwargs={"association": report.association.slug, "report": report.public_id},
    )
    send_mail(
        subject=_("Lex Heller-rapport %(number)s: %(state)s")
        % {"number": report.number, "state": report.get_state_display()},
        message=_(
            "Hej!\n\nLex Heller-rapport %(number)s till %(association)s har status "
            "”%(state)s”.\n\nLogga in i Stegvis för att läsa och handlägga den:\n%(link)s\n"
        )
        % {
            "number": report.number,
            "association": report.association.name,
            "state": report.get_state_display(),
            "link": link,
        },
        from_email=None,
        recipient_list=recipients,
    )


def _notify_reporters(report: DeviationReport, base_url: str) -> None:
    """Tell the reporter (and for feedback, the reporters of reports merged into this one)."""
    reports: Iterable[DeviationReport] = [report]
    if report.state == State.FEEDBACK:
        reports = [report, *report.merged_reports.select_related("reported_by", "reporter_unit")]
    for each in reports:
        user: User = each.reported_by
        if not user.is_active:
            continue
        send_mail(
            subject=_("Lex Heller-rapport %(number)s: %(state)s")
            % {"number": each.number, "state": report.get_state_display()},
            message=_(
                "Hej!\n\nDin Lex Heller-rapport %(number)s till %(association)s har status "
                "”%(state)s”.\n\nLogga in i Stegvis för att läsa mer:\n%(link)s\n"
            )
            % {
                "number": each.number,
                "association": report.association.name,
                "state": report.get_state_display(),
                "link": _reporter_url(each, base_url),
            },
            from_email=None,
            recipient_list=[user.email],
        )


def _pk(association: Association | None) -> int | None:
    return association.pk if association is not None else None
