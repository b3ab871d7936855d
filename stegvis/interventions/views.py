"""Intervention pages: the association's (``/a/<association>/insatser/``) and the provider's
(``/p/<provider>/insatser/``). Views parse, call a service, render; access helpers scope."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stegvis.core.actors import Actor, owner_kwargs, owner_prefix
from stegvis.core.forms import attach_errors
from stegvis.core.models import ASSOCIATION_ROLES, PROVIDER_ROLES, Role
from stegvis.core.permissions import get_actor, role_required
from stegvis.interventions import services
from stegvis.interventions.access import (
    get_activity_for_user,
    get_goal_for_user,
    get_intervention_for_user,
    get_offer_for_user,
)
from stegvis.interventions.forms import ActivityForm, CoachesForm, GoalForm, InterventionForm
from stegvis.interventions.models import (
    Attendance,
    Funding,
    FundingOffer,
    Goal,
    Intervention,
    StructuralActivity,
)
from stegvis.interventions.permissions import (
    can_assign_coaches,
    can_create_intervention,
    can_edit_intervention,
)

PAGE_SIZE = 50


def intervention_url(actor: Actor, name: str, **kwargs: object) -> str:
    """Reverse ``interventions:<prefix>_<name>`` under the actor's own owner."""
    return reverse(
        f"interventions:{owner_prefix(actor)}_{name}", kwargs={**owner_kwargs(actor), **kwargs}
    )


def _listing(actor: Actor) -> QuerySet[Intervention]:
    """The actor's interventions with what a list row shows, in a constant number of queries."""
    rows = Intervention.objects.visible_to(actor).select_related(
        "provider__organisation", "lead_association"
    )
    if actor.association is not None:
        own_share = Funding.objects.filter(
            intervention=OuterRef("pk"), association=actor.association
        ).values("share")[:1]
        rows = rows.annotate(own_share=Subquery(own_share))
    return rows.order_by("name", "pk")


def _edit_or_deny(actor: Actor, intervention: Intervention) -> None:
    """Other funding associations' offices see an intervention but cannot change it."""
    if not can_edit_intervention(actor, intervention):
        raise PermissionDenied


def _activities(intervention: Intervention) -> QuerySet[StructuralActivity]:
    zero = Value(0)
    return intervention.activities.annotate(
        women=Coalesce(Sum("attendance__women"), zero),
        men=Coalesce(Sum("attendance__men"), zero),
        other=Coalesce(Sum("attendance__other"), zero),
    ).annotate(total=F("women") + F("men") + F("other"))


def _activity_totals(intervention: Intervention) -> dict[str, Any]:
    zero = Value(0)
    counts = Attendance.objects.filter(activity__intervention=intervention).aggregate(
        women=Coalesce(Sum("women"), zero),
        men=Coalesce(Sum("men"), zero),
        other=Coalesce(Sum("other"), zero),
    )
    volume = intervention.activities.aggregate(occasions=Count("pk"), hours=Sum("hours"))
    return {**counts, **volume, "total": counts["women"] + counts["men"] + counts["other"]}


def _detail_context(actor: Actor, intervention: Intervention) -> dict[str, Any]:
    context: dict[str, Any] = {
        "intervention": intervention,
        "fundings": intervention.fundings.select_related("association").order_by(
            "-share", "association__name"
        ),
        "staffing": intervention.staffing.select_related("organisation").order_by(
            "organisation__name"
        ),
        "members": intervention.participating_members.order_by("name"),
        "municipalities": intervention.municipalities.order_by("name"),
        "goals": intervention.goals.all(),
        "is_structural": intervention.kind == Intervention.Kind.STRUCTURAL,
        "locked": intervention.locked_fields(),
        # Open and declined offers, to the lead association's readers only: the provider and
        # the other funders see the funding as it is.
        "offers": intervention.funding_offers.select_related("association").order_by(
            "-share", "association__name"
        )
        if actor.association is not None
        and actor.association.pk == intervention.lead_association_id
        else [],
    }
    if context["is_structural"]:
        context["activities"] = _activities(intervention)
        context["totals"] = _activity_totals(intervention)
    return context


# --- Association side --------------------------------------------------------------------------


