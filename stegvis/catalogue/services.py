"""The catalogue's operations: every write, with its validation and audit event.

- The office of the lead association writes the catalogue texts (``save_entry``) and marks them
  reviewed (``mark_reviewed``).
- Anyone sends an interest registration from a public page (``register_interest``): it is
  validated, rate limited, encrypted and stored at the provider that runs the intervention.
- The provider's staff read it (audited), turn it into a referral through the participants app
  (``convert_to_referral``) or decline it (``decline_registration``).
- ``erase_registrations`` empties the contact details when they are no longer needed.

Figures that the public pages show (whether an intervention is full) are computed here, by the
database, in one place (``with_occupancy``).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from stegvis.core import audit, crypto, throttle
from stegvis.core.actors import Actor
from stegvis.core.models import Association, Municipality, Organisation, Role
from stegvis.interventions.models import Intervention
from stegvis.participants import services as participants
from stegvis.participants.models import Enrolment, Referral
from stegvis.participants.services import IdentityInput

from .models import REVIEW_INTERVAL, CatalogueEntry, InterestRegistration, Need

logger = logging.getLogger(__name__)

PROVIDER_STAFF = {Role.PROVIDER_MANAGER, Role.COACH}

# Rate limits on the public form (stegvis.core.throttle): per sender address and per intervention.
# A case worker's office shares one address, so the per-address limit leaves room for a few
# colleagues; a flood is stopped within minutes either way.
PER_ADDRESS = (10, timedelta(hours=1))
PER_INTERVENTION = (30, timedelta(hours=1))
# Contact details are erased this long after a registration was handled, and an unhandled
# registration is closed and erased this long after it arrived.
ERASE_AFTER_HANDLING = timedelta(days=30)
ERASE_UNHANDLED_AFTER = timedelta(days=180)

# Size limits of the public form's fields.
MAX_NAME = 200
MAX_NEED = 1000
MAX_LANGUAGE = 100
MAX_CASE_WORKER = 300


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


class _Errors:
    """Collects every problem, by field, so that the sender sees them all at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


# --- Permissions -------------------------------------------------------------------------------


def can_edit_catalogue(actor: Actor, intervention: Intervention) -> bool:
    """The office of the lead association writes an individual intervention's catalogue texts."""
    return (
        actor.role == Role.OFFICE
        and actor.association is not None
        and intervention.lead_association_id == actor.association.pk
        and intervention.kind == Intervention.Kind.INDIVIDUAL
    )


def can_handle_registrations(actor: Actor) -> bool:
    """Provider staff read and handle the interest registrations sent to their provider."""
    return actor.role in PROVIDER_STAFF and actor.unit is not None


def _staff_of(actor: Actor, registration: InterestRegistration) -> bool:
    return (
        can_handle_registrations(actor)
        and actor.unit is not None
        and actor.unit.pk == registration.provider_id
    )


# --- Catalogue texts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueText:
    """What the office writes about one intervention."""

    summary: str
    description: str = ""
    target_group: str = ""
    criteria: str = ""
    activities: str = ""
    duration: str = ""
    needs: tuple[str, ...] = ()
    how_to_apply: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_tel: str = ""
    registrations_open: bool = True
    published: bool = False


TEXT_FIELDS = (
    "summary",
    "description",
    "target_group",
    "criteria",
    "activities",
    "duration",
    "how_to_apply",
    "contact_name",
    "contact_email",
    "contact_tel",
)


