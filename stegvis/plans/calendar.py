"""The governance year (årshjul): default obligations, their dates in a year, and the e-mail
reminders sent by ``manage.py send_reminders``.

A reminder goes once per occurrence: on the first run on or after ``due − remind_days_before``
(and not after the due date) every active user holding the responsible role at the association
gets one e-mail, and a ``ReminderSent`` row (unique per obligation and due date) makes a second
run the same day — or any later day — send nothing.
"""

from __future__ import annotations

import calendar as cal
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from stegvis.core import audit
from stegvis.core.models import Association, Role, RoleAssignment
from stegvis.plans.models import Obligation, ReminderSent

K = Obligation.Kind

# (kind, title, month, day, role, days before). Dates from the law and the national guidance:
# member consultation in February; annual report within three months of year end; interim
# reports after 30 April and 31 August where the förbundsordning requires them; budget and
# plan decided by 30 November; survey compilations three times a year (per tertial); the
# providers' de-identified compilations due after each tertial.
DEFAULTS: list[tuple[str, object, int, int, str, int]] = [
    (
        K.SURVEY_COMPILATION,
        gettext_lazy("Sammanställ indikatorenkäterna för september–december"),
        1,
        31,
        Role.OFFICE,
        14,
    ),
    (
        K.PACKAGE_DEADLINE,
        gettext_lazy("Utförarnas sammanställningar för september–december"),
        1,
        15,
        Role.OFFICE,
        10,
    ),
    (K.CONSULTATION, gettext_lazy("Medlemssamråd"), 2, 15, Role.OFFICE, 30),
    (
        K.ANNUAL_REPORT,
        gettext_lazy("Årsredovisningen beslutad av styrelsen"),
        3,
        31,
        Role.BOARD,
        21,
    ),
    (
        K.PACKAGE_DEADLINE,
        gettext_lazy("Utförarnas sammanställningar för januari–april"),
        5,
        15,
        Role.OFFICE,
        10,
    ),
    (
        K.SURVEY_COMPILATION,
        gettext_lazy("Sammanställ indikatorenkäterna för januari–april"),
        5,
        31,
        Role.OFFICE,
        14,
    ),
    (K.INTERIM_REPORT, gettext_lazy("Delårsrapport per 30 april"), 6, 15, Role.BOARD, 21),
    (
        K.PACKAGE_DEADLINE,
        gettext_lazy("Utförarnas sammanställningar för maj–augusti"),
        9,
        15,
        Role.OFFICE,
        10,
    ),
    (
        K.SURVEY_COMPILATION,
        gettext_lazy("Sammanställ indikatorenkäterna för maj–augusti"),
        9,
        30,
        Role.OFFICE,
        14,
    ),
    (K.INTERIM_REPORT, gettext_lazy("Delårsrapport per 31 augusti"), 10, 15, Role.BOARD, 21),
    (
        K.PLAN_DECISION,
        gettext_lazy("Verksamhetsplan och budget beslutade av styrelsen"),
        11,
        30,
        Role.BOARD,
        30,
    ),
]
REMINDED_ROLES = [Role.OFFICE, Role.BOARD, Role.PREPARATORY, Role.AUDITOR]


def due_in(obligation: Obligation, year: int) -> date:
    """The obligation's date in ``year``; a day past the month's end is its last day."""
    last = cal.monthrange(year, obligation.month)[1]
    return date(year, obligation.month, min(obligation.day, last))


@transaction.atomic
def ensure_defaults(association: Association) -> int:
    """Give an association without obligations the default governance year; returns how many
    were created (0 when it already has any)."""
    if Obligation.objects.filter(association=association).exists():
        return 0
    with override(settings.LANGUAGE_CODE):
        Obligation.objects.bulk_create(
            Obligation(
                association=association,
                kind=kind,
                title=str(title),
                month=month,
                day=day,
                responsible_role=role,
                remind_days_before=before,
            )
            for kind, title, month, day, role, before in DEFAULTS
        )
    return len(DEFAULTS)


@dataclass
class Entry:
    obligation: Obligation
    due: date


def year_calendar(obligations: list[Obligation], year: int) -> list[Entry]:
    return sorted(
        (Entry(o, due_in(o, year)) for o in obligations), key=lambda e: (e.due, e.obligation.pk)
    )


def next_due(obligation: Obligation, today: date) -> date:
    due = due_in(obligation, today.year)
    return due if due >= today else due_in(obligation, today.year + 1)


def send_reminders(today: date) -> int:
    """Send every reminder whose window is open on ``today`` and that was not sent before;
    returns the number of e-mails sent."""
    sent = 0
    obligations = Obligation.objects.filter(active=True).select_related("association")
    for obligation in obligations:
        due = next_due(obligation, today)
        if today < due - timedelta(days=obligation.remind_days_before):
            continue
        if ReminderSent.objects.filter(obligation=obligation, due=due).exists():
            continue
        recipients = sorted(
            set(
                RoleAssignment.objects.active()
                .filter(association=obligation.association, role=obligation.responsible_role)
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    association=obligation.association,
                    obligation=obligation,
                    due=due,
                    sent_on=today,
                    recipients=len(recipients),
                )
        except IntegrityError:
            continue  # another run got there first
        with override(settings.LANGUAGE_CODE):
            subject = _("Påminnelse: %(title)s senast %(due)s") % {
                "title": obligation.title,
                "due": due.isoformat(),
            }
            body = _(
                "Hej!\n\nI %(association)s årshjul står: %(title)s, senast %(due)s.\n\n"
                "Du får påminnelsen för att du har rollen %(role)s i förbundet. Årshjulet "
                "ändras i Stegvis under Verksamhetsplan → Årshjul.\n\nStegvis"
            ) % {
                "association": obligation.association.name,
                "title": obligation.title,
                "due": due.isoformat(),
                "role": Role(obligation.responsible_role).label,
            }
        for address in recipients:
            send_mail(subject, body, None, [address])
            sent += 1
        audit.record(
            "plans.reminder.sent",
            owner=obligation.association,
            obj=obligation,
            reason=f"{due.isoformat()} ({len(recipients)})",
        )
    return sent
