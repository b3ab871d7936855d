"""Every write of progression data, and the reads that need an audit event.

Measurements and answers are personal data: each function checks that the actor is staff of the
provider that holds them, validates with Swedish messages, writes in a transaction and records an
audit event with the participant's public id. The public self-assessment page calls the
``*_self_*`` functions, which take the link instead of an actor and log in the provider's name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from stegvis.core import audit, throttle
from stegvis.core.actors import Actor
from stegvis.core.models import Association, Role, Unit
from stegvis.interventions.models import Intervention
from stegvis.participants.models import Enrolment, FollowUp
from stegvis.participants.services import view_participant
from stegvis.progression.instrument_files import InstrumentFileError, InstrumentSpec, ItemSpec
from stegvis.progression.models import (
    Answer,
    Instrument,
    InstrumentVersion,
    Item,
    LadderStepLabel,
    Measurement,
    MeasurementPlan,
    SelfAssessmentLink,
)

PROVIDER_STAFF = {Role.PROVIDER_MANAGER, Role.COACH}
DEFAULT_KEYS = ["anstallningsbarhet", "trappa", "halsa-livskvalitet"]
LINK_LIFETIME = timedelta(days=14)
# A measurement is "due" this many days before its date, and listed until it is done.
DUE_AHEAD = timedelta(days=14)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _staff_of(actor: Actor, provider_id: int) -> bool:
    return actor.role in PROVIDER_STAFF and actor.unit is not None and actor.unit.pk == provider_id


# --- Instruments ---------------------------------------------------------------------------


def spec_of(version: InstrumentVersion) -> InstrumentSpec:
    """The version as an instrument file would describe it."""
    return InstrumentSpec(
        key=version.instrument.key,
        name=version.name,
        description=version.description,
        kind=version.kind,
        is_ladder=version.is_ladder,
        items=[
            ItemSpec(
                key=i.key,
                audience=i.audience,
                text=i.text,
                area=i.area,
                scale_type=i.scale_type,
                min_value=i.min_value,
                max_value=i.max_value,
                min_label=i.min_label,
                max_label=i.max_label,
                options=list(i.options),
                higher_is_better=i.higher_is_better,
            )
            for i in version.items.order_by("order")
        ],
    )


def _write_version(instrument: Instrument, number: int, spec: InstrumentSpec) -> InstrumentVersion:
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        number=number,
        name=spec.name,
        description=spec.description,
        kind=spec.kind,
        is_ladder=spec.is_ladder,
    )
    Item.objects.bulk_create(
        [
            Item(
                version=version,
                key=s.key,
                order=index,
                audience=s.audience,
                area=s.area,
                text=s.text,
                scale_type=s.scale_type,
                min_value=s.min_value,
                max_value=s.max_value,
                min_label=s.min_label,
                max_label=s.max_label,
                options=s.options,
                higher_is_better=s.higher_is_better,
            )
            for index, s in enumerate(spec.items)
        ]
    )
    return version


@transaction.atomic
def load_instrument(
    spec: InstrumentSpec,
    *,
    actor: Actor | None = None,
    association: Association | None = None,
    provider: Unit | None = None,
) -> tuple[Instrument, str]:
    """Create or update the owner's instrument with this key. Returns (instrument, outcome):
    ``created``, ``unchanged`` (the file says what the newest version says), ``updated`` (no
    measurements yet, so the newest version was replaced) or ``new_version`` (measurements keep
    the version they were made with).

    A provider manager loads for the provider, the office for the association; ``actor`` None
    is the command line (shared defaults, or any owner named there).
    """
    if actor is not None:
        if actor.role == Role.PROVIDER_MANAGER:
            provider, association = actor.unit, None
        elif actor.role == Role.OFFICE:
            association, provider = actor.association, None
        else:
            raise PermissionDenied
    owner_filter = {"association": association, "provider": provider}
    instrument = Instrument.objects.select_for_update().filter(key=spec.key, **owner_filter).first()
    if instrument is None:
        instrument = Instrument.objects.create(key=spec.key, **owner_filter)
        _write_version(instrument, 1, spec)
        outcome = "created"
    else:
        latest = instrument.latest_version()
        if spec_of(latest) == spec:
            return instrument, "unchanged"
        answered = Answer.objects.filter(item__version__instrument=instrument)
        if latest.is_ladder != spec.is_ladder:
            raise InstrumentFileError(
                [_("ladder: ett instrument kan inte byta mellan trappa och profil.")]
            )
        # Change and movement are compared by item key across versions: a key with answers
        # must keep its scale, or old and new answers would be compared on different scales.
        new_scales = {s.key: s.signature() for s in spec.items}
        problems = []
        for item in Item.objects.filter(version__instrument=instrument, key__in=new_scales).filter(
            Exists(answered.filter(item=OuterRef("pk")))
        ):
            if item.scale_signature() != new_scales[item.key]:
                problems.append(
                    _(
                        "Fråga %(key)s: skalan eller riktningen har ändrats men det finns svar "
                        "på den gamla. Ge frågan en ny nyckel så jämförs inte gamla och nya svar."
                    )
                    % {"key": item.key}
                )
        if problems:
            raise InstrumentFileError(sorted(set(problems)))
        # A measurement made with the newest version keeps it, answered or not (an open
        # self-assessment link shows its questions): replace it only when none uses it.
        in_use = Measurement.versions.through.objects.filter(instrumentversion=latest).exists()
        if in_use or answered.filter(item__version=latest).exists():
            _write_version(instrument, latest.number + 1, spec)
            outcome = "new_version"
        else:
            number = latest.number
            latest.delete()
            _write_version(instrument, number, spec)
            outcome = "updated"
    owner = provider or association
    if actor is not None or owner is not None:
        audit.record(
            "instrument.load",
            actor=actor,
            owner=owner if actor is None else None,
            obj=instrument,
            reason=outcome,
        )
    return instrument, outcome


def default_instruments() -> QuerySet[Instrument]:
    return Instrument.objects.filter(
        association__isnull=True, provider__isnull=True, key__in=DEFAULT_KEYS
    )


def ladder_labels(association: Association | None, instrument: Instrument) -> dict[int, str]:
    if association is None:
        return {}
    return dict(
        LadderStepLabel.objects.filter(association=association, instrument=instrument).values_list(
            "value", "label"
        )
    )


@transaction.atomic
def save_ladder_labels(actor: Actor, instrument: Instrument, labels: dict[int, str]) -> None:
    """The office names the steps of a ladder for its association; an empty name restores the
    instrument's own."""
    _require(actor.role == Role.OFFICE and actor.association is not None)
    assert actor.association is not None
    version = instrument.latest_version()
    if not version.is_ladder:
        raise ValidationError(_("Instrumentet är ingen trappa."))
    item = version.items.get()
    allowed = set(item.allowed_values())
    if set(labels) - allowed:
        raise ValidationError(_("Okänt steg."))
    for value, label in labels.items():
        label = label.strip()
        if len(label) > 200:
            raise ValidationError({f"steg_{value}": _("Högst 200 tecken.")})
        if label:
            LadderStepLabel.objects.update_or_create(
                association=actor.association,
                instrument=instrument,
                value=value,
                defaults={"label": label},
            )
        else:
            LadderStepLabel.objects.filter(
                association=actor.association, instrument=instrument, value=value
            ).delete()
    audit.record("ladder.labels", actor=actor, obj=instrument)


