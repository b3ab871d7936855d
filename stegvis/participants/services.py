"""The provider side's operations: every read and write of a participant goes through here.

Each function takes the actor, checks the named predicate, validates with Swedish messages, writes
in a transaction and records the audit event with the participant's public id (never a name or a
number). Views, imports, commands and tests call these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from stegvis.core import audit, crypto
from stegvis.core.actors import Actor
from stegvis.core.codes import REFERRING_KIND_MEMBER, ExitReason, Gender, IncomeSource, Occupation
from stegvis.core.models import Association, Municipality, Organisation, Role
from stegvis.interventions.models import Intervention
from stegvis.participants.identity import parse_national_id
from stegvis.participants.models import (
    Consent,
    Enrolment,
    FollowUp,
    Participant,
    Pause,
    Referral,
)

PROVIDER_STAFF = {Role.PROVIDER_MANAGER, Role.COACH}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _staff_of(actor: Actor, provider_id: int) -> bool:
    return actor.role in PROVIDER_STAFF and actor.unit is not None and actor.unit.pk == provider_id


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


# --- Identity ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityInput:
    """What a form or an import row says about who the person is."""

    kind: str  # Participant.IdentityKind value
    national_id: str = ""
    reserve_id: str = ""
    name: str = ""
    contact: str = ""
    gender: str = ""
    birth_year: int | None = None
    home_municipality: Municipality | None = None
    born_outside_nordic: str = "ej_angivet"


def blind_index_for(provider_id: int, canonical: str) -> str:
    return crypto.blind_index(canonical, scope=f"provider:{provider_id}")


def find_by_national_id(actor: Actor, raw: str, *, today: date | None = None) -> Participant | None:
    """Exact search through the blind index, inside the actor's provider only. Audited."""
    _require(actor.role in PROVIDER_STAFF and actor.unit is not None)
    assert actor.unit is not None
    parsed = parse_national_id(raw, today=today or timezone.localdate())
    found = (
        Participant.objects.visible_to(actor)
        .filter(national_id_index=blind_index_for(actor.unit.pk, parsed.canonical))
        .first()
    )
    record_search(actor, [found] if found else [])
    return found


def record_search(actor: Actor, found: Sequence[Participant]) -> None:
    """A search by personnummer names each person it found, or says it found no one."""
    for participant in found:
        audit.record(
            "participant.search", actor=actor, participant_ref=participant.public_id, reason="träff"
        )
    if not found:
        audit.record("participant.search", actor=actor, reason="ingen träff")


def identity_fields(
    provider_id: int, data: IdentityInput, today: date, *, by_referrer: bool = False
) -> dict[str, Any]:
    """The participant's identity fields for ``data`` (encrypted, blind-indexed), or a
    ValidationError naming the field. ``by_referrer``: no reserve number (it is the provider's
    own label, which it gives when it registers the person)."""
    kind = data.kind
    fields: dict[str, Any] = {
        "identity_kind": kind,
        "home_municipality": data.home_municipality,
        "born_outside_nordic": data.born_outside_nordic or "ej_angivet",
        "national_id_encrypted": "",
        "national_id_index": "",
        "reserve_id": "",
        "name_encrypted": "",
        "contact_encrypted": "",
        "birth_date": None,
    }
    if kind in {Participant.IdentityKind.PERSONNUMMER, Participant.IdentityKind.SAMORDNINGSNUMMER}:
        try:
            parsed = parse_national_id(data.national_id, today=today)
        except ValidationError as error:
            raise ValidationError({"national_id": error.messages}) from None
        fields.update(
            identity_kind=parsed.kind,
            national_id_encrypted=crypto.encrypt(parsed.canonical),
            national_id_index=blind_index_for(provider_id, parsed.canonical),
            birth_date=parsed.birth_date,
            birth_year=parsed.birth_date.year,
            gender=data.gender or parsed.gender,
        )
    else:
        if data.gender not in Gender.values:
            raise ValidationError({"gender": _("Ange kön när personnummer saknas.")})
        if data.birth_year is None or not 1900 <= data.birth_year <= today.year:
            raise ValidationError({"birth_year": _("Ange ett födelseår mellan 1900 och i år.")})
        fields.update(gender=data.gender, birth_year=data.birth_year)
        if kind == Participant.IdentityKind.RESERVE and not by_referrer:
            if not data.reserve_id.strip():
                raise ValidationError({"reserve_id": _("Ange utförarens reservnummer.")})
            fields["reserve_id"] = data.reserve_id.strip()
    if kind != Participant.IdentityKind.PROTECTED:
        if data.name.strip():
            fields["name_encrypted"] = crypto.encrypt(data.name.strip())
        if data.contact.strip():
            fields["contact_encrypted"] = crypto.encrypt(data.contact.strip())
    elif data.name.strip() or data.contact.strip() or data.national_id.strip():
        raise ValidationError(
            _("För en person med skyddade personuppgifter sparas inte namn, nummer eller kontakt.")
        )
    return fields


