"""Filing, handling and setting up Lex Heller reports through the services."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from stegvis.core.actors import Actor
from stegvis.core.models import AuditEvent, Organisation, Role, RoleAssignment
from stegvis.core.tests.factories import MemberFactory, OrganisationFactory, UserFactory
from stegvis.deviations import services
from stegvis.deviations.models import (
    DEFAULT_CATEGORIES,
    DeviationCategory,
    DeviationReport,
    DeviationStep,
)
from stegvis.deviations.tests.conftest import BASE, category
from stegvis.interventions.tests.factories import InterventionFactory
from stegvis.participants.tests.conftest import national_id

State = DeviationReport.State


def messages(info: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return info.value.message_dict


# --- Categories and administrators ----------------------------------------------------------


def test_a_new_association_starts_with_the_default_categories(world):
    names = list(
        DeviationCategory.objects.filter(association=world.a).values_list("name", flat=True)
    )
    assert names == DEFAULT_CATEGORIES


def test_the_office_adds_renames_and_retires_categories(world, A):
    added = services.add_category(A["alice"], name="Bostad")
    assert added.position > category(world.a, "Övrigt").position
    with pytest.raises(ValidationError) as info:
        services.add_category(A["alice"], name="bostad")
    assert messages(info) == {"name": ["Det finns redan en kategori med det namnet."]}
    services.update_category(A["alice"], added, name="Bostad och boende", active=False)
    added.refresh_from_db()
    assert (added.name, added.active) == ("Bostad och boende", False)
    assert AuditEvent.objects.filter(action="deviation.category.update").count() == 1
    with pytest.raises(PermissionDenied):
        services.add_category(A["carol"], name="Annat")
    with pytest.raises(PermissionDenied):
        services.update_category(A["dave"], added, name="B", active=True)


def test_the_last_category_in_use_cannot_be_retired(world, A):
    categories = list(DeviationCategory.objects.filter(association=world.a))
    for c in categories[1:]:
        services.update_category(A["alice"], c, name=c.name, active=False)
    with pytest.raises(ValidationError) as info:
        services.update_category(A["alice"], categories[0], name=categories[0].name, active=False)
    assert "Minst en kategori" in messages(info)["active"][0]


def test_the_office_appoints_administrators_among_the_associations_users(world, A):
    appointed = services.appoint_administrator(A["alice"], world["carol"])
    assert AuditEvent.objects.filter(action="deviation.administrator.appoint").count() == 1
    with pytest.raises(ValidationError) as info:
        services.appoint_administrator(A["alice"], world["carol"])
    assert messages(info) == {"user": ["Carol är redan handläggare."]}
    for outsider in ("bob", "dave", "rita"):
        with pytest.raises(ValidationError) as info:
            services.appoint_administrator(A["alice"], world[outsider])
        assert "Bara förbundets egna användare" in messages(info)["user"][0]
    services.end_administrator(A["alice"], appointed)
    with pytest.raises(ValidationError):
        services.end_administrator(A["alice"], appointed)
    with pytest.raises(PermissionDenied):
        services.appoint_administrator(A["carol"], world["carol"])


# --- Filing ---------------------------------------------------------------------------------


def test_who_reports_to_which_association(world, A):
    assert list(services.reportable_associations(A["bob"])) == [world.a]
    assert list(services.reportable_associations(A["erin"])) == [world.b]
    # FK is a member of both: frank chooses.
    assert list(services.reportable_associations(A["frank"])) == [world.a, world.b]
    assert list(services.reportable_associations(A["rita"])) == [world.a]
    assert list(services.reportable_associations(A["alice"])) == []


def test_a_coach_files_a_report_and_the_administrators_are_told(
    world, A, file, fk, krokom, handled_by_alice
):
    report = file(
        "bob",
        organisations=[fk, krokom],
        consequence="Väntan i fyra månader.",
        proposed_solution="En gemensam kontaktväg.",
    )
    assert report.number == 1
    assert report.state == State.RECEIVED
    assert report.received_on == timezone.localdate()
    assert report.reporter_unit == world.p
    assert report.reporter_organisation == krokom  # from the role, not from the form
    assert report.reporter_role == Role.COACH
    assert set(report.organisations.all()) == {fk, krokom}
    step = DeviationStep.objects.get(report=report)
    assert (step.from_state, step.to_state, step.by) == ("", State.RECEIVED, world["bob"])
    event = AuditEvent.objects.get(action="deviation.report.file")
    # The report lives with the association: its event is in the association's log.
    assert (event.association, event.unit, event.user) == (world.a, None, world["bob"])
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["alice@test.example"]
    assert sent.subject == "Lex Heller-rapport 1: Mottagen"
    # Number and state, never the content.
    assert "myndigheter" not in sent.body and "Väntan" not in sent.body
    assert f"/a/forbund-a/lex-heller/{report.public_id}/" in sent.body


def test_numbers_run_per_association(world, file):
    assert [file("frank").number, file("frank").number] == [1, 2]
    assert file("frank", association=world.b, category=category(world.b, "Övrigt")).number == 1


def test_no_administrator_means_no_mail(file):
    file("bob")
    assert mail.outbox == []


def test_an_invited_reporter_names_their_organisation_among_the_members(world, A, file, krokom):
    report = file("rita", reporter_organisation=krokom)
    assert (report.reporter_unit, report.reporter_organisation) == (None, krokom)
    other = OrganisationFactory(name="Bolaget AB")
    with pytest.raises(ValidationError) as info:
        file("rita", reporter_organisation=other)
    assert "reporter_organisation" in messages(info)


def test_personal_data_in_the_text_is_refused_with_the_field_and_the_reason(file):
    with pytest.raises(ValidationError) as info:
        file(
            what_happened=f"Sara {national_id('19900315', '123')} skickades runt.",
            consequence="Ring henne på 070-123 45 67.",
            proposed_solution="Mejla sara@example.se",
        )
    errors = messages(info)
    assert errors["what_happened"] == [
        "”Vad hände” innehåller något som ser ut som ett personnummer eller samordningsnummer. "
        "Ta bort det: en rapport beskriver en situation, aldrig en person."
    ]
    assert "telefonnummer" in errors["consequence"][0]
    assert "e-postadress" in errors["proposed_solution"][0]
    assert not DeviationReport.objects.exists()


def test_bad_input_is_refused_with_clear_messages(world, A, file):
    outsider = OrganisationFactory(name="Utanför AB")
    with pytest.raises(ValidationError) as info:
        file(
            event_date=timezone.localdate() + timedelta(days=1),
            what_happened="   ",
            organisations=[outsider],
            category=category(world.b, "Övrigt"),
            intervention=InterventionFactory(provider=world.q, lead_association=world.b),
        )
    errors = messages(info)
    assert errors["event_date"][0] == "Datumet för händelsen kan inte ligga i framtiden."
    assert errors["what_happened"] == ["Beskriv vad som hände."]
    assert errors["organisations"] == [
        "Utanför AB var inte medlem i Förbund A den dagen händelsen inträffade."
    ]
    assert errors["category"] == ["Välj en av förbundets kategorier."]
    assert errors["intervention"] == ["Insatsen finansieras inte av Förbund A."]
    with pytest.raises(ValidationError) as info:
        file(organisations=[], received_on=timezone.localdate() + timedelta(days=1))
    assert info.value.messages == ["En rapport kan inte komma in i framtiden."]


def test_an_organisation_that_was_not_a_member_on_the_day_is_refused(world, file):
    newcomer = OrganisationFactory(name="Nya kommunen", kind=Organisation.Kind.OTHER)
    MemberFactory(association=world.a, organisation=newcomer, joined=date(2026, 6, 1))
    with pytest.raises(ValidationError) as info:
        file(organisations=[newcomer], event_date=date(2026, 5, 31))
    assert "Nya kommunen var inte medlem" in messages(info)["organisations"][0]
    assert file(organisations=[newcomer], event_date=date(2026, 6, 1)).pk


def test_an_intervention_the_association_funds_is_accepted(world, file):
    steg = InterventionFactory(provider=world.p, lead_association=world.a)
    assert file(intervention=steg).intervention == steg


def test_a_retired_category_cannot_be_chosen(world, A, file):
    retired = category(world.a, "Övrigt")
    services.update_category(A["alice"], retired, name=retired.name, active=False)
    with pytest.raises(ValidationError) as info:
        file(category=retired)
    assert "category" in messages(info)


def test_a_unit_whose_organisation_is_not_a_member_cannot_report_there(world, A, file):
    with pytest.raises(ValidationError) as info:
        file("bob", association=world.b, category=category(world.b, "Övrigt"))
    assert info.value.messages == ["Din organisation är inte medlem i Förbund B."]
    with pytest.raises(PermissionDenied):
        file("alice")


# --- Handling -------------------------------------------------------------------------------


@pytest.fixture
def received(file, handled_by_alice):
    report = file("bob")
    mail.outbox.clear()
    return report


def test_the_whole_way_from_received_to_closed(world, A, received, krokom):
    alice = A["alice"]
    services.review(alice, received, note="Tydlig.")
    services.take_to_group(alice, received)
    received.refresh_from_db()
    assert received.taken_at is not None
    services.decide(
        alice,
        received,
        action="Gemensam rutin för överlämning.",
        organisation=krokom,
        decided_on=timezone.localdate(),
    )
    services.give_feedback(alice, received, feedback="Tack, en rutin tas fram.", base_url=BASE)
    services.close(alice, received)
    received.refresh_from_db()
    assert received.state == State.CLOSED
    assert received.days_to_decision == 0
    steps = list(DeviationStep.objects.filter(report=received).values_list("to_state", "by"))
    assert steps == [
        (State.RECEIVED, world["bob"].pk),
        (State.REVIEWED, world["alice"].pk),
        (State.TAKEN, world["alice"].pk),
        (State.DECIDED, world["alice"].pk),
        (State.FEEDBACK, world["alice"].pk),
        (State.CLOSED, world["alice"].pk),
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "deviation.report.review",
        "deviation.report.take",
        "deviation.report.decide",
        "deviation.report.feedback",
        "deviation.report.close",
    } <= actions
    # The reporter is told of the feedback: number and state only.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bob@test.example"]
    assert mail.outbox[0].subject == "Lex Heller-rapport 1: Återkoppling given"
    assert "rutin" not in mail.outbox[0].body
    assert f"/p/{world.p.public_id}/lex-heller/{received.public_id}/" in mail.outbox[0].body


def test_a_step_out_of_order_is_refused_and_says_why(A, received, krokom):
    with pytest.raises(ValidationError) as info:
        services.take_to_group(A["alice"], received)
    assert info.value.messages == [
        "Rapport 1 har status ”Mottagen” och kan inte tas till beredningsgruppen nu: det steget "
        "kräver status ”Granskad”."
    ]
    with pytest.raises(ValidationError):
        services.decide(
            A["alice"], received, action="x", organisation=krokom, decided_on=date(2026, 1, 1)
        )
    with pytest.raises(ValidationError):
        services.give_feedback(A["alice"], received, feedback="x", base_url=BASE)
    with pytest.raises(ValidationError):
        services.close(A["alice"], received)
    services.review(A["alice"], received)
    with pytest.raises(ValidationError) as info:
        services.review(A["alice"], received)
    assert "kan inte granskas nu" in info.value.messages[0]


def test_only_administrators_of_the_association_handle(world, A, received):
    for persona in ("carol", "helena", "rita", "bob", "dave"):
        with pytest.raises(PermissionDenied):
            services.review(A[persona], received)
    # Appointed at B, dave still cannot handle A's reports.
    services.appoint_administrator(A["dave"], world["dave"])
    with pytest.raises(PermissionDenied):
        services.review(A["dave"], received)


def test_a_decision_is_validated(world, A, received, krokom):
    services.review(A["alice"], received)
    services.take_to_group(A["alice"], received)
    outsider = OrganisationFactory(name="Utanför AB")
    with pytest.raises(ValidationError) as info:
        services.decide(
            A["alice"],
            received,
            action=f"Kontakta {national_id('19900315', '123')}",
            organisation=outsider,
            decided_on=timezone.localdate() + timedelta(days=1),
        )
    errors = messages(info)
    assert errors["decided_on"] == ["Beslutsdatumet kan inte ligga i framtiden."]
    assert errors["organisation"] == ["Välj en av förbundets medlemsorganisationer."]
    assert "personnummer" in errors["action"][0]
    with pytest.raises(ValidationError) as info:
        services.decide(
            A["alice"],
            received,
            action="En rutin.",
            organisation=krokom,
            decided_on=received.received_on - timedelta(days=1),
        )
    assert "före rapportens inkomstdatum" in messages(info)["decided_on"][0]


def test_sent_back_and_completed_by_the_reporter(world, A, received, fk):
    services.send_back(A["alice"], received, message="Vilka myndigheter?", base_url=BASE)
    received.refresh_from_db()
    assert received.state == State.RETURNED
    assert mail.outbox[-1].to == ["bob@test.example"]
    assert "Återsänd för komplettering" in mail.outbox[-1].subject
    details = services.ReportDetails(
        event_date=received.event_date,
        category=received.category,
        organisations=[fk],
        what_happened="Personen skickades mellan FK och kommunen i tre månader.",
    )
    # Only the reporter completes it.
    with pytest.raises(PermissionDenied):
        services.supplement_report(A["petra"], received, details, base_url=BASE)
    services.supplement_report(A["bob"], received, details, base_url=BASE)
    received.refresh_from_db()
    assert received.state == State.RECEIVED
    assert "tre månader" in received.what_happened
    assert mail.outbox[-1].to == ["alice@test.example"]
    with pytest.raises(ValidationError) as info:
        services.supplement_report(A["bob"], received, details, base_url=BASE)
    assert "kan bara kompletteras" in info.value.messages[0]


def test_merged_into_a_similar_report_whose_feedback_reaches_both_reporters(
    world, A, file, handled_by_alice, krokom
):
    first = file("bob")
    second = file("frank")
    services.merge(A["alice"], second, into=first, note="Samma mönster.")
    second.refresh_from_db()
    assert (second.state, second.merged_into) == (State.MERGED, first)
    with pytest.raises(ValidationError) as info:
        services.merge(A["alice"], first, into=first)
    assert messages(info) == {"into": ["Välj en annan rapport i samma förbund."]}
    with pytest.raises(ValidationError):
        services.merge(A["alice"], first, into=second)  # a merged report takes no more
    services.review(A["alice"], first)
    services.take_to_group(A["alice"], first)
    services.decide(
        A["alice"], first, action="Rutin.", organisation=krokom, decided_on=timezone.localdate()
    )
    mail.outbox.clear()
    services.give_feedback(A["alice"], first, feedback="Tack.", base_url=BASE)
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@test.example", "frank@test.example"]


def test_comments_by_those_who_see_the_report(world, A, received):
    comment = services.add_comment(A["alice"], received, text="Vi tar upp den i maj.")
    assert comment.author_role == Role.OFFICE
    with pytest.raises(ValidationError) as info:
        services.add_comment(A["alice"], received, text="Ring 070-123 45 67")
    assert "telefonnummer" in messages(info)["text"][0]
    # The preparatory group sees the report once it is taken to the group.
    gustav = _preparatory(world)
    with pytest.raises(PermissionDenied):
        services.add_comment(gustav, received, text="Hej")
    services.review(A["alice"], received)
    services.take_to_group(A["alice"], received)
    services.add_comment(gustav, received, text="Mönster i länet.")
    for persona in ("carol", "bob", "rita"):
        with pytest.raises(PermissionDenied):
            services.add_comment(A[persona], received, text="Hej")


def _preparatory(world):
    user = UserFactory(email="gustav@test.example", full_name="Gustav")
    assignment = RoleAssignment.objects.create(
        user=user, role=Role.PREPARATORY, association=world.a
    )
    return Actor(user=user, assignment=assignment)


def test_who_sees_which_reports(world, A, file, handled_by_alice):
    bobs = file("bob")
    franks = file("frank")
    ritas = file("rita")
    visible = {
        persona: set(DeviationReport.objects.visible_to(A[persona]))
        for persona in ("alice", "carol", "helena", "bob", "petra", "frank", "rita", "dave", "erin")
    }
    assert visible["alice"] == {bobs, franks, ritas}
    assert visible["bob"] == {bobs}
    assert visible["frank"] == {franks}
    assert visible["rita"] == {ritas}
    for persona in ("carol", "helena", "petra", "dave", "erin"):
        assert visible[persona] == set(), persona
    gustav = _preparatory(world)
    assert set(DeviationReport.objects.visible_to(gustav)) == set()
    services.review(A["alice"], bobs)
    services.take_to_group(A["alice"], bobs)
    assert set(DeviationReport.objects.visible_to(gustav)) == {bobs}


def test_the_database_keeps_the_states_coherent(world, file):
    report = file("bob")
    with transaction.atomic(), pytest.raises(IntegrityError):
        DeviationReport.objects.filter(pk=report.pk).update(state=State.MERGED)
    with transaction.atomic(), pytest.raises(IntegrityError):
        DeviationReport.objects.filter(pk=report.pk).update(decided_on=date(2026, 1, 1))
    with transaction.atomic(), pytest.raises(IntegrityError):
        DeviationReport.objects.filter(pk=report.pk).update(event_date=date(2099, 1, 1))
    for state in (State.TAKEN, State.DECIDED, State.FEEDBACK, State.CLOSED):
        with transaction.atomic(), pytest.raises(IntegrityError):
            DeviationReport.objects.filter(pk=report.pk).update(state=state)


def test_an_old_report_can_be_registered_with_its_day_of_receipt(file):
    with time_machine.travel("2026-04-15 10:00 +02:00", tick=False):
        report = file("bob", received_on=date(2026, 2, 1), event_date=date(2026, 1, 20))
    assert report.received_on == date(2026, 2, 1)
