"""Gallring: erase identities whose retention has passed, keep the de-identified facts.

A participant's identity is *due* for erasure on ``today`` when all of these hold:

- it is not already erased;
- the person has no open enrolment and no open referral (received or VISA booked), and has at
  least one enrolment or referral at all;
- the retention period has passed: the *last contact* (the later of the last exit and the last
  decision on a referral, or the referral's arrival when it was never decided) plus the
  provider's :class:`~stegvis.participants.models.RetentionPolicy` years (two by default) is on or
  before ``today``;
- no consent is valid ``today`` (:meth:`Consent.is_valid_on`): every consent is withdrawn or has
  expired. A consent without an end date lasts until two years after the last exit, or after the
  last referral decision when the person was never enrolled.

Erasing clears the national id (and its blind index), the reserve number, the name and the contact
details, drops the birth date (the birth year stays), stamps ``identity_erased_at``, and empties the
free-text fields that may describe the person (the referral's need, decision reason and override
reason; the enrolment's plan, multiparty decision, exit summary and exit notes; why the violence
questions could not be asked, which becomes :data:`SCREENING_REASON_ERASED`). Gender, birth
year, home municipality and every code and date stay, so that statistics and aggregate packages
are unchanged. Each erasure is one ``participant.erase`` audit event.

Participants with protected personal data have no identity stored; they are handled the same way
(their free texts are emptied and they are marked erased), which keeps the rule simple and leaves
nothing behind.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import (
    Case,
    DateField,
    DateTimeField,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from stegvis.core import audit
from stegvis.core.models import Unit
from stegvis.participants.models import (
    Consent,
    Enrolment,
    Participant,
    Referral,
    RetentionPolicy,
)

# Rows per bulk update and per consent look-up: well under SQLite's limit on query parameters.
CHUNK = 500
# The reason a "not possible" violence screening keeps after erasure (the constraint needs one).
SCREENING_REASON_ERASED = "Raderad vid gallring"

OPEN_REFERRAL_STATES = [Referral.State.RECEIVED, Referral.State.VISA_BOOKED]


@dataclass
class ProviderRetention:
    """What one run did (or, in a dry run, would do) at one provider."""

    provider: Unit
    years: int
    erased: list[uuid.UUID] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.erased)


@dataclass
class RetentionReport:
    today: date
    dry_run: bool
    providers: list[ProviderRetention] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(p.count for p in self.providers)


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def retention_years(provider: Unit) -> int:
    """The provider's retention period in years: its policy, or the default of two."""
    # A missing reverse one-to-one raises an AttributeError subclass: getattr gives None.
    policy: RetentionPolicy | None = getattr(provider, "retention_policy", None)
    return policy.years if policy is not None else RetentionPolicy.DEFAULT_YEARS


def providers_in_scope(provider: Unit | None = None) -> QuerySet[Unit]:
    """Every provider, and any other unit that holds participants; or just ``provider``."""
    units = Unit.objects.filter(
        Q(is_provider=True) | Exists(Participant.objects.filter(provider=OuterRef("pk")))
    )
    if provider is not None:
        units = units.filter(pk=provider.pk)
    return units.select_related("retention_policy").order_by("name", "pk")


@dataclass(frozen=True)
class _Candidate:
    pk: int
    public_id: uuid.UUID
    last_exit: date | None
    last_decision: date | None

    @property
    def last_contact(self) -> date:
        return max(d for d in (self.last_exit, self.last_decision) if d is not None)


def _candidates(provider: Unit, today: date, years: int) -> Iterator[_Candidate]:
    """Participants whose case is closed and whose last contact is old enough, by the database.

    The cut-off is one day generous (29 February); :func:`erase_due_identities` checks the exact
    date, and consents, in Python.
    """
    cutoff = add_years(today, -years) + timedelta(days=1)
    # A decision made on the cut-off day, in local time, is still in.
    decision_cutoff = timezone.make_aware(datetime.combine(cutoff + timedelta(days=1), time.min))
    enrolments = Enrolment.objects.filter(participant=OuterRef("pk")).order_by()
    referrals = Referral.objects.filter(participant=OuterRef("pk")).order_by()
    last_exit = Subquery(
        enrolments.values("participant").annotate(m=Max("exit_date")).values("m"),
        output_field=DateField(),
    )
    last_decision = Subquery(
        referrals.exclude(state__in=OPEN_REFERRAL_STATES)
        .values("participant")
        .annotate(m=Max(Coalesce("decided_at", "received_at")))
        .values("m"),
        output_field=DateTimeField(),
    )
    rows = (
        Participant.objects.filter(provider=provider, identity_erased_at__isnull=True)
        .exclude(Exists(enrolments.filter(exit_date__isnull=True)))
        .exclude(Exists(referrals.filter(state__in=OPEN_REFERRAL_STATES)))
        .annotate(last_exit=last_exit, last_decision=last_decision)
        .filter(Q(last_exit__isnull=False) | Q(last_decision__isnull=False))
        .filter(Q(last_exit__isnull=True) | Q(last_exit__lte=cutoff))
        .filter(Q(last_decision__isnull=True) | Q(last_decision__lt=decision_cutoff))
        .order_by("pk")
        .values_list("pk", "public_id", "last_exit", "last_decision")
    )
    for pk, public_id, exit_day, decided in rows.iterator(chunk_size=2000):
        yield _Candidate(
            pk=pk,
            public_id=public_id,
            last_exit=exit_day,
            last_decision=timezone.localdate(decided) if decided is not None else None,
        )


