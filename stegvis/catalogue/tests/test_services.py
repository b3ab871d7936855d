"""The catalogue's services: texts, the public catalogue's figures and filters, interest
registration with its bad input, conversion, decline and erasure."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from stegvis.catalogue import services
from stegvis.catalogue.models import CatalogueEntry, InterestRegistration, Need
from stegvis.catalogue.services import CatalogueText, Filters, InterestInput
from stegvis.catalogue.tests.conftest import actor_of
from stegvis.catalogue.tests.factories import CatalogueEntryFactory, InterestRegistrationFactory
from stegvis.core import crypto
from stegvis.core.models import AuditEvent, Municipality
from stegvis.interventions.models import Intervention
from stegvis.interventions.tests.factories import (
    InterventionFactory,
    StructuralInterventionFactory,
)
from stegvis.participants.models import Enrolment, Participant, Referral
from stegvis.participants.services import IdentityInput
from stegvis.participants.tests.conftest import national_id

pytestmark = pytest.mark.django_db

TEXT = CatalogueText(
    summary=" Stöd för dig som vill börja arbeta. ",
    target_group="Dig som är 16–64 år.",
    how_to_apply="Anmäl intresse här.",
    contact_tel="0640-123 45",
    needs=("halsa", "arbete"),
    published=True,
)


def _entry(intervention: Intervention) -> CatalogueEntry:
    entry = services.public_entry(intervention.public_id)
    assert entry is not None
    return entry


def _input(municipality: Municipality | None, **changes: object) -> InterestInput:
    values: dict = {
        "applicant": "sjalv",
        "name": "Sara Exempel",
        "phone": "070-123 45 67",
        "email": "",
        "municipality": municipality,
        "need": "Vill börja jobba igen",
        "language": "svenska",
        "contact_consent": True,
    }
    values.update(changes)
    return InterestInput(**values)


def _enrol(intervention: Intervention, serial: str, exit_date: date | None = None) -> None:
    participant = Participant.objects.create(
        provider=intervention.provider,
        identity_kind=Participant.IdentityKind.RESERVE,
        reserve_id=f"R-{serial}",
        gender="kvinna",
        birth_year=1990,
    )
    Enrolment.objects.create(
        provider=intervention.provider,
        participant=participant,
        intervention=intervention,
        start=date(2026, 1, 1),
        exit_date=exit_date,
        exit_reason="arbete" if exit_date else "",
    )


# --- Texts -------------------------------------------------------------------------------------


def test_the_lead_office_saves_texts_and_saving_is_a_review(world, steg):
    entry = services.save_entry(actor_of(world, "alice"), steg, TEXT, today=date(2026, 3, 2))
    assert entry.association == world.a
    assert entry.summary == "Stöd för dig som vill börja arbeta."
    assert entry.needs == ["arbete", "halsa"]  # in the code list's order
    assert entry.reviewed_on == date(2026, 3, 2)
    event = AuditEvent.objects.get(action="catalogue.create")
    assert (event.association, event.unit, event.participant_ref) == (world.a, None, None)


@pytest.mark.parametrize("persona", ["dave", "carol", "petra"])
def test_only_the_lead_office_writes_texts(world, steg, persona):
    with pytest.raises(PermissionDenied):
        services.save_entry(actor_of(world, persona), steg, TEXT)


def test_a_co_funding_office_cannot_write_the_leads_texts(world, shared):
    with pytest.raises(PermissionDenied):
        services.save_entry(actor_of(world, "alice"), shared, TEXT)
    services.save_entry(actor_of(world, "dave"), shared, TEXT)


def test_a_structural_intervention_has_no_catalogue_text(world):
    training = StructuralInterventionFactory(provider=world.p, lead_association=world.a)
    with pytest.raises(PermissionDenied):
        services.save_entry(actor_of(world, "alice"), training, TEXT)


def test_publishing_needs_target_group_way_to_apply_and_contact(world, steg):
    text = CatalogueText(summary="Kort.", published=True, registrations_open=False)
    with pytest.raises(ValidationError) as info:
        services.save_entry(actor_of(world, "alice"), steg, text)
    assert set(info.value.message_dict) == {"target_group", "how_to_apply", "contact_tel"}
    # Unpublished, a draft needs only its summary.
    draft = CatalogueText(summary="Kort.")
    assert services.save_entry(actor_of(world, "alice"), steg, draft).published is False


def test_bad_contact_details_and_unknown_needs_are_refused(world, steg):
    text = CatalogueText(
        summary="", contact_email="inte-en-adress", contact_tel="ring mig", needs=("okant",)
    )
    with pytest.raises(ValidationError) as info:
        services.save_entry(actor_of(world, "alice"), steg, text)
    assert info.value.message_dict == {
        "summary": ["Skriv en kort beskrivning av insatsen."],
        "contact_email": ["Skriv en giltig e-postadress, t.ex. insats@kommun.se."],
        "contact_tel": ["Skriv ett telefonnummer med riktnummer, t.ex. 0640-123 45."],
        "needs": ["Välj behov i listan."],
    }
    assert not CatalogueEntry.objects.exists()


def test_review_is_due_twelve_months_after_the_last_review(world, steg):
    """Worked example: reviewed 2025-06-01; due from 2026-06-02 (365 days later, the next day)."""
    entry = CatalogueEntryFactory(intervention=steg, reviewed_on=date(2025, 6, 1))
    never = CatalogueEntryFactory(
        intervention=InterventionFactory(provider=world.p, lead_association=world.a),
        reviewed_on=None,
    )
    CatalogueEntryFactory(
        intervention=InterventionFactory(provider=world.q, lead_association=world.b),
        reviewed_on=None,
    )
    assert not entry.review_due(date(2026, 6, 1))
    assert entry.review_due(date(2026, 6, 2))
    assert never.review_due(date(2026, 6, 1))
    assert services.review_due_count(world.a, date(2026, 6, 1)) == 1
    assert services.review_due_count(world.a, date(2026, 6, 2)) == 2
    services.mark_reviewed(actor_of(world, "alice"), entry, today=date(2026, 6, 2))
    assert services.review_due_count(world.a, date(2026, 6, 2)) == 1
    assert AuditEvent.objects.filter(action="catalogue.review").count() == 1


# --- The public catalogue ----------------------------------------------------------------------


def test_occupancy_counts_open_enrolments_against_places(world, steg, entry):
    """Worked example: 2 places; one open and one exited enrolment → 1 taken, not full;
    a second open enrolment → 2 taken, full. No places stated → never full."""
    _enrol(steg, "1")
    _enrol(steg, "2", exit_date=date(2026, 2, 1))
    row = _entry(steg)
    assert (row.open_enrolments, row.is_full) == (1, False)
    assert services.registration_state(row) == "open"
    _enrol(steg, "3")
    row = _entry(steg)
    assert (row.open_enrolments, row.is_full) == (2, True)
    assert services.registration_state(row) == "full"
    Intervention.objects.filter(pk=steg.pk).update(places=0)
    assert _entry(steg).is_full is False


def test_only_published_running_individual_interventions_are_public(world, steg, entry):
    draft = CatalogueEntryFactory(
        intervention=InterventionFactory(provider=world.p, lead_association=world.a),
        published=False,
    )
    ended = CatalogueEntryFactory(
        intervention=InterventionFactory(
            provider=world.p, lead_association=world.a, status=Intervention.Status.ENDED
        )
    )
    planned = CatalogueEntryFactory(
        intervention=InterventionFactory(
            provider=world.p, lead_association=world.a, status=Intervention.Status.PLANNED
        )
    )
    assert list(services.public_entries()) == [entry]
    assert services.public_entry(draft.intervention.public_id) is None
    # Published once: its page says it is closed.
    assert services.registration_state(_entry(ended.intervention)) == "closed"
    assert services.registration_state(_entry(planned.intervention)) == "closed"


def test_filter_by_municipality_follows_the_funders_areas_or_the_own_list(
    world, steg, shared, entry, krokom, ostersund
):
    shared_entry = CatalogueEntryFactory(intervention=shared)
    listed = InterventionFactory(provider=world.p, lead_association=world.a, name="Bara Åre")
    listed.municipalities.set([Municipality.objects.get(code="2321")])
    listed_entry = CatalogueEntryFactory(intervention=listed)

    def names(m: Municipality) -> list[str]:
        return [e.intervention.name for e in services.public_entries(Filters(municipality=m))]

    # steg: A's area (Krokom); shared: A's and B's areas; listed: only Åre.
    assert names(krokom) == ["Gemensam väg", "Steg till arbete"]
    assert names(ostersund) == ["Gemensam väg"]
    assert names(Municipality.objects.get(code="2321")) == ["Bara Åre"]
    assert names(Municipality.objects.get(code="0180")) == []
    assert {e.pk for e in services.public_entries(Filters(association=world.b))} == {
        shared_entry.pk
    }
    assert listed_entry.pk in {e.pk for e in services.public_entries(Filters(association=world.a))}


def test_filter_by_age_and_need(world, steg, entry):
    young = InterventionFactory(
        provider=world.p, lead_association=world.a, name="Unga", min_age=16, max_age=29
    )
    CatalogueEntryFactory(intervention=young, needs=[Need.UNGA, Need.STUDIER])

    def names(**kwargs: object) -> list[str]:
        return [e.intervention.name for e in services.public_entries(Filters(**kwargs))]

    assert names(age=20) == ["Steg till arbete", "Unga"]
    assert names(age=40) == ["Steg till arbete"]
    assert names(age=15) == []
    assert names(need="studier") == ["Unga"]
    assert names(need="arbete") == ["Steg till arbete"]
    assert names(need="sprak") == []


def test_related_entries_share_funders_and_skip_full_ones(world, steg, entry, shared):
    other = InterventionFactory(provider=world.p, lead_association=world.a, name="Annan väg")
    CatalogueEntryFactory(intervention=other, needs=[Need.HALSA])
    CatalogueEntryFactory(intervention=shared, needs=[])
    related = [e.intervention.name for e in services.related_entries(_entry(steg))]
    assert related == ["Annan väg", "Gemensam väg"]  # a shared need first


# --- Interest registration ---------------------------------------------------------------------


def test_a_registration_is_stored_encrypted_at_the_provider(world, steg, entry, krokom):
    registration = services.register_interest(
        _entry(steg), _input(krokom, email="Sara@Example.se"), address="192.0.2.1"
    )
    assert registration.provider == world.p
    assert registration.state == InterestRegistration.State.NEW
    assert (registration.name, registration.phone, registration.email) == (
        "Sara Exempel",
        "070-123 45 67",
        "sara@example.se",
    )
    raw = InterestRegistration.objects.values().get(pk=registration.pk)
    stored = " ".join(str(v) for v in raw.values())
    for plain in ("Sara", "070-123", "jobba", "svenska"):
        assert plain not in stored
    assert crypto.decrypt(raw["need_encrypted"]) == "Vill börja jobba igen"
    event = AuditEvent.objects.get(action="interest.create")
    assert (event.unit, event.association, event.user) == (world.p, None, None)
    assert "Sara" not in event.reason


def test_nothing_of_a_registration_is_association_owned():
    names = {f.name for f in InterestRegistration._meta.get_fields()}
    assert "association" not in names


@pytest.mark.parametrize(
    ("status", "reason"),
    [(Intervention.Status.PHASING_OUT, "closed"), (Intervention.Status.ENDED, "closed")],
)
def test_a_closed_intervention_takes_no_registration(world, steg, entry, krokom, status, reason):
    Intervention.objects.filter(pk=steg.pk).update(status=status)
    with pytest.raises(services.RegistrationClosed) as info:
        services.register_interest(_entry(steg), _input(krokom), address="192.0.2.1")
    assert info.value.reason == reason
    assert not InterestRegistration.objects.exists()


def test_a_full_intervention_takes_no_registration(world, steg, entry, krokom):
    _enrol(steg, "1")
    _enrol(steg, "2")
    with pytest.raises(services.RegistrationClosed) as info:
        services.register_interest(_entry(steg), _input(krokom), address="192.0.2.1")
    assert info.value.reason == "full"


def test_registrations_switched_off_are_closed(world, steg, krokom):
    CatalogueEntryFactory(intervention=steg, registrations_open=False)
    with pytest.raises(services.RegistrationClosed):
        services.register_interest(_entry(steg), _input(krokom), address="192.0.2.1")


def test_every_problem_is_named_at_once_in_plain_swedish(world, steg, entry):
    bad = _input(None, name="", phone="", email="", contact_consent=False)
    with pytest.raises(ValidationError) as info:
        services.register_interest(_entry(steg), bad, address="192.0.2.1")
    assert info.value.message_dict == {
        "name": ["Skriv namnet på den som vill delta."],
        "phone": [
            "Skriv ett telefonnummer eller en e-postadress, så att utföraren kan kontakta er."
        ],
        "municipality": ["Välj kommunen där personen bor."],
        "contact_consent": [
            "Kryssa i att utföraren får kontakta er. Annars kan de inte svara på anmälan."
        ],
    }


def test_an_invalid_phone_number_or_email_is_explained(world, steg, entry, krokom):
    with pytest.raises(ValidationError) as info:
        services.register_interest(
            _entry(steg), _input(krokom, phone="12", email="sara@"), address="192.0.2.1"
        )
    assert "Telefonnumret ser inte rätt ut" in info.value.message_dict["phone"][0]
    assert info.value.message_dict["email"] == [
        "E-postadressen ser inte rätt ut. Skriv den som namn@exempel.se."
    ]


def test_outside_the_area_says_whom_to_turn_to(world, steg, entry, ostersund):
    with pytest.raises(ValidationError) as info:
        services.register_interest(_entry(steg), _input(ostersund), address="192.0.2.1")
    message = info.value.message_dict["municipality"][0]
    assert message.startswith("Insatsen är bara för dig som bor i Krokom.")
    assert "Östersund ingår i Förbund B" in message
    nowhere = Municipality.objects.get(code="0180")
    with pytest.raises(ValidationError) as info:
        services.register_interest(_entry(steg), _input(nowhere), address="192.0.2.1")
    assert "fråga kommunen, Arbetsförmedlingen eller Försäkringskassan" in str(info.value)


def test_a_case_worker_needs_the_persons_consent_and_own_contact(world, steg, entry, krokom):
    with pytest.raises(ValidationError) as info:
        services.register_interest(
            _entry(steg), _input(krokom, applicant="handlaggare"), address="192.0.2.1"
        )
    assert set(info.value.message_dict) == {"person_consent", "case_worker"}
    registration = services.register_interest(
        _entry(steg),
        _input(
            krokom,
            applicant="handlaggare",
            person_consent=True,
            case_worker="Frank Öberg, Försäkringskassan, 010-116 00 00",
        ),
        address="192.0.2.1",
    )
    assert registration.case_worker.startswith("Frank")


def test_size_limits(world, steg, entry, krokom):
    with pytest.raises(ValidationError) as info:
        services.register_interest(
            _entry(steg), _input(krokom, need="x" * 1001, name="y" * 201), address="192.0.2.1"
        )
    assert set(info.value.message_dict) == {"need", "name"}


def test_a_flood_from_one_address_is_stopped_and_nothing_accepted_is_lost(
    world, steg, entry, krokom
):
    with time_machine.travel(datetime(2026, 3, 2, 9, 5, tzinfo=timezone.get_fixed_timezone(60))):
        for _ in range(services.PER_ADDRESS[0]):
            services.register_interest(_entry(steg), _input(krokom), address="192.0.2.9")
        with pytest.raises(services.TooManyRegistrations):
            services.register_interest(_entry(steg), _input(krokom), address="192.0.2.9")
        # Another address is not stopped.
        services.register_interest(_entry(steg), _input(krokom), address="192.0.2.10")
    assert InterestRegistration.objects.count() == services.PER_ADDRESS[0] + 1
    with time_machine.travel(datetime(2026, 3, 2, 10, 5, tzinfo=timezone.get_fixed_timezone(60))):
        services.register_interest(_entry(steg), _input(krokom), address="192.0.2.9")
    assert InterestRegistration.objects.count() == services.PER_ADDRESS[0] + 2


def test_a_flood_to_one_intervention_is_stopped(world, steg, entry, krokom):
    with time_machine.travel(datetime(2026, 3, 2, 9, 5, tzinfo=timezone.get_fixed_timezone(60))):
        for i in range(services.PER_INTERVENTION[0]):
            services.register_interest(_entry(steg), _input(krokom), address=f"192.0.2.{i}")
        with pytest.raises(services.TooManyRegistrations):
            services.register_interest(_entry(steg), _input(krokom), address="198.51.100.1")
    assert InterestRegistration.objects.count() == services.PER_INTERVENTION[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("070-123 45 67", "0701234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("(0640) 123 45", "064012345"),
        ("701234567", None),  # no leading 0 or +
        ("070-12", None),  # too short
        ("070 123 45 67 ring", None),
        ("", None),
    ],
)
def test_normalise_phone(raw, expected):
    assert services.normalise_phone(raw) == expected


def test_the_receipt_mail_carries_no_content(world, steg, entry, krokom):
    registration = services.register_interest(
        _entry(steg), _input(krokom, email="sara@example.se"), address="192.0.2.1"
    )
    assert services.send_receipt(registration, "sara@example.se")
    message = mail.outbox[0]
    assert message.to == ["sara@example.se"]
    assert registration.reference in message.body
    for content in ("Sara", "Steg", "jobba", "070", "Arbetsmarknadsenheten"):
        assert content not in f"{message.subject} {message.body}"
    assert not services.send_receipt(registration, "inte-en-adress")


def test_a_failing_mail_server_loses_no_registration(world, steg, entry, krokom, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_PORT = 1  # nothing listens there
    registration = services.register_interest(_entry(steg), _input(krokom), address="192.0.2.1")
    assert services.send_receipt(registration, "sara@example.se") is False
    assert InterestRegistration.objects.filter(pk=registration.pk).exists()


# --- At the provider ---------------------------------------------------------------------------


@pytest.fixture
def registration(world, steg, entry, krokom) -> InterestRegistration:
    return services.register_interest(_entry(steg), _input(krokom), address="192.0.2.1")


def test_coaches_see_registrations_of_their_own_interventions_only(world, registration, shared):
    other = InterestRegistrationFactory(
        intervention=shared, municipality=Municipality.objects.get(code="2380")
    )
    assert list(InterestRegistration.objects.visible_to(actor_of(world, "petra"))) == [registration]
    assert list(InterestRegistration.objects.visible_to(actor_of(world, "bob"))) == [registration]
    assert list(InterestRegistration.objects.visible_to(actor_of(world, "erin"))) == [other]
    for persona in ("alice", "carol", "dave", "frank"):
        assert not InterestRegistration.objects.visible_to(actor_of(world, persona)).exists()
    assert services.open_count(actor_of(world, "bob")) == 1
    assert services.open_count(actor_of(world, "alice")) == 0


def test_converting_makes_a_referral_with_the_national_id_asked_now(world, registration, steg):
    referral = services.convert_to_referral(
        actor_of(world, "bob"),
        registration,
        identity=IdentityInput(
            kind="personnummer",
            national_id=national_id("19900315", "123"),
            name=registration.name,
            contact=registration.phone,
            home_municipality=registration.municipality,
        ),
        planned_start=timezone.localdate(),
        members_involved=[],
        referring_kinds=["sjalv"],
        need=registration.need,
    )
    registration.refresh_from_db()
    assert registration.state == InterestRegistration.State.CONVERTED
    assert registration.referral == referral
    assert registration.handled_by == world["bob"]
    assert referral.source == Referral.Source.SELF
    assert referral.intervention == steg
    assert referral.participant.name == "Sara Exempel"
    assert referral.need == "Vill börja jobba igen"
    event = AuditEvent.objects.get(action="interest.convert")
    assert event.participant_ref == referral.participant.public_id
    with pytest.raises(ValidationError, match="redan hanterad"):
        services.decline_registration(actor_of(world, "bob"), registration, reason="annat")


def test_a_bad_national_id_converts_nothing(world, registration):
    with pytest.raises(ValidationError):
        services.convert_to_referral(
            actor_of(world, "petra"),
            registration,
            identity=IdentityInput(kind="personnummer", national_id="19900315-0000"),
            planned_start=timezone.localdate(),
            members_involved=[],
            referring_kinds=["sjalv"],
        )
    registration.refresh_from_db()
    assert registration.is_open
    assert not Referral.objects.exists()


@pytest.mark.parametrize("persona", ["erin", "alice", "frank"])
def test_only_the_providers_staff_handle_a_registration(world, registration, persona):
    with pytest.raises(PermissionDenied):
        services.decline_registration(actor_of(world, persona), registration, reason="annat")
    with pytest.raises(PermissionDenied):
        services.view_registration(actor_of(world, persona), registration)


def test_declining_needs_a_reason_from_the_list(world, registration):
    with pytest.raises(ValidationError):
        services.decline_registration(actor_of(world, "petra"), registration, reason="utgangen")
    services.decline_registration(actor_of(world, "petra"), registration, reason="ej_nadd")
    registration.refresh_from_db()
    assert (registration.state, registration.decline_reason) == ("declined", "ej_nadd")
    assert AuditEvent.objects.filter(action="interest.decline", unit=world.p).count() == 1


# --- Erasure -----------------------------------------------------------------------------------


def test_contact_details_are_erased_30_days_after_handling_and_180_days_unhandled(
    world, steg, entry, krokom
):
    now = datetime(2026, 9, 1, 12, 0, tzinfo=timezone.get_fixed_timezone(120))

    def make(received_days_ago: int, handled_days_ago: int | None) -> InterestRegistration:
        row = InterestRegistrationFactory(
            intervention=steg,
            municipality=krokom,
            received_at=now - timedelta(days=received_days_ago),
        )
        if handled_days_ago is not None:
            row.state = InterestRegistration.State.DECLINED
            row.decline_reason = "ej_nadd"
            row.handled_at = now - timedelta(days=handled_days_ago)
            row.save()
        return row

    old_handled = make(60, 30)
    recent_handled = make(60, 29)
    stale = make(180, None)
    waiting = make(179, None)

    dry = services.erase_registrations(now=now, dry_run=True)
    assert (dry.erased, dry.expired) == (2, 1)
    assert InterestRegistration.objects.filter(erased_at__isnull=False).count() == 0

    report = services.erase_registrations(now=now)
    assert (report.erased, report.expired) == (2, 1)
    for row in (old_handled, stale):
        row.refresh_from_db()
        assert row.erased_at == now
        assert row.name == row.phone == row.need == ""
    stale.refresh_from_db()
    assert (stale.state, stale.decline_reason) == ("declined", "utgangen")
    for row in (recent_handled, waiting):
        row.refresh_from_db()
        assert row.erased_at is None
        assert row.name == "Sara Exempel"
    events = AuditEvent.objects.filter(action="interest.erase")
    assert events.count() == 2
    assert set(events.values_list("unit", flat=True)) == {world.p.pk}
    # Running again erases nothing more.
    assert services.erase_registrations(now=now).erased == 0


def test_the_erase_command(world, steg, entry, krokom):
    from io import StringIO

    from django.core.management import call_command

    old = InterestRegistrationFactory(
        intervention=steg,
        municipality=krokom,
        received_at=timezone.now() - timedelta(days=200),
    )
    out = StringIO()
    call_command("erase_interest_registrations", "--dry-run", stdout=out)
    assert "1 skulle raderas, varav 1" in out.getvalue()
    old.refresh_from_db()
    assert old.erased_at is None
    call_command("erase_interest_registrations", stdout=out)
    assert "1 raderade" in out.getvalue()
    old.refresh_from_db()
    assert old.erased_at is not None and old.name == ""


def test_the_demo_publishes_two_interventions_and_fills_ps_inbox(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    names = sorted(e.intervention.name for e in services.public_entries())
    assert names == ["Gemensam väg", "Steg till arbete"]
    registration = InterestRegistration.objects.get()
    assert str(registration.provider) == "Krokom kommun, Arbetsmarknadsenheten"
    assert registration.name == "Sara Exempel"