# --- Plans ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """An intervention's measurement plan, saved or default."""

    instruments: list[Instrument]
    at_start: bool = True
    interval_weeks: int | None = 12
    at_exit: bool = True
    at_follow_up: bool = True
    saved: bool = False


def plan_for(intervention: Intervention) -> Plan:
    saved = MeasurementPlan.objects.filter(intervention=intervention).first()
    if saved is None:
        return Plan(instruments=list(default_instruments().order_by("key")))
    return Plan(
        instruments=list(saved.instruments.order_by("key")),
        at_start=saved.at_start,
        interval_weeks=saved.interval_weeks,
        at_exit=saved.at_exit,
        at_follow_up=saved.at_follow_up,
        saved=True,
    )


def pick_instrument(instruments: list[Instrument], *, ladder: bool) -> Instrument | None:
    """The ladder (``ladder``) or the profile the intervention's figures show by default: the
    first of ``instruments`` of that kind, a profile answered by both participant and coach
    before any other."""
    for instrument in instruments:
        version = instrument.latest_version()
        if version.is_ladder == ladder and (ladder or version.kind == "both"):
            return instrument
    for instrument in instruments:
        if instrument.latest_version().is_ladder == ladder:
            return instrument
    return None


@transaction.atomic
def save_plan(
    actor: Actor,
    intervention: Intervention,
    *,
    instruments: Iterable[Instrument],
    at_start: bool,
    interval_weeks: int | None,
    at_exit: bool,
    at_follow_up: bool,
) -> MeasurementPlan:
    """The provider manager sets when and with what the intervention measures."""
    _require(actor.role == Role.PROVIDER_MANAGER and _staff_of(actor, intervention.provider_id))
    chosen = list(instruments)
    if not chosen:
        raise ValidationError({"instruments": _("Välj minst ett instrument.")})
    visible = set(Instrument.objects.visible_to(actor).values_list("pk", flat=True))
    if any(i.pk not in visible for i in chosen):
        raise PermissionDenied
    if interval_weeks is not None and not 1 <= interval_weeks <= 52:
        raise ValidationError({"interval_weeks": _("Ange ett antal veckor mellan 1 och 52.")})
    if not (at_start or interval_weeks or at_exit or at_follow_up):
        raise ValidationError(_("Välj minst ett tillfälle att mäta."))
    plan, _created = MeasurementPlan.objects.update_or_create(
        intervention=intervention,
        defaults={
            "provider_id": intervention.provider_id,
            "at_start": at_start,
            "interval_weeks": interval_weeks,
            "at_exit": at_exit,
            "at_follow_up": at_follow_up,
        },
    )
    plan.instruments.set(chosen)
    audit.record("plan.save", actor=actor, obj=intervention)
    return plan