# Fields :func:`register_participant` leaves out of ``full_clean``.
PARTICIPANT_CLEAN_EXCLUDE = ["provider"]


@transaction.atomic
def register_participant(
    actor: Actor | None,
    data: IdentityInput,
    *,
    provider_id: int | None = None,
    today: date | None = None,
) -> tuple[Participant, bool]:
    """The participant with this identity at the provider, or a new one. Returns (participant,
    created). Registering the same number again finds the existing person.

    ``actor`` is provider staff, or a referrer sending a referral (then ``provider_id`` names the
    intervention's provider and the referrer learns nothing about whether the person existed).
    """
    if actor is not None and actor.role in PROVIDER_STAFF:
        assert actor.unit is not None
        provider_id = actor.unit.pk
    _require(provider_id is not None)
    assert provider_id is not None
    day = today or timezone.localdate()
    # A referrer gives no reserve number: theirs would find (or collide with) whichever of the
    # provider's participants the provider gave that label.
    by_referrer = actor is not None and actor.role == Role.REFERRER
    fields = identity_fields(provider_id, data, day, by_referrer=by_referrer)
    lookup: dict[str, Any] | None = None
    if fields["national_id_index"]:
        lookup = {"national_id_index": fields["national_id_index"]}
    elif fields["reserve_id"]:
        lookup = {"reserve_id": fields["reserve_id"]}
    if lookup is not None:
        existing = Participant.objects.filter(provider_id=provider_id, **lookup).first()
        if existing is not None:
            # A referrer's look-up belongs in the provider's log, like participant.create below.
            audit.record(
                "participant.found",
                actor=actor,
                owner=existing.provider if actor is None or actor.role == Role.REFERRER else None,
                participant_ref=existing.public_id,
            )
            return existing, False
    participant = Participant(provider_id=provider_id, **fields)
    participant.full_clean(exclude=PARTICIPANT_CLEAN_EXCLUDE)
    participant.save()
    audit.record(
        "participant.create",
        actor=actor,
        owner=participant.provider if actor is None or actor.role == Role.REFERRER else None,
        participant_ref=participant.public_id,
    )
    return participant, True


def view_participant(actor: Actor, participant: Participant, *, what: str = "") -> None:
    """Record that the actor read the participant's data (every read is an audit event). A
    referrer's read goes in the provider's log, which controls the data and reads its log."""
    audit.record(
        "participant.view",
        actor=actor,
        owner=participant.provider if actor.role == Role.REFERRER else None,
        participant_ref=participant.public_id,
        reason=what,
    )


@transaction.atomic
def update_identity(actor: Actor, participant: Participant, data: IdentityInput) -> Participant:
    _require(_staff_of(actor, participant.provider_id) and participant.identity_erased_at is None)
    fields = identity_fields(participant.provider_id, data, timezone.localdate())
    for key, value in fields.items():
        setattr(participant, key, value)
    try:
        participant.full_clean(exclude=["provider"])
        participant.save()
    except IntegrityError:
        raise ValidationError(
            {"national_id": _("Det finns redan en deltagare med det numret hos utföraren.")}
        ) from None
    if participant.identity_kind == Participant.IdentityKind.PROTECTED:
        # No identity is stored for a protected person: nor what referrers wrote.
        participant.referrals.update(referred_name_encrypted="", referred_born_encrypted="")
    audit.record("participant.update", actor=actor, participant_ref=participant.public_id)
    return participant


def referred_born(participant: Participant) -> str:
    """What a referrer sees of the number they typed: its birth date (YYYYMMDD), or the birth
    year where there is no number."""
    number = participant.national_id
    if len(number) >= 8:
        return number[:8]
    return str(participant.birth_year or "")


# --- Eligibility ---------------------------------------------------------------------------


