"""The wall sweep: every URL pattern of the project, as every persona that must not see it.

The patterns are collected from the root resolver at test time, so a pattern added by any app is
swept without anyone editing this file. Each pattern is classified by the owner keyword it takes:

- ``association`` / ``provider`` / ``unit`` / ``network``: owned. Everyone without a role at that
  owner gets 404 (nothing reveals that the owner exists) on GET and POST, and nothing is written;
  everyone with a role there that the view does not allow gets 403; the view must declare
  ``allowed_roles`` (i.e. use ``role_required``). An insider who puts another owner's object id
  in their own URL gets 404.
- ``admin:``: operations staff only; every persona is sent to the admin log-in.
- anything else must be listed in ``PUBLIC`` with a reason, and may show nobody data of an owner
  they hold no role at.

A keyword the sweep cannot fill fails the test, so that a new kind of object id gets an entry in
``object_for`` — and with it, a place in the sweep.

An app adds its own objects without editing this file: its ``tests/sweep.py`` declares
``OBJECT_KINDS`` (the URL keywords it fills), ``objects_for(world, owner)`` (one object of each
kind at that association or unit, by keyword; ``{}`` where the owner has none), optionally
``network_objects_for(world, network)`` (the same at a compiling network), ``counts()``
(a tuple of counts that a refused request must leave unchanged) and, if it has any, ``PUBLIC``
(its patterns without an owner, each with the reason it may be open).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import import_module
from importlib.util import find_spec

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from stegvis.core.models import (
    ASSOCIATION_ROLES,
    NETWORK_ROLES,
    AuditEvent,
    Invitation,
    Member,
    MemberPopulation,
    Network,
    Organisation,
    Role,
    RoleAssignment,
    Unit,
    User,
)
from stegvis.core.tests.personas import PERSONAS, World, act_as
from stegvis.interventions.models import (
    Attendance,
    Funding,
    Goal,
    Intervention,
    Staffing,
    StructuralActivity,
)
from stegvis.interventions.tests.factories import (
    ActivityFactory,
    AttendanceFactory,
    GoalFactory,
    InterventionFactory,
    StructuralInterventionFactory,
)
from stegvis.participants.models import (
    Consent,
    Enrolment,
    FollowUp,
    ImportJob,
    Participant,
    Referral,
)


def _app_sweeps() -> list:
    """The sweep contributions of the apps (their tests/sweep.py), in INSTALLED_APPS order."""
    names = [c.name for c in apps.get_app_configs() if c.name.startswith("stegvis.")]
    return [
        import_module(f"{name}.tests.sweep")
        for name in names
        if find_spec(f"{name}.tests") is not None and find_spec(f"{name}.tests.sweep") is not None
    ]


APP_SWEEPS = _app_sweeps()

# Patterns open without an owner in the URL, and why each may be.
PUBLIC = {
    "core:home": "redirects to the user's own role or to log-in",
    "core:login": "the log-in form",
    "core:logout": "ends the caller's own session",
    "core:two_factor": "the caller's own second factor",
    "core:two_factor_setup": "enrols the caller's own authenticator",
    "core:sudo": "re-authenticates the caller",
    "core:choose_role": "lists the caller's own roles only",
    "core:accept_invitation": "protected by a secret token (only its hash is stored)",
    "set_language": "sets the caller's language",
}
for _sweep in APP_SWEEPS:
    PUBLIC.update(getattr(_sweep, "PUBLIC", {}))


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: frozenset[str]
    callback: object

    @property
    def owner_kind(self) -> str | None:
        for kind in ("association", "provider", "unit", "network"):
            if kind in self.kwargs:
                return kind
        return None


def walk(patterns: list, namespace: str = "", kwargs: frozenset[str] = frozenset()) -> Iterator:
    for entry in patterns:
        groups = frozenset(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, ns, kwargs | groups)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed>"
            yield Route(name=name, kwargs=kwargs | groups, callback=entry.callback)


ROUTES = list(walk(get_resolver().url_patterns))
OWNED = [r for r in ROUTES if r.owner_kind is not None]
ADMIN = [r for r in ROUTES if r.owner_kind is None and r.name.startswith("admin:")]
OTHER = [r for r in ROUTES if r.owner_kind is None and not r.name.startswith("admin:")]


def test_every_pattern_is_classified():
    assert len(OWNED) >= 15, "the sweep found too few owned patterns: is the walk broken?"
    unnamed = [r.name for r in OWNED + OTHER if r.name.endswith("<unnamed>")]
    assert not unnamed, f"name these patterns so the sweep can reverse them: {unnamed}"
    unlisted = sorted(r.name for r in OTHER if r.name not in PUBLIC)
    assert not unlisted, f"patterns with no owner and no place in PUBLIC: {unlisted}"


@pytest.mark.parametrize("route", OWNED, ids=lambda r: r.name)
def test_owned_view_declares_its_roles(route):
    allowed = getattr(route.callback, "allowed_roles", None)
    assert allowed, f"{route.name} must be wrapped in role_required(...)"


# --- Targets: each owner, who is inside it, and an object of each kind it owns ---------------


@dataclass
class Target:
    kind: str
    key: object
    insiders: set[str]
    objects: dict[str, object]
    markers: list[str]


def _objects_for(world: World, owner: object) -> dict[str, object]:
    """One object of each owned kind at ``owner``, by URL keyword."""
    if isinstance(owner, Network):
        objects: dict[str, object] = {}
        for sweep in APP_SWEEPS:
            make = getattr(sweep, "network_objects_for", None)
            if make is not None:
                objects.update(make(world, owner))
        return objects
    association = owner if not isinstance(owner, Unit) else None
    unit = owner if isinstance(owner, Unit) else None
    inviter = RoleAssignment.objects.filter(association=association, unit=unit).first().user
    invitation = Invitation.objects.create(
        association=association,
        unit=unit,
        token_hash=uuid.uuid4().hex * 2,
        email=f"inbjuden-{uuid.uuid4().hex[:8]}@test.example",
        full_name="Inbjuden Person",
        role=Role.BOARD if association else Role.COACH,
        invited_by=inviter,
        expires_at=timezone.now() + timedelta(days=7),
    )
    objects = {
        "assignment": RoleAssignment.objects.filter(association=association, unit=unit)
        .order_by("pk")
        .last()
        .public_id,
        "invitation": invitation.public_id,
    }
    if association is not None:
        objects["member"] = (
            Member.objects.filter(association=association)
            .exclude(organisation__kind=Organisation.Kind.FK)
            .get()
            .public_id
        )
    objects.update(_participant_objects(world, owner))
    intervention = _intervention_for(world, owner)
    if intervention is not None:
        activity = ActivityFactory(intervention=intervention)
        AttendanceFactory(activity=activity, organisation=intervention.provider.organisation)
        objects["intervention"] = intervention.public_id
        objects["goal"] = GoalFactory(intervention=intervention).public_id
        objects["activity"] = activity.public_id
    for sweep in APP_SWEEPS:
        objects.update(sweep.objects_for(world, owner))
    return objects


def _participant_objects(world: World, owner: object) -> dict[str, object]:
    """At a provider: a participant with a consent, a referral, an exited enrolment and a
    follow-up, and an import job. At a referrer's unit: a referral its referrer sent (to
    provider P)."""
    if not isinstance(owner, Unit):
        return {}
    if not owner.is_provider:
        referrer = RoleAssignment.objects.get(unit=owner, role=Role.REFERRER)
        participant = _participant(world.p)
        referral = _referral(participant, referrer=referrer)
        return {"referral": referral.public_id}
    participant = _participant(owner)
    consent = Consent.objects.create(
        provider=owner, participant=participant, given_on=date(2026, 1, 5), follow_up=True
    )
    enrolment = Enrolment.objects.create(
        provider=owner,
        participant=participant,
        intervention=_referral(participant).intervention,
        start=date(2026, 1, 10),
        exit_date=date(2026, 5, 29),
        exit_reason="arbete",
    )
    follow_up = FollowUp.objects.create(
        provider=owner, enrolment=enrolment, months=6, due=date(2026, 11, 29)
    )
    job = ImportJob.objects.create(
        provider=owner,
        created_by=RoleAssignment.objects.filter(unit=owner).order_by("pk").first().user,
        state=ImportJob.State.FAILED,
        total=600,
        errors=[{"row": 2, "column": "startdatum", "message": "Ange startdatum."}],
    )
    return {
        "participant": participant.public_id,
        "consent": consent.public_id,
        "referral": Referral.objects.filter(participant=participant).get().public_id,
        "enrolment": enrolment.public_id,
        "follow_up": follow_up.public_id,
        "job": job.public_id,
    }


def _participant(provider: Unit) -> Participant:
    return Participant.objects.create(
        provider=provider,
        identity_kind=Participant.IdentityKind.RESERVE,
        reserve_id=f"R-{uuid.uuid4().hex[:8]}",
        gender="kvinna",
        birth_year=1990,
    )


def _referral(participant: Participant, referrer: RoleAssignment | None = None) -> Referral:
    provider = participant.provider
    intervention = Intervention.objects.filter(provider=provider, kind="individual").first()
    if intervention is None:
        intervention = InterventionFactory(provider=provider)
    return Referral.objects.create(
        provider=provider,
        participant=participant,
        intervention=intervention,
        source=Referral.Source.REFERRER if referrer else Referral.Source.PROVIDER,
        referrer=referrer,
        planned_start=date(2026, 1, 10),
    )


def _intervention_for(world: World, owner: object) -> Intervention | None:
    """A structural intervention (so that it has goals and activities) funded by the target
    association, or run by the target provider and assigned to its coaches; None for a unit
    that runs nothing."""
    if isinstance(owner, Unit):
        if not owner.is_provider:
            return None
        provider, lead = owner, {world.p.pk: world.a, world.q.pk: world.b}[owner.pk]
    else:
        lead, provider = owner, {world.a.pk: world.p, world.b.pk: world.q}[owner.pk]
    coaches = User.objects.filter(roles__unit=provider, roles__role=Role.COACH)
    return StructuralInterventionFactory(
        provider=provider, lead_association=lead, coaches=list(coaches)
    )


def targets(world: World) -> list[Target]:
    def insiders(**owner: object) -> set[str]:
        return {
            name
            for name, role in world.roles.items()
            if all(getattr(role, k) == v for k, v in owner.items())
        }

    result = []
    for association in (world.a, world.b):
        names = insiders(association=association)
        result.append(
            Target(
                "association",
                association.slug,
                names,
                _objects_for(world, association),
                [association.name, *(f"{n}@test.example" for n in names)],
            )
        )
    for network in (world.n, world.o):
        names = insiders(network=network)
        result.append(
            Target(
                "network",
                network.slug,
                names,
                _objects_for(world, network),
                [network.name, *(f"{n}@test.example" for n in names)],
            )
        )
    for kind, unit in (("provider", world.p), ("provider", world.q), ("unit", world.fk_unit)):
        names = insiders(unit=unit)
        result.append(
            Target(
                kind,
                unit.public_id,
                names,
                _objects_for(world, unit),
                [unit.name, *(f"{n}@test.example" for n in names)],
            )
        )
    return result


def url_for(route: Route, target: Target, objects: dict[str, object]) -> str | None:
    assert route.owner_kind is not None
    kwargs: dict[str, object] = {route.owner_kind: target.key}
    for kw in route.kwargs - {route.owner_kind}:
        if kw not in objects:
            if kw in OBJECT_KINDS:
                return None  # this owner has no object of that kind (e.g. a provider's member)
            pytest.fail(
                f"the sweep cannot fill <{kw}> in {route.name}: add it to OBJECT_KINDS and "
                "_objects_for so that the new object is swept"
            )
        kwargs[kw] = objects[kw]
    return reverse(route.name, kwargs=kwargs)


OBJECT_KINDS = {
    "member",
    "assignment",
    "invitation",
    "intervention",
    "goal",
    "activity",
    "participant",
    "consent",
    "referral",
    "enrolment",
    "follow_up",
    "job",
}.union(*(sweep.OBJECT_KINDS for sweep in APP_SWEEPS))


def _counts() -> tuple[int, ...]:
    return (
        Member.objects.count(),
        MemberPopulation.objects.count(),
        RoleAssignment.objects.filter(deactivated_at__isnull=True).count(),
        Invitation.objects.filter(revoked_at__isnull=True).count(),
        Organisation.objects.count(),
        Intervention.objects.count(),
        Funding.objects.count(),
        Staffing.objects.count(),
        Goal.objects.count(),
        StructuralActivity.objects.count(),
        Attendance.objects.count(),
        Intervention.coaches.through.objects.count(),
        Participant.objects.filter(identity_erased_at__isnull=True).count(),
        Consent.objects.filter(withdrawn_on__isnull=True).count(),
        Referral.objects.filter(state=Referral.State.RECEIVED).count(),
        Enrolment.objects.filter(exit_date__isnull=True).count(),
        FollowUp.objects.filter(done_on__isnull=True).count(),
        ImportJob.objects.count(),
        *(n for sweep in APP_SWEEPS for n in sweep.counts()),
    )


def _assert_refused(response, expected: int, markers: list[str], where: str) -> None:
    assert response.status_code == expected, f"{where}: {response.status_code}, not {expected}"
    body = response.content.decode(errors="replace")
    leaked = [m for m in markers if m in body]
    assert not leaked, f"{where}: the refusal shows {leaked}"


@pytest.mark.parametrize("route", OWNED, ids=lambda r: r.name)
def test_no_persona_crosses_a_wall(route, world):
    swept = 0
    all_targets = targets(world)
    before = _counts()
    audit_before = AuditEvent.objects.count()
    for target in all_targets:
        if target.kind != route.owner_kind:
            continue
        url = url_for(route, target, target.objects)
        if url is None:
            continue
        # Anonymous: to the log-in page, nothing else.
        for method in ("get", "post"):
            response = getattr(Client(), method)(url)
            assert response.status_code == 302, f"anonymous {method} {url}"
            assert response["Location"].startswith(reverse("core:login"))
        for persona in PERSONAS:
            if persona not in target.insiders:
                expected = 404
            elif world.roles[persona].role not in route.callback.allowed_roles:
                expected = 403
            else:
                continue  # allowed: the view's own tests cover what it does
            client = act_as(Client(), world, persona)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                where = f"{persona} {method.upper()} {url} ({route.name})"
                _assert_refused(response, expected, target.markers, where)
                swept += 1
    assert swept > 0, f"{route.name} was never requested by an outsider"
    assert _counts() == before, f"an outsider changed data through {route.name}"
    outsider_events = AuditEvent.objects.count() - audit_before
    assert outsider_events == 0, f"{route.name} wrote audit events for refused requests"


@pytest.mark.parametrize(
    "route", [r for r in OWNED if r.kwargs & OBJECT_KINDS], ids=lambda r: r.name
)
def test_no_insider_reaches_another_owners_object(route, world):
    """Own owner in the URL, another owner's object id: 404, as if the object did not exist."""
    everyone = targets(world)
    tried = 0
    same_kind = [t for t in everyone if t.kind == route.owner_kind]
    # A referrer's unit is the only one of its kind here; its "other" objects are the
    # providers' own referrals, which the referrer did not send. (Across associations and
    # providers, objects may be shared legitimately: A funds P's interventions.)
    others = everyone if route.owner_kind == "unit" else same_kind
    for target in same_kind:
        for other in others:
            if other is target:
                continue
            url = url_for(route, target, other.objects)
            if url is None:
                continue
            for persona in target.insiders:
                if world.roles[persona].role not in route.callback.allowed_roles:
                    continue
                client = act_as(Client(), world, persona)
                response = client.post(url)
                _assert_refused(response, 404, other.markers, f"{persona} POST {url}")
                response = client.get(url)
                # GET on a POST-only view is refused by its method before the object is looked up.
                expected = 405 if response.status_code == 405 else 404
                _assert_refused(response, expected, other.markers, f"{persona} GET {url}")
                tried += 1
    assert tried > 0, f"no insider was allowed to try {route.name}"


