"""The respondent's page (``/enkat/<token>/``): no account, no owner in the URL, phone-sized.

The round is found by the hash of the link's secret. Nothing about the respondent is stored
with the answer (see ``services.submit_response``). Answering twice from one device is held
back, best effort and without storing identity: a signed cookie on the device says the round
was answered, and a rate limit per address (counted under a keyed hash, purged within a day)
stops floods without blocking colleagues who share one office address. The limit is counted per
network (/24 for IPv4, /48 for IPv6), never per single address, so that even someone holding the
database and the secret key cannot tell which device answered.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from stegvis.core import throttle
from stegvis.surveys import services
from stegvis.surveys.forms import AnswerForm
from stegvis.surveys.models import Questionnaire, SurveyRound, translated
from stegvis.surveys.views import attach

# Answers from one network to one round per hour before the page asks to wait.
ADDRESS_LIMIT = 30
ADDRESS_WINDOW = timedelta(hours=1)
COOKIE_SALT = "stegvis.surveys.answered"


def _network(address: str) -> str:
    """The caller's network, not their address: the unit the rate limit counts."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _cookie_name(survey_round: SurveyRound) -> str:
    return f"stegvis_svarat_{survey_round.public_id.hex[:16]}"


def _answered_here(request: HttpRequest, survey_round: SurveyRound) -> bool:
    raw = request.COOKIES.get(_cookie_name(survey_round), "")
    try:
        return signing.loads(raw, salt=COOKIE_SALT) == str(survey_round.public_id)
    except signing.BadSignature:
        return False


def _refusal(request: HttpRequest, survey_round: SurveyRound | None, status: int) -> HttpResponse:
    return render(
        request,
        "surveys/answer_refused.html",
        {"round": survey_round, "reason": {404: "unknown", 410: "closed", 429: "busy"}[status]},
        status=status,
    )


def _context(survey_round: SurveyRound, form: AnswerForm) -> dict[str, object]:
    version = survey_round.version
    is_violence = version.questionnaire.kind == Questionnaire.Kind.VIOLENCE
    context: dict[str, object] = {
        "round": survey_round,
        "title": version.title,
        "intro": translated(version.intro),
        "form": form,
        "is_violence": is_violence,
    }
    if is_violence:
        context["help"] = services.violence_support(survey_round.association).help_for()
    return context


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    survey_round = services.round_for_token(token)
    if survey_round is None:
        return _refusal(request, None, 404)
    if not survey_round.is_open():
        return _refusal(request, survey_round, 410)
    if _answered_here(request, survey_round):
        return render(
            request,
            "surveys/answer_done.html",
            _context(survey_round, AnswerForm(survey_round=survey_round)) | {"again": True},
        )
    form = AnswerForm(request.POST if request.method == "POST" else None, survey_round=survey_round)
    if request.method == "POST" and form.is_valid():
        network = _network(throttle.client_address(request))
        if not throttle.allow(
            "survey-answer",
            f"{survey_round.pk}:{network}",
            limit=ADDRESS_LIMIT,
            window=ADDRESS_WINDOW,
        ):
            return _refusal(request, survey_round, 429)
        try:
            services.submit_response(
                survey_round,
                form.answers(),
                intervention=form.intervention(),
                language=translation.get_language() or "sv",
            )
        except services.RoundClosed:
            return _refusal(request, survey_round, 410)
        except ValidationError as error:
            attach(form, error)
        else:
            response = redirect(reverse("surveys:thanks", kwargs={"token": token}))
            days_left = (survey_round.closes_on - timezone.localdate()).days + 1
            response.set_cookie(
                _cookie_name(survey_round),
                signing.dumps(str(survey_round.public_id), salt=COOKIE_SALT),
                max_age=max(days_left, 1) * 86400,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
            return response
    return render(request, "surveys/answer.html", _context(survey_round, form))


@never_cache
@require_GET
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    survey_round = services.round_for_token(token)
    if survey_round is None:
        return _refusal(request, None, 404)
    return render(
        request,
        "surveys/answer_done.html",
        _context(survey_round, AnswerForm(survey_round=survey_round)) | {"again": False},
    )
