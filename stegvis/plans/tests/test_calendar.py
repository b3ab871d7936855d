"""The governance year: defaults, dates, validation, pages and idempotent e-mail reminders."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from stegvis.plans import calendar, services
from stegvis.plans.models import Obligation, ReminderSent
from stegvis.plans.services import ObligationDetails

pytestmark = pytest.mark.django_db


def test_the_default_year_has_the_obligations_of_the_issue(world):
    assert calendar.ensure_defaults(world.a) == len(calendar.DEFAULTS)
    assert calendar.ensure_defaults(world.a) == 0  # only once
    entries = calendar.year_calendar(list(Obligation.objects.filter(association=world.a)), 2027)
    by_kind: dict[str, list[date]] = {}
    for entry in entries:
        by_kind.setdefault(entry.obligation.kind, []).append(entry.due)
    assert by_kind["consultation"] == [date(2027, 2, 15)]
    assert by_kind["annual_report"] == [date(2027, 3, 31)]
    assert by_kind["interim_report"] == [date(2027, 6, 15), date(2027, 10, 15)]
    assert by_kind["plan_decision"] == [date(2027, 11, 30)]
    assert len(by_kind["survey_compilation"]) == 3
    assert len(by_kind["package_deadline"]) == 3
    assert [e.due for e in entries] == sorted(e.due for e in entries)
    assert not Obligation.objects.filter(association=world.b).exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"day": 30, "month": 2}, "day", "Dagen finns inte i den månaden (29 februari går inte)."),
        ({"responsible_role": "coach"}, "responsible_role", "Välj kansli, styrelse"),
        ({"remind_days_before": 200}, "remind_days_before", "Påminnelsen skickas 0–120"),
        ({"title": " "}, "title", "Beskriv åtagandet."),
    ],
)
def test_bad_obligations_are_refused(A, change, field, message):
    details = ObligationDetails("other", "Revisionsmöte", 4, 10, "auditor", 7)
    for name, value in change.items():
        setattr(details, name, value)
    with pytest.raises(ValidationError) as error:
        services.add_obligation(A["alice"], details)
    assert error.value.message_dict[field][0].startswith(message)


def test_reminders_go_once_to_the_responsible_role(world, A):
    obligation = services.add_obligation(
        A["alice"], ObligationDetails("plan_decision", "Planen beslutas", 11, 30, "board", 30)
    )
    # Before the window opens: nothing.
    assert calendar.send_reminders(date(2026, 10, 30)) == 0
    call_command("send_reminders", "--date", "2026-10-31")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world["carol"].email]  # the board of A, not B's
    assert message.subject == "Påminnelse: Planen beslutas senast 2026-11-30"
    assert "rollen Styrelse" in message.body
    # The same day again, and the next day: nothing new.
    call_command("send_reminders", "--date", "2026-10-31")
    call_command("send_reminders", "--date", "2026-11-01")
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.get(obligation=obligation).due == date(2026, 11, 30)
    # Next year's occurrence is reminded again.
    call_command("send_reminders", "--date", "2027-11-05")
    assert len(mail.outbox) == 2
    # A switched-off obligation is not reminded.
    obligation.active = False
    obligation.save()
    call_command("send_reminders", "--date", "2028-11-05")
    assert len(mail.outbox) == 2


def test_the_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ÅÅÅÅ-MM-DD"):
        call_command("send_reminders", "--date", "31/10")


def test_the_office_edits_the_year_through_the_page(world, as_persona):
    client = as_persona("alice")
    kw = {"association": world.a.slug}
    page = client.get(reverse("plans:calendar", kwargs=kw)).content.decode()
    assert "Årshjulet är tomt." in page
    client.post(reverse("plans:obligation_defaults", kwargs=kw))
    assert Obligation.objects.filter(association=world.a).count() == len(calendar.DEFAULTS)
    obligation = Obligation.objects.get(association=world.a, kind="consultation")
    url = reverse("plans:obligation_edit", kwargs={**kw, "obligation": obligation.public_id})
    data = {
        "kind": "consultation",
        "title": "Medlemssamråd",
        "month": "2",
        "day": "30",
        "responsible_role": "office",
        "remind_days_before": "30",
        "active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Dagen finns inte i den månaden" in response.content.decode()
    response = client.post(url, {**data, "day": "20"})
    assert response.status_code == 302
    obligation.refresh_from_db()
    assert (obligation.month, obligation.day) == (2, 20)
    page = client.get(reverse("plans:calendar", kwargs=kw), {"ar": "2027"}).content.decode()
    assert "2027-02-20" in page


def test_the_calendar_checks_owner_and_role(world, as_persona, django_assert_max_num_queries):
    kw = {"association": world.a.slug}
    url = reverse("plans:calendar", kwargs=kw)
    calendar.ensure_defaults(world.a)
    for persona in ("carol", "helena"):
        page = as_persona(persona).get(url)
        assert page.status_code == 200
        assert "Lägg in standardåtagandena" not in page.content.decode()
    assert as_persona("dave").get(url).status_code == 404
    assert as_persona("bob").get(url).status_code == 404
    assert as_persona("rita").get(url).status_code in (302, 403)
    assert (
        as_persona("carol").post(reverse("plans:obligation_defaults", kwargs=kw)).status_code == 403
    )
    client = as_persona("carol")
    with django_assert_max_num_queries(25) as first:
        client.get(url)
    for i in range(20):
        Obligation.objects.create(
            association=world.a,
            kind="other",
            title=f"Extra {i}",
            month=5,
            day=1,
            responsible_role="office",
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)
