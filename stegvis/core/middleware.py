"""Request middleware: the session clock, the acting role, and no caching of private pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from stegvis.core.actors import OWNER_KWARGS, RoleChoiceNeeded, resolve_actor


def is_verified(user: Any) -> bool:
    """Whether the user has passed a second factor in this session (set by django-otp)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


Handler = Callable[[HttpRequest], HttpResponse]

SESSION_STARTED = "stegvis_started"
SESSION_LAST_SEEN = "stegvis_last_seen"
# Sent by a page's own automatic refreshes (htmx polling, e.g. an import's progress): they are
# not the user's activity, so they neither keep an idle session alive nor write the session
# (which, on SQLite, would wait for a running import's write lock).
POLL_HEADER = "Stegvis-Poll"


class SessionTimeoutMiddleware:
    """Log the user out after a period of inactivity, and after an absolute lifetime."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now()
            started = _read_time(request.session.get(SESSION_STARTED))
            last_seen = _read_time(request.session.get(SESSION_LAST_SEEN))
            expired_idle = last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT
            expired_absolute = (
                started is not None and now - started > settings.SESSION_ABSOLUTE_LIFETIME
            )
            if expired_idle or expired_absolute:
                logout(request)
                messages.info(
                    request,
                    _("Du har loggats ut eftersom sessionen var inaktiv för länge.")
                    if expired_idle
                    else _("Du har loggats ut eftersom sessionen nått sin längsta tid."),
                )
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('core:login')}?{query}")
            if started is None:
                request.session[SESSION_STARTED] = now.isoformat()
            if request.headers.get(POLL_HEADER) != "1":
                request.session[SESSION_LAST_SEEN] = now.isoformat()
        return self.get_response(request)


def _read_time(raw: Any) -> datetime | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError:
        return None


class ActorMiddleware:
    """Resolve ``request.actor`` from the URL's owner and the session's chosen role.

    An owner the user has no role in answers 404; a role the user holds but has not chosen sends
    them to the role choice; a role that needs two factors sends an unverified user to verify.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = None  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        owner_kwargs = [k for k in OWNER_KWARGS if k in view_kwargs]
        if not owner_kwargs:
            return None
        if not request.user.is_authenticated:
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('core:login')}?{query}")
        kind = owner_kwargs[0]
        try:
            actor = resolve_actor(request, OWNER_KWARGS[kind], view_kwargs[kind])
        except RoleChoiceNeeded:
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('core:choose_role')}?{query}")
        if actor.needs_two_factor and not is_verified(request.user):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('core:two_factor')}?{query}")
        request.actor = actor  # type: ignore[attr-defined]
        return None


class NoStoreMiddleware:
    """Pages for logged-in users may show personal data: no cache may keep them."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated or getattr(request, "actor", None) is not None:
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response


class LanguageMiddleware:
    """Swedish unless the user chose another language with the switch (a cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: many Swedish
    officials run English browsers, and a public service is Swedish first.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # Nothing after this request on the same thread inherits its language.
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response