# --- Measurements --------------------------------------------------------------------------


def _date_problems(enrolment: Enrolment, occasion: str, day: date, today: date) -> dict[str, str]:
    if day < enrolment.start:
        return {
            "date": _(
                "Mätningen kan inte vara före inskrivningens start %(start)s. Välj ett datum "
                "från och med starten."
            )
            % {"start": enrolment.start.isoformat()}
        }
    if day > today:
        return {"date": _("Datumet kan inte ligga i framtiden.")}
    if occasion in {Measurement.Occasion.EXIT, Measurement.Occasion.FOLLOW_UP}:
        if enrolment.exit_date is None:
            return {"occasion": _("Inskrivningen är inte avslutad ännu.")}
        if occasion == Measurement.Occasion.FOLLOW_UP and day < enrolment.exit_date:
            return {
                "date": _("Uppföljningen kan inte vara före avslutet %(exit)s.")
                % {"exit": enrolment.exit_date.isoformat()}
            }
    if (
        occasion in {Measurement.Occasion.START, Measurement.Occasion.PERIODIC}
        and enrolment.exit_date is not None
        and day > enrolment.exit_date
    ):
        return {"date": _("Efter avslutet är mätningen en uppföljning.")}
    return {}


@transaction.atomic
def create_measurement(
    actor: Actor,
    enrolment: Enrolment,
    *,
    occasion: str,
    day: date,
    instruments: Iterable[Instrument] | None = None,
    today: date | None = None,
) -> Measurement:
    """A new measuring occasion with the newest version of each instrument (the plan's when
    none are given)."""
    _require(_staff_of(actor, enrolment.provider_id))
    if occasion not in Measurement.Occasion.values:
        raise ValidationError({"occasion": _("Välj ett tillfälle.")})
    problems = _date_problems(enrolment, occasion, day, today or timezone.localdate())
    if problems:
        raise ValidationError(problems)
    chosen = (
        list(instruments)
        if instruments is not None
        else plan_for(enrolment.intervention).instruments
    )
    if not chosen:
        raise ValidationError({"instruments": _("Välj minst ett instrument.")})
    visible = set(Instrument.objects.visible_to(actor).values_list("pk", flat=True))
    if any(i.pk not in visible for i in chosen):
        raise PermissionDenied
    measurement = Measurement.objects.create(
        provider_id=enrolment.provider_id,
        enrolment=enrolment,
        occasion=occasion,
        date=day,
        created_by=actor.user,
    )
    measurement.versions.set([i.latest_version() for i in chosen])
    audit.record(
        "measurement.create",
        actor=actor,
        obj=measurement,
        participant_ref=enrolment.participant.public_id,
        reason=occasion,
    )
    return measurement