def funding_area(intervention: Intervention) -> set[int]:
    """Municipality ids the intervention serves: its own list, or its funders' areas."""
    own = set(intervention.municipalities.values_list("pk", flat=True))
    if own:
        return own
    area: set[int] = set()
    for association in Association.objects.filter(fundings__intervention=intervention):
        area |= set(association.area().values_list("pk", flat=True))
    return area


def check_eligibility(
    intervention: Intervention,
    participant: Participant,
    *,
    planned_start: date,
    members_involved: Iterable[Organisation],
    referring_kinds: Iterable[str] = (),
    today: date | None = None,
) -> list[str]:
    """Every rule of the intervention the referral does not meet, in plain Swedish."""
    failed: list[str] = []
    age = participant.age_on(planned_start)
    if not intervention.min_age <= age <= intervention.max_age:
        failed.append(
            _(
                "Personen är %(age)s år vid planerad start %(start)s; insatsen vänder sig till "
                "personer mellan %(min)s och %(max)s år."
            )
            % {
                "age": age,
                "start": planned_start.isoformat(),
                "min": intervention.min_age,
                "max": intervention.max_age,
            }
        )
    if intervention.requires_area_residence:
        if participant.home_municipality_id is None:
            failed.append(_("Hemkommun saknas, så det går inte att se att personen bor i området."))
        elif participant.home_municipality_id not in funding_area(intervention):
            failed.append(
                _("Hemkommunen %(m)s ingår inte i de finansierande förbundens område.")
                % {"m": participant.home_municipality}
            )
    kinds = {o.kind for o in members_involved} | {
        REFERRING_KIND_MEMBER[k] for k in referring_kinds if k in REFERRING_KIND_MEMBER
    }
    if len(kinds) < intervention.min_members_involved:
        failed.append(
            _(
                "Minst %(min)s olika parter (Försäkringskassan, Arbetsförmedlingen, regionen, "
                "kommunen) behöver vara involverade; %(count)s angivna."
            )
            % {"min": intervention.min_members_involved, "count": len(kinds)}
        )
    if intervention.requires_consent and not has_valid_consent(
        participant, on=today or timezone.localdate()
    ):
        failed.append(_("Samtycke till registrering finns inte registrerat."))
    return failed


# --- Referrals -----------------------------------------------------------------------------


def referable_interventions(actor: Actor) -> QuerySet[Intervention]:
    """Interventions a referrer may refer to: those funded by an association their
    organisation is a member of, open for referrals; for provider staff, their own."""
    if actor.role == Role.REFERRER and actor.unit is not None:
        return (
            Intervention.objects.open_for_referrals()
            .filter(fundings__association__members__organisation=actor.unit.organisation)
            .select_related("provider__organisation")
            .distinct()
        )
    return Intervention.objects.visible_to(actor).open_for_referrals()


@transaction.atomic
def create_referral(
    actor: Actor,
    *,
    intervention: Intervention,
    identity: IdentityInput,
    planned_start: date,
    members_involved: Iterable[Organisation],
    referring_kinds: list[str],
    need: str = "",
    today: date | None = None,
) -> Referral:
    """A referral from a referrer, from the provider, or a self-referral entered by the provider.

    The eligibility check runs and its failed rules are kept on the referral for the provider
    manager's decision; the referral is received either way."""
    day = today or timezone.localdate()
    if actor.role == Role.REFERRER:
        _require(referable_interventions(actor).filter(pk=intervention.pk).exists())
        source = Referral.Source.REFERRER
    else:
        _require(_staff_of(actor, intervention.provider_id))
        source = Referral.Source.SELF if referring_kinds == ["sjalv"] else Referral.Source.PROVIDER
    if intervention.status not in {Intervention.Status.PLANNED, Intervention.Status.RUNNING}:
        raise ValidationError({"intervention": _("Insatsen tar inte emot remisser just nu.")})
    if planned_start < day - timedelta(days=31):
        raise ValidationError({"planned_start": _("Önskad start kan inte ligga så långt bakåt.")})
    participant, _created = register_participant(
        actor, identity, provider_id=intervention.provider_id, today=day
    )
    members = list(members_involved)
    protected = participant.identity_kind == Participant.IdentityKind.PROTECTED
    referral = Referral.objects.create(
        provider_id=intervention.provider_id,
        participant=participant,
        intervention=intervention,
        source=source,
        referrer=actor.assignment if actor.role == Role.REFERRER else None,
        referred_name_encrypted=(
            crypto.encrypt(identity.name.strip())
            if actor.role == Role.REFERRER and identity.name.strip() and not protected
            else ""
        ),
        referred_born_encrypted=(
            crypto.encrypt(referred_born(participant))
            if actor.role == Role.REFERRER and not protected
            else ""
        ),
        referring_kinds=referring_kinds,
        planned_start=planned_start,
        need=need.strip(),
        failed_rules=check_eligibility(
            intervention,
            participant,
            planned_start=planned_start,
            members_involved=members,
            referring_kinds=referring_kinds,
            today=day,
        ),
    )
    referral.members_involved.set(members)
    audit.record(
        "referral.create",
        actor=actor,
        owner=intervention.provider if actor.role == Role.REFERRER else None,
        obj=referral,
        participant_ref=participant.public_id,
    )
    return referral