def _chunks(items: Iterable[_Candidate], size: int) -> Iterator[list[_Candidate]]:
    chunk: list[_Candidate] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _due(chunk: list[_Candidate], today: date, years: int) -> list[_Candidate]:
    """Those of ``chunk`` whose retention date has come and who hold no valid consent."""
    consents: dict[int, list[Consent]] = defaultdict(list)
    for consent in Consent.objects.filter(participant_id__in=[c.pk for c in chunk]).order_by():
        consents[consent.participant_id].append(consent)
    due = []
    for candidate in chunk:
        if add_years(candidate.last_contact, years) > today:
            continue
        # Consent without an end date: until two years after the last exit (services.py), or
        # after the last decision when the person was never enrolled.
        consent_basis = candidate.last_exit or candidate.last_decision
        if any(c.is_valid_on(today, consent_basis) for c in consents[candidate.pk]):
            continue
        due.append(candidate)
    return due


def _erase(provider: Unit, ids: list[int], now: datetime) -> None:
    Participant.objects.filter(
        provider=provider, pk__in=ids, identity_erased_at__isnull=True
    ).update(
        national_id_encrypted="",
        national_id_index="",
        reserve_id="",
        name_encrypted="",
        contact_encrypted="",
        birth_date=None,
        identity_erased_at=now,
    )
    Referral.objects.filter(provider=provider, participant_id__in=ids).update(
        need="",
        decision_reason="",
        override_reason="",
        referred_name_encrypted="",
        referred_born_encrypted="",
    )
    Enrolment.objects.filter(provider=provider, participant_id__in=ids).update(
        plan_notes="", multiparty_decision="", exit_summary="", exit_notes=""
    )
    from stegvis.surveys.models import ViolenceScreening

    # Why the questions could not be asked is free text about the person's situation. The
    # outcome stays (screening coverage); "not possible" must keep a reason, so it gets this one.
    ViolenceScreening.objects.filter(provider=provider, enrolment__participant_id__in=ids).exclude(
        reason__in=["", SCREENING_REASON_ERASED]
    ).update(
        reason=Case(
            When(
                outcome=ViolenceScreening.Outcome.NOT_POSSIBLE, then=Value(SCREENING_REASON_ERASED)
            ),
            default=Value(""),
        )
    )


def _apply_at(provider: Unit, today: date, dry_run: bool) -> ProviderRetention:
    years = retention_years(provider)
    result = ProviderRetention(provider=provider, years=years)
    now = timezone.now()
    # Read every candidate before writing: a cursor still open on the table being updated (SQLite
    # reads in chunks) could skip or repeat rows. A candidate is a few small values.
    candidates = list(_candidates(provider, today, years))
    for chunk in _chunks(candidates, CHUNK):
        due = _due(chunk, today, years)
        if not due:
            continue
        result.erased.extend(c.public_id for c in due)
        if dry_run:
            continue
        _erase(provider, [c.pk for c in due], now)
        # One event per person, so the log answers "what happened to this participant?".
        # audit.record keeps the hash chain linear; there is no bulk writer for it.
        for candidate in due:
            audit.record(
                "participant.erase",
                owner=provider,
                object_type="participants.participant",
                object_id=str(candidate.public_id),
                participant_ref=candidate.public_id,
                reason="gallring",
            )
    return result


def erase_due_identities(
    today: date, provider: Unit | None = None, dry_run: bool = False
) -> RetentionReport:
    """Erase every identity due on ``today`` (at one provider, or at all), one transaction per
    provider. A dry run finds the same participants and changes nothing, not even the log."""
    report = RetentionReport(today=today, dry_run=dry_run)
    for unit in providers_in_scope(provider):
        if dry_run:
            report.providers.append(_apply_at(unit, today, dry_run=True))
            continue
        with transaction.atomic():
            # Two runs at once (a timer and a manual run) must not erase and log twice.
            Unit.objects.select_for_update().filter(pk=unit.pk).first()
            report.providers.append(_apply_at(unit, today, dry_run=False))
    return report
