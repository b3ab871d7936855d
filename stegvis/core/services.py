"""The foundation's operations. Views, commands and tests call these; nothing else writes.

Each function validates, writes in one transaction, and records the audit event.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Model, ProtectedError, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.models import (
    AuditEvent,
    Invitation,
    Member,
    MemberPopulation,
    Municipality,
    Organisation,
    Role,
    RoleAssignment,
    Unit,
    User,
    normalise_org_number,
)
from stegvis.core.permissions import can_change_assignment, can_manage_members, grantable_roles
from stegvis.core.throttle import hash_token, new_token

MUNICIPALITIES_CSV = Path(__file__).resolve().parent / "data" / "municipalities.csv"


def delete_unless_kept(obj: Model, refused: str) -> None:
    """Delete ``obj``, or, when a record elsewhere keeps it (a protected foreign key), refuse
    with ``refused`` and the kind of records that keep it, in Swedish, nothing deleted."""
    try:
        obj.delete()
    except ProtectedError as error:
        kinds = sorted({str(o._meta.verbose_name_plural) for o in error.protected_objects})
        raise ValidationError(
            _("%(refused)s: den används i %(kinds)s.")
            % {"refused": refused, "kinds": ", ".join(kinds)}
        ) from None


# --- Municipalities -------------------------------------------------------------------------


def load_municipalities(path: Path = MUNICIPALITIES_CSV) -> int:
    """Create or update Sweden's municipalities from the shipped list. Returns how many."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    existing = {m.code: m for m in Municipality.objects.all()}
    to_create, to_update = [], []
    for row in rows:
        values = {
            "name": row["municipality_name"],
            "county_code": row["county_code"],
            "county_name": row["county_name"],
        }
        current = existing.get(row["municipality_code"])
        if current is None:
            to_create.append(Municipality(code=row["municipality_code"], **values))
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            to_update.append(current)
    Municipality.objects.bulk_create(to_create)
    Municipality.objects.bulk_update(to_update, ["name", "county_code", "county_name"])
    return len(rows)


# --- Members and organisations --------------------------------------------------------------


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def find_or_create_organisation(
    *, name: str, kind: str, org_number: str, municipality: Municipality | None
) -> tuple[Organisation, bool]:
    """The organisation with this organisation number, or a new one.

    An existing organisation is reused as it is (FK and AF are members of every association), so
    one association can never rename another's member.
    """
    number = normalise_org_number(org_number.strip())
    existing = Organisation.objects.filter(org_number=number).first()
    if existing is not None:
        return existing, False
    if municipality is not None:
        registered = Organisation.objects.filter(municipality=municipality).first()
        if registered is not None:
            raise ValidationError(
                {
                    "org_number": _(
                        "%(municipality)s finns redan i registret som %(name)s med "
                        "organisationsnummer %(number)s. Kontrollera numret."
                    )
                    % {
                        "municipality": municipality.name,
                        "name": registered.name,
                        "number": registered.org_number,
                    }
                }
            )
    organisation = Organisation(
        name=name.strip(), kind=kind, org_number=number, municipality=municipality
    )
    organisation.full_clean()
    organisation.save()
    return organisation, True


@transaction.atomic
def add_member(
    actor: Actor,
    *,
    organisation: Organisation,
    joined: date,
    left: date | None = None,
) -> Member:
    _require(can_manage_members(actor))
    association = actor.association
    assert association is not None
    if Member.objects.filter(association=association, organisation=organisation).exists():
        raise ValidationError(
            {"org_number": _("%(org)s är redan medlem i förbundet.") % {"org": organisation.name}}
        )
    member = Member(association=association, organisation=organisation, joined=joined, left=left)
    member.full_clean()
    member.save()
    audit.record("member.add", actor=actor, obj=member, reason=organisation.name)
    return member


@transaction.atomic
def update_member(actor: Actor, member: Member, *, joined: date, left: date | None) -> Member:
    _require(can_manage_members(actor) and member.association_id == _association_pk(actor))
    member.joined = joined
    member.left = left
    member.full_clean()
    member.save(update_fields=["joined", "left"])
    audit.record("member.update", actor=actor, obj=member)
    return member


@transaction.atomic
def remove_member(actor: Actor, member: Member) -> None:
    """Remove a membership registered by mistake (a member that leaves gets a ``left`` date)."""
    _require(can_manage_members(actor) and member.association_id == _association_pk(actor))
    audit.record("member.remove", actor=actor, obj=member, reason=member.organisation.name)
    delete_unless_kept(
        member,
        _("%(org)s kan inte tas bort som medlem") % {"org": member.organisation.name},
    )