def _open_offers(actor: Actor) -> list[FundingOffer]:
    """The shares other associations have asked the actor's office to take, oldest first."""
    if not can_create_intervention(actor) or actor.association is None:
        return []
    return list(
        FundingOffer.objects.open_to(actor.association)
        .select_related("intervention__provider__organisation", "intervention__lead_association")
        .order_by("offered_at", "pk")
    )


@role_required(ASSOCIATION_ROLES)
def association_list(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    page = Paginator(_listing(actor), PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "interventions/association_list.html",
        {
            "page": page,
            "can_create": can_create_intervention(actor),
            "offers": _open_offers(actor),
        },
    )


@role_required({Role.OFFICE})
@require_POST
def association_funding_offer(request: HttpRequest, association: str, offer: str) -> HttpResponse:
    """Accept or decline a share of another association's intervention."""
    actor = get_actor(request)
    obj = get_offer_for_user(request, offer)
    action = request.POST.get("action")
    name = obj.intervention.name
    try:
        if action == "accept":
            services.accept_funding_offer(actor, obj)
            messages.success(
                request,
                _("Förbundet finansierar nu %(intervention)s.") % {"intervention": name},
            )
            return redirect(
                intervention_url(actor, "detail", intervention=obj.intervention.public_id)
            )
        if action == "decline":
            services.decline_funding_offer(actor, obj)
            messages.success(
                request,
                _("Förfrågan om %(intervention)s är avböjd.") % {"intervention": name},
            )
        else:
            messages.error(request, _("Välj att godkänna eller avböja förfrågan."))
    except PermissionDenied:
        messages.error(request, _("Förfrågan är redan besvarad."))
    return redirect(intervention_url(actor, "list"))


@role_required({Role.OFFICE})
@require_http_methods(["GET", "POST"])
def association_create(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.association is not None
    form = InterventionForm(
        request.POST if request.method == "POST" else None, lead=actor.association
    )
    if request.method == "POST" and form.is_valid():
        try:
            intervention = services.create_intervention(actor, form.details())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, _("Insatsen %(name)s är skapad.") % {"name": intervention.name}
            )
            return redirect(intervention_url(actor, "detail", intervention=intervention.public_id))
    return render(request, "interventions/association_form.html", {"form": form})


@role_required(ASSOCIATION_ROLES)
def association_detail(request: HttpRequest, association: str, intervention: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_intervention_for_user(request, intervention)
    context = _detail_context(actor, obj)
    context["can_edit"] = can_edit_intervention(actor, obj)
    return render(request, "interventions/association_detail.html", context)


@role_required({Role.OFFICE})
@require_http_methods(["GET", "POST"])
def association_edit(request: HttpRequest, association: str, intervention: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_intervention_for_user(request, intervention)
    _edit_or_deny(actor, obj)
    form = InterventionForm(
        request.POST if request.method == "POST" else None,
        lead=obj.lead_association,
        intervention=obj,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_intervention(actor, obj, form.details())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Insatsen är sparad."))
            return redirect(intervention_url(actor, "detail", intervention=obj.public_id))
    return render(
        request, "interventions/association_form.html", {"form": form, "intervention": obj}
    )


@role_required({Role.OFFICE})
@require_http_methods(["GET", "POST"])
def association_goal_add(request: HttpRequest, association: str, intervention: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_intervention_for_user(request, intervention)
    _edit_or_deny(actor, obj)
    form = GoalForm(request.POST if request.method == "POST" else None, intervention=obj)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_goal(actor, obj, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Målet är tillagt."))
            return redirect(intervention_url(actor, "detail", intervention=obj.public_id))
    return render(request, "interventions/goal_form.html", {"form": form, "intervention": obj})


@role_required({Role.OFFICE})
@require_POST
def association_goal_delete(
    request: HttpRequest, association: str, intervention: str, goal: str
) -> HttpResponse:
    actor = get_actor(request)
    obj = get_intervention_for_user(request, intervention)
    target: Goal = get_goal_for_user(request, obj, goal)
    _edit_or_deny(actor, obj)
    services.delete_goal(actor, target)
    messages.success(request, _("Målet %(goal)s är borttaget.") % {"goal": target.text})
    return redirect(intervention_url(actor, "detail", intervention=obj.public_id))


def _structural(intervention: Intervention) -> None:
    # Activities belong to structural interventions only; elsewhere the page does not exist.
    if intervention.kind != Intervention.Kind.STRUCTURAL:
        raise Http404


@role_required({Role.OFFICE})
@require_http_methods(["GET", "POST"])
def association_activity_add(
    request: HttpRequest, association: str, intervention: str
) -> HttpResponse:
    actor = get_actor(request)
    obj = get_intervention_for_user(request, intervention)
    _edit_or_deny(actor, obj)
    _structural(obj)
    organisations = list(services.attendance_organisations(obj))
    form = ActivityForm(
        request.POST if request.method == "POST" else None, organisations=organisations
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.add_activity(
                actor,
                obj,
                date=data["date"],
                title=data["title"],
                type=data["type"],
                hours=data["hours"],
                attendance=form.attendance(),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, _("Aktiviteten %(title)s är registrerad.") % {"title": activity.title}
            )
            return redirect(intervention_url(actor, "detail", intervention=obj.public_id))
    return render(request, "interventions/activity_form.html", {"form": form, "intervention": obj})


@role_required(ASSOCIATION_ROLES)
def association_activity_detail(
    request: HttpRequest, association: str, intervention: str, activity: str
) -> HttpResponse:
    actor = get_actor(request)
    obj = get_intervention_for_user(request, intervention)
    target = get_activity_for_user(request, obj, activity)
    rows = target.attendance.select_related("organisation").order_by("organisation__name")
    zero = Value(0)
    totals = rows.aggregate(
        women=Coalesce(Sum("women"), zero),
        men=Coalesce(Sum("men"), zero),
        other=Coalesce(Sum("other"), zero),
    )
    totals["total"] = totals["women"] + totals["men"] + totals["other"]
    return render(
        request,
        "interventions/activity_detail.html",
        {
            "intervention": obj,
            "activity": target,
            "rows": rows,
            "totals": totals,
            "can_edit": can_edit_intervention(actor, obj),
        },
    )


@role_required({Role.OFFICE})
@require_POST
def association_activity_delete(
    request: HttpRequest, association: str, intervention: str, activity: str
) -> HttpResponse:
    actor = get_actor(request)
    obj = get_intervention_for_user(request, intervention)
    target = get_activity_for_user(request, obj, activity)
    _edit_or_deny(actor, obj)
    try:
        services.delete_activity(actor, target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(
            intervention_url(
                actor, "activity_detail", intervention=obj.public_id, activity=target.public_id
            )
        )
    messages.success(request, _("Aktiviteten %(title)s är borttagen.") % {"title": target.title})
    return redirect(intervention_url(actor, "detail", intervention=obj.public_id))


# --- Provider side -----------------------------------------------------------------------------


@role_required(PROVIDER_ROLES)
def provider_list(request: HttpRequest, provider: str) -> HttpResponse:
    actor = get_actor(request)
    # Counted over every coach of the intervention, not only the one a coach's rows are
    # filtered by: the visible interventions are a subquery of their own.
    visible = Intervention.objects.visible_to(actor).values("pk")
    rows = (
        Intervention.objects.filter(pk__in=visible)
        .select_related("provider__organisation", "lead_association")
        .annotate(coach_count=Count("coaches"))
        .order_by("name", "pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(request, "interventions/provider_list.html", {"page": page})


@role_required(PROVIDER_ROLES)
def provider_detail(request: HttpRequest, provider: str, intervention: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_intervention_for_user(request, intervention)
    context = _detail_context(actor, obj)
    context["coaches"] = obj.coaches.order_by("full_name")
    context["can_assign"] = can_assign_coaches(actor, obj)
    return render(request, "interventions/provider_detail.html", context)


@role_required({Role.PROVIDER_MANAGER})
@require_http_methods(["GET", "POST"])
def provider_coaches(request: HttpRequest, provider: str, intervention: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_intervention_for_user(request, intervention)
    if not can_assign_coaches(actor, obj):
        raise PermissionDenied
    form = CoachesForm(request.POST if request.method == "POST" else None, intervention=obj)
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_coaches(actor, obj, form.cleaned_data["coaches"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Insatsens coacher är sparade."))
            return redirect(intervention_url(actor, "detail", intervention=obj.public_id))
    return render(
        request, "interventions/provider_coaches.html", {"form": form, "intervention": obj}
    )
