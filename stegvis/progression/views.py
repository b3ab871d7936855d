"""Progression pages: the coach's work list, a participant's measurements and change, the
intervention's figures, instruments and plans (provider side); instruments and ladder step names
(association side); and the participant's public self-assessment page. Thin: parse, call a
service, render."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from stegvis.core import audit, throttle
from stegvis.core.actors import Actor
from stegvis.core.forms import attach_errors
from stegvis.core.models import ASSOCIATION_ROLES, Role
from stegvis.core.permissions import get_actor, role_required
from stegvis.interventions.models import Goal
from stegvis.progression import charts, figures, services
from stegvis.progression.access import (
    get_enrolment_for_user,
    get_instrument_for_user,
    get_intervention_for_user,
    get_measurement_for_user,
)
from stegvis.progression.forms import (
    AnswersForm,
    InstrumentUploadForm,
    LadderLabelsForm,
    MeasurementForm,
    PlanForm,
    SelfAnswerForm,
)
from stegvis.progression.instrument_files import (
    InstrumentFileError,
    read_file,
    to_xlsx,
    to_yaml,
)
from stegvis.progression.models import (
    Answer,
    Instrument,
    InstrumentVersion,
    Item,
    Measurement,
)
from stegvis.progression.permissions import (
    STAFF,
    can_load_instruments,
    can_name_ladder_steps,
    can_plan,
)

PAGE_SIZE = 50
OUTCOMES = {
    "created": gettext_lazy("Instrumentet är inläst."),
    "unchanged": gettext_lazy(
        "Filen var likadan som instrumentets senaste version; inget ändrades."
    ),
    "updated": gettext_lazy("Instrumentet är uppdaterat (det fanns inga mätningar med det ännu)."),
    "new_version": gettext_lazy(
        "En ny version är skapad. Gjorda mätningar behåller den version de gjordes med."
    ),
}


def _p(actor: Actor, name: str, **kwargs: Any) -> str:
    assert actor.unit is not None
    return reverse(f"progression:{name}", kwargs={"provider": actor.unit.public_id, **kwargs})


def _a(actor: Actor, name: str, **kwargs: Any) -> str:
    assert actor.association is not None
    return reverse(f"progression:{name}", kwargs={"association": actor.association.slug, **kwargs})


def _ladder_labels(intervention: Any, instrument: Instrument | None) -> dict[int, str]:
    if instrument is None:
        return {}
    return services.ladder_labels(intervention.lead_association, instrument)


# --- Work list -----------------------------------------------------------------------------


@role_required(STAFF)
def work_list(request: HttpRequest, provider: str) -> HttpResponse:
    actor = get_actor(request)
    today = timezone.localdate()
    page = Paginator(services.work_list(actor, today=today), PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    audit.record("measurement.worklist", actor=actor, reason=f"{len(page.object_list)} rader")
    return render(request, "progression/work_list.html", {"page": page, "today": today})


# --- One participant's progression ---------------------------------------------------------


@role_required(STAFF)
def enrolment_progress(request: HttpRequest, provider: str, enrolment: str) -> HttpResponse:
    """The enrolment's measurements, and the change per item and in total, with a chart."""
    obj = get_enrolment_for_user(request, enrolment, what="stegförflyttning")
    measurements = list(
        obj.measurements.annotate(answered=Count("answers"))
        .prefetch_related("versions")
        .order_by("date", "created_at")
    )
    used = (
        Instrument.objects.filter(
            versions__in=Measurement.versions.through.objects.filter(
                measurement__enrolment=obj
            ).values("instrumentversion")
        )
        .distinct()
        .order_by("key")
    )
    sections = []
    for instrument in used:
        result = figures.participant_figures(obj, instrument)
        labels = (
            services.ladder_labels(obj.intervention.lead_association, instrument)
            if result.is_ladder
            else {}
        )
        chart = ""
        if not result.is_ladder and any(r.first is not None for r in result.rows):
            chart = charts.profile_chart(
                result,
                first_label=_("Första mätningen"),
                latest_label=_("Senaste mätningen"),
                scale_label=_("Andel av frågans skala (%)"),
            )
        ladder = None
        if result.is_ladder and result.rows and result.rows[0].first is not None:
            row = result.rows[0]
            ladder = {
                "first": f"{row.first}. {row.item.label_for(row.first, labels)}",
                "latest": f"{row.latest}. {row.item.label_for(row.latest, labels)}",
            }
        sections.append({"figures": result, "ladder": ladder, "chart": chart})
    return render(
        request,
        "progression/enrolment_progress.html",
        {"enrolment": obj, "measurements": measurements, "sections": sections},
    )