def validate_text(text: CatalogueText) -> CatalogueText:
    """The text, trimmed, or a ValidationError naming every problem."""
    from dataclasses import replace

    text = replace(text, **{name: getattr(text, name).strip() for name in TEXT_FIELDS})
    errors = _Errors()
    if not text.summary:
        errors.add("summary", _("Skriv en kort beskrivning av insatsen."))
    unknown = set(text.needs) - set(Need.values)
    if unknown:
        errors.add("needs", _("Välj behov i listan."))
    if text.contact_email:
        try:
            validate_email(text.contact_email)
        except ValidationError:
            errors.add("contact_email", _("Skriv en giltig e-postadress, t.ex. insats@kommun.se."))
    if text.contact_tel and normalise_phone(text.contact_tel) is None:
        errors.add("contact_tel", _("Skriv ett telefonnummer med riktnummer, t.ex. 0640-123 45."))
    if text.published:
        if not text.target_group:
            errors.add("target_group", _("Skriv vem insatsen är för innan den publiceras."))
        if not text.how_to_apply and not text.registrations_open:
            errors.add(
                "how_to_apply",
                _("Skriv hur man anmäler sig, eller ta emot intresseanmälningar via webben."),
            )
        if not text.contact_email and not text.contact_tel:
            errors.add(
                "contact_tel", _("Ange telefon eller e-post till insatsen innan den publiceras.")
            )
    errors.raise_any()
    ordered = tuple(n for n in Need.values if n in text.needs)
    return replace(text, needs=ordered)


def entry_for(intervention: Intervention) -> CatalogueEntry | None:
    return CatalogueEntry.objects.filter(intervention=intervention).first()


@transaction.atomic
def save_entry(
    actor: Actor, intervention: Intervention, text: CatalogueText, *, today: date | None = None
) -> CatalogueEntry:
    """Create or change the intervention's catalogue texts. Saving them is a review: the
    "last reviewed" date becomes today."""
    _require(can_edit_catalogue(actor, intervention))
    text = validate_text(text)
    entry = entry_for(intervention) or CatalogueEntry(
        association=intervention.lead_association, intervention=intervention
    )
    created = entry.pk is None
    for name in TEXT_FIELDS:
        setattr(entry, name, getattr(text, name))
    entry.needs = list(text.needs)
    entry.registrations_open = text.registrations_open
    entry.published = text.published
    entry.reviewed_on = today or timezone.localdate()
    entry.updated_at = timezone.now()
    entry.full_clean(exclude=["association", "intervention"])
    entry.save()
    audit.record(
        "catalogue.create" if created else "catalogue.update",
        actor=actor,
        obj=entry,
        reason=f"{intervention.code}{' publicerad' if entry.published else ''}",
    )
    return entry


@transaction.atomic
def mark_reviewed(actor: Actor, entry: CatalogueEntry, *, today: date | None = None) -> None:
    """The office has read the texts and they are still right."""
    _require(can_edit_catalogue(actor, entry.intervention))
    entry.reviewed_on = today or timezone.localdate()
    entry.save(update_fields=["reviewed_on"])
    audit.record("catalogue.review", actor=actor, obj=entry, reason=entry.intervention.code)


def review_due_count(association: Association, today: date) -> int:
    """How many of the association's catalogue texts are due for review: never reviewed, or
    reviewed more than twelve months ago (``CatalogueEntry.review_due``), counted by the
    database."""
    return CatalogueEntry.objects.filter(
        Q(reviewed_on__isnull=True) | Q(reviewed_on__lt=today - REVIEW_INTERVAL),
        association=association,
    ).count()


# --- The public catalogue ----------------------------------------------------------------------