def measurement_items(measurement: Measurement) -> list[Item]:
    return list(
        Item.objects.filter(version__in=measurement.versions.all())
        .select_related("version__instrument")
        .order_by("version__instrument__key", "order")
    )


def validate_value(item: Item, raw: Any) -> int:
    """The answer as an integer on the item's scale, or a ValidationError in plain Swedish."""
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        value = None
    if value is None or value not in item.allowed_values():
        if item.scale_type == Item.ScaleType.CATEGORIES:
            raise ValidationError(_("Välj ett av svarsalternativen."))
        raise ValidationError(
            _("Svaret ska vara ett heltal från %(min)s till %(max)s.")
            % {"min": item.min_value, "max": item.max_value}
        )
    return value


def _save_answer(measurement: Measurement, item: Item, value: int, by: str) -> None:
    Answer.objects.update_or_create(
        measurement=measurement,
        item=item,
        defaults={
            "provider_id": measurement.provider_id,
            "value": value,
            "score": item.score(value),
            "by": by,
            "answered_at": timezone.now(),
        },
    )


@transaction.atomic
def record_answers(actor: Actor, measurement: Measurement, values: dict[int, Any]) -> int:
    """Save the coach's ratings and, marked as entered on the participant's behalf, any
    participant answers the coach types in. ``values`` maps item id to the raw answer; empty
    answers are left as they are. All or nothing: one bad answer saves none, and every bad
    answer is reported under ``item_<id>``. Returns the number of answers saved."""
    _require(_staff_of(actor, measurement.provider_id))
    items = {i.pk: i for i in measurement_items(measurement)}
    own = set(
        measurement.answers.filter(by=Answer.By.PARTICIPANT).values_list("item_id", flat=True)
    )
    errors: dict[str, list[str]] = {}
    clean: list[tuple[Item, int]] = []
    for item_id, raw in values.items():
        item = items.get(item_id)
        if item is None:
            raise PermissionDenied
        if raw is None or str(raw).strip() == "":
            continue
        if item_id in own:
            errors[f"item_{item_id}"] = [
                _("Deltagaren har själv svarat på frågan; svaret ändras inte.")
            ]
            continue
        try:
            clean.append((item, validate_value(item, raw)))
        except ValidationError as error:
            errors[f"item_{item_id}"] = error.messages
    if errors:
        raise ValidationError(errors)
    for item, value in clean:
        by = Answer.By.COACH if item.audience == Item.Audience.COACH else Answer.By.ON_BEHALF
        _save_answer(measurement, item, value, by)
    audit.record(
        "measurement.answers",
        actor=actor,
        obj=measurement,
        participant_ref=measurement.enrolment.participant.public_id,
        reason=f"{len(clean)} svar",
    )
    return len(clean)