def refresh_eligibility(
    actor: Actor, referral: Referral, *, today: date | None = None
) -> list[str]:
    """Re-check the rules (e.g. after consent was recorded) and keep the result. A changed
    result is a write to the referral: it is saved with an audit event, in one transaction; an
    unchanged one writes nothing."""
    failed = check_eligibility(
        referral.intervention,
        referral.participant,
        planned_start=referral.planned_start,
        members_involved=list(referral.members_involved.all()),
        referring_kinds=referral.referring_kinds,
        today=today,
    )
    if failed != list(referral.failed_rules):
        with transaction.atomic():
            referral.failed_rules = failed
            referral.save(update_fields=["failed_rules"])
            audit.record(
                "referral.eligibility",
                actor=actor,
                obj=referral,
                participant_ref=referral.participant.public_id,
                reason=", ".join(failed) or "alla villkor uppfyllda",
            )
    return list(failed)


def _open_referral(actor: Actor, referral: Referral) -> None:
    _require(_staff_of(actor, referral.provider_id))
    if not referral.is_open:
        raise ValidationError(
            _("Remissen är redan %(state)s.") % {"state": referral.get_state_display().lower()}
        )


@transaction.atomic
def book_visa(actor: Actor, referral: Referral, *, visa_date: date) -> Referral:
    _open_referral(actor, referral)
    referral.state = Referral.State.VISA_BOOKED
    referral.visa_date = visa_date
    referral.save(update_fields=["state", "visa_date"])
    audit.record(
        "referral.visa", actor=actor, obj=referral, participant_ref=referral.participant.public_id
    )
    return referral


@transaction.atomic
def accept_referral(actor: Actor, referral: Referral, *, override_reason: str = "") -> Referral:
    """Only the provider manager decides. Failed rules need a written reason to accept."""
    _require(actor.role == Role.PROVIDER_MANAGER)
    _open_referral(actor, referral)
    failed = refresh_eligibility(actor, referral)
    if failed and not override_reason.strip():
        raise ValidationError(
            {
                "override_reason": _(
                    "Remissen uppfyller inte alla villkor. Skriv skälet till att ändå anta den."
                )
            }
        )
    referral.state = Referral.State.ACCEPTED
    referral.decided_at = timezone.now()
    referral.override_reason = override_reason.strip() if failed else ""
    referral.save(update_fields=["state", "decided_at", "override_reason"])
    audit.record(
        "referral.accept",
        actor=actor,
        obj=referral,
        participant_ref=referral.participant.public_id,
        reason=("trots: " + "; ".join(failed) + " – " + override_reason.strip()) if failed else "",
    )
    return referral


@transaction.atomic
def decline_referral(actor: Actor, referral: Referral, *, reason: str) -> Referral:
    _require(actor.role == Role.PROVIDER_MANAGER)
    _open_referral(actor, referral)
    if not reason.strip():
        raise ValidationError({"reason": _("Skriv varför remissen avböjs.")})
    referral.state = Referral.State.DECLINED
    referral.decided_at = timezone.now()
    referral.decision_reason = reason.strip()
    referral.save(update_fields=["state", "decided_at", "decision_reason"])
    audit.record(
        "referral.decline",
        actor=actor,
        obj=referral,
        participant_ref=referral.participant.public_id,
    )
    return referral


