"""The provider's pages (``/p/<provider>/…``): the survey links to hand out, the violence
screening of each enrolment and its coverage, paper forms counted, and the routine for referring
on. Screenings are personal data: read and written through the participants' audited helpers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from stegvis.core import audit
from stegvis.core.actors import Actor
from stegvis.core.models import PROVIDER_ROLES, Association
from stegvis.core.permissions import get_actor, role_required
from stegvis.interventions.models import Intervention
from stegvis.participants.models import Enrolment
from stegvis.surveys import services
from stegvis.surveys.access import get_round_for_user, get_screening_enrolment_for_user
from stegvis.surveys.forms import ScreeningForm
from stegvis.surveys.models import Questionnaire, SurveyRound, ViolenceScreening
from stegvis.surveys.results import screening_coverage
from stegvis.surveys.views import attach, paper_tallies_page, public_link, qr_data_uri

PAGE_SIZE = 50


def purl(actor: Actor, name: str, **kwargs: object) -> str:
    assert actor.unit is not None
    return reverse(f"surveys:{name}", kwargs={"provider": actor.unit.public_id, **kwargs})


def _open_rounds(actor: Actor) -> list[SurveyRound]:
    today = timezone.localdate()
    return list(
        SurveyRound.objects.for_provider(actor)
        .filter(closed_on__isnull=True, opens_on__lte=today, closes_on__gte=today)
        .select_related("version__questionnaire", "association")
        .order_by("closes_on", "title")[:20]
    )


@role_required(PROVIDER_ROLES)
@require_GET
def provider_surveys(request: HttpRequest, provider: str) -> HttpResponse:
    """The open rounds of the actor's interventions, each with its link and QR code."""
    actor = get_actor(request)
    rounds = []
    for survey_round in _open_rounds(actor):
        link = public_link(request, survey_round)
        rounds.append({"round": survey_round, "link": link, "qr": qr_data_uri(link)})
    return render(request, "surveys/provider_surveys.html", {"rounds": rounds})


@role_required(PROVIDER_ROLES)
@require_GET
def screening_overview(request: HttpRequest, provider: str) -> HttpResponse:
    """Coverage per intervention (goal: every exited participant asked), the enrolments still
    to be asked, the routine for referring on and the open violence rounds."""
    actor = get_actor(request)
    year = timezone.localdate().year
    raw = request.GET.get("ar", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        year = int(raw)
    enrolments = Enrolment.objects.visible_to(actor)
    pending = (
        enrolments.filter(
            Q(violence_screening__isnull=True) | ~Q(violence_screening__outcome="asked")
        )
        .exclude(exit_reason="felregistrering")
        .select_related("participant", "intervention", "violence_screening")
        .order_by("exit_date", "start", "pk")
    )
    page = Paginator(pending, PAGE_SIZE).get_page(request.GET.get("sida"))
    # The list shows participants' names: a read of personal data, as on the participant list.
    audit.record("violence_screening.list", actor=actor, reason=f"{len(page.object_list)} rader")
    associations = Association.objects.filter(
        pk__in=Intervention.objects.visible_to(actor).values("lead_association")
    ).order_by("name")
    violence_rounds = [
        r for r in _open_rounds(actor) if r.questionnaire.kind == Questionnaire.Kind.VIOLENCE
    ]
    return render(
        request,
        "surveys/screening_overview.html",
        {
            "year": year,
            "coverage": screening_coverage(enrolments, year=year),
            "page": page,
            "supports": [services.violence_support(a) for a in associations],
            "violence_rounds": violence_rounds,
        },
    )


@role_required(PROVIDER_ROLES)
@require_http_methods(["GET", "POST"])
def screening_record(request: HttpRequest, provider: str, enrolment: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_screening_enrolment_for_user(request, enrolment)
    existing = ViolenceScreening.objects.visible_to(actor).filter(enrolment=obj).first()
    initial = (
        {"outcome": existing.outcome, "reason": existing.reason, "on": existing.on}
        if existing
        else {"on": timezone.localdate()}
    )
    form = ScreeningForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_screening(actor, obj, **form.cleaned_data)
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, _("Frågor om våld är registrerade för inskrivningen."))
            return redirect(
                reverse(
                    "participants:participant_detail",
                    kwargs={"provider": provider, "participant": obj.participant.public_id},
                )
            )
    return render(
        request,
        "surveys/screening_form.html",
        {
            "form": form,
            "enrolment": obj,
            "participant": obj.participant,
            "existing": existing,
            "back": purl(actor, "screening_overview"),
        },
    )


@role_required(PROVIDER_ROLES)
@require_http_methods(["GET", "POST"])
def provider_paper(request: HttpRequest, provider: str, round: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_round_for_user(request, round)
    return paper_tallies_page(request, actor, obj, purl(actor, "screening_overview"))
