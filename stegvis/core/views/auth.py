"""Log-in, two-factor authentication, re-authentication, role choice and invitations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from stegvis.core import audit, services
from stegvis.core.actors import SESSION_KEY, active_assignments, chosen_assignment
from stegvis.core.forms import AcceptInvitationForm, LoginForm, SudoForm, TokenForm
from stegvis.core.middleware import is_verified
from stegvis.core.models import User
from stegvis.core.totp import qr_data_uri

SUDO_KEY = "stegvis_sudo_until"


def safe_next(request: HttpRequest, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _with_next(url: str, target: str) -> str:
    return f"{url}?{urlencode({'next': target})}" if target else url


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the start page of the role they act as, or to the role choice."""
    if not request.user.is_authenticated:
        return redirect("core:login")
    assignment = chosen_assignment(request)
    if assignment is not None:
        return redirect(assignment.home_url())
    return redirect("core:choose_role")


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    target = safe_next(request)
    if request.user.is_authenticated:
        return redirect(target or reverse("core:home"))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        auth_login(request, user)
        audit.record("auth.login", user=user, request=request)
        if confirmed_device(user) is not None:
            return redirect(_with_next(reverse("core:two_factor"), target))
        return redirect(_with_next(reverse("core:choose_role"), target))
    return render(request, "core/login.html", {"form": form, "next": target})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record("auth.logout", user=request.user, request=request)
    auth_logout(request)
    messages.success(request, _("Du är utloggad."))
    return redirect("core:login")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Second step of log-in: the code from the user's authenticator app."""
    target = safe_next(request)
    device = confirmed_device(request.user)
    if device is None:
        return redirect(_with_next(reverse("core:two_factor_setup"), target))
    if is_verified(request.user):
        return redirect(_with_next(reverse("core:choose_role"), target))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        waiting = throttle_message(device)
        if waiting:
            form.add_error("token", waiting)
        elif device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            audit.record("auth.two_factor", user=request.user, request=request)  # type: ignore[arg-type]
            return redirect(_with_next(reverse("core:choose_role"), target))
        else:
            audit.record("auth.two_factor_failed", user=request.user, request=request)  # type: ignore[arg-type]
            form.add_error(
                "token", _("Koden stämmer inte. Kontrollera att klockan i telefonen går rätt.")
            )
    return render(request, "core/two_factor.html", {"form": form, "next": target})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app by QR code. Replacing a confirmed one needs re-authentication."""
    target = safe_next(request)
    user = request.user
    if confirmed_device(user) is not None and not has_sudo(request):
        return redirect(_with_next(reverse("core:sudo"), request.get_full_path()))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            TOTPDevice.objects.filter(user=user, confirmed=True).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit.record("auth.two_factor_enrolled", user=user, request=request)  # type: ignore[arg-type]
            messages.success(request, _("Tvåstegsverifieringen är aktiverad."))
            return redirect(_with_next(reverse("core:choose_role"), target))
        form.add_error("token", _("Koden stämmer inte. Skanna QR-koden igen och försök på nytt."))
    context = {
        "form": form,
        "next": target,
        "qr": qr_data_uri(device.config_url),
        "secret": device_secret(device),
    }
    return render(request, "core/two_factor_setup.html", context)


def throttle_message(device: TOTPDevice) -> str:
    """Why a code cannot be tried now, after repeated wrong codes (django-otp's throttling)."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return ""
    locked_until = (info or {}).get("locked_until")
    seconds = (
        max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 1
    )
    return _(
        "För många felaktiga koder i rad. Vänta %(seconds)s sekunder och försök sedan igen."
    ) % {"seconds": seconds}


def device_secret(device: TOTPDevice) -> str:
    """The key in base32, grouped in fours, for typing into an app that cannot scan."""
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def has_sudo(request: HttpRequest) -> bool:
    until = request.session.get(SUDO_KEY)
    if not until:
        return False
    try:
        return datetime.fromisoformat(until) > timezone.now()
    except ValueError:
        return False


ViewFunc = Callable[..., HttpResponseBase]


def sudo_required(view: ViewFunc) -> ViewFunc:
    """Ask for the password (and code) again unless the user did so in the last minutes."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not has_sudo(request):
            return redirect(_with_next(reverse("core:sudo"), request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapper


@login_required
@require_http_methods(["GET", "POST"])
def sudo(request: HttpRequest) -> HttpResponse:
    target = safe_next(request, reverse("core:home"))
    device = confirmed_device(request.user)
    form = SudoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user: User = request.user  # type: ignore[assignment]
        ok = user.check_password(form.cleaned_data["password"])
        if not ok:
            form.add_error("password", _("Lösenordet stämmer inte."))
        elif device is not None and (waiting := throttle_message(device)):
            ok = False
            form.add_error("token", waiting)
        elif device is not None and not device.verify_token(form.cleaned_data["token"] or ""):
            ok = False
            form.add_error("token", _("Koden stämmer inte."))
        if ok:
            until = timezone.now() + settings.SUDO_LIFETIME
            request.session[SUDO_KEY] = until.isoformat()
            audit.record("auth.reauthenticated", user=user, request=request)
            return redirect(target)
        audit.record("auth.reauthentication_failed", user=user, request=request)
    return render(
        request, "core/sudo.html", {"form": form, "next": target, "needs_token": device is not None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def choose_role(request: HttpRequest) -> HttpResponse:
    target = safe_next(request)
    assignments = active_assignments(request.user)  # type: ignore[arg-type]
    if request.method == "POST":
        chosen = next(
            (a for a in assignments if str(a.public_id) == request.POST.get("assignment")), None
        )
        if chosen is None:
            messages.error(request, _("Välj en av dina roller."))
        else:
            request.session[SESSION_KEY] = str(chosen.public_id)
            audit.record(
                "auth.role_chosen",
                user=request.user,  # type: ignore[arg-type]
                owner=chosen.owner,
                obj=chosen,
                request=request,
            )
            return redirect(target or chosen.home_url())
    elif len(assignments) == 1 and not request.GET.get("byt"):
        # One role only: nothing to choose.
        only = assignments[0]
        request.session[SESSION_KEY] = str(only.public_id)
        return redirect(target or only.home_url())
    current = chosen_assignment(request)
    return render(
        request,
        "core/choose_role.html",
        {"assignments": assignments, "next": target, "current": current},
    )


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationError as error:
        return render(request, "core/invitation_invalid.html", {"message": str(error)}, status=410)
    user = request.user if request.user.is_authenticated else None
    has_account = user is not None or User.objects.filter(email=invitation.email).exists()
    form = (
        None
        if has_account
        else AcceptInvitationForm(
            request.POST or None,
            initial={"full_name": invitation.full_name},
            email=invitation.email,
        )
    )
    if has_account and user is None:
        messages.info(request, _("Du har redan ett konto. Logga in för att ta emot inbjudan."))
        return redirect(_with_next(reverse("core:login"), request.get_full_path()))
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            assignment = services.accept_invitation(
                token,
                user=user,
                full_name=form.cleaned_data["full_name"] if form else "",
                password=form.cleaned_data["password1"] if form else "",
            )
        except services.InvitationError as error:
            return render(
                request, "core/invitation_invalid.html", {"message": str(error)}, status=410
            )
        if user is None:
            auth_login(
                request, assignment.user, backend="django.contrib.auth.backends.ModelBackend"
            )
        request.session[SESSION_KEY] = str(assignment.public_id)
        messages.success(
            request,
            _("Välkommen! Du har nu rollen %(role)s.") % {"role": assignment.get_role_display()},
        )
        return redirect(assignment.home_url())
    return render(request, "core/accept_invitation.html", {"invitation": invitation, "form": form})