def view_measurements(actor: Actor, enrolment: Enrolment, *, what: str) -> None:
    """Every read of a participant's measurements is an audit event."""
    view_participant(actor, enrolment.participant, what=what)


# --- Self-assessment links -----------------------------------------------------------------


def participant_items(measurement: Measurement) -> list[Item]:
    return [i for i in measurement_items(measurement) if i.audience == Item.Audience.PARTICIPANT]


@transaction.atomic
def create_link(actor: Actor, measurement: Measurement) -> tuple[SelfAssessmentLink, str]:
    """A new one-time link for the participant's answers; an earlier open link stops working.
    Returns the link and its token, which is shown once and never stored."""
    _require(_staff_of(actor, measurement.provider_id))
    if measurement.self_assessment_submitted_at is not None:
        raise ValidationError(_("Deltagaren har redan skickat in sina svar för den här mätningen."))
    if not participant_items(measurement):
        raise ValidationError(_("Mätningen har inga frågor till deltagaren."))
    now = timezone.now()
    SelfAssessmentLink.objects.filter(
        measurement=measurement, submitted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token, token_hash = throttle.new_token()
    link = SelfAssessmentLink.objects.create(
        provider_id=measurement.provider_id,
        measurement=measurement,
        token_hash=token_hash,
        created_by=actor.user,
        created_at=now,
        expires_at=now + LINK_LIFETIME,
    )
    audit.record(
        "selfassessment.link",
        actor=actor,
        obj=measurement,
        participant_ref=measurement.enrolment.participant.public_id,
    )
    return link, token


class LinkError(Exception):
    """The link cannot be used; ``str(error)`` says why in plain Swedish."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def link_for_token(token: str, *, now: datetime | None = None) -> SelfAssessmentLink:
    """The open link for a token. Raises LinkError: unknown (404), used or expired (410)."""
    link = (
        SelfAssessmentLink.objects.select_related(
            "measurement__enrolment__participant", "measurement__enrolment__intervention"
        )
        .filter(token_hash=throttle.hash_token(token))
        .first()
        if token
        else None
    )
    if link is None:
        raise LinkError(_("Länken finns inte. Kontrollera att du har fått med hela adressen."), 404)
    if link.submitted_at is not None:
        raise LinkError(
            _("Du har redan skickat in dina svar. Tack! Länken kan bara användas en gång."), 410
        )
    if link.revoked_at is not None or link.expires_at <= (now or timezone.now()):
        raise LinkError(
            _(
                "Länken har slutat gälla. Svar du redan har gett är sparade. Be din coach om en "
                "ny länk om du vill fortsätta."
            ),
            410,
        )
    return link


def _log_self(link: SelfAssessmentLink, action: str, reason: str = "") -> None:
    audit.record(
        action,
        owner=link.measurement.provider,
        obj=link.measurement,
        participant_ref=link.measurement.enrolment.participant.public_id,
        reason=reason,
    )


def open_self_assessment(link: SelfAssessmentLink) -> None:
    """The participant opened the page: a read of their answers."""
    _log_self(link, "selfassessment.open")


@transaction.atomic
def save_self_answer(link: SelfAssessmentLink, item: Item, raw: Any) -> None:
    """Save one of the participant's own answers at once, so that they can stop and continue."""
    locked = SelfAssessmentLink.objects.select_for_update().get(pk=link.pk)
    if not locked.is_open():
        raise ValidationError(_("Länken har slutat gälla."))
    if item not in participant_items(link.measurement):
        raise PermissionDenied
    value = validate_value(item, raw)
    _save_answer(link.measurement, item, value, Answer.By.PARTICIPANT)
    _log_self(link, "selfassessment.answer", reason=item.key)


@transaction.atomic
def submit_self_assessment(link: SelfAssessmentLink) -> None:
    """The participant is done: the link stops working, the answers stay."""
    locked = SelfAssessmentLink.objects.select_for_update().get(pk=link.pk)
    if not locked.is_open():
        raise ValidationError(_("Länken har slutat gälla."))
    now = timezone.now()
    locked.submitted_at = now
    locked.save(update_fields=["submitted_at"])
    Measurement.objects.filter(pk=link.measurement_id).update(self_assessment_submitted_at=now)
    _log_self(link, "selfassessment.submit")


# --- The work list -------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    enrolment_public_id: Any
    participant: Any
    intervention_name: str
    occasion: str
    due: date
    overdue: bool

    @property
    def occasion_label(self) -> str:
        return str(Measurement.Occasion(self.occasion).label)


def work_list(actor: Actor, *, today: date | None = None) -> list[Due]:
    """Measurements due within two weeks or overdue, for the enrolments the actor may see,
    oldest first. A constant number of queries, whatever the number of participants."""
    day = today or timezone.localdate()
    horizon = day + DUE_AHEAD
    enrolments = Enrolment.objects.visible_to(actor).filter(
        intervention__kind=Intervention.Kind.INDIVIDUAL
    )
    plans = {
        p.intervention_id: p
        for p in MeasurementPlan.objects.filter(intervention__in=enrolments.values("intervention"))
    }
    default = Plan(instruments=[])
    measured = Measurement.objects.filter(enrolment=OuterRef("pk"))
    rows = (
        enrolments.filter(Q(exit_date__isnull=True) | Q(exit_date__gte=day - timedelta(days=500)))
        .exclude(exit_reason="felregistrering")
        .annotate(
            n=Count("measurements", distinct=True),
            last=Max("measurements__date"),
            has_exit=Exists(measured.filter(occasion=Measurement.Occasion.EXIT)),
        )
        .select_related("participant", "intervention")
        .order_by()
    )
    follow_ups = {
        (f.enrolment_id, f.due): f
        for f in FollowUp.objects.filter(
            enrolment__in=enrolments, due__lte=horizon, due__gte=day - timedelta(days=90)
        ).filter(
            ~Exists(
                Measurement.objects.filter(
                    enrolment=OuterRef("enrolment"),
                    occasion=Measurement.Occasion.FOLLOW_UP,
                    date__gte=OuterRef("due") - timedelta(days=31),
                )
            )
        )
    }
    due: list[Due] = []

    def add(e: Enrolment, occasion: str, when: date) -> None:
        if when <= horizon:
            due.append(
                Due(
                    enrolment_public_id=e.public_id,
                    participant=e.participant,
                    intervention_name=e.intervention.name,
                    occasion=occasion,
                    due=when,
                    overdue=when < day,
                )
            )

    by_enrolment: dict[int, Enrolment] = {}
    for e in rows:
        by_enrolment[e.pk] = e
        saved = plans.get(e.intervention_id)
        plan = default if saved is None else saved
        if e.exit_date is None:
            if e.n == 0 and plan.at_start:
                add(e, Measurement.Occasion.START, e.start)
            elif plan.interval_weeks:
                base = e.last or e.start
                add(e, Measurement.Occasion.PERIODIC, base + timedelta(weeks=plan.interval_weeks))
        elif plan.at_exit and not e.has_exit and e.exit_date >= day - timedelta(days=90):
            add(e, Measurement.Occasion.EXIT, e.exit_date)
    for (enrolment_id, when), _follow_up in follow_ups.items():
        e = by_enrolment.get(enrolment_id)
        if e is None:
            continue
        plan = plans.get(e.intervention_id) or default
        if plan.at_follow_up:
            add(e, Measurement.Occasion.FOLLOW_UP, when)
    due.sort(key=lambda d: (d.due, str(d.enrolment_public_id)))
    return due
