"""The provider side of the demo: fictional participants at P and Q, made through the services."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from stegvis.core.actors import Actor
from stegvis.core.audit import verify_chain
from stegvis.core.codes import AGE_BANDS, ExitReason, Gender
from stegvis.core.models import AuditEvent, Role, RoleAssignment, Unit
from stegvis.participants import services
from stegvis.participants.demo import DEMO_DATE, GEMENSAM, STEG
from stegvis.participants.models import Consent, Enrolment, FollowUp, Participant, Referral

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _actor(email: str) -> Actor:
    assignment = RoleAssignment.objects.select_related("user").get(user__email=email)
    return Actor(user=assignment.user, assignment=assignment)


def _provider(name: str) -> Unit:
    return Unit.objects.get(organisation__name=name, is_provider=True)


def test_demo_has_participants_at_p_and_q_with_their_paths():
    _load()
    p, q = _provider("Krokom kommun"), _provider("Östersund kommun")
    assert Participant.objects.filter(provider=p).count() == 17
    assert Participant.objects.filter(provider=q).count() == 9
    steg = Enrolment.objects.filter(provider=p, intervention__code="steg")
    gemensam = Enrolment.objects.filter(provider=q, intervention__code="gemensam")
    assert (steg.count(), gemensam.count()) == (16, 8)
    assert steg.exclude(exit_date=None).count() == 8
    assert gemensam.exclude(exit_date=None).count() == 4
    # Each with a coach of the intervention, a referral and consent before the start.
    assert set(steg.values_list("coach__email", flat=True)) == {"bob@krokom.example"}
    assert set(gemensam.values_list("coach__email", flat=True)) == {"erin@ostersund.example"}
    for enrolment in Enrolment.objects.select_related("participant", "referral"):
        assert enrolment.referral is not None
        assert enrolment.referral.state == Referral.State.ACCEPTED
        assert services.has_valid_consent(enrolment.participant, on=enrolment.start)
        assert enrolment.income_source_start != "okand"
        assert date(2025, 1, 1) <= enrolment.start <= DEMO_DATE
    # Referrals from FK's referrer, registered by the provider, and self-referrals.
    sources = Counter(Referral.objects.filter(provider=p).values_list("source", flat=True))
    assert sources == {"remittent": 8, "utforare": 5, "egen": 4}
    frank = RoleAssignment.objects.get(user__email="frank@fk.example")
    assert Referral.objects.filter(referrer=frank).count() == 12
    # Open referrals wait for a decision: one received at P, one with a visit booked at Q.
    open_ones = Referral.objects.filter(state__in=["received", "visa_booked"])
    assert sorted(open_ones.values_list("provider__organisation__name", "state")) == [
        ("Krokom kommun", "received"),
        ("Östersund kommun", "visa_booked"),
    ]
    assert not Enrolment.objects.filter(referral__in=open_ones).exists()


def test_every_demo_person_is_fictional_with_a_reserve_identity():
    _load()
    people = Participant.objects.all()
    assert {p.identity_kind for p in people} == {Participant.IdentityKind.RESERVE}
    assert not people.exclude(national_id_encrypted="").exists()
    assert not people.exclude(national_id_index="").exists()
    assert all(p.birth_date is None and p.reserve_id and p.name for p in people)
    assert Counter(people.values_list("gender", flat=True)) == {
        Gender.KVINNA: 12,
        Gender.MAN: 13,
        Gender.ANNAT: 1,
    }
    # Ages across every band at P, on the demo date.
    p = _provider("Krokom kommun")
    ages = [x.age_on(DEMO_DATE) for x in people.filter(provider=p)]
    for low, high in AGE_BANDS:
        assert any(low <= age <= high for age in ages), (low, high)
    # Q's participants live in Östersund (B) and in A's municipalities.
    homes = set(
        people.filter(provider=_provider("Östersund kommun")).values_list(
            "home_municipality__name", flat=True
        )
    )
    assert {"Östersund", "Krokom", "Åre", "Strömsund", "Berg"} <= homes
    assert set(people.filter(provider=p).values_list("home_municipality__name", flat=True)) == {
        "Krokom",
        "Strömsund",
        "Åre",
        "Berg",
        "Härjedalen",
    }


def test_exits_have_a_mix_of_reasons_with_their_outcome_and_follow_ups():
    _load()
    exited = Enrolment.objects.exclude(exit_date=None)
    reasons = Counter(exited.values_list("exit_reason", flat=True))
    assert reasons == {
        ExitReason.ARBETE: 3,
        ExitReason.ARBETE_MED_STOD: 1,
        ExitReason.STUDIER: 2,
        ExitReason.ARBETSSOKANDE: 1,
        ExitReason.ORDINARIE_INSATS: 1,
        ExitReason.ATER_REMITTENT: 1,
        ExitReason.EGEN_BEGARAN: 1,
        ExitReason.SJUKDOM: 2,
    }
    assert not exited.filter(income_source_exit="").exists()
    assert not exited.filter(occupation_exit="").exists()
    assert exited.filter(violence_screening_asked=True).count() == 10
    assert exited.filter(survey_offered_at_exit=True).count() == 11
    # Follow-ups at 6 and 12 months after every exit: some done, some due, some ahead.
    assert FollowUp.objects.count() == 24
    done = FollowUp.objects.exclude(done_on=None)
    assert done.count() == 7
    assert done.filter(reached=False).count() == 1
    assert all(f.done_on <= DEMO_DATE for f in done)
    overdue = FollowUp.objects.filter(done_on=None, due__lte=DEMO_DATE)
    assert overdue.count() == 3
    bob = _actor("bob@krokom.example")
    assert services.follow_ups_due(bob, today=DEMO_DATE).count() == 3  # one due tomorrow


def test_the_demo_is_written_through_the_services_with_audit_events():
    _load()
    assert list(verify_chain()) == []
    p = _provider("Krokom kommun")
    events = Counter(
        AuditEvent.objects.filter(unit=p, action__contains=".").values_list("action", flat=True)
    )
    assert events["participant.create"] == 17
    assert events["referral.create"] == 17
    assert events["consent.record"] == 16
    assert events["referral.accept"] == 16
    assert events["enrolment.create"] == 16
    assert events["enrolment.exit"] == 8
    assert events["followup.record"] == 5
    # The referrer's referrals are in the provider's log, by the referrer.
    by_frank = AuditEvent.objects.filter(
        unit=p, action="referral.create", role=Role.REFERRER, user__email="frank@fk.example"
    )
    assert by_frank.count() == 8
    assert Consent.objects.filter(information_exchange=True).count() == 10


def test_the_demo_dates_do_not_depend_on_the_day_it_is_loaded():
    with time_machine.travel("2028-05-02 09:00 +02:00", tick=False):
        _load()
    starts = dict(Participant.objects.values_list("reserve_id", "enrolments__start"))
    exits = dict(Participant.objects.values_list("reserve_id", "enrolments__exit_date"))
    for person in STEG + GEMENSAM:
        if person.open_referral:
            assert starts[person.reserve_id] is None
            continue
        assert starts[person.reserve_id] == person.start
        assert exits[person.reserve_id] == (person.exit.day if person.exit else None)


def test_the_demo_loads_on_the_first_day_it_is_valid():
    with time_machine.travel("2026-11-27 00:05 +01:00", tick=False):
        _load()
    assert Enrolment.objects.count() == 24


def test_loading_the_demo_twice_adds_no_participant_data():
    _load()
    counts = [
        m.objects.count() for m in (Participant, Referral, Consent, Enrolment, FollowUp, AuditEvent)
    ]
    assert "Demodata finns redan." in _load()
    assert [
        m.objects.count() for m in (Participant, Referral, Consent, Enrolment, FollowUp, AuditEvent)
    ] == counts


def test_coaches_see_their_interventions_participants_and_the_referrer_their_referrals():
    _load()
    bob, erin = _actor("bob@krokom.example"), _actor("erin@ostersund.example")
    assert Participant.objects.visible_to(bob).count() == 17
    assert Participant.objects.visible_to(erin).count() == 9
    frank = _actor("frank@fk.example")
    sent = services.referrals_sent_by(frank)
    assert sent.count() == 12
    assert sent.filter(enrolment__exit_date__isnull=False).count() == 6
