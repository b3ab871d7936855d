"""Start pages and the association's members."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stegvis.core import services
from stegvis.core.access import get_member_for_user
from stegvis.core.actors import owner_url
from stegvis.core.context_processors import dashboard_panels
from stegvis.core.forms import MemberForm, MembershipForm, PopulationForm, UnitForm, attach_errors
from stegvis.core.models import (
    ASSOCIATION_ROLES,
    PROVIDER_ROLES,
    Member,
    MemberPopulation,
    Organisation,
    Role,
    RoleAssignment,
)
from stegvis.core.permissions import can_manage_members, get_actor, role_required

PAGE_SIZE = 50


def members_with_population(actor: Any) -> Any:
    """Members with their population rows, newest year first, in a constant number of queries."""
    return (
        Member.objects.visible_to(actor)
        .select_related("organisation__municipality")
        .prefetch_related(
            Prefetch(
                "populations",
                queryset=MemberPopulation.objects.order_by("-year"),
                to_attr="population_rows",
            )
        )
    )


@role_required(ASSOCIATION_ROLES)
def association_home(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    members = list(members_with_population(actor))
    today = timezone.localdate()
    current = [m for m in members if m.is_current(today)]
    municipal = [m for m in current if m.organisation.kind == Organisation.Kind.MUNICIPALITY]
    latest = [m.population_rows[0] for m in municipal if m.population_rows]
    context = {
        "members": current,
        "municipal_count": len(municipal),
        "population_total": sum(p.population for p in latest),
        "population_years": sorted({p.year for p in latest}),
        "area": actor.association.area() if actor.association else [],
        "can_manage": can_manage_members(actor),
        "panels": dashboard_panels(actor),
    }
    return render(request, "core/association_home.html", context)


@role_required(PROVIDER_ROLES)
def provider_home(request: HttpRequest, provider: str) -> HttpResponse:
    actor = get_actor(request)
    team = (
        RoleAssignment.objects.visible_to(actor)
        .active()
        .select_related("user")
        .order_by("role", "user__full_name")
    )
    context = {"team": team, "panels": dashboard_panels(actor)}
    return render(request, "core/provider_home.html", context)


@role_required({Role.REFERRER})
def unit_home(request: HttpRequest, unit: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.unit is not None
    associations = (
        Member.objects.filter(organisation=actor.unit.organisation)
        .select_related("association")
        .order_by("association__name")
    )
    return render(request, "core/unit_home.html", {"memberships": associations})


@role_required(ASSOCIATION_ROLES)
def member_list(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    page = Paginator(members_with_population(actor), PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "core/member_list.html",
        {"page": page, "can_manage": can_manage_members(actor), "today": timezone.localdate()},
    )


@role_required({Role.OFFICE})
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation, created = services.find_or_create_organisation(
                name=data["name"],
                kind=data["kind"],
                org_number=data["org_number"],
                municipality=data["municipality"],
            )
            member = services.add_member(
                actor, organisation=organisation, joined=data["joined"], left=data["left"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            if created:
                messages.success(request, _("%(org)s är tillagd som medlem.") % {"org": member})
            else:
                messages.success(
                    request,
                    _("%(org)s fanns redan i registret och är nu medlem i förbundet.")
                    % {"org": member},
                )
            return redirect(owner_url(actor, "member_edit", member=member.public_id))
    return render(request, "core/member_add.html", {"form": form})


@role_required({Role.OFFICE})
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, association: str, member: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_member_for_user(request, member)
    membership_form = MembershipForm(
        request.POST if request.POST.get("form") == "membership" else None, instance=obj
    )
    population_form = PopulationForm(
        request.POST if request.POST.get("form") == "population" else None,
        initial={"year": timezone.localdate().year - 1},
    )
    unit_form = UnitForm(request.POST if request.POST.get("form") == "unit" else None)
    forms_by_name = {
        "membership": membership_form,
        "population": population_form,
        "unit": unit_form,
    }
    if request.method == "POST":
        try:
            if request.POST.get("form") == "membership" and membership_form.is_valid():
                services.update_member(
                    actor,
                    obj,
                    joined=membership_form.cleaned_data["joined"],
                    left=membership_form.cleaned_data["left"],
                )
                messages.success(request, _("Medlemskapet är sparat."))
                return redirect(request.path)
            if request.POST.get("form") == "population" and population_form.is_valid():
                services.set_population(
                    actor,
                    obj,
                    year=population_form.cleaned_data["year"],
                    population=population_form.cleaned_data["population"],
                )
                messages.success(request, _("Folkmängden är sparad."))
                return redirect(request.path)
            if request.POST.get("form") == "unit" and unit_form.is_valid():
                unit = services.add_unit(
                    actor,
                    obj,
                    name=unit_form.cleaned_data["name"],
                    is_provider=unit_form.cleaned_data["is_provider"],
                )
                messages.success(
                    request, _("Enheten %(unit)s är registrerad.") % {"unit": unit.name}
                )
                return redirect(request.path)
        except ValidationError as error:
            attach_errors(forms_by_name.get(request.POST.get("form", ""), membership_form), error)
    populations = obj.populations.order_by("-year")
    return render(
        request,
        "core/member_edit.html",
        {
            "member": obj,
            "membership_form": membership_form,
            "population_form": population_form,
            "populations": populations,
            "is_municipality": obj.organisation.kind == Organisation.Kind.MUNICIPALITY,
            "unit_form": unit_form,
            "units": obj.organisation.units.order_by("name"),
        },
    )


@role_required({Role.OFFICE})
@require_POST
def member_remove(request: HttpRequest, association: str, member: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_member_for_user(request, member)
    name = str(obj)
    try:
        services.remove_member(actor, obj)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(owner_url(actor, "member_edit", member=obj.public_id))
    messages.success(request, _("%(org)s är borttagen som medlem.") % {"org": name})
    return redirect(owner_url(actor, "members"))