def _admin_kwargs(route: Route, world: World) -> dict[str, object]:
    fillers: dict[str, object] = {
        "app_label": "core",
        "object_id": str(world.a.pk),
        "content_type_id": 1,
        "pk": 1,
    }
    unknown = route.kwargs - fillers.keys() - {"url"}
    if unknown:
        pytest.fail(f"the sweep cannot fill {unknown} in {route.name}")
    return {k: fillers[k] for k in route.kwargs if k in fillers}


@pytest.mark.parametrize("route", ADMIN, ids=lambda r: r.name)
def test_admin_is_for_operations_staff_only(route, world):
    if route.name.endswith("<unnamed>"):
        url = "/" + __import__("django.conf").conf.settings.ADMIN_URL + "core/okand/"
    elif route.name in {"admin:login", "admin:logout"}:
        pytest.skip("the admin's own log-in and log-out pages")
    else:
        url = reverse(route.name, kwargs=_admin_kwargs(route, world))
    for persona in PERSONAS:
        response = act_as(Client(), world, persona).get(url)
        assert response.status_code in {302, 404}, f"{persona} {url}: {response.status_code}"
        if response.status_code == 302:
            assert reverse("admin:login") in response["Location"], f"{persona} {url}"


def _public_kwargs(route: Route, world: World) -> dict[str, object]:
    """A public pattern's arguments: what its app's sweep gives (``public_kwargs(world, name)``,
    None for patterns it does not know), else a bad token."""
    for sweep in APP_SWEEPS:
        make = getattr(sweep, "public_kwargs", None)
        kwargs = make(world, route.name) if make is not None else None
        if kwargs is not None:
            return kwargs
    return {"token": "ogiltig-" + "x" * 40} if "token" in route.kwargs else {}


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_pages_show_no_other_owners_data(name, world):
    route = next(r for r in OTHER if r.name == name)
    kwargs = _public_kwargs(route, world)
    url = reverse(name, kwargs=kwargs)
    all_targets = targets(world)
    for persona in PERSONAS:
        client = act_as(Client(), world, persona)
        response = client.get(url, follow=True)
        assert response.status_code < 500, f"{persona} {url}"
        body = response.content.decode()
        for target in all_targets:
            if persona in target.insiders:
                continue
            # Owner names may be public facts here (a referrer's organisation is a member of
            # several associations); the people of an owner never are.
            leaked = [m for m in target.markers if "@" in m and m in body]
            assert not leaked, f"{persona} sees {leaked} at {url}"


def test_association_roles_are_the_only_ones_on_association_pages():
    """A guard on the data: association views never allow a provider or referrer role, and a
    network's views only its compilers. The one
    association-owned role outside ASSOCIATION_ROLES, the invited Lex Heller reporter, is allowed
    on its own report pages only, and nothing else is allowed there."""
    for route in OWNED:
        if route.owner_kind == "association" and Role.REPORTER in route.callback.allowed_roles:
            assert route.callback.allowed_roles == {Role.REPORTER}, route.name
            assert route.name.startswith("deviations:reporter_"), route.name
        elif route.owner_kind == "association":
            assert route.callback.allowed_roles <= ASSOCIATION_ROLES, route.name
        elif route.owner_kind == "network":
            assert route.callback.allowed_roles <= NETWORK_ROLES, route.name
        else:
            assert not (route.callback.allowed_roles & ASSOCIATION_ROLES), route.name