def with_occupancy(entries: QuerySet[CatalogueEntry]) -> QuerySet[CatalogueEntry]:
    """Annotate ``open_enrolments`` (participants enrolled now, counted by the database) and
    ``is_full`` (the intervention states its places and every one is taken). An intervention
    with no places stated is never full."""
    open_enrolments = (
        Enrolment.objects.filter(intervention=OuterRef("intervention"), exit_date__isnull=True)
        .order_by()
        .values("intervention")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return entries.annotate(
        open_enrolments=Coalesce(Subquery(open_enrolments, output_field=IntegerField()), 0)
    ).annotate(
        is_full=Case(
            When(
                Q(intervention__places__gt=0) & Q(open_enrolments__gte=F("intervention__places")),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def serving_associations(municipality: Municipality, today: date | None = None) -> QuerySet:
    """Associations of this instance whose area includes ``municipality`` today."""
    day = today or timezone.localdate()
    return Association.objects.filter(
        Q(members__left__isnull=True) | Q(members__left__gte=day),
        members__organisation__municipality=municipality,
        members__joined__lte=day,
    ).distinct()


def _area_q(municipality: Municipality) -> Q:
    """Interventions that serve ``municipality``: their own list names it, or they have no list
    and one of their funding associations' areas includes it (participants.funding_area)."""
    through = Intervention.municipalities.through
    own = through.objects.filter(intervention_id=OuterRef("intervention"))
    funders = serving_associations(municipality).values("pk")
    return Q(intervention__municipalities=municipality) | (
        ~Exists(own) & Q(intervention__fundings__association__in=funders)
    )


@dataclass(frozen=True)
class Filters:
    municipality: Municipality | None = None
    age: int | None = None
    need: str = ""
    association: Association | None = None


def public_entries(filters: Filters | None = None) -> QuerySet[CatalogueEntry]:
    """The public catalogue, filtered, with what a list row shows, in a constant number of
    queries."""
    f = filters or Filters()
    entries = CatalogueEntry.objects.public()
    if f.association is not None:
        entries = entries.filter(intervention__fundings__association=f.association)
    if f.municipality is not None:
        entries = entries.filter(_area_q(f.municipality))
    if f.age is not None:
        entries = entries.filter(intervention__min_age__lte=f.age, intervention__max_age__gte=f.age)
    if f.need:
        # JSON containment is not on SQLite: the codes are plain words, matched with quotes.
        entries = entries.filter(needs__icontains=f'"{f.need}"')
    ids = entries.values("pk")
    return with_occupancy(
        CatalogueEntry.objects.filter(pk__in=ids)
        .select_related("intervention__provider__organisation", "intervention__lead_association")
        .order_by("intervention__name", "pk")
    )


def public_entry(intervention_public_id: uuid.UUID | str) -> CatalogueEntry | None:
    """A published entry by its intervention's public id, whatever the intervention's status
    (the page says when it is closed); None when the association has not published it."""
    return (
        with_occupancy(CatalogueEntry.objects.filter(published=True))
        .filter(
            intervention__public_id=intervention_public_id,
            intervention__kind=Intervention.Kind.INDIVIDUAL,
        )
        .select_related("intervention__provider__organisation", "intervention__lead_association")
        .first()
    )


def is_running(entry: CatalogueEntry) -> bool:
    return entry.intervention.status == Intervention.Status.RUNNING


def area_municipalities(intervention: Intervention) -> QuerySet[Municipality]:
    """The municipalities an intervention serves (participants.services.funding_area)."""
    return Municipality.objects.filter(pk__in=participants.funding_area(intervention)).order_by(
        "name"
    )


def related_entries(entry: CatalogueEntry, limit: int = 3) -> list[CatalogueEntry]:
    """Other running, published interventions of the same funding associations, those sharing
    a need first: shown when this one is closed or full."""
    funders = entry.intervention.fundings.values("association")
    rows = (
        public_entries()
        .filter(intervention__fundings__association__in=funders)
        .exclude(pk=entry.pk)
        .distinct()
    )
    shared = set(entry.needs or [])
    ranked = sorted(
        (r for r in rows if not getattr(r, "is_full", False)),
        key=lambda r: (-len(shared & set(r.needs or [])), r.intervention.name),
    )
    return ranked[:limit]


# --- Interest registration ---------------------------------------------------------------------


PHONE_ALLOWED = re.compile(r"^[+0-9(][0-9 ()\-]*$")


def normalise_phone(raw: str) -> str | None:
    """A Swedish or international phone number as digits (with a leading +), or None.

    Accepts spaces, dashes and brackets; needs 7–15 digits and a leading 0 or +.
    """
    value = raw.strip()
    if not value or not PHONE_ALLOWED.match(value):
        return None
    digits = re.sub(r"\D", "", value)
    if not 7 <= len(digits) <= 15:
        return None
    if value.startswith("+"):
        return "+" + digits
    if not digits.startswith("0"):
        return None
    return digits


class RegistrationClosed(Exception):
    """The intervention does not take registrations now; ``reason`` is "closed" or "full"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooManyRegistrations(Exception):
    """The rate limit for the sender's address or for the intervention is reached."""


@dataclass(frozen=True)
class InterestInput:
    applicant: str
    name: str
    municipality: Municipality | None
    phone: str = ""
    email: str = ""
    need: str = ""
    language: str = ""
    case_worker: str = ""
    contact_consent: bool = False
    person_consent: bool = False


def registration_state(entry: CatalogueEntry) -> str:
    """ "open", "closed" (not running, or not taking registrations online) or "full"."""
    if not is_running(entry) or not entry.registrations_open or not entry.published:
        return "closed"
    if getattr(entry, "is_full", False):
        return "full"
    return "open"


def _validate_interest(entry: CatalogueEntry, data: InterestInput) -> dict[str, str]:
    errors = _Errors()
    name = data.name.strip()
    phone = data.phone.strip()
    email = data.email.strip().lower()
    if data.applicant not in InterestRegistration.Applicant.values:
        errors.add("applicant", _("Välj vem som skickar anmälan."))
    if not name:
        errors.add("name", _("Skriv namnet på den som vill delta."))
    elif len(name) > MAX_NAME:
        errors.add("name", _("Namnet får vara högst %(n)s tecken.") % {"n": MAX_NAME})
    normalised_phone = ""
    if not phone and not email:
        errors.add(
            "phone",
            _("Skriv ett telefonnummer eller en e-postadress, så att utföraren kan kontakta er."),
        )
    if phone:
        normalised = normalise_phone(phone)
        if normalised is None:
            errors.add(
                "phone",
                _(
                    "Telefonnumret ser inte rätt ut. Skriv det med riktnummer, "
                    "t.ex. 070-123 45 67 eller +46 70 123 45 67."
                ),
            )
        else:
            normalised_phone = phone
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add(
                "email", _("E-postadressen ser inte rätt ut. Skriv den som namn@exempel.se.")
            )
    if data.municipality is None:
        errors.add("municipality", _("Välj kommunen där personen bor."))
    elif data.municipality.pk not in participants.funding_area(entry.intervention):
        errors.add("municipality", outside_area_message(entry, data.municipality))
    if len(data.need.strip()) > MAX_NEED:
        errors.add("need", _("Skriv högst %(n)s tecken.") % {"n": MAX_NEED})
    if len(data.language.strip()) > MAX_LANGUAGE:
        errors.add("language", _("Skriv högst %(n)s tecken.") % {"n": MAX_LANGUAGE})
    if not data.contact_consent:
        errors.add(
            "contact_consent",
            _("Kryssa i att utföraren får kontakta er. Annars kan de inte svara på anmälan."),
        )
    if data.applicant == InterestRegistration.Applicant.CASE_WORKER:
        if not data.person_consent:
            errors.add(
                "person_consent",
                _("Som handläggare får du bara anmäla om personen har sagt ja till det."),
            )
        if not data.case_worker.strip():
            errors.add(
                "case_worker",
                _("Skriv ditt namn, din arbetsplats och hur utföraren når dig."),
            )
        elif len(data.case_worker.strip()) > MAX_CASE_WORKER:
            errors.add("case_worker", _("Skriv högst %(n)s tecken.") % {"n": MAX_CASE_WORKER})
    errors.raise_any()
    return {"name": name, "phone": normalised_phone, "email": email}


def outside_area_message(entry: CatalogueEntry, municipality: Municipality) -> str:
    """Who to turn to when the person lives outside the intervention's area."""
    others = list(serving_associations(municipality).values_list("name", flat=True))
    if others:
        return _(
            "Insatsen är bara för dig som bor i %(area)s. %(municipality)s ingår i "
            "%(associations)s: sök där i katalogen, eller fråga din handläggare."
        ) % {
            "area": _area_names(entry.intervention),
            "municipality": municipality.name,
            "associations": ", ".join(others),
        }
    return _(
        "Insatsen är bara för dig som bor i %(area)s. Bor du i %(municipality)s kan du fråga "
        "kommunen, Arbetsförmedlingen eller Försäkringskassan om stöd där du bor."
    ) % {"area": _area_names(entry.intervention), "municipality": municipality.name}


def _area_names(intervention: Intervention) -> str:
    names = list(area_municipalities(intervention).values_list("name", flat=True))
    if len(names) > 1:
        return _("%(first)s eller %(last)s") % {
            "first": ", ".join(names[:-1]),
            "last": names[-1],
        }
    return names[0] if names else _("insatsens område")


@transaction.atomic
def register_interest(
    entry: CatalogueEntry, data: InterestInput, *, address: str
) -> InterestRegistration:
    """Store a registration at the provider that runs the intervention, encrypted.

    Raises RegistrationClosed when the intervention does not take registrations now,
    ValidationError (every problem, by field) for bad input, and TooManyRegistrations when the
    sender's address or the intervention has reached its rate limit. Only a registration that
    passes all three is stored, and then it is never lost.
    """
    state = registration_state(entry)
    if state != "open":
        raise RegistrationClosed(state)
    clean = _validate_interest(entry, data)
    assert data.municipality is not None  # validated above
    limit, window = PER_ADDRESS
    by_address = throttle.allow("catalogue.interest.address", address, limit=limit, window=window)
    limit, window = PER_INTERVENTION
    by_intervention = throttle.allow(
        "catalogue.interest.intervention",
        str(entry.intervention.public_id),
        limit=limit,
        window=window,
    )
    if not (by_address and by_intervention):
        raise TooManyRegistrations
    intervention = entry.intervention

    def seal(value: str) -> str:
        return crypto.encrypt(value) if value else ""

    case_worker = (
        data.case_worker.strip()
        if data.applicant == InterestRegistration.Applicant.CASE_WORKER
        else ""
    )
    registration = InterestRegistration.objects.create(
        provider_id=intervention.provider_id,
        intervention=intervention,
        applicant=data.applicant,
        name_encrypted=seal(clean["name"]),
        phone_encrypted=seal(clean["phone"]),
        email_encrypted=seal(clean["email"]),
        need_encrypted=seal(data.need.strip()),
        language_encrypted=seal(data.language.strip()),
        case_worker_encrypted=seal(case_worker),
        municipality=data.municipality,
    )
    audit.record(
        "interest.create",
        owner=intervention.provider,
        obj=registration,
        reason=intervention.code,
    )
    return registration


def send_receipt(registration: InterestRegistration, to: str) -> bool:
    """E-mail a receipt that says only that a registration arrived, and its reference: not the
    intervention, not the provider, nothing the sender wrote (a shared mailbox may be read by
    others). Returns False when the mail could not be sent; the registration is kept either way."""
    try:
        validate_email(to)
    except ValidationError:
        return False
    body = _(
        "Hej!\n\nVi har tagit emot din intresseanmälan. Referens: %(reference)s.\n\n"
        "Utföraren kontaktar dig så snart de kan. Du behöver inte göra något mer.\n\n"
        "Det här mejlet skickades automatiskt och går inte att svara på."
    ) % {"reference": registration.reference}
    try:
        send_mail(_("Din intresseanmälan är mottagen"), body, None, [to])
    except Exception:  # any mail error: the registration is saved, the receipt is a courtesy
        logger.warning("receipt mail for an interest registration could not be sent")
        return False
    return True


# --- At the provider ---------------------------------------------------------------------------


def view_registration(actor: Actor, registration: InterestRegistration) -> None:
    """Record that the actor read the registration's contact details."""
    _require(_staff_of(actor, registration))
    audit.record("interest.view", actor=actor, obj=registration)


def open_count(actor: Actor) -> int:
    """How many new registrations the actor may handle (for the inbox link)."""
    if not can_handle_registrations(actor):
        return 0
    return (
        InterestRegistration.objects.visible_to(actor)
        .filter(state=InterestRegistration.State.NEW)
        .count()
    )


def _handled(actor: Actor, registration: InterestRegistration, state: str) -> None:
    registration.state = state
    registration.handled_at = timezone.now()
    registration.handled_by = actor.user


@transaction.atomic
def convert_to_referral(
    actor: Actor,
    registration: InterestRegistration,
    *,
    identity: IdentityInput,
    planned_start: date,
    members_involved: Iterable[Organisation],
    referring_kinds: list[str],
    need: str = "",
) -> Referral:
    """Turn an open registration into a referral at the provider (participants.services), with
    the national id the provider asks for now. The registration keeps a link to the referral."""
    _require(_staff_of(actor, registration))
    locked = InterestRegistration.objects.select_for_update().get(pk=registration.pk)
    if not locked.is_open:
        raise ValidationError({NON_FIELD_ERRORS: [_("Anmälan är redan hanterad.")]})
    referral = participants.create_referral(
        actor,
        intervention=registration.intervention,
        identity=identity,
        planned_start=planned_start,
        members_involved=members_involved,
        referring_kinds=referring_kinds,
        need=need,
    )
    _handled(actor, registration, InterestRegistration.State.CONVERTED)
    registration.referral = referral
    registration.save(update_fields=["state", "handled_at", "handled_by", "referral"])
    audit.record(
        "interest.convert",
        actor=actor,
        obj=registration,
        participant_ref=referral.participant.public_id,
    )
    return referral


@transaction.atomic
def decline_registration(actor: Actor, registration: InterestRegistration, *, reason: str) -> None:
    _require(_staff_of(actor, registration))
    locked = InterestRegistration.objects.select_for_update().get(pk=registration.pk)
    if not locked.is_open:
        raise ValidationError({NON_FIELD_ERRORS: [_("Anmälan är redan hanterad.")]})
    if reason not in InterestRegistration.DeclineReason.values or reason == "utgangen":
        raise ValidationError({"reason": [_("Välj ett skäl i listan.")]})
    _handled(actor, registration, InterestRegistration.State.DECLINED)
    registration.decline_reason = reason
    registration.save(update_fields=["state", "handled_at", "handled_by", "decline_reason"])
    audit.record("interest.decline", actor=actor, obj=registration, reason=reason)


# --- Erasure -----------------------------------------------------------------------------------


@dataclass
class ErasureReport:
    erased: int = 0
    expired: int = 0


@transaction.atomic
def erase_registrations(*, now: datetime | None = None, dry_run: bool = False) -> ErasureReport:
    """Empty the contact details of registrations that are no longer needed:

    - handled (turned into a referral, whose participant record now holds what the provider
      keeps, or declined) at least ``ERASE_AFTER_HANDLING`` ago;
    - never handled and received at least ``ERASE_UNHANDLED_AFTER`` ago: these are closed as
      declined ("utgangen") and erased at once.

    The row stays, without personal data, so that the inbox and the counts stay whole. One
    ``interest.erase`` audit event per registration, in its provider's log.
    """
    moment = now or timezone.now()
    report = ErasureReport()
    stale = InterestRegistration.objects.filter(
        state=InterestRegistration.State.NEW, received_at__lte=moment - ERASE_UNHANDLED_AFTER
    )
    report.expired = stale.count()
    if not dry_run:
        stale.update(
            state=InterestRegistration.State.DECLINED,
            decline_reason=InterestRegistration.DeclineReason.EXPIRED,
            handled_at=moment,
        )
    due = InterestRegistration.objects.filter(erased_at__isnull=True).filter(
        Q(handled_at__lte=moment - ERASE_AFTER_HANDLING)
        | Q(decline_reason=InterestRegistration.DeclineReason.EXPIRED)
    )
    rows = list(due.select_related("provider").order_by("pk"))
    report.erased = len(rows)
    if dry_run:
        report.erased += report.expired
        return report
    InterestRegistration.objects.filter(pk__in=[r.pk for r in rows]).update(
        name_encrypted="",
        phone_encrypted="",
        email_encrypted="",
        need_encrypted="",
        language_encrypted="",
        case_worker_encrypted="",
        erased_at=moment,
    )
    for row in rows:
        audit.record("interest.erase", owner=row.provider, obj=row, reason="gallring")
    return report