@transaction.atomic
def withdraw_referral(actor: Actor, referral: Referral) -> Referral:
    """The referrer who sent it, or provider staff, withdraws an open referral."""
    own = actor.role == Role.REFERRER and referral.referrer_id == actor.assignment.pk
    _require(own or _staff_of(actor, referral.provider_id))
    if not referral.is_open:
        raise ValidationError(_("Bara en remiss som inte är beslutad kan tas tillbaka."))
    referral.state = Referral.State.WITHDRAWN
    referral.decided_at = timezone.now()
    referral.save(update_fields=["state", "decided_at"])
    audit.record(
        "referral.withdraw",
        actor=actor,
        owner=referral.provider if own else None,
        obj=referral,
        participant_ref=referral.participant.public_id,
    )
    return referral


def referrals_sent_by(actor: Actor) -> QuerySet[Referral]:
    """A referrer's own referrals, newest first: the state and the exit summary, nothing else."""
    _require(actor.role == Role.REFERRER)
    return (
        Referral.objects.filter(referrer=actor.assignment)
        .select_related("intervention", "participant", "enrolment")
        .order_by("-received_at")
    )


# --- Consent -------------------------------------------------------------------------------


def latest_exit(enrolments: Iterable[Enrolment]) -> date | None:
    exits = [e.exit_date for e in enrolments if e.exit_date is not None]
    return max(exits) if exits else None


def last_exit(participant: Participant) -> date | None:
    return latest_exit(participant.enrolments.all())


def consent_in_force(
    consents: Iterable[Consent],
    enrolments: Iterable[Enrolment],
    *,
    on: date,
    scope: str = "registration",
) -> bool:
    """Whether one of a person's consents covers ``scope`` on the day, given their enrolments
    (a consent without an end runs until two years after the last exit). The rule of
    :func:`has_valid_consent`, on rows already in memory (the import checks rows not yet saved)."""
    end = latest_exit(enrolments)
    return any(getattr(c, scope) and c.is_valid_on(on, end) for c in consents)


def has_valid_consent(participant: Participant, *, on: date, scope: str = "registration") -> bool:
    return consent_in_force(
        participant.consents.all(), participant.enrolments.all(), on=on, scope=scope
    )


def new_consent(
    participant: Participant,
    *,
    given_on: date,
    form: str,
    registration: bool,
    information_exchange: bool,
    exchange_with: list[Organisation],
    follow_up: bool,
    surveys: bool,
    valid_until: date | None,
    today: date,
) -> Consent:
    """The checks of :func:`record_consent` and the consent it saves (not yet saved)."""
    if given_on > today:
        raise ValidationError({"given_on": _("Datumet kan inte ligga i framtiden.")})
    if not any([registration, information_exchange, follow_up, surveys]):
        raise ValidationError(_("Kryssa i minst en sak som samtycket gäller."))
    if information_exchange and not exchange_with:
        raise ValidationError({"exchange_with": _("Välj vilka parter informationsutbytet gäller.")})
    if valid_until is not None and valid_until < given_on:
        raise ValidationError({"valid_until": _("Giltighetstiden kan inte sluta före datumet.")})
    return Consent(
        provider_id=participant.provider_id,
        participant=participant,
        registration=registration,
        information_exchange=information_exchange,
        follow_up=follow_up,
        surveys=surveys,
        given_on=given_on,
        form=form,
        valid_until=valid_until,
    )


@transaction.atomic
def record_consent(
    actor: Actor | None,
    participant: Participant,
    *,
    given_on: date,
    form: str,
    registration: bool = True,
    information_exchange: bool = False,
    exchange_with: Iterable[Organisation] = (),
    follow_up: bool = False,
    surveys: bool = False,
    valid_until: date | None = None,
) -> Consent:
    """``actor`` None only for imports run from the CLI."""
    if actor is not None:
        _require(_staff_of(actor, participant.provider_id))
    orgs = list(exchange_with)
    consent = new_consent(
        participant,
        given_on=given_on,
        form=form,
        registration=registration,
        information_exchange=information_exchange,
        exchange_with=orgs,
        follow_up=follow_up,
        surveys=surveys,
        valid_until=valid_until,
        today=timezone.localdate(),
    )
    consent.save(force_insert=True)
    consent.exchange_with.set(orgs)
    audit.record(
        "consent.record",
        actor=actor,
        owner=participant.provider if actor is None else None,
        obj=consent,
        participant_ref=participant.public_id,
    )
    return consent


