"""Plan pages of an association (``/a/<association>/verksamhetsplan/…``).

Office, board, preparatory group and auditor read; only the office writes (``role_required`` plus
the services' own check). Views parse the request, call a service or ``followup``, and render."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stegvis.core.forms import attach_errors
from stegvis.core.models import Role
from stegvis.core.permissions import get_actor, role_required
from stegvis.plans import document, services
from stegvis.plans.access import (
    get_activity_for_user,
    get_area_for_user,
    get_conclusion_for_user,
    get_consultation_for_user,
    get_goal_for_user,
    get_obligation_for_user,
    get_part_for_user,
    get_plan_for_user,
)
from stegvis.plans.calendar import year_calendar
from stegvis.plans.followup import follow_up
from stegvis.plans.forms import (
    ActivityForm,
    AreaForm,
    ConclusionForm,
    ConsiderForm,
    ConsultationForm,
    DecideForm,
    FollowForm,
    GoalForm,
    ObligationForm,
    ParticipantForm,
    PeriodForm,
    SendForm,
    TextsForm,
    YearForm,
)
from stegvis.plans.measures import Period
from stegvis.plans.models import Consultation, FocusArea, Obligation, Plan
from stegvis.plans.permissions import READ_ROLES, can_edit_plans
from stegvis.reports.permissions import sees_exact_figures

PAGE_SIZE = 25
OFFICE = {Role.OFFICE}


def url(request: HttpRequest, name: str, **kwargs: object) -> str:
    association = get_actor(request).association
    assert association is not None
    return reverse(f"plans:{name}", kwargs={"association": association.slug, **kwargs})


@role_required(READ_ROLES)
def plan_list(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    plans = Plan.objects.visible_to(actor).order_by("-year", "-version")
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("sida"))
    form = YearForm(initial={"year": timezone.localdate().year + 1})
    return render(
        request,
        "plans/plan_list.html",
        {"page": page, "form": form, "can_edit": can_edit_plans(actor)},
    )


@role_required(OFFICE)
@require_POST
def plan_create(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    form = YearForm(request.POST)
    if form.is_valid():
        try:
            plan = services.create_plan(actor, form.cleaned_data["year"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Planen är skapad som utkast."))
            return redirect(url(request, "detail", plan=plan.public_id))
    plans = Plan.objects.visible_to(actor).order_by("-year", "-version")
    page = Paginator(plans, PAGE_SIZE).get_page(1)
    return render(
        request,
        "plans/plan_list.html",
        {"page": page, "form": form, "can_edit": True},
        status=400,
    )


def considerations(plan: Plan) -> Any:
    return plan.considerations.select_related(
        "conclusion__consultation", "area", "goal", "activity"
    ).order_by("conclusion__consultation__date", "conclusion_id", "id")


def _detail(request: HttpRequest, plan: Plan, status: int = 200, **forms: Any) -> HttpResponse:
    actor = get_actor(request)
    editable = can_edit_plans(actor) and not plan.is_locked
    if plan.is_locked:
        # The forms of a locked plan are not shown: say why the change was refused.
        for form in forms.values():
            if hasattr(form, "errors"):
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
    areas = []
    for area in plan.areas.prefetch_related(
        "goals__intervention", "goals__questionnaire", "activities"
    ).order_by("position", "id"):
        # One pair of forms per focus area, with ids of their own (unique on the page).
        goal_form = forms.get("goal_form") if forms.get("goal_area") == area else None
        activity_form = forms.get("activity_form") if forms.get("activity_area") == area else None
        areas.append(
            (
                area,
                goal_form or GoalForm(actor=actor, auto_id=f"mal-{area.pk}-%s"),
                activity_form
                or ActivityForm(
                    plan=plan, initial={"year": plan.year}, auto_id=f"aktivitet-{area.pk}-%s"
                ),
            )
        )
    newest = (
        Plan.objects.filter(association=plan.association, year=plan.year)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    versions = Plan.objects.filter(association=plan.association, year=plan.year).order_by("version")
    context = {
        "plan": plan,
        "areas": areas,
        "editable": editable,
        "can_edit": can_edit_plans(actor),
        "is_newest": newest == plan.version,
        "versions": versions,
        "considerations": considerations(plan),
        "texts_form": forms.get("texts_form")
        or TextsForm(initial={f: getattr(plan, f) for f in TextsForm.base_fields}),
        "area_form": forms.get("area_form") or AreaForm(),
        "send_form": forms.get("send_form") or SendForm(initial={"sent_on": timezone.localdate()}),
        "decide_form": forms.get("decide_form")
        or DecideForm(initial={"decided_on": timezone.localdate()}),
    }
    return render(request, "plans/plan_detail.html", context, status=status)


@role_required(READ_ROLES)
def plan_detail(request: HttpRequest, association: str, plan: str) -> HttpResponse:
    return _detail(request, get_plan_for_user(request, plan))


@role_required(OFFICE)
@require_POST
def plan_texts(request: HttpRequest, association: str, plan: str) -> HttpResponse:
    obj = get_plan_for_user(request, plan)
    form = TextsForm(request.POST)
    if form.is_valid():
        try:
            services.update_texts(get_actor(request), obj, services.PlanTexts(**form.cleaned_data))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Texterna är sparade."))
            return redirect(url(request, "detail", plan=obj.public_id))
    return _detail(request, obj, status=400, texts_form=form)


@role_required(OFFICE)
@require_POST
def area_add(request: HttpRequest, association: str, plan: str) -> HttpResponse:
    obj = get_plan_for_user(request, plan)
    form = AreaForm(request.POST)
    if form.is_valid():
        try:
            services.add_area(get_actor(request), obj, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Målområdet är tillagt."))
            return redirect(url(request, "detail", plan=obj.public_id))
    return _detail(request, obj, status=400, area_form=form)


@role_required(OFFICE)
@require_POST
def goal_add(request: HttpRequest, association: str, plan: str, area: str) -> HttpResponse:
    obj = get_plan_for_user(request, plan)
    focus = get_area_for_user(request, obj, area)
    actor = get_actor(request)
    form = GoalForm(request.POST, actor=actor, auto_id=f"mal-{focus.pk}-%s")
    if form.is_valid():
        try:
            services.add_goal(actor, focus, services.GoalDetails(**form.cleaned_data))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Målet är tillagt."))
            return redirect(url(request, "detail", plan=obj.public_id) + f"#omrade-{focus.pk}")
    return _detail(request, obj, status=400, goal_form=form, goal_area=focus)


@role_required(OFFICE)
@require_POST
def goal_delete(request: HttpRequest, association: str, plan: str, plan_goal: str) -> HttpResponse:
    obj = get_plan_for_user(request, plan)
    target = get_goal_for_user(request, obj, plan_goal)
    try:
        services.delete_goal(get_actor(request), target)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Målet är borttaget."))
    return redirect(url(request, "detail", plan=obj.public_id))


@role_required(OFFICE)
@require_POST
def activity_add(request: HttpRequest, association: str, plan: str, area: str) -> HttpResponse:
    obj = get_plan_for_user(request, plan)
    focus = get_area_for_user(request, obj, area)
    form = ActivityForm(request.POST, plan=obj, auto_id=f"aktivitet-{focus.pk}-%s")
    if form.is_valid():
        try:
            services.add_activity(
                get_actor(request), focus, services.ActivityDetails(**form.cleaned_data)
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Aktiviteten är tillagd."))
            return redirect(url(request, "detail", plan=obj.public_id) + f"#omrade-{focus.pk}")
    return _detail(request, obj, status=400, activity_form=form, activity_area=focus)


@role_required(OFFICE)
@require_POST
def activity_follow(
    request: HttpRequest, association: str, plan: str, plan_activity: str
) -> HttpResponse:
    obj = get_plan_for_user(request, plan)
    target = get_activity_for_user(request, obj, plan_activity)
    form = FollowForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_activity(
                get_actor(request),
                target,
                form.cleaned_data["status"],
                form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Aktivitetens status är sparad."))
    else:
        messages.error(request, _("Välj en status i listan."))
    return redirect(url(request, "detail", plan=obj.public_id))


@role_required(OFFICE)
@require_POST
def plan_send(request: HttpRequest, association: str, plan: str) -> HttpResponse:
    obj = get_plan_for_user(request, plan)
    form = SendForm(request.POST)
    if form.is_valid():
        try:
            services.send_for_consultation(get_actor(request), obj, form.cleaned_data["sent_on"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Planen är markerad som skickad på samråd."))
            return redirect(url(request, "detail", plan=obj.public_id))
    return _detail(request, obj, status=400, send_form=form)


@role_required(OFFICE)
@require_POST
def plan_decide(request: HttpRequest, association: str, plan: str) -> HttpResponse:
    obj = get_plan_for_user(request, plan)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.decide(
                get_actor(request),
                obj,
                form.cleaned_data["decided_on"],
                form.cleaned_data["decision_number"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request, _("Planen är beslutad och låst. Ändringar görs i en ny version.")
            )
            return redirect(url(request, "detail", plan=obj.public_id))
    return _detail(request, obj, status=400, decide_form=form)


@role_required(OFFICE)
@require_POST
def plan_new_version(request: HttpRequest, association: str, plan: str) -> HttpResponse:
    obj = get_plan_for_user(request, plan)
    try:
        copy = services.new_version(get_actor(request), obj)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(url(request, "detail", plan=obj.public_id))
    messages.success(request, _("Version %(n)s är skapad som utkast.") % {"n": copy.version})
    return redirect(url(request, "detail", plan=copy.public_id))


def _period(request: HttpRequest, plan: Plan) -> tuple[PeriodForm, Period]:
    default = Period(date(plan.year, 1, 1), date(plan.year, 12, 31))
    if "fran" not in request.GET and "till" not in request.GET:
        return PeriodForm(initial={"fran": default.start, "till": default.end}), default
    form = PeriodForm(request.GET)
    if form.is_valid():
        return form, Period(form.cleaned_data["fran"], form.cleaned_data["till"])
    return form, default


@role_required(READ_ROLES)
def plan_follow_up(request: HttpRequest, association: str, plan: str) -> HttpResponse:
    obj = get_plan_for_user(request, plan)
    form, period = _period(request, obj)
    actor = get_actor(request)
    # The office reads exact counts; every other reader a published table (calculations.md §6).
    result = follow_up(obj, period, publish=not sees_exact_figures(actor))
    return render(
        request,
        "plans/follow_up.html",
        {
            "plan": obj,
            "form": form,
            "result": result,
            "can_edit": can_edit_plans(actor),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@role_required(READ_ROLES)
def plan_document(request: HttpRequest, association: str, plan: str) -> HttpResponse:
    obj = get_plan_for_user(request, plan)
    return render(request, "plans/document.html", document.context(obj))


@role_required(READ_ROLES)
def plan_pdf(request: HttpRequest, association: str, plan: str) -> HttpResponse:
    obj = get_plan_for_user(request, plan)
    content = document.pdf(request, obj)
    response = HttpResponse(content, content_type="application/pdf")
    name = f"verksamhetsplan-{obj.year}-v{obj.version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Member consultation (medlemssamråd) -------------------------------------------------------


def draft_parts(actor: Any) -> list[tuple[str, str]]:
    """The parts of the association's undecided plans a conclusion can be linked to, as
    (``kind:public_id``, label) choices."""
    plans = Plan.objects.visible_to(actor).exclude(status=Plan.Status.DECIDED)
    choices: list[tuple[str, str]] = []
    for area in (
        FocusArea.objects.visible_to(actor)
        .filter(plan__in=plans)
        .select_related("plan")
        .prefetch_related("goals", "activities")
        .order_by("plan__year", "plan__version", "position", "id")
    ):
        prefix = _("Plan %(year)s v%(n)s") % {"year": area.plan.year, "n": area.plan.version}
        choices.append((f"area:{area.public_id}", f"{prefix}: {area.name}"))
        for goal in area.goals.all():
            choices.append((f"goal:{goal.public_id}", f"{prefix}: {_('mål')} – {goal.text}"))
        for activity in area.activities.all():
            choices.append(
                (f"activity:{activity.public_id}", f"{prefix}: {_('aktivitet')} – {activity.text}")
            )
    return choices


def _consultations(actor: Any) -> Any:
    return (
        Consultation.objects.visible_to(actor)
        .annotate(
            conclusion_count=Count("conclusions", distinct=True),
            participant_count=Count("participants", distinct=True),
        )
        .order_by("-date", "-id")
    )


@role_required(READ_ROLES)
def consultation_list(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    page = Paginator(_consultations(actor), PAGE_SIZE).get_page(request.GET.get("sida"))
    form = ConsultationForm(initial={"date": timezone.localdate()})
    return render(
        request,
        "plans/consultation_list.html",
        {"page": page, "form": form, "can_edit": can_edit_plans(actor)},
    )


@role_required(OFFICE)
@require_POST
def consultation_create(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    form = ConsultationForm(request.POST)
    if form.is_valid():
        try:
            consultation = services.create_consultation(
                actor, services.ConsultationDetails(**form.cleaned_data)
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Samrådet är registrerat."))
            return redirect(url(request, "consultation", consultation=consultation.public_id))
    page = Paginator(_consultations(actor), PAGE_SIZE).get_page(1)
    return render(
        request,
        "plans/consultation_list.html",
        {"page": page, "form": form, "can_edit": True},
        status=400,
    )


def _consultation_page(
    request: HttpRequest, consultation: Consultation, status: int = 200, **forms: Any
) -> HttpResponse:
    actor = get_actor(request)
    parts = draft_parts(actor)
    conclusions = []
    for conclusion in consultation.conclusions.prefetch_related(
        "considerations__plan",
        "considerations__area",
        "considerations__goal",
        "considerations__activity",
    ):
        form = forms.get("consider_form") if forms.get("conclusion") == conclusion else None
        conclusions.append(
            (
                conclusion,
                form or ConsiderForm(parts=parts, auto_id=f"beakta-{conclusion.pk}-%s"),
            )
        )
    return render(
        request,
        "plans/consultation_detail.html",
        {
            "consultation": consultation,
            "participants": consultation.participants.select_related("organisation"),
            "conclusions": conclusions,
            "can_edit": can_edit_plans(actor),
            "has_parts": bool(parts),
            "participant_form": forms.get("participant_form") or ParticipantForm(actor=actor),
            "conclusion_form": forms.get("conclusion_form") or ConclusionForm(),
        },
        status=status,
    )


@role_required(READ_ROLES)
def consultation_detail(request: HttpRequest, association: str, consultation: str) -> HttpResponse:
    return _consultation_page(request, get_consultation_for_user(request, consultation))


@role_required(OFFICE)
@require_POST
def participant_add(request: HttpRequest, association: str, consultation: str) -> HttpResponse:
    obj = get_consultation_for_user(request, consultation)
    actor = get_actor(request)
    form = ParticipantForm(request.POST, actor=actor)
    if form.is_valid():
        try:
            services.add_participant(actor, obj, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Deltagaren är tillagd."))
            return redirect(url(request, "consultation", consultation=obj.public_id))
    return _consultation_page(request, obj, status=400, participant_form=form)


@role_required(OFFICE)
@require_POST
def conclusion_add(request: HttpRequest, association: str, consultation: str) -> HttpResponse:
    obj = get_consultation_for_user(request, consultation)
    form = ConclusionForm(request.POST)
    if form.is_valid():
        try:
            services.add_conclusion(get_actor(request), obj, form.cleaned_data["text"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Slutsatsen är tillagd."))
            return redirect(url(request, "consultation", consultation=obj.public_id))
    return _consultation_page(request, obj, status=400, conclusion_form=form)


@role_required(OFFICE)
@require_POST
def conclusion_consider(
    request: HttpRequest, association: str, consultation: str, conclusion: str
) -> HttpResponse:
    obj = get_consultation_for_user(request, consultation)
    target = get_conclusion_for_user(request, obj, conclusion)
    actor = get_actor(request)
    form = ConsiderForm(request.POST, parts=draft_parts(actor), auto_id=f"beakta-{target.pk}-%s")
    if form.is_valid():
        part = get_part_for_user(request, form.cleaned_data["part"])
        try:
            services.consider(actor, target, part, form.cleaned_data["how"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Slutsatsen är kopplad till planen."))
            return redirect(url(request, "consultation", consultation=obj.public_id))
    return _consultation_page(request, obj, status=400, consider_form=form, conclusion=target)


# --- The governance year (årshjul) ----------------------------------------------------------


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("ar", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


def _calendar_page(request: HttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
    actor = get_actor(request)
    year = _year(request)
    obligations = list(Obligation.objects.visible_to(actor))
    entries = []
    for entry in year_calendar(obligations, year):
        form = forms.get("edit_form") if forms.get("edited") == entry.obligation else None
        entries.append(
            (
                entry,
                form
                or ObligationForm(
                    initial={f: getattr(entry.obligation, f) for f in ObligationForm.base_fields},
                    auto_id=f"atagande-{entry.obligation.pk}-%s",
                ),
            )
        )
    return render(
        request,
        "plans/calendar.html",
        {
            "year": year,
            "entries": entries,
            "can_edit": can_edit_plans(actor),
            "form": forms.get("form") or ObligationForm(),
        },
        status=status,
    )


@role_required(READ_ROLES)
def obligation_calendar(request: HttpRequest, association: str) -> HttpResponse:
    return _calendar_page(request)


@role_required(OFFICE)
@require_POST
def obligation_defaults(request: HttpRequest, association: str) -> HttpResponse:
    try:
        created = services.add_default_obligations(get_actor(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(n)s standardåtaganden är inlagda.") % {"n": created})
    return redirect(url(request, "calendar"))


@role_required(OFFICE)
@require_POST
def obligation_add(request: HttpRequest, association: str) -> HttpResponse:
    form = ObligationForm(request.POST)
    if form.is_valid():
        try:
            services.add_obligation(
                get_actor(request), services.ObligationDetails(**form.cleaned_data)
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Åtagandet är tillagt."))
            return redirect(url(request, "calendar"))
    return _calendar_page(request, status=400, form=form)


@role_required(OFFICE)
@require_POST
def obligation_edit(request: HttpRequest, association: str, obligation: str) -> HttpResponse:
    obj = get_obligation_for_user(request, obligation)
    form = ObligationForm(request.POST, auto_id=f"atagande-{obj.pk}-%s")
    if form.is_valid():
        try:
            services.update_obligation(
                get_actor(request), obj, services.ObligationDetails(**form.cleaned_data)
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Åtagandet är sparat."))
            return redirect(url(request, "calendar"))
    return _calendar_page(request, status=400, edit_form=form, edited=obj)
