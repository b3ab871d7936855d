"""Gallring (apply_retention): identities go when retention has passed and consent has ended;
the de-identified facts stay. Time is moved across the retention date with time-machine."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stegvis.core import audit, crypto
from stegvis.core.models import AuditEvent, Municipality
from stegvis.interventions.models import Intervention
from stegvis.participants.models import (
    Consent,
    Enrolment,
    FollowUp,
    Participant,
    Referral,
    RetentionPolicy,
)
from stegvis.participants.retention import add_years, erase_due_identities
from stegvis.participants.services import blind_index_for

STOCKHOLM = ZoneInfo("Europe/Stockholm")
EXIT = date(2022, 3, 15)
RETENTION_DATE = date(2024, 3, 15)  # EXIT + two years, the default
_numbers = itertools.count(1)


def on(day: date):
    """Travel to the small hours of ``day`` in Stockholm, when a nightly timer would run."""
    return time_machine.travel(datetime.combine(day, time(3, 0), STOCKHOLM), tick=False)


def run(*args: str) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def reload(participant: Participant) -> Participant:
    return Participant.objects.get(pk=participant.pk)


@pytest.fixture
def steg(world) -> Intervention:
    return Intervention.objects.create(
        provider=world.p,
        lead_association=world.a,
        name="Steg",
        code="steg",
        kind="individual",
        orientation="rehabiliterande",
        start=date(2020, 1, 1),
        status="running",
    )


@pytest.fixture
def steg_q(world) -> Intervention:
    return Intervention.objects.create(
        provider=world.q,
        lead_association=world.b,
        name="Steg Q",
        code="steg",
        kind="individual",
        orientation="rehabiliterande",
        start=date(2020, 1, 1),
        status="running",
    )


def person(
    intervention: Intervention,
    *,
    exit_on: date | None = EXIT,
    start: date = date(2021, 9, 1),
    withdrawn_on: date | None = date(2022, 4, 1),
    valid_until: date | None = None,
    consent: bool = True,
    protected: bool = False,
) -> Participant:
    """A participant with one enrolment (closed on ``exit_on``), a referral, a consent and
    follow-ups, with every identity field and free text filled in."""
    provider = intervention.provider
    n = next(_numbers)
    number = f"1990010{n % 10}-{n:04d}"
    identity: dict[str, object]
    if protected:
        identity = {"identity_kind": Participant.IdentityKind.PROTECTED}
    else:
        identity = {
            "identity_kind": Participant.IdentityKind.PERSONNUMMER,
            "national_id_encrypted": crypto.encrypt(number),
            "national_id_index": blind_index_for(provider.pk, number),
            "name_encrypted": crypto.encrypt(f"Testa Testsson {n}"),
            "contact_encrypted": crypto.encrypt(f"070-000 00 {n:02d}"),
            "birth_date": date(1990, 1, 1 + n % 10),
        }
    participant = Participant.objects.create(
        provider=provider,
        gender="kvinna",
        birth_year=1990,
        home_municipality=Municipality.objects.get(code="2309"),
        born_outside_nordic="nej" if not protected else "ej_angivet",
        **identity,
    )
    referral = Referral.objects.create(
        provider=provider,
        participant=participant,
        intervention=intervention,
        source=Referral.Source.PROVIDER,
        planned_start=start,
        need="Behöver stöd efter lång sjukskrivning, bor med sin mamma på Storgatan.",
        state=Referral.State.ACCEPTED,
        decided_at=datetime.combine(start, time(10), STOCKHOLM),
        override_reason="Känner personen sedan tidigare.",
        referred_name_encrypted=crypto.encrypt("Greta Gren") if not protected else "",
        referred_born_encrypted=crypto.encrypt("19900101") if not protected else "",
    )
    enrolment = Enrolment.objects.create(
        provider=provider,
        participant=participant,
        intervention=intervention,
        referral=referral,
        start=start,
        plan_notes="Träffas varje tisdag hemma hos Testa.",
        multiparty_decision="FK och AF deltar.",
        income_source_start="sjukpenning",
        occupation_start="ovrigt",
        exit_date=exit_on,
        exit_reason="arbete" if exit_on else "",
        income_source_exit="lon" if exit_on else "",
        occupation_exit="forvarvsarbete" if exit_on else "",
        exit_summary="Fått jobb på ICA i Krokom." if exit_on else "",
        exit_notes="Ring henne i juni." if exit_on else "",
    )
    if exit_on is not None:
        FollowUp.objects.create(
            provider=provider,
            enrolment=enrolment,
            months=6,
            due=date(2022, 9, 15),
            done_on=date(2022, 9, 20),
            reached=True,
            occupation="forvarvsarbete",
            income_source="lon",
        )
    if consent:
        Consent.objects.create(
            provider=provider,
            participant=participant,
            given_on=date(2021, 8, 20),
            valid_until=valid_until,
            withdrawn_on=withdrawn_on,
        )
    return participant


def erased(participant: Participant) -> bool:
    return reload(participant).identity_erased_at is not None


# --- The retention date ---------------------------------------------------------------------


def test_nothing_is_erased_the_day_before_the_retention_date_and_it_is_on_the_day(steg):
    withdrawn = person(steg)
    with on(date(2024, 3, 14)):
        output = run()
    assert not erased(withdrawn)
    assert "0 identiteter gallrade" in output
    assert not AuditEvent.objects.filter(action="participant.erase").exists()

    with on(RETENTION_DATE):
        output = run()
    assert erased(withdrawn)
    assert "Arbetsmarknadsenheten P" in output
    assert "1 identiteter gallrade" in output


def test_a_consent_without_end_date_lasts_until_two_years_after_the_exit(steg):
    """The consent is valid on the retention date itself, so the identity goes the day after."""
    open_consent = person(steg, withdrawn_on=None, valid_until=None)
    with on(RETENTION_DATE):
        run()
    assert not erased(open_consent)
    with on(date(2024, 3, 16)):
        run()
    assert erased(open_consent)


def test_withdrawn_consent_and_passed_retention_erase(steg):
    withdrawn = person(steg, withdrawn_on=date(2021, 10, 1))
    with on(date(2025, 1, 1)):
        run()
    assert erased(withdrawn)


def test_an_expired_consent_erases(steg):
    expired = person(steg, withdrawn_on=None, valid_until=date(2022, 12, 31))
    with on(RETENTION_DATE):
        run()
    assert erased(expired)


def test_no_consent_at_all_erases_after_retention(steg):
    without = person(steg, consent=False)
    with on(date(2024, 3, 14)):
        run()
    assert not erased(without)
    with on(RETENTION_DATE):
        run()
    assert erased(without)


def test_a_still_valid_consent_keeps_the_identity(steg):
    valid = person(steg, withdrawn_on=None, valid_until=date(2030, 12, 31))
    with on(date(2026, 6, 1)):
        run()
    assert not erased(valid)
    # Withdrawn later: gone at the next run.
    Consent.objects.filter(participant=valid).update(withdrawn_on=date(2026, 6, 2))
    with on(date(2026, 6, 2)):
        run()
    assert erased(valid)


def test_an_open_enrolment_keeps_the_identity(steg, world):
    other = Intervention.objects.create(
        provider=world.p,
        lead_association=world.a,
        name="Annan",
        code="annan",
        kind="individual",
        orientation="rehabiliterande",
        start=date(2020, 1, 1),
        status="running",
    )
    back = person(steg)
    Enrolment.objects.create(
        provider=world.p, participant=back, intervention=other, start=date(2023, 1, 10)
    )
    with on(date(2027, 1, 1)):
        run()
    assert not erased(back)


def test_an_open_referral_keeps_the_identity(steg):
    referred_again = person(steg)
    Referral.objects.create(
        provider=steg.provider,
        participant=referred_again,
        intervention=steg,
        source=Referral.Source.PROVIDER,
        planned_start=date(2025, 1, 1),
        state=Referral.State.VISA_BOOKED,
    )
    with on(date(2026, 1, 1)):
        run()
    assert not erased(referred_again)


def test_a_later_referral_decision_moves_the_retention_date(steg):
    declined_later = person(steg)
    Referral.objects.create(
        provider=steg.provider,
        participant=declined_later,
        intervention=steg,
        source=Referral.Source.PROVIDER,
        planned_start=date(2023, 6, 1),
        state=Referral.State.DECLINED,
        decided_at=datetime(2023, 6, 1, 23, 30, tzinfo=STOCKHOLM),
        decision_reason="Bor utanför området.",
    )
    with on(RETENTION_DATE):
        run()
    assert not erased(declined_later)
    with on(date(2025, 5, 31)):
        run()
    assert not erased(declined_later)
    with on(date(2025, 6, 1)):
        run()
    assert erased(declined_later)
    referral = Referral.objects.get(participant=declined_later, state=Referral.State.DECLINED)
    assert referral.decision_reason == ""
    assert referral.decided_at == datetime(2023, 6, 1, 23, 30, tzinfo=STOCKHOLM)


def test_never_enrolled_counts_from_the_referral_decision(steg):
    declined = Participant.objects.create(
        provider=steg.provider,
        identity_kind=Participant.IdentityKind.RESERVE,
        reserve_id="R-17",
        name_encrypted=crypto.encrypt("Utan Nummer"),
        gender="man",
        birth_year=1985,
    )
    Referral.objects.create(
        provider=steg.provider,
        participant=declined,
        intervention=steg,
        source=Referral.Source.SELF,
        planned_start=date(2022, 5, 1),
        state=Referral.State.DECLINED,
        decided_at=datetime(2022, 5, 2, 9, 0, tzinfo=STOCKHOLM),
    )
    # A consent without an end date and never enrolled: it lasts until two years after the
    # decision, so it does not keep the identity for ever.
    Consent.objects.create(provider=steg.provider, participant=declined, given_on=date(2022, 4, 1))
    nothing_yet = Participant.objects.create(
        provider=steg.provider,
        identity_kind=Participant.IdentityKind.RESERVE,
        reserve_id="R-18",
        gender="man",
        birth_year=1985,
    )
    with on(date(2024, 5, 2)):
        run()
    assert not erased(declined)
    with on(date(2024, 5, 3)):
        run()
    assert erased(declined)
    assert reload(declined).reserve_id == ""
    assert not erased(nothing_yet)


def test_a_provider_policy_of_one_year_is_honoured(steg, steg_q, world):
    RetentionPolicy.objects.create(provider=world.p, years=1)
    at_p = person(steg)
    at_q = person(steg_q)
    with on(date(2023, 3, 14)):
        run()
    assert not erased(at_p)
    with on(date(2023, 3, 15)):
        output = run()
    assert erased(at_p)
    assert not erased(at_q)  # Q keeps the default two years
    assert "gallringsfrist 1 år: 1 identiteter gallrade" in output
    assert "gallringsfrist 2 år: 0 identiteter gallrade" in output
    with on(RETENTION_DATE):
        run()
    assert erased(at_q)


def test_the_policy_is_between_zero_and_ten_years(world):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    with pytest.raises(ValidationError):
        RetentionPolicy(provider=world.p, years=11).full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        RetentionPolicy.objects.create(provider=world.p, years=11)
    RetentionPolicy(provider=world.p, years=0).full_clean()


def test_leap_day_retention():
    assert add_years(date(2020, 2, 29), 2) == date(2022, 2, 28)
    assert add_years(date(2020, 2, 29), 4) == date(2024, 2, 29)
    assert add_years(date(2024, 2, 29), -1) == date(2023, 2, 28)


def test_leap_day_exit_is_erased_on_28_february(steg):
    leap = person(steg, exit_on=date(2020, 2, 29), start=date(2019, 9, 1), consent=False)
    Consent.objects.create(
        provider=steg.provider,
        participant=leap,
        given_on=date(2019, 8, 1),
        withdrawn_on=date(2020, 3, 1),
    )
    with on(date(2022, 2, 27)):
        run()
    assert not erased(leap)
    with on(date(2022, 2, 28)):
        run()
    assert erased(leap)


# --- What is erased and what stays ----------------------------------------------------------


def test_identity_and_free_texts_go_de_identified_facts_stay(steg):
    participant = person(steg)
    enrolment_before = Enrolment.objects.get(participant=participant)
    with on(RETENTION_DATE):
        run()
    after = reload(participant)
    assert after.identity_erased_at is not None
    assert after.national_id_encrypted == after.national_id_index == ""
    assert after.name_encrypted == after.contact_encrypted == after.reserve_id == ""
    assert after.national_id == after.name == after.contact == ""
    assert after.birth_date is None
    assert after.display_name == "Identitet raderad"
    # Kept for statistics.
    assert after.gender == "kvinna"
    assert after.birth_year == 1990
    assert after.home_municipality.code == "2309"
    assert after.born_outside_nordic == "nej"
    assert after.identity_kind == Participant.IdentityKind.PERSONNUMMER
    enrolment = Enrolment.objects.get(participant=participant)
    for kept in (
        "start",
        "exit_date",
        "exit_reason",
        "income_source_start",
        "occupation_start",
        "income_source_exit",
        "occupation_exit",
        "intervention_id",
        "referral_id",
    ):
        assert getattr(enrolment, kept) == getattr(enrolment_before, kept), kept
    assert enrolment.exit_reason == "arbete"
    assert enrolment.plan_notes == enrolment.multiparty_decision == ""
    assert enrolment.exit_summary == enrolment.exit_notes == ""
    referral = Referral.objects.get(participant=participant)
    assert referral.need == referral.override_reason == referral.referred_name_encrypted == ""
    assert referral.referred_born_encrypted == ""
    assert referral.state == Referral.State.ACCEPTED
    assert referral.planned_start == date(2021, 9, 1)
    follow_up = FollowUp.objects.get(enrolment=enrolment)
    assert (follow_up.reached, follow_up.occupation, follow_up.income_source) == (
        True,
        "forvarvsarbete",
        "lon",
    )
    consent = Consent.objects.get(participant=participant)
    assert consent.withdrawn_on == date(2022, 4, 1)


def test_why_the_violence_questions_could_not_be_asked_is_erased_the_outcome_stays(steg):
    from stegvis.participants.retention import SCREENING_REASON_ERASED
    from stegvis.surveys.models import ViolenceScreening

    participant, kept = person(steg), person(steg, exit_on=None)
    for who in (participant, kept):
        ViolenceScreening.objects.create(
            provider=steg.provider,
            enrolment=Enrolment.objects.get(participant=who),
            outcome=ViolenceScreening.Outcome.NOT_POSSIBLE,
            reason="Partnern satt med i rummet hela samtalet.",
            on=date(2022, 3, 1),
        )
    with on(RETENTION_DATE):
        run()
    screening = ViolenceScreening.objects.get(enrolment__participant=participant)
    assert (screening.outcome, screening.reason, screening.on) == (
        ViolenceScreening.Outcome.NOT_POSSIBLE,
        SCREENING_REASON_ERASED,
        date(2022, 3, 1),
    )
    other = ViolenceScreening.objects.get(enrolment__participant=kept)
    assert other.reason == "Partnern satt med i rummet hela samtalet."


def test_other_participants_are_untouched(steg):
    due = person(steg)
    kept = person(steg, withdrawn_on=None, valid_until=date(2030, 1, 1))
    kept_before = reload(kept)
    with on(RETENTION_DATE):
        run()
    assert erased(due)
    after = reload(kept)
    assert after.name == kept_before.name
    assert after.national_id == kept_before.national_id
    assert after.birth_date == kept_before.birth_date
    assert Enrolment.objects.get(participant=kept).plan_notes


def test_protected_identities_are_handled_without_breaking_the_constraint(steg):
    protected = person(steg, protected=True, consent=False)
    with on(RETENTION_DATE):
        run()
    after = reload(protected)
    assert after.identity_erased_at is not None
    assert after.identity_kind == Participant.IdentityKind.PROTECTED
    assert after.display_name == "Skyddad identitet"
    assert Referral.objects.get(participant=protected).need == ""
    assert Enrolment.objects.get(participant=protected).exit_notes == ""


# --- Audit, dry run, scope --------------------------------------------------------------------


def test_each_erasure_is_an_audit_event(steg, world):
    first, second = person(steg), person(steg)
    with on(RETENTION_DATE):
        run()
    events = AuditEvent.objects.filter(action="participant.erase").order_by("seq")
    assert [e.participant_ref for e in events] == [first.public_id, second.public_id]
    for event in events:
        assert event.unit == world.p
        assert event.association is None
        assert event.user is None
        assert event.reason == "gallring"
        assert event.object_type == "participants.participant"
    assert list(audit.verify_chain()) == []


def test_a_second_run_erases_nothing_more(steg):
    person(steg)
    with on(RETENTION_DATE):
        run()
        output = run()
    assert "totalt 0 identiteter" in output
    assert AuditEvent.objects.filter(action="participant.erase").count() == 1


def test_a_dry_run_writes_nothing(steg):
    participant = person(steg)
    before = reload(participant)
    events = AuditEvent.objects.count()
    with on(RETENTION_DATE):
        output = run("--dry-run")
    assert "1 identiteter skulle gallras" in output
    assert "provkörning" in output
    after = reload(participant)
    assert after.identity_erased_at is None
    assert after.name_encrypted == before.name_encrypted
    assert after.birth_date == before.birth_date
    assert Enrolment.objects.get(participant=participant).plan_notes
    assert AuditEvent.objects.count() == events


def test_the_report_names_who_was_erased_but_the_output_does_not(steg):
    participant = person(steg)
    name, number = participant.name, participant.national_id
    with on(RETENTION_DATE):
        report = erase_due_identities(date(2024, 3, 15), dry_run=True)
        output = run()
    entry = next(p for p in report.providers if p.provider == steg.provider)
    assert entry.erased == [participant.public_id]
    assert report.total == 1
    assert name not in output
    assert number not in output
    assert str(participant.public_id) not in output


def test_provider_option_erases_only_that_providers(steg, steg_q, world):
    at_p = person(steg)
    at_q = person(steg_q)
    with on(RETENTION_DATE):
        output = run("--provider", str(world.q.public_id))
    assert erased(at_q)
    assert not erased(at_p)
    assert "Arbetsmarknadsenheten Q" in output
    assert "Arbetsmarknadsenheten P" not in output
    assert set(
        AuditEvent.objects.filter(action="participant.erase").values_list("unit", flat=True)
    ) == {world.q.pk}


def test_provider_option_refuses_an_unknown_id(db):
    with pytest.raises(CommandError):
        run("--provider", "00000000-0000-0000-0000-000000000000")


def test_finding_who_is_due_takes_the_same_queries_for_3_and_30(steg):
    def queries_for_dry_run() -> int:
        with on(RETENTION_DATE), CaptureQueriesContext(connection) as ctx:
            erase_due_identities(RETENTION_DATE, dry_run=True)
        return len(ctx.captured_queries)

    for _ in range(3):
        person(steg)
    few = queries_for_dry_run()
    for _ in range(27):
        person(steg)
    assert queries_for_dry_run() == few