@role_required(STAFF)
@require_http_methods(["GET", "POST"])
def measurement_create(request: HttpRequest, provider: str, enrolment: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_enrolment_for_user(request, enrolment, what="ny mätning")
    plan = services.plan_for(obj.intervention)
    instruments = Instrument.objects.visible_to(actor).order_by("key")
    has_any = obj.measurements.exists()
    default_occasion = (
        Measurement.Occasion.EXIT
        if obj.exit_date
        else (Measurement.Occasion.PERIODIC if has_any else Measurement.Occasion.START)
    )
    form = MeasurementForm(
        request.POST or None,
        instruments=instruments,
        initial={
            "occasion": default_occasion,
            "date": timezone.localdate(),
            "instruments": [i.pk for i in plan.instruments],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            measurement = services.create_measurement(
                actor,
                obj,
                occasion=data["occasion"],
                day=data["date"],
                instruments=data["instruments"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Mätningen är skapad. Fyll i svaren eller skapa en länk."))
            return redirect(_p(actor, "measurement_detail", measurement=measurement.public_id))
    return render(request, "progression/measurement_form.html", {"form": form, "enrolment": obj})


@role_required(STAFF)
@require_http_methods(["GET", "POST"])
def measurement_detail(request: HttpRequest, provider: str, measurement: str) -> HttpResponse:
    """The coach's ratings, the participant's answers (own, or entered on their behalf), and the
    self-assessment link."""
    actor = get_actor(request)
    obj = get_measurement_for_user(request, measurement, what="mätning")
    items = services.measurement_items(obj)
    answers = {a.item_id: a for a in obj.answers.all()}
    ladder = next((i.version.instrument for i in items if i.version.is_ladder), None)
    labels = _ladder_labels(obj.enrolment.intervention, ladder)
    form = AnswersForm(request.POST or None, items=items, answers=answers, labels=labels)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.record_answers(actor, obj, form.values())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("%(n)s svar sparade.") % {"n": saved})
            return redirect(request.path)
    links = list(obj.links.order_by("-created_at")[:5])
    now = timezone.now()
    return render(
        request,
        "progression/measurement_detail.html",
        {
            "measurement": obj,
            "form": form,
            "answers": answers,
            "participant_total": len(form.participant_fields),
            "participant_answered": sum(
                1 for i in items if i.audience == Item.Audience.PARTICIPANT and i.pk in answers
            ),
            "own_answers": sum(1 for a in answers.values() if a.by == Answer.By.PARTICIPANT),
            "open_link": next((link for link in links if link.is_open(now)), None),
        },
    )


@role_required(STAFF)
@require_POST
def link_create(request: HttpRequest, provider: str, measurement: str) -> HttpResponse:
    """A new one-time link and its QR code, shown once."""
    actor = get_actor(request)
    obj = get_measurement_for_user(request, measurement, what="självskattningslänk")
    try:
        link, token = services.create_link(actor, obj)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_p(actor, "measurement_detail", measurement=obj.public_id))
    url = request.build_absolute_uri(reverse("progression:self_assessment", args=[token]))
    qr = str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))
    return render(
        request,
        "progression/link.html",
        {"measurement": obj, "link": link, "url": url, "qr": qr},
    )


# --- The intervention ----------------------------------------------------------------------


@role_required(STAFF)
def intervention_figures(request: HttpRequest, provider: str, intervention: str) -> HttpResponse:
    """Figures of the intervention for women, men and in total: provider side only."""
    actor = get_actor(request)
    obj = get_intervention_for_user(request, intervention)
    plan = services.plan_for(obj)
    visible = list(Instrument.objects.visible_to(actor).order_by("key"))
    chosen = request.GET.get("profil")
    offered = plan.instruments or visible
    profile = next((i for i in visible if str(i.public_id) == chosen), None)
    profile = profile or services.pick_instrument(offered, ladder=False)
    ladder = services.pick_instrument(offered, ladder=True)
    labels = _ladder_labels(obj, ladder)
    result = figures.intervention_figures(obj, profile=profile, ladder=ladder, ladder_labels=labels)
    goals = []
    if ladder is not None:
        for goal in obj.goals.filter(measure=Goal.Measure.SHARE_POSITIVE_STEP).order_by(
            "period_start"
        ):
            goals.append({"goal": goal, "result": figures.step_goal(goal, ladder=ladder)})
    audit.record("progression.figures", actor=actor, obj=obj)
    return render(
        request,
        "progression/intervention_figures.html",
        {
            "intervention": obj,
            "figures": result,
            "profile": profile,
            "profile_version": profile.latest_version() if profile else None,
            "profiles": [i for i in visible if not i.latest_version().is_ladder],
            "ladder": ladder,
            "plan": plan,
            "groups": figures.GROUPS,
            "can_plan": can_plan(actor),
            "goals": goals,
        },
    )


@role_required({Role.PROVIDER_MANAGER})
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, provider: str, intervention: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_intervention_for_user(request, intervention)
    plan = services.plan_for(obj)
    form = PlanForm(
        request.POST or None,
        instruments=Instrument.objects.visible_to(actor).order_by("key"),
        initial={
            "instruments": [i.pk for i in plan.instruments],
            "at_start": plan.at_start,
            "interval_weeks": plan.interval_weeks,
            "at_exit": plan.at_exit,
            "at_follow_up": plan.at_follow_up,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_plan(
                actor,
                obj,
                instruments=data["instruments"],
                at_start=data["at_start"],
                interval_weeks=data["interval_weeks"],
                at_exit=data["at_exit"],
                at_follow_up=data["at_follow_up"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Mätplanen är sparad."))
            return redirect(_p(actor, "intervention_figures", intervention=obj.public_id))
    return render(request, "progression/plan_form.html", {"form": form, "intervention": obj})


# --- Instruments ---------------------------------------------------------------------------


def _instrument_rows(actor: Actor) -> list[dict[str, Any]]:
    instruments = (
        Instrument.objects.visible_to(actor)
        .select_related("association", "provider")
        .annotate(version_count=Count("versions", distinct=True))
        .order_by("key")
    )
    latest = {
        v.instrument_id: v
        for v in InstrumentVersion.objects.filter(instrument__in=instruments)
        .annotate(items_count=Count("items"))
        .order_by("instrument_id", "number")
    }
    return [{"instrument": i, "version": latest.get(i.pk)} for i in instruments]


def _instrument_list(request: HttpRequest, **owner: str) -> HttpResponse:
    actor = get_actor(request)
    return render(
        request,
        "progression/instrument_list.html",
        {
            "rows": _instrument_rows(actor),
            "can_load": can_load_instruments(actor),
            "can_name_steps": can_name_ladder_steps(actor),
            "is_provider": actor.unit is not None,
        },
    )


def _instrument_detail(request: HttpRequest, instrument: str, **owner: str) -> HttpResponse:
    obj = get_instrument_for_user(request, instrument)
    versions = list(obj.versions.prefetch_related("items").order_by("-number"))
    return render(
        request,
        "progression/instrument_detail.html",
        {"instrument": obj, "versions": versions, "is_provider": "provider" in owner},
    )


def _instrument_download(request: HttpRequest, instrument: str, **owner: str) -> HttpResponse:
    obj = get_instrument_for_user(request, instrument)
    content = to_yaml(services.spec_of(obj.latest_version()))
    response = HttpResponse(content, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{obj.key}.yaml"'
    return response


@require_http_methods(["GET", "POST"])
def _instrument_upload(request: HttpRequest, **owner: str) -> HttpResponse:
    """Load an instrument file: all or nothing, every problem listed."""
    actor = get_actor(request)
    form = InstrumentUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            upload = form.cleaned_data["file"]
            spec = read_file(upload.name or "", upload.read())
            instrument, outcome = services.load_instrument(spec, actor=actor)
        except InstrumentFileError as error:
            problems = error.problems
        else:
            messages.success(request, str(OUTCOMES[outcome]))
            back = _p if actor.unit is not None else _a
            prefix = "provider" if actor.unit is not None else "association"
            return redirect(
                back(actor, f"{prefix}_instrument_detail", instrument=instrument.public_id)
            )
    return render(
        request, "progression/instrument_upload.html", {"form": form, "problems": problems}
    )


def _instrument_download_xlsx(request: HttpRequest, instrument: str, **owner: str) -> HttpResponse:
    obj = get_instrument_for_user(request, instrument)
    response = HttpResponse(
        to_xlsx(services.spec_of(obj.latest_version())),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{obj.key}.xlsx"'
    return response


# The same pages under each owner, each with only that owner's roles.
provider_instrument_list = role_required(STAFF)(_instrument_list)
provider_instrument_detail = role_required(STAFF)(_instrument_detail)
provider_instrument_download = role_required(STAFF)(_instrument_download)
provider_instrument_download_xlsx = role_required(STAFF)(_instrument_download_xlsx)
provider_instrument_upload = role_required({Role.PROVIDER_MANAGER})(_instrument_upload)
association_instrument_list = role_required(ASSOCIATION_ROLES)(_instrument_list)
association_instrument_detail = role_required(ASSOCIATION_ROLES)(_instrument_detail)
association_instrument_download = role_required(ASSOCIATION_ROLES)(_instrument_download)
association_instrument_download_xlsx = role_required(ASSOCIATION_ROLES)(_instrument_download_xlsx)
association_instrument_upload = role_required({Role.OFFICE})(_instrument_upload)


@role_required({Role.OFFICE})
@require_http_methods(["GET", "POST"])
def ladder_steps(request: HttpRequest, association: str, instrument: str) -> HttpResponse:
    """The office names the ladder's steps for its association."""
    actor = get_actor(request)
    obj = get_instrument_for_user(request, instrument)
    version = obj.latest_version()
    if not version.is_ladder:
        raise Http404
    item = version.items.get()
    assert actor.association is not None
    labels = services.ladder_labels(actor.association, obj)
    form = LadderLabelsForm(request.POST or None, item=item, labels=labels)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_ladder_labels(actor, obj, form.labels())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Stegens namn är sparade."))
            return redirect(_a(actor, "association_instrument_list"))
    return render(
        request,
        "progression/ladder_steps.html",
        {"form": form, "instrument": obj, "version": version},
    )


# --- The participant's public page ---------------------------------------------------------

# Wrong tokens per address: a person mistyping is fine, guessing is not.
GUESS_LIMIT = 20
GUESS_WINDOW = timedelta(minutes=10)


def _public(response: HttpResponseBase) -> HttpResponseBase:
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def self_assessment(request: HttpRequest, token: str) -> HttpResponseBase:
    """The participant answers one question at a time; every answer is saved at once, so they
    can stop and continue with the same link. No account, no identity on the page."""
    try:
        link = services.link_for_token(token)
    except services.LinkError as error:
        if error.status == 404 and not throttle.allow(
            "progression.self_assessment",
            throttle.client_address(request),
            limit=GUESS_LIMIT,
            window=GUESS_WINDOW,
        ):
            return _public(
                render(
                    request,
                    "progression/self_invalid.html",
                    {"message": _("För många försök. Vänta en stund och försök igen.")},
                    status=429,
                )
            )
        return _public(
            render(
                request,
                "progression/self_invalid.html",
                {"message": str(error)},
                status=error.status,
            )
        )
    items = services.participant_items(link.measurement)
    answers = dict(link.measurement.answers.filter(item__in=items).values_list("item_id", "value"))
    try:
        index = int(request.POST.get("fraga") or request.GET.get("fraga") or -1)
    except ValueError:
        index = -1
    if not 0 <= index <= len(items):
        index = next((n for n, i in enumerate(items) if i.pk not in answers), len(items))
    context: dict[str, Any] = {
        "token": token,
        "index": index,
        "number": index + 1,
        "total": len(items),
        "answered": len(answers),
        "expires": link.expires_at,
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "skicka":
            try:
                services.submit_self_assessment(link)
            except ValidationError as error:
                context["message"] = " ".join(error.messages)
                return _public(
                    render(request, "progression/self_invalid.html", context, status=410)
                )
            return _public(render(request, "progression/self_done.html", context))
        if index < len(items) and action in {"svara", "pausa", "tillbaka"}:
            item = items[index]
            form = SelfAnswerForm(request.POST, item=item)
            form.is_valid()
            raw = form.cleaned_data.get("svar", "")
            if raw:
                try:
                    services.save_self_answer(link, item, raw)
                except ValidationError as error:
                    form.add_error("svar", error)
                    context.update(item=item, form=form)
                    return _public(render(request, "progression/self_question.html", context))
        if action == "pausa":
            return _public(render(request, "progression/self_paused.html", context))
        if action == "tillbaka":
            return _public(redirect(f"{request.path}?fraga={max(index - 1, 0)}"))
        return _public(redirect(f"{request.path}?fraga={min(index + 1, len(items))}"))
    services.open_self_assessment(link)
    if index >= len(items):
        missing = [n + 1 for n, i in enumerate(items) if i.pk not in answers]
        context["missing"] = missing
        return _public(render(request, "progression/self_submit.html", context))
    item = items[index]
    form = SelfAnswerForm(initial={"svar": str(answers.get(item.pk, ""))}, item=item)
    context.update(item=item, form=form)
    return _public(render(request, "progression/self_question.html", context))