@transaction.atomic
def set_population(actor: Actor, member: Member, *, year: int, population: int) -> MemberPopulation:
    _require(can_manage_members(actor) and member.association_id == _association_pk(actor))
    if member.organisation.kind != Organisation.Kind.MUNICIPALITY:
        raise ValidationError(_("Folkmängd anges bara för kommuner."))
    if population < 0:
        raise ValidationError({"population": _("Folkmängden kan inte vara negativ.")})
    row, _created = MemberPopulation.objects.update_or_create(
        association=member.association,
        member=member,
        year=year,
        defaults={"population": population},
    )
    row.full_clean()
    audit.record("member.population", actor=actor, obj=member, reason=f"{year}: {population}")
    return row


@transaction.atomic
def add_unit(actor: Actor, member: Member, *, name: str, is_provider: bool) -> Unit:
    """Register a unit of a member organisation, e.g. the labour-market unit that runs an
    intervention (a provider). Units are additive registry data: nothing existing changes."""
    _require(can_manage_members(actor) and member.association_id == _association_pk(actor))
    name = name.strip()
    if Unit.objects.filter(organisation=member.organisation, name__iexact=name).exists():
        raise ValidationError(
            {"name": _("%(org)s har redan en enhet med det namnet.") % {"org": member.organisation}}
        )
    unit = Unit(organisation=member.organisation, name=name, is_provider=is_provider)
    unit.full_clean()
    unit.save()
    audit.record("unit.add", actor=actor, obj=unit, reason=str(unit))
    return unit


def _association_pk(actor: Actor) -> int | None:
    return actor.association.pk if actor.association is not None else None


# --- Users, roles and invitations -----------------------------------------------------------


def choose_role(request_user: User, assignment: RoleAssignment) -> None:
    if assignment.user_id != request_user.pk or not assignment.is_active:
        raise PermissionDenied


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str


@transaction.atomic
def invite(
    actor: Actor, *, email: str, full_name: str, role: str, base_url: str
) -> IssuedInvitation:
    """Invite someone to a role in the actor's association or provider, by e-mail link."""
    if role not in grantable_roles(actor):
        raise PermissionDenied
    email = email.strip().lower()
    existing = User.objects.filter(email=email).first()
    if existing is not None and (
        RoleAssignment.objects.active().visible_to(actor).filter(user=existing, role=role).exists()
    ):
        raise ValidationError({"email": _("Personen har redan den rollen här.")})
    token, token_hash = new_token()
    invitation = Invitation(
        association=actor.association,
        unit=actor.unit,
        token_hash=token_hash,
        email=email,
        full_name=full_name.strip(),
        role=role,
        invited_by=actor.user,
        expires_at=timezone.now() + settings.INVITATION_LIFETIME,
    )
    invitation.full_clean()
    invitation.save()
    audit.record("invitation.create", actor=actor, obj=invitation, reason=role)
    link = base_url.rstrip("/") + reverse("core:accept_invitation", kwargs={"token": token})
    owner = str(actor.owner)
    send_mail(
        subject=_("Inbjudan till Stegvis"),
        message=_(
            "Hej %(name)s!\n\n%(inviter)s har bjudit in dig till Stegvis som %(role)s i "
            "%(owner)s.\n\nÖppna länken för att ta emot inbjudan (giltig till %(expires)s):\n"
            "%(link)s\n\nOm du inte väntade dig det här kan du bortse från meddelandet."
        )
        % {
            "name": invitation.full_name,
            "inviter": actor.user.full_name,
            "role": invitation.get_role_display(),
            "owner": owner,
            "expires": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
            "link": link,
        },
        from_email=None,
        recipient_list=[email],
    )
    return IssuedInvitation(invitation=invitation, token=token)


class InvitationError(Exception):
    """The invitation cannot be used; the message says why, in Swedish."""


