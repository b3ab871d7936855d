"""Log-in, lockout, two factors, re-authentication, log-out, role choice and invitations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from stegvis.core import services
from stegvis.core.actors import SESSION_KEY, Actor
from stegvis.core.models import AuditEvent, Invitation, Role, RoleAssignment, User
from stegvis.core.tests.factories import UserFactory
from stegvis.core.tests.personas import act_as
from stegvis.core.views.auth import device_secret

PASSWORD = "ett-bra-testlosenord"
# A fixed moment, so that the one-time codes of a test are reproducible.
T0 = datetime(2025, 3, 3, 9, 0, 5, tzinfo=UTC)
# After a wrong code, django-otp refuses every code for a second (doubling with each failure).
THROTTLE = timedelta(seconds=1, milliseconds=100)


def login(client: Client, email: str, password: str = PASSWORD, next_url: str = ""):
    data = {"username": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("core:login"), data)


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


def wrong_code_for(device: TOTPDevice) -> str:
    """A six-digit code that no window the device tolerates accepts."""
    valid = {
        f"{totp(device.bin_key, drift=d):06d}"
        for d in range(-device.tolerance, device.tolerance + 1)
    }
    candidate = 123456
    while f"{candidate:06d}" in valid:
        candidate += 1
    return f"{candidate:06d}"


def with_next(name: str, target: str, **kwargs) -> str:
    return f"{reverse(name, kwargs=kwargs or None)}?{urlencode({'next': target})}"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Log-in and role choice ------------------------------------------------------------------


def test_login_with_email_and_password_goes_to_role_choice(world):
    client = Client()
    response = login(client, "alice@test.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:choose_role")
    assert client.session["_auth_user_id"] == str(world["alice"].pk)
    assert AuditEvent.objects.filter(action="auth.login", user=world["alice"]).count() == 1


def test_login_accepts_the_email_in_any_case(world):
    client = Client()
    response = login(client, "Alice@Test.Example")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:choose_role")


def test_login_keeps_a_safe_next_and_drops_a_foreign_one(world):
    client = Client()
    response = login(client, "alice@test.example", next_url="/a/forbund-a/medlemmar/")
    assert response["Location"] == with_next("core:choose_role", "/a/forbund-a/medlemmar/")
    other = Client()
    response = login(other, "alice@test.example", next_url="https://evil.example/")
    assert response["Location"] == reverse("core:choose_role")


def test_one_role_is_chosen_automatically(world):
    client = Client()
    login(client, "alice@test.example")
    response = client.get(reverse("core:choose_role"))
    assert response.status_code == 302
    assert response["Location"] == world.a.get_absolute_url()
    assert client.session[SESSION_KEY] == str(world.roles["alice"].public_id)
    assert client.get(response["Location"]).status_code == 200


def test_two_roles_are_listed_and_the_choice_is_kept(world):
    user = UserFactory(email="tva@test.example", full_name="Två Roller")
    in_a = RoleAssignment.objects.create(user=user, role=Role.OFFICE, association=world.a)
    in_b = RoleAssignment.objects.create(user=user, role=Role.OFFICE, association=world.b)
    client = Client()
    assert login(client, "tva@test.example")["Location"] == reverse("core:choose_role")

    response = client.get(reverse("core:choose_role"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{in_a.public_id}"' in page
    assert f'value="{in_b.public_id}"' in page
    assert "<strong>Kansli</strong> – Förbund A" in page
    assert "<strong>Kansli</strong> – Förbund B" in page
    assert SESSION_KEY not in client.session

    response = client.post(reverse("core:choose_role"), {"assignment": str(in_b.public_id)})
    assert response.status_code == 302
    assert response["Location"] == world.b.get_absolute_url()
    assert client.session[SESSION_KEY] == str(in_b.public_id)
    assert AuditEvent.objects.filter(action="auth.role_chosen", user=user).count() == 1
    assert client.get(world.b.get_absolute_url()).status_code == 200


def test_choosing_another_users_assignment_is_refused(world):
    user = UserFactory(email="tva@test.example", full_name="Två Roller")
    in_a = RoleAssignment.objects.create(user=user, role=Role.OFFICE, association=world.a)
    RoleAssignment.objects.create(user=user, role=Role.OFFICE, association=world.b)
    client = Client()
    login(client, "tva@test.example")
    client.post(reverse("core:choose_role"), {"assignment": str(in_a.public_id)})

    response = client.post(
        reverse("core:choose_role"), {"assignment": str(world.roles["dave"].public_id)}
    )
    assert response.status_code == 200
    assert "Välj en av dina roller." in response.content.decode()
    assert client.session[SESSION_KEY] == str(in_a.public_id)


def test_a_deactivated_role_cannot_be_chosen(world):
    user = UserFactory(email="tva@test.example", full_name="Två Roller")
    RoleAssignment.objects.create(user=user, role=Role.OFFICE, association=world.a)
    old = RoleAssignment.objects.create(
        user=user,
        role=Role.BOARD,
        association=world.b,
        deactivated_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    client = Client()
    login(client, "tva@test.example")
    response = client.post(reverse("core:choose_role"), {"assignment": str(old.public_id)})
    assert response.status_code == 200
    assert "Välj en av dina roller." in response.content.decode()
    assert SESSION_KEY not in client.session


# --- Wrong passwords and lockout ---------------------------------------------------------------


def test_wrong_password_is_refused(world):
    client = Client()
    response = login(client, "alice@test.example", "fel-losenord-helt")
    assert response.status_code == 200
    assert "Fel e-postadress eller lösenord" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_email_gets_the_same_answer(world):
    response = login(Client(), "ingen@test.example")
    assert response.status_code == 200
    assert "Fel e-postadress eller lösenord" in response.content.decode()


def test_login_is_locked_after_repeated_failures(world):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, "alice@test.example", "fel-losenord-helt")
        assert response.status_code == 200
        assert "Fel e-postadress eller lösenord" in response.content.decode()
    # The fifth failure reaches the limit: django-axes answers with its lockout page (429).
    response = login(client, "alice@test.example", "fel-losenord-helt")
    assert response.status_code == 429
    assert "spärrad" in response.content.decode()

    response = login(client, "alice@test.example", PASSWORD)
    assert response.status_code == 429
    assert "spärrad" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_counts_the_address_in_any_case(world):
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        email = "ALICE@test.example" if attempt % 2 else "alice@test.example"
        login(client, email, "fel-losenord-helt")
    response = login(client, "Alice@Test.Example", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account(world):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice@test.example", "fel-losenord-helt")
    response = login(client, "carol@test.example", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:choose_role")


def test_lockout_ends_after_the_cool_off(world):
    client = Client()
    with time_machine.travel(T0, tick=False) as traveller:
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            login(client, "alice@test.example", "fel-losenord-helt")
        assert login(client, "alice@test.example").status_code == 429
        traveller.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        response = login(client, "alice@test.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:choose_role")


# --- Two factors -------------------------------------------------------------------------------


def test_a_user_with_a_device_must_give_the_code(world):
    bob = world["bob"]
    device = TOTPDevice.objects.create(user=bob, name="app", confirmed=True)
    provider_home = world.p.get_absolute_url()
    client = Client()
    with time_machine.travel(T0, tick=False) as traveller:
        response = login(client, "bob@test.example")
        assert response.status_code == 302
        assert response["Location"] == reverse("core:two_factor")

        # Password alone does not open the provider's pages.
        client.get(reverse("core:choose_role"))
        response = client.get(provider_home)
        assert response["Location"] == with_next("core:two_factor", provider_home)

        response = client.post(reverse("core:two_factor"), {"token": wrong_code_for(device)})
        assert response.status_code == 200
        assert "Koden stämmer inte" in response.content.decode()
        assert DEVICE_ID_SESSION_KEY not in client.session
        assert AuditEvent.objects.filter(action="auth.two_factor_failed", user=bob).count() == 1

        # django-otp throttles the device for a second after a failure.
        traveller.shift(THROTTLE)
        response = client.post(reverse("core:two_factor"), {"token": code_for(device)})
        assert response.status_code == 302
        assert response["Location"] == reverse("core:choose_role")
        assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
        assert AuditEvent.objects.filter(action="auth.two_factor", user=bob).count() == 1

        response = client.get(reverse("core:choose_role"))
        assert response["Location"] == provider_home
        assert client.get(provider_home).status_code == 200


def test_a_code_is_not_accepted_twice(world):
    bob = world["bob"]
    device = TOTPDevice.objects.create(user=bob, name="app", confirmed=True)
    first, second = Client(), Client()
    with time_machine.travel(T0, tick=False) as traveller:
        login(first, "bob@test.example")
        login(second, "bob@test.example")
        code = code_for(device)
        assert first.post(reverse("core:two_factor"), {"token": code}).status_code == 302
        response = second.post(reverse("core:two_factor"), {"token": code})
        assert response.status_code == 200
        assert "Koden stämmer inte" in response.content.decode()
        traveller.shift(30)
        response = second.post(reverse("core:two_factor"), {"token": code_for(device)})
        assert response.status_code == 302


def test_the_code_form_checks_its_format(world):
    TOTPDevice.objects.create(user=world["bob"], name="app", confirmed=True)
    client = Client()
    login(client, "bob@test.example")
    response = client.post(reverse("core:two_factor"), {"token": "12ab56"})
    assert "Koden består bara av siffror." in response.content.decode()
    response = client.post(reverse("core:two_factor"), {"token": "123"})
    assert "Koden har sex siffror." in response.content.decode()


def test_a_coach_without_a_device_must_enrol_one(world):
    bob = world["bob"]
    provider_home = world.p.get_absolute_url()
    client = Client()
    with time_machine.travel(T0, tick=False) as traveller:
        response = login(client, "bob@test.example")
        assert response["Location"] == reverse("core:choose_role")
        response = client.get(reverse("core:choose_role"), follow=True)
        assert response.redirect_chain == [
            (provider_home, 302),
            (with_next("core:two_factor", provider_home), 302),
            (with_next("core:two_factor_setup", provider_home), 302),
        ]
        assert response.status_code == 200
        page = response.content.decode()
        device = TOTPDevice.objects.get(user=bob, confirmed=False)
        assert 'src="data:image/svg+xml' in page
        assert '<img class="qr"' in page
        assert device_secret(device) in page
        assert device.key not in page  # only the base32 form, never the hex key

        # Reloading shows the same unconfirmed device, not a new one.
        client.get(with_next("core:two_factor_setup", provider_home))
        assert TOTPDevice.objects.filter(user=bob).count() == 1

        response = client.post(
            reverse("core:two_factor_setup"),
            {"token": wrong_code_for(device), "next": provider_home},
        )
        assert response.status_code == 200
        assert "Koden stämmer inte" in response.content.decode()
        device.refresh_from_db()
        assert device.confirmed is False

        traveller.shift(THROTTLE)
        response = client.post(
            reverse("core:two_factor_setup"), {"token": code_for(device), "next": provider_home}
        )
        assert response.status_code == 302
        assert response["Location"] == with_next("core:choose_role", provider_home)
        device.refresh_from_db()
        assert device.confirmed is True
        assert AuditEvent.objects.filter(action="auth.two_factor_enrolled", user=bob).count() == 1

        response = client.get(response["Location"])
        assert response["Location"] == provider_home
        response = client.get(provider_home)
        assert response.status_code == 200
        assert "Arbetsmarknadsenheten P" in response.content.decode()


def test_an_unverified_coach_is_sent_to_the_code(world):
    bob = world["bob"]
    TOTPDevice.objects.create(user=bob, name="app", confirmed=True)
    client = Client()
    client.force_login(bob, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_KEY] = str(world.roles["bob"].public_id)
    session.save()
    for url in (
        world.p.get_absolute_url(),
        reverse("core:provider_users", kwargs={"provider": world.p.public_id}),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == with_next("core:two_factor", url)


def test_replacing_a_confirmed_device_needs_reauthentication(as_persona, world):
    client = as_persona("bob")
    response = client.get(reverse("core:two_factor_setup"))
    assert response.status_code == 302
    assert response["Location"] == with_next("core:sudo", reverse("core:two_factor_setup"))


# --- Re-authentication (sudo) ----------------------------------------------------------------


def test_the_audit_export_asks_for_the_password_again(as_persona, world):
    client = as_persona("alice")
    export = reverse("core:association_audit_export", kwargs={"association": world.a.slug})
    response = client.get(export)
    assert response.status_code == 302
    assert response["Location"] == with_next("core:sudo", export)

    response = client.get(response["Location"])
    assert response.status_code == 200
    assert 'name="token"' not in response.content.decode()  # alice has no device

    response = client.post(reverse("core:sudo"), {"password": "fel-losenord-helt", "next": export})
    assert response.status_code == 200
    assert "Lösenordet stämmer inte" in response.content.decode()
    assert client.get(export).status_code == 302
    assert AuditEvent.objects.filter(action="auth.reauthentication_failed").count() == 1

    response = client.post(reverse("core:sudo"), {"password": PASSWORD, "next": export})
    assert response.status_code == 302
    assert response["Location"] == export

    response = client.get(export)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="logg-')
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    header = body[1:].splitlines()[0]
    assert "löpnummer;tid" in header
    assert header == (
        "löpnummer;tid;användare;roll;händelse;objekttyp;objekt-id;deltagarreferens;skäl;"
        "IP-adress;hash"
    )
    # The export's own event is in it; the events of log-ins (no owner) and of B are not.
    actions = [line.split(";")[4] for line in body[1:].splitlines()[1:]]
    assert actions == ["audit.export"]
    export_event = AuditEvent.objects.get(action="audit.export")
    assert export_event.association == world.a
    assert export_event.user == world["alice"]
    assert export_event.role == Role.OFFICE


def test_reauthentication_expires(as_persona, world):
    client = as_persona("alice")
    export = reverse("core:association_audit_export", kwargs={"association": world.a.slug})
    with time_machine.travel(T0, tick=False) as traveller:
        client.post(reverse("core:sudo"), {"password": PASSWORD, "next": export})
        assert client.get(export).status_code == 200
        traveller.shift(settings.SUDO_LIFETIME + timedelta(seconds=1))
        # Keep the session itself alive: only the confirmation has run out.
        response = client.get(export)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:sudo"))


def test_sudo_refuses_a_next_on_another_host(as_persona):
    client = as_persona("alice")
    response = client.post(
        reverse("core:sudo"), {"password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


def test_sudo_needs_the_code_for_a_user_with_a_device(as_persona, world):
    client = as_persona("petra")
    device = TOTPDevice.objects.get(user=world["petra"], confirmed=True)
    export = reverse("core:provider_audit_export", kwargs={"provider": world.p.public_id})
    with time_machine.travel(T0, tick=False) as traveller:
        response = client.get(export)
        assert response["Location"] == with_next("core:sudo", export)
        response = client.get(response["Location"])
        assert 'name="token"' in response.content.decode()

        response = client.post(reverse("core:sudo"), {"password": PASSWORD, "next": export})
        assert response.status_code == 200
        assert "Koden stämmer inte" in response.content.decode()
        traveller.shift(THROTTLE)  # throttled for a second after the first failure
        response = client.post(
            reverse("core:sudo"),
            {"password": PASSWORD, "token": wrong_code_for(device), "next": export},
        )
        assert "Koden stämmer inte" in response.content.decode()
        response = client.post(
            reverse("core:sudo"),
            {"password": "fel-losenord-helt", "token": code_for(device), "next": export},
        )
        assert "Lösenordet stämmer inte" in response.content.decode()
        assert client.get(export).status_code == 302

        traveller.shift(2 * THROTTLE)  # two failed codes: throttled for two seconds

        response = client.post(
            reverse("core:sudo"), {"password": PASSWORD, "token": code_for(device), "next": export}
        )
        assert response.status_code == 302
        assert response["Location"] == export
        response = client.get(export)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufefflöpnummer;tid;")
    assert AuditEvent.objects.get(action="audit.export").unit == world.p


def test_a_code_used_at_log_in_cannot_be_reused_for_sudo(world):
    petra = world["petra"]
    device = TOTPDevice.objects.create(user=petra, name="app", confirmed=True)
    export = reverse("core:provider_audit_export", kwargs={"provider": world.p.public_id})
    client = Client()
    with time_machine.travel(T0, tick=False) as traveller:
        login(client, "petra@test.example")
        code = code_for(device)
        client.post(reverse("core:two_factor"), {"token": code})
        client.get(reverse("core:choose_role"))
        assert client.get(world.p.get_absolute_url()).status_code == 200

        response = client.post(
            reverse("core:sudo"), {"password": PASSWORD, "token": code, "next": export}
        )
        assert response.status_code == 200
        assert "Koden stämmer inte" in response.content.decode()

        traveller.shift(30)
        response = client.post(
            reverse("core:sudo"), {"password": PASSWORD, "token": code_for(device), "next": export}
        )
        assert response["Location"] == export
        assert client.get(export).status_code == 200


def test_sudo_needs_a_logged_in_user(db):
    response = Client().get(reverse("core:sudo"))
    assert response.status_code == 302
    # Django's login_required leaves the slashes of next unquoted.
    assert response["Location"] == f"{reverse('core:login')}?next={reverse('core:sudo')}"


# --- Log-out -----------------------------------------------------------------------------------


def test_logout_needs_post(as_persona):
    client = as_persona("alice")
    response = client.get(reverse("core:logout"))
    assert response.status_code == 405
    assert "_auth_user_id" in client.session


def test_logout_ends_the_session(as_persona, world):
    client = as_persona("alice")
    response = client.post(reverse("core:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:login")
    assert "_auth_user_id" not in client.session
    assert SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action="auth.logout", user=world["alice"]).count() == 1
    home = world.a.get_absolute_url()
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"] == with_next("core:login", home)


# --- Role resolution -------------------------------------------------------------------------


def test_a_role_at_the_urls_owner_that_is_not_chosen_leads_to_the_choice(as_persona, world):
    RoleAssignment.objects.create(user=world["alice"], role=Role.BOARD, association=world.b)
    client = as_persona("alice")
    url = world.b.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == with_next("core:choose_role", url)


def test_no_role_at_the_urls_owner_is_a_404(as_persona, world):
    response = as_persona("alice").get(world.b.get_absolute_url())
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()


def test_a_deactivated_chosen_role_no_longer_acts(as_persona, world):
    client = as_persona("carol")
    assignment = world.roles["carol"]
    assignment.deactivated_at = datetime(2024, 1, 1, tzinfo=UTC)
    assignment.save()
    assert client.get(world.a.get_absolute_url()).status_code == 404


def test_anonymous_owner_urls_lead_to_login(world):
    url = reverse("core:association_members", kwargs={"association": world.a.slug})
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == with_next("core:login", url)


# --- Invitations -----------------------------------------------------------------------------


def _invite(world, email: str = "ny@test.example", role: str = Role.BOARD) -> str:
    actor = Actor(user=world["alice"], assignment=world.roles["alice"])
    issued = services.invite(
        actor, email=email, full_name="Ny Person", role=role, base_url="http://testserver"
    )
    return issued.token


def _accept_url(token: str) -> str:
    return reverse("core:accept_invitation", kwargs={"token": token})


def test_a_new_user_accepts_an_invitation(world):
    token = _invite(world)
    client = Client()
    response = client.get(_accept_url(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Du har bjudits in som <strong>Styrelse</strong> i Förbund A." in page
    assert "ny@test.example" in page

    response = client.post(
        _accept_url(token),
        {
            "full_name": "Nora Nyberg",
            "password1": "ett-langt-nytt-losen",
            "password2": "ett-langt-nytt-losen",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == world.a.get_absolute_url()

    user = User.objects.get(email="ny@test.example")
    assert user.full_name == "Nora Nyberg"
    assert user.check_password("ett-langt-nytt-losen")
    assignment = RoleAssignment.objects.get(user=user)
    assert (assignment.role, assignment.association, assignment.is_active) == (
        Role.BOARD,
        world.a,
        True,
    )
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[SESSION_KEY] == str(assignment.public_id)
    assert "Välkommen! Du har nu rollen Styrelse." in messages_of(response)
    invitation = Invitation.objects.get(email="ny@test.example")
    assert invitation.accepted_at is not None
    assert AuditEvent.objects.filter(action="invitation.accept", user=user).count() == 1

    response = client.get(world.a.get_absolute_url())
    assert response.status_code == 200
    assert "Du arbetar som Styrelse" in response.content.decode()


def test_a_new_coach_from_an_invitation_must_enrol_a_device(world):
    petra = Actor(user=world["petra"], assignment=world.roles["petra"])
    issued = services.invite(
        petra,
        email="nycoach@test.example",
        full_name="Ny Coach",
        role=Role.COACH,
        base_url="http://testserver",
    )
    client = Client()
    provider_home = world.p.get_absolute_url()
    response = client.post(
        _accept_url(issued.token),
        {
            "full_name": "Ny Coach",
            "password1": "ett-langt-nytt-losen",
            "password2": "ett-langt-nytt-losen",
        },
        follow=True,
    )
    assert response.redirect_chain == [
        (provider_home, 302),
        (with_next("core:two_factor", provider_home), 302),
        (with_next("core:two_factor_setup", provider_home), 302),
    ]
    assert 'src="data:image/svg+xml' in response.content.decode()


def test_invitation_passwords_must_match(world):
    token = _invite(world)
    response = Client().post(
        _accept_url(token),
        {
            "full_name": "Nora",
            "password1": "ett-langt-nytt-losen",
            "password2": "ett-annat-nytt-losen",
        },
    )
    assert response.status_code == 200
    assert "Lösenorden är inte lika." in response.content.decode()
    assert not User.objects.filter(email="ny@test.example").exists()
    assert Invitation.objects.get(email="ny@test.example").accepted_at is None


def test_invitation_password_must_be_long_enough(world):
    token = _invite(world)
    response = Client().post(
        _accept_url(token), {"full_name": "Nora", "password1": "kort-ord", "password2": "kort-ord"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["password1"] == [
        "Det här lösenordet är för kort. Det måste innehålla minst 12 tecken."
    ]
    assert not User.objects.filter(email="ny@test.example").exists()


def test_an_expired_invitation_is_refused(world):
    token = _invite(world)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=8), tick=False):
        response = Client().get(_accept_url(token))
    assert response.status_code == 410
    assert "Inbjudan har gått ut" in response.content.decode()


def test_a_used_invitation_is_refused(world):
    token = _invite(world)
    services.accept_invitation(token, user=None, full_name="Nora", password="ett-langt-nytt-losen")
    response = Client().get(_accept_url(token))
    assert response.status_code == 410
    assert "Inbjudan har redan använts" in response.content.decode()
    assert "redan använts" in response.content.decode()


def test_a_garbage_token_is_refused(world):
    response = Client().get(_accept_url("inte-en-riktig-token"))
    assert response.status_code == 410
    assert "Länken är ogiltig" in response.content.decode()


def test_an_existing_account_must_log_in_first(world):
    token = _invite(world, email="carol@test.example", role=Role.PREPARATORY)
    response = Client().get(_accept_url(token))
    assert response.status_code == 302
    assert response["Location"] == with_next("core:login", _accept_url(token))
    assert Invitation.objects.get(email="carol@test.example").accepted_at is None


def test_a_logged_in_user_accepts_with_their_account(world):
    token = _invite(world, email="carol@test.example", role=Role.PREPARATORY)
    client = Client()
    login(client, "carol@test.example", next_url=_accept_url(token))
    response = client.get(_accept_url(token))
    assert response.status_code == 200
    assert 'name="password1"' not in response.content.decode()
    response = client.post(_accept_url(token))
    assert response.status_code == 302
    assert response["Location"] == world.a.get_absolute_url()
    new = RoleAssignment.objects.get(user=world["carol"], role=Role.PREPARATORY)
    assert client.session[SESSION_KEY] == str(new.public_id)
    assert world.roles["carol"].is_active


def test_an_invitation_for_someone_else_is_refused(world):
    token = _invite(world, email="ny@test.example")
    client = Client()
    login(client, "carol@test.example")
    response = client.post(_accept_url(token))
    assert response.status_code == 410
    assert "Inbjudan gäller ny@test.example" in response.content.decode()
    assert Invitation.objects.get(email="ny@test.example").accepted_at is None


@pytest.mark.parametrize("persona", ["alice", "petra"])
def test_act_as_matches_a_real_log_in(world, persona):
    # A sanity check of the helper the other tests rely on.
    client = act_as(Client(), world, persona)
    assert client.get(world.roles[persona].home_url()).status_code == 200
