"""The office registers a report that arrived on paper: the reporter's form, the same checks, the
reporter's organisation chosen by the office, marked as registered on paper."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from stegvis.core.audit import AuditEvent
from stegvis.deviations import services
from stegvis.deviations.models import DeviationReport, DeviationStep

from .conftest import BASE, category


def _details(world, fk, **fields):
    return services.ReportDetails(
        event_date=fields.pop("event_date", date(2026, 1, 5)),
        category=category(world.a, "Kontakt och tillgänglighet"),
        organisations=[fk],
        what_happened=fields.pop("what_happened", "Beslut från två myndigheter motsade varandra."),
        **fields,
    )


def test_the_office_registers_a_paper_report(world, A, fk, krokom, handled_by_alice):
    mail.outbox.clear()
    report = services.register_paper_report(
        A["alice"],
        _details(world, fk, reporter_organisation=krokom),
        received_on=date(2026, 1, 20),
        base_url=BASE,
    )
    assert report.on_paper and report.number == 1
    assert report.state == DeviationReport.State.RECEIVED
    assert report.received_on == date(2026, 1, 20)
    assert report.reporter_organisation == krokom and report.reporter_unit is None
    assert report.reported_by == world["alice"]
    assert DeviationStep.objects.get(report=report).note == "Registrerad från en pappersrapport."
    assert AuditEvent.objects.filter(action="deviation.report.paper", association=world.a).exists()
    assert len(mail.outbox) == 1 and "1" in mail.outbox[0].subject


def test_a_paper_report_is_checked_like_a_filed_one(world, A, fk, krokom):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.register_paper_report(
            A["alice"],
            _details(
                world,
                fk,
                what_happened="Kvinnan med personnummer 19811218-9876 skickades runt.",
            ),
            received_on=tomorrow,
            base_url=BASE,
        )
    errors = caught.value.message_dict
    assert "personnummer" in " ".join(errors["what_happened"])
    assert errors["received_on"] == ["En rapport kan inte komma in i framtiden."]
    assert errors["reporter_organisation"] == ["Välj rapportörens organisation."]
    with pytest.raises(ValidationError) as caught:
        services.register_paper_report(
            A["alice"],
            _details(world, fk, reporter_organisation=krokom, event_date=date(2026, 2, 1)),
            received_on=date(2026, 1, 20),
            base_url=BASE,
        )
    assert "efter att rapporten kom in" in " ".join(caught.value.message_dict["event_date"])
    assert not DeviationReport.objects.exists()


def test_only_the_office_registers_paper_reports(world, A, fk, krokom):
    for persona in ("carol", "bob", "rita", "nina"):
        with pytest.raises(PermissionDenied):
            services.register_paper_report(
                A[persona],
                _details(world, fk, reporter_organisation=krokom),
                received_on=date(2026, 1, 20),
                base_url=BASE,
            )
    # Another association's office registers in its own association only: A's categories and
    # members are not B's.
    with pytest.raises(ValidationError) as caught:
        services.register_paper_report(
            A["dave"],
            _details(world, fk, reporter_organisation=krokom),
            received_on=date(2026, 1, 20),
            base_url=BASE,
        )
    assert set(caught.value.message_dict) == {"category", "reporter_organisation"}
    assert not DeviationReport.objects.exists()


def _url(world) -> str:
    return reverse("deviations:association_paper", kwargs={"association": world.a.slug})


def test_the_paper_page_registers_and_refuses(world, as_persona, fk, krokom):
    client = as_persona("alice")
    page = client.get(_url(world))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Inkom på papper" in body and "Skriv aldrig namn" in body
    form = {
        "received_on": "2026-01-20",
        "event_date": "2026-01-05",
        "reporter_organisation": krokom.pk,
        "organisations": [fk.pk],
        "category": category(world.a, "Kontakt och tillgänglighet").pk,
        "what_happened": "Ring 070-123 45 67 för mer.",
    }
    refused = client.post(_url(world), form)
    assert refused.status_code == 200 and "telefonnummer" in refused.content.decode()
    assert not DeviationReport.objects.exists()
    form["what_happened"] = "Beslut från två myndigheter motsade varandra."
    response = client.post(_url(world), form)
    report = DeviationReport.objects.get()
    assert response.status_code == 302 and report.on_paper
    detail = client.get(response["Location"]).content.decode()
    assert "inkom på papper" in detail and "Krokom kommun" in detail


def test_the_paper_page_checks_owner_and_role(world, as_persona):
    assert as_persona("carol").get(_url(world)).status_code == 403
    assert as_persona("dave").get(_url(world)).status_code == 404
    assert as_persona("rita").get(_url(world)).status_code == 403