def invitation_for_token(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("association", "unit__organisation")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationError(_("Länken är ogiltig. Kontrollera att du kopierat hela länken."))
    if invitation.accepted_at is not None:
        raise InvitationError(_("Inbjudan har redan använts. Logga in som vanligt."))
    if invitation.revoked_at is not None:
        raise InvitationError(_("Inbjudan har återkallats. Be om en ny inbjudan."))
    if invitation.expires_at <= timezone.now():
        raise InvitationError(_("Inbjudan har gått ut. Be den som bjöd in dig att skicka en ny."))
    return invitation


@transaction.atomic
def accept_invitation(
    token: str, *, user: User | None, full_name: str = "", password: str = ""
) -> RoleAssignment:
    """Give the invited role to ``user``, or to a new account created with ``password``."""
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if user is None:
        if User.objects.filter(email=invitation.email).exists():
            raise InvitationError(
                _("Det finns redan ett konto för %(email)s. Logga in först och öppna länken igen.")
                % {"email": invitation.email}
            )
        user = User.objects.create_user(
            invitation.email, password, full_name=full_name.strip() or invitation.full_name
        )
    elif user.email != invitation.email:
        raise InvitationError(
            _("Inbjudan gäller %(email)s, men du är inloggad som en annan användare.")
            % {"email": invitation.email}
        )
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user,
        role=invitation.role,
        association=invitation.association,
        unit=invitation.unit,
        deactivated_at=None,
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit.record(
        "invitation.accept",
        user=user,
        owner=invitation.owner,
        obj=invitation,
        reason=invitation.role,
    )
    return assignment


@transaction.atomic
def revoke_invitation(actor: Actor, invitation: Invitation) -> None:
    if invitation.role not in grantable_roles(actor) or invitation.owner != actor.owner:
        raise PermissionDenied
    if invitation.accepted_at is not None:
        raise ValidationError(_("Inbjudan är redan accepterad och kan inte återkallas."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record("invitation.revoke", actor=actor, obj=invitation)


def _guard_last_manager(assignment: RoleAssignment) -> None:
    """Never leave an association without an office, or a provider without a manager."""
    if assignment.role not in {Role.OFFICE, Role.PROVIDER_MANAGER}:
        return
    others = (
        RoleAssignment.objects.active()
        .filter(role=assignment.role, association=assignment.association, unit=assignment.unit)
        .exclude(pk=assignment.pk)
    )
    if not others.exists():
        raise ValidationError(
            _("Det måste finnas minst en aktiv person med rollen %(role)s.")
            % {"role": assignment.get_role_display()}
        )


@transaction.atomic
def deactivate_assignment(actor: Actor, assignment: RoleAssignment) -> None:
    if not can_change_assignment(actor, assignment):
        raise PermissionDenied
    if not assignment.is_active:
        raise ValidationError(_("Rollen är redan avslutad."))
    _guard_last_manager(assignment)
    assignment.deactivated_at = timezone.now()
    assignment.save(update_fields=["deactivated_at"])
    audit.record("role.deactivate", actor=actor, obj=assignment, reason=assignment.role)


@transaction.atomic
def change_role(actor: Actor, assignment: RoleAssignment, new_role: str) -> RoleAssignment:
    """End the assignment and give the same person ``new_role`` at the same owner."""
    if not can_change_assignment(actor, assignment) or new_role not in grantable_roles(actor):
        raise PermissionDenied
    if not assignment.is_active:
        raise ValidationError(_("Rollen är avslutad och kan inte ändras."))
    if new_role == assignment.role:
        raise ValidationError({"role": _("Personen har redan den rollen.")})
    if (
        RoleAssignment.objects.active()
        .filter(user=assignment.user, role=new_role)
        .filter(association=assignment.association, unit=assignment.unit)
        .exists()
    ):
        raise ValidationError({"role": _("Personen har redan den rollen här.")})
    _guard_last_manager(assignment)
    assignment.deactivated_at = timezone.now()
    assignment.save(update_fields=["deactivated_at"])
    new = RoleAssignment.objects.create(
        user=assignment.user,
        role=new_role,
        association=assignment.association,
        unit=assignment.unit,
    )
    audit.record("role.change", actor=actor, obj=new, reason=f"{assignment.role} → {new_role}")
    return new


# --- Audit log ------------------------------------------------------------------------------

AUDIT_CSV_HEADER = [
    "löpnummer",
    "tid",
    "användare",
    "roll",
    "händelse",
    "objekttyp",
    "objekt-id",
    "deltagarreferens",
    "skäl",
    "IP-adress",
    "hash",
]


def audit_csv_rows(events: QuerySet[AuditEvent]) -> Iterator[list[str]]:
    yield AUDIT_CSV_HEADER
    for e in events.iterator(chunk_size=2000):
        yield [
            str(e.seq),
            timezone.localtime(e.at).isoformat(timespec="seconds"),
            e.user_label,
            e.role,
            e.action,
            e.object_type,
            e.object_id,
            str(e.participant_ref or ""),
            e.reason,
            e.ip or "",
            e.hash,
        ]


def emails(users: Iterable[User]) -> list[str]:
    return [u.email for u in users]
