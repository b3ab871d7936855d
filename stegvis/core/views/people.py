"""Users and roles of an association (by the office) or a provider (by the provider manager).

Shared by both owners: ``urls.py`` wraps each view in ``role_required`` with the owner's roles.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stegvis.core import services
from stegvis.core.access import get_assignment_for_user, get_invitation_for_user
from stegvis.core.actors import owner_url
from stegvis.core.forms import ChangeRoleForm, InviteForm, attach_errors
from stegvis.core.models import Invitation, RoleAssignment
from stegvis.core.permissions import (
    can_change_assignment,
    get_actor,
    grantable_roles,
)
from stegvis.core.views.owner import PAGE_SIZE


def user_list(request: HttpRequest, **owner: Any) -> HttpResponse:
    actor = get_actor(request)
    show = request.GET.get("visa", "aktiva")
    roles = RoleAssignment.objects.visible_to(actor).select_related("user")
    if show != "alla":
        roles = roles.filter(deactivated_at__isnull=True)
    page = Paginator(roles.order_by("user__full_name", "role"), PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    invitations = Invitation.objects.visible_to(actor).pending().select_related("invited_by")
    return render(
        request,
        "core/user_list.html",
        {"page": page, "invitations": invitations, "show": show},
    )


@require_http_methods(["GET", "POST"])
def user_invite(request: HttpRequest, **owner: Any) -> HttpResponse:
    actor = get_actor(request)
    form = InviteForm(request.POST or None, roles=grantable_roles(actor))
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.invite(
                actor,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("En inbjudan har skickats till %(email)s.") % {"email": issued.invitation.email},
            )
            return redirect(owner_url(actor, "users"))
    return render(request, "core/user_invite.html", {"form": form})


@require_http_methods(["GET", "POST"])
def user_role(request: HttpRequest, assignment: str, **owner: Any) -> HttpResponse:
    actor = get_actor(request)
    obj = get_assignment_for_user(request, assignment)
    editable = can_change_assignment(actor, obj) and obj.is_active
    roles = [r for r in grantable_roles(actor) if r != obj.role]
    form = ChangeRoleForm(
        request.POST if request.POST.get("action") == "change" else None, roles=roles
    )
    if request.method == "POST":
        if not editable:
            messages.error(request, _("Den här rollen kan du inte ändra."))
            return redirect(request.path)
        try:
            if request.POST.get("action") == "deactivate":
                services.deactivate_assignment(actor, obj)
                messages.success(request, _("Rollen är avslutad."))
                return redirect(owner_url(actor, "users"))
            if request.POST.get("action") == "change" and form.is_valid():
                new = services.change_role(actor, obj, form.cleaned_data["role"])
                messages.success(
                    request, _("Rollen är ändrad till %(role)s.") % {"role": new.get_role_display()}
                )
                return redirect(owner_url(actor, "users"))
        except ValidationError as error:
            if form.is_bound:
                attach_errors(form, error)
            else:
                # Deactivation has no form of its own to carry the error.
                messages.error(request, " ".join(error.messages))
    return render(
        request, "core/user_role.html", {"assignment": obj, "form": form, "editable": editable}
    )


@require_POST
def invitation_revoke(request: HttpRequest, invitation: str, **owner: Any) -> HttpResponse:
    actor = get_actor(request)
    obj = get_invitation_for_user(request, invitation)
    try:
        services.revoke_invitation(actor, obj)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Inbjudan till %(email)s är återkallad.") % {"email": obj.email}
        )
    return redirect(owner_url(actor, "users"))