@transaction.atomic
def withdraw_consent(actor: Actor, consent: Consent, *, on: date) -> Consent:
    """Withdrawal stops what the consent covered at once."""
    _require(_staff_of(actor, consent.provider_id))
    if consent.withdrawn_on is not None:
        raise ValidationError(_("Samtycket är redan återkallat."))
    if on < consent.given_on:
        raise ValidationError({"on": _("Återkallelsen kan inte vara före samtycket.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("Datumet kan inte ligga i framtiden.")})
    consent.withdrawn_on = on
    consent.save(update_fields=["withdrawn_on"])
    audit.record(
        "consent.withdraw", actor=actor, obj=consent, participant_ref=consent.participant.public_id
    )
    return consent


# --- Enrolment, exit and follow-up ---------------------------------------------------------


@dataclass(frozen=True)
class Background:
    income_source_start: str = IncomeSource.OKAND
    occupation_start: str = Occupation.OVRIGT
    time_outside: str = "okand"
    education: str = "okand"
    referring_kinds: tuple[str, ...] = ()


def covers_any_day(
    periods: Iterable[tuple[date, date | None]], start: date, end: date | None
) -> bool:
    """Whether one of the (start, exit date) periods covers a day of [start, end] (an open period
    or range runs on for ever). :func:`_overlaps` applies it to the enrolments in the database,
    the import to the ones in memory."""
    return any(
        (other_end is None or other_end >= start) and (end is None or other_start <= end)
        for other_start, other_end in periods
    )


def _overlaps(
    participant: Participant,
    intervention: Intervention,
    start: date,
    end: date | None,
    exclude: int | None = None,
) -> bool:
    """Whether another enrolment in the same intervention covers any day of [start, end]."""
    others = Enrolment.objects.filter(participant=participant, intervention=intervention)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    return covers_any_day(others.values_list("start", "exit_date"), start, end)


def check_enrolment(
    intervention: Intervention,
    *,
    start: date,
    intro_end: date | None,
    today: date,
    consented: Callable[[], bool],
    overlapping: Callable[[], bool],
) -> None:
    """The checks of :func:`enrol_participant` on the dates, in its order. ``consented`` tells
    whether a registration consent is valid on ``start``, ``overlapping`` whether another
    enrolment in the intervention ends on or after ``start`` (asked only when needed)."""
    if start > today + timedelta(days=366):
        raise ValidationError({"start": _("Startdatumet ligger för långt fram.")})
    if intro_end is not None and intro_end < start:
        raise ValidationError({"intro_end": _("Introduktionen kan inte sluta före start.")})
    if intervention.requires_consent and not consented():
        raise ValidationError(
            _(
                "Samtycke till registrering saknas eller är återkallat. Utan samtycke kan personen "
                "bara räknas anonymt (kön och år)."
            )
        )
    if overlapping():
        raise ValidationError(
            {"start": _("Personen har redan en inskrivning i insatsen som överlappar det datumet.")}
        )


def new_enrolment(
    participant: Participant,
    intervention: Intervention,
    *,
    start: date,
    coach: Any = None,
    intensity: int = 100,
    intro_end: date | None = None,
    background: Background | None = None,
    referral: Referral | None = None,
    plan_notes: str = "",
) -> Enrolment:
    """The enrolment :func:`enrol_participant` saves (not yet saved nor validated)."""
    bg = background or Background()
    return Enrolment(
        provider_id=participant.provider_id,
        participant=participant,
        intervention=intervention,
        referral=referral,
        start=start,
        intro_end=intro_end,
        coach=coach,
        intensity=intensity,
        plan_notes=plan_notes,
        income_source_start=bg.income_source_start,
        occupation_start=bg.occupation_start,
        time_outside=bg.time_outside,
        education=bg.education,
        referring_kinds=list(bg.referring_kinds or (referral.referring_kinds if referral else [])),
    )


# Fields :func:`enrol_participant` leaves out of ``full_clean`` (checked by the service itself).
ENROLMENT_CLEAN_EXCLUDE = ["provider", "participant", "intervention", "referral", "coach"]


@transaction.atomic
def enrol_participant(
    actor: Actor | None,
    participant: Participant,
    intervention: Intervention,
    *,
    start: date,
    coach: Any = None,
    intensity: int = 100,
    intro_end: date | None = None,
    background: Background | None = None,
    referral: Referral | None = None,
    plan_notes: str = "",
    today: date | None = None,
) -> Enrolment:
    """Enrol; refused without valid registration consent, and when it would overlap another
    enrolment in the same intervention. ``actor`` None only for imports run from the CLI."""
    if actor is not None:
        _require(_staff_of(actor, participant.provider_id))
    if intervention.provider_id != participant.provider_id:
        raise PermissionDenied
    check_enrolment(
        intervention,
        start=start,
        intro_end=intro_end,
        today=today or timezone.localdate(),
        consented=lambda: has_valid_consent(participant, on=start),
        overlapping=lambda: _overlaps(participant, intervention, start, None),
    )
    if coach is not None and not intervention.coaches.filter(pk=coach.pk).exists():
        raise ValidationError({"coach": _("Välj en coach som arbetar i insatsen.")})
    enrolment = new_enrolment(
        participant,
        intervention,
        start=start,
        coach=coach,
        intensity=intensity,
        intro_end=intro_end,
        background=background,
        referral=referral,
        plan_notes=plan_notes,
    )
    enrolment.full_clean(exclude=ENROLMENT_CLEAN_EXCLUDE)
    enrolment.save()
    audit.record(
        "enrolment.create",
        actor=actor,
        owner=participant.provider if actor is None else None,
        obj=enrolment,
        participant_ref=participant.public_id,
    )
    return enrolment


@transaction.atomic
def add_pause(actor: Actor, enrolment: Enrolment, *, start: date, end: date | None) -> Pause:
    """A pause in an enrolment: inside its period, not overlapping another pause."""
    _require(_staff_of(actor, enrolment.provider_id))
    if start < enrolment.start:
        raise ValidationError({"start": _("Uppehållet kan inte börja före inskrivningen.")})
    if end is not None and end < start:
        raise ValidationError({"end": _("Uppehållet kan inte sluta före det börjar.")})
    if enrolment.exit_date is not None and (end is None or end > enrolment.exit_date):
        raise ValidationError(
            {
                "end": _("Uppehållet måste sluta senast vid avslutet %(exit)s.")
                % {"exit": enrolment.exit_date.isoformat()}
            }
        )
    overlapping = enrolment.pauses.filter(Q(end__isnull=True) | Q(end__gte=start))
    if end is not None:
        overlapping = overlapping.filter(start__lte=end)
    if overlapping.exists():
        raise ValidationError({"start": _("Uppehållet överlappar ett annat uppehåll.")})
    pause = Pause.objects.create(
        provider_id=enrolment.provider_id, enrolment=enrolment, start=start, end=end
    )
    audit.record(
        "enrolment.pause",
        actor=actor,
        obj=enrolment,
        participant_ref=enrolment.participant.public_id,
        reason=f"{start.isoformat()}–{end.isoformat() if end else ''}",
    )
    return pause


def close_enrolment(
    enrolment: Enrolment,
    *,
    exit_date: date,
    reason: str,
    income_source: str,
    occupation: str,
    summary: str = "",
    notes: str = "",
    survey_offered: bool = False,
    today: date,
) -> list[FollowUp]:
    """The checks and changes of :func:`record_exit` on the enrolment in memory (not saved), and
    the follow-ups it plans (not saved; none after a wrong registration)."""
    if enrolment.exit_date is not None:
        raise ValidationError(_("Inskrivningen är redan avslutad."))
    if exit_date < enrolment.start:
        raise ValidationError(
            {
                "exit_date": _("Avslutsdatum kan inte vara före startdatum %(start)s.")
                % {"start": enrolment.start.isoformat()}
            }
        )
    if exit_date > today:
        raise ValidationError({"exit_date": _("Avslutsdatum kan inte ligga i framtiden.")})
    if reason not in ExitReason.values:
        raise ValidationError({"reason": _("Okänd avslutsorsak.")})
    if income_source not in IncomeSource.values:
        raise ValidationError({"income_source": _("Okänd försörjning.")})
    if occupation not in Occupation.values:
        raise ValidationError({"occupation": _("Okänd sysselsättning.")})
    enrolment.exit_date = exit_date
    enrolment.exit_reason = reason
    enrolment.income_source_exit = income_source
    enrolment.occupation_exit = occupation
    enrolment.exit_summary = summary.strip()
    enrolment.exit_notes = notes.strip()
    enrolment.survey_offered_at_exit = survey_offered
    if reason == ExitReason.FELREGISTRERING:
        return []
    return [
        FollowUp(
            provider_id=enrolment.provider_id,
            enrolment=enrolment,
            months=months,
            due=add_months(exit_date, months),
        )
        for months in enrolment.intervention.months_to_follow_up()
    ]


@transaction.atomic
def record_exit(
    actor: Actor | None,
    enrolment: Enrolment,
    *,
    exit_date: date,
    reason: str,
    income_source: str,
    occupation: str,
    summary: str = "",
    notes: str = "",
    survey_offered: bool = False,
    today: date | None = None,
) -> Enrolment:
    """Close the enrolment and plan its follow-ups (6 and 12 months unless the intervention says
    otherwise). Whether the violence questions were asked is recorded apart, in
    ``surveys.services.record_screening``, which alone sets ``violence_screening_asked``."""
    if actor is not None:
        _require(_staff_of(actor, enrolment.provider_id))
    follow_ups = close_enrolment(
        enrolment,
        exit_date=exit_date,
        reason=reason,
        income_source=income_source,
        occupation=occupation,
        summary=summary,
        notes=notes,
        survey_offered=survey_offered,
        today=today or timezone.localdate(),
    )
    enrolment.save()
    if reason != ExitReason.FELREGISTRERING:
        FollowUp.objects.bulk_create(follow_ups)
    audit.record(
        "enrolment.exit",
        actor=actor,
        owner=enrolment.participant.provider if actor is None else None,
        obj=enrolment,
        participant_ref=enrolment.participant.public_id,
        reason=reason,
    )
    return enrolment


def complete_follow_up(
    follow_up: FollowUp,
    *,
    exit_date: date | None,
    done_on: date,
    reached: bool,
    occupation: str,
    income_source: str,
    today: date,
    consented: Callable[[], bool],
) -> None:
    """The checks and changes of :func:`record_follow_up` on the follow-up in memory (not saved).
    ``consented`` tells whether a consent to follow-up is valid on ``done_on``."""
    assert exit_date is not None
    if done_on < exit_date:
        raise ValidationError(
            {
                "done_on": _("Uppföljningen kan inte vara före avslutet %(exit)s.")
                % {"exit": exit_date.isoformat()}
            }
        )
    if done_on > today:
        raise ValidationError({"done_on": _("Datumet kan inte ligga i framtiden.")})
    if not consented():
        raise ValidationError(
            _("Samtycke till uppföljning efter avslut saknas eller är återkallat.")
        )
    if reached and (
        occupation not in Occupation.values or income_source not in IncomeSource.values
    ):
        raise ValidationError(
            _("Ange sysselsättning och försörjning, eller att personen inte nåddes.")
        )
    follow_up.done_on = done_on
    follow_up.reached = reached
    follow_up.occupation = occupation if reached else ""
    follow_up.income_source = income_source if reached else ""


@transaction.atomic
def record_follow_up(
    actor: Actor | None,
    follow_up: FollowUp,
    *,
    done_on: date,
    reached: bool,
    occupation: str = "",
    income_source: str = "",
    today: date | None = None,
) -> FollowUp:
    if actor is not None:
        _require(_staff_of(actor, follow_up.provider_id))
    complete_follow_up(
        follow_up,
        exit_date=follow_up.enrolment.exit_date,
        done_on=done_on,
        reached=reached,
        occupation=occupation,
        income_source=income_source,
        today=today or timezone.localdate(),
        consented=lambda: has_valid_consent(
            follow_up.enrolment.participant, on=done_on, scope="follow_up"
        ),
    )
    follow_up.save()
    participant = follow_up.enrolment.participant
    audit.record(
        "followup.record",
        actor=actor,
        owner=follow_up.provider if actor is None else None,
        obj=follow_up,
        participant_ref=participant.public_id,
    )
    return follow_up


def follow_ups_due(actor: Actor, *, today: date | None = None) -> QuerySet[FollowUp]:
    """Follow-ups not yet done that are due this month or overdue, for the work list."""
    day = today or timezone.localdate()
    month_end = add_months(day.replace(day=1), 1) - timedelta(days=1)
    return (
        FollowUp.objects.visible_to(actor)
        .filter(done_on__isnull=True, due__lte=month_end)
        .select_related("enrolment__intervention", "enrolment__participant")
        .order_by("due")
    )
