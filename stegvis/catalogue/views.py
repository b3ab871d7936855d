"""Catalogue pages.

- Public (no log-in, no owner in the URL): the catalogue across all associations and per
  association, a page per intervention, the interest form and its receipt, the open data.
  They show only published texts of running interventions and never any registration.
- The office (``/a/<association>/katalog/``): the texts, with preview and review reminder.
- The provider (``/p/<provider>/intresseanmalningar/``): the inbox, with conversion to a referral
  or a decline. Every read of a registration is audited.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods

from stegvis.core import audit, throttle
from stegvis.core.actors import Actor
from stegvis.core.forms import attach_errors
from stegvis.core.models import Association, Municipality, Organisation, Role
from stegvis.core.permissions import get_actor, role_required
from stegvis.interventions.models import Intervention

from . import opendata, services
from .access import get_catalogue_intervention_for_user, get_registration_for_user
from .forms import CatalogueEntryForm, ConvertForm, DeclineForm, FilterForm, InterestForm
from .models import CatalogueEntry, InterestRegistration

PUBLIC_PAGE_SIZE = 20
PAGE_SIZE = 50
STAFF = {Role.PROVIDER_MANAGER, Role.COACH}
# A public form post larger than this is refused before it is read (the fields are small).
MAX_POST_BYTES = 16 * 1024
RECEIPT_SALT = "stegvis.catalogue.receipt"
# The interest form's fields are optional to Django (the service names every problem at once);
# these are the ones the sender may really leave out, and the page marks only them so.
OPTIONAL_FIELDS = frozenset({"need", "language", "receipt"})


# --- Public catalogue --------------------------------------------------------------------------


def _catalogue_municipalities() -> QuerySet[Municipality]:
    """Municipalities that some published intervention serves, for the filter's list."""
    entries = services.public_entries().values("intervention")
    own = Municipality.objects.filter(
        pk__in=Intervention.municipalities.through.objects.filter(intervention__in=entries).values(
            "municipality"
        )
    )
    funders = Association.objects.filter(fundings__intervention__in=entries)
    by_area = Municipality.objects.filter(
        Q(organisation__memberships__left__isnull=True)
        | Q(organisation__memberships__left__gte=timezone.localdate()),
        organisation__memberships__association__in=funders,
        organisation__memberships__joined__lte=timezone.localdate(),
    )
    return Municipality.objects.filter(Q(pk__in=own) | Q(pk__in=by_area)).order_by("name")


def _listing(request: HttpRequest, association: Association | None, template: str) -> HttpResponse:
    associations = (
        None
        if association is not None
        else Association.objects.filter(
            fundings__intervention__in=services.public_entries().values("intervention")
        )
        .distinct()
        .order_by("name")
    )
    form = FilterForm(
        request.GET or None,
        municipalities=_catalogue_municipalities(),
        associations=associations,
    )
    filters = form.filters(association)
    page = Paginator(services.public_entries(filters), PUBLIC_PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    query = request.GET.copy()
    query.pop("sida", None)
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "association": association,
            "filtered": bool(form.is_bound and form.is_valid() and any(form.cleaned_data.values())),
        },
    )


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Every association's catalogue on this instance."""
    return _listing(request, None, "catalogue/index.html")


@require_GET
def association_catalogue(request: HttpRequest, forbund: str) -> HttpResponse:
    """One association's catalogue: the interventions it funds, alone or with others."""
    association = Association.objects.filter(slug=forbund).first()
    if association is None:
        raise Http404
    return _listing(request, association, "catalogue/index.html")


def _public_entry_or_404(insats: uuid.UUID | str) -> CatalogueEntry:
    entry = services.public_entry(insats)
    if entry is None:
        raise Http404
    return entry


@require_GET
def detail(request: HttpRequest, insats: str) -> HttpResponse:
    """The intervention's page: its stable address in the catalogue."""
    entry = _public_entry_or_404(insats)
    state = services.registration_state(entry)
    if not services.is_running(entry):
        # Published once but no longer running: say so, show only the name and what else exists.
        return render(
            request,
            "catalogue/closed.html",
            {"entry": entry, "state": state, "related": services.related_entries(entry)},
            status=410,
        )
    return render(
        request,
        "catalogue/detail.html",
        {
            "entry": entry,
            "state": state,
            "area": services.area_municipalities(entry.intervention),
            "funders": Association.objects.filter(
                fundings__intervention=entry.intervention
            ).order_by("name"),
            "related": services.related_entries(entry) if state != "open" else [],
        },
    )


@never_cache  # the page shows back what the sender wrote
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, insats: str) -> HttpResponse:
    """The interest form. What passes validation and the rate limits is stored at the provider
    and never lost; what does not is shown again with every message, as the sender wrote it."""
    entry = _public_entry_or_404(insats)
    state = services.registration_state(entry)
    if state != "open":
        return render(
            request,
            "catalogue/closed.html",
            {
                "entry": entry,
                "state": state,
                "running": services.is_running(entry),
                "related": services.related_entries(entry),
            },
            status=200 if request.method == "GET" else 409,
        )
    area = services.area_municipalities(entry.intervention)
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > MAX_POST_BYTES:
        # Not read at all: the fields are small, so this is no person's registration.
        return _interest_page(
            request,
            entry,
            InterestForm(area=area),
            status=413,
            problem=_("Anmälan är för lång. Korta texten och försök igen."),
        )
    form = InterestForm(request.POST or None, area=area)
    if request.method == "POST" and form.is_spam:
        # Tell a robot nothing: the same receipt as for a person, and nothing stored.
        return redirect(_receipt_url(entry, None))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.register_interest(
                entry,
                services.InterestInput(
                    applicant=data["applicant"],
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                    municipality=data["municipality"],
                    need=data["need"],
                    language=data["language"],
                    case_worker=data["case_worker"],
                    contact_consent=data["contact_consent"],
                    person_consent=data["person_consent"],
                ),
                address=throttle.client_address(request),
            )
        except ValidationError as error:
            attach_errors(form, error)
        except services.TooManyRegistrations:
            form.add_error(
                None,
                _(
                    "Vi har fått många anmälningar på kort tid och tar en paus. Din anmälan är "
                    "inte skickad än: vänta en timme och skicka igen, eller ring insatsen."
                ),
            )
            return _interest_page(request, entry, form, status=429)
        else:
            sent = None
            if data["receipt"] and data["email"]:
                sent = services.send_receipt(registration, data["email"].strip())
            return redirect(_receipt_url(entry, registration, mailed=sent))
    return _interest_page(request, entry, form, status=400 if form.errors else 200)


def _interest_page(
    request: HttpRequest,
    entry: CatalogueEntry,
    form: InterestForm,
    status: int,
    problem: str = "",
) -> HttpResponse:
    return render(
        request,
        "catalogue/register.html",
        {
            "entry": entry,
            "form": form,
            "problem": problem,
            "optional_fields": OPTIONAL_FIELDS,
            "main_fields": (
                "applicant",
                "name",
                "phone",
                "email",
                "municipality",
                "need",
                "language",
            ),
        },
        status=status,
    )


def _receipt_url(
    entry: CatalogueEntry, registration: InterestRegistration | None, mailed: bool | None = None
) -> str:
    reference = registration.reference if registration is not None else ""
    # A bot gets a reference that looks like one; nothing refers to it.
    if registration is None:
        import secrets

        reference = secrets.token_hex(4).upper()
    token = signing.dumps({"r": reference, "m": mailed}, salt=RECEIPT_SALT)
    url = reverse("catalogue:receipt", kwargs={"insats": entry.intervention.public_id})
    return f"{url}?kvitto={token}"


@require_GET
def receipt(request: HttpRequest, insats: str) -> HttpResponse:
    """The receipt: that the registration arrived, its reference, what happens next. Nothing
    the sender wrote is shown (the address may be shared)."""
    entry = _public_entry_or_404(insats)
    try:
        data = signing.loads(request.GET.get("kvitto", ""), salt=RECEIPT_SALT, max_age=3600)
    except signing.BadSignature:
        return redirect(reverse("catalogue:detail", kwargs={"insats": insats}))
    return render(
        request,
        "catalogue/receipt.html",
        {"entry": entry, "reference": data.get("r", ""), "mailed": data.get("m")},
    )


# --- Open data ---------------------------------------------------------------------------------


def _open_data_association(request: HttpRequest) -> Association | None:
    slug = request.GET.get("forbund")
    if not slug:
        return None
    association = Association.objects.filter(slug=slug).first()
    if association is None:
        raise Http404
    return association


@require_GET
@cache_control(public=True, max_age=300)
def open_data_json(request: HttpRequest) -> HttpResponse:
    """The catalogue as JSON (docs/dev/catalogue-open-data.md, with its JSON Schema)."""
    association = _open_data_association(request)
    response = HttpResponse(
        opendata.as_json(request, association), content_type="application/json; charset=utf-8"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@cache_control(public=True, max_age=300)
def open_data_csv(request: HttpRequest) -> HttpResponse:
    """The catalogue as CSV, one row per intervention (docs/dev/catalogue-open-data.md)."""
    association = _open_data_association(request)
    response = HttpResponse(
        opendata.as_csv(request, association), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="insatskatalog.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- The office's texts ------------------------------------------------------------------------


@role_required({Role.OFFICE})
@require_GET
def office_list(request: HttpRequest, association: str) -> HttpResponse:
    """The association's individual interventions with their catalogue state, texts due for
    review first marked."""
    actor = get_actor(request)
    today = timezone.localdate()
    rows = (
        Intervention.objects.visible_to(actor)
        .filter(kind=Intervention.Kind.INDIVIDUAL)
        .select_related("catalogue_entry", "lead_association", "provider__organisation")
        .order_by("name", "pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("sida"))
    for row in page.object_list:
        entry = getattr(row, "catalogue_entry", None)
        row.entry = entry
        row.review_due = entry is not None and entry.review_due(today)
        row.can_edit = services.can_edit_catalogue(actor, row)
    assert actor.association is not None
    due = services.review_due_count(actor.association, today)
    return render(request, "catalogue/office_list.html", {"page": page, "due": due, "today": today})


def _office_form_initial(intervention: Intervention, entry: CatalogueEntry | None) -> dict:
    if entry is None:
        return {"target_group": intervention.target_group, "registrations_open": True}
    return {
        "published": entry.published,
        "summary": entry.summary,
        "description": entry.description,
        "target_group": entry.target_group,
        "criteria": entry.criteria,
        "activities": entry.activities,
        "duration": entry.duration,
        "needs": entry.needs,
        "how_to_apply": entry.how_to_apply,
        "contact_name": entry.contact_name,
        "contact_email": entry.contact_email,
        "contact_tel": entry.contact_tel,
        "registrations_open": entry.registrations_open,
    }


@role_required({Role.OFFICE})
@require_http_methods(["GET", "POST"])
def office_edit(request: HttpRequest, association: str, intervention: str) -> HttpResponse:
    """Write the texts, preview them as the public page shows them, save, or confirm that they
    are still right (the review)."""
    actor = get_actor(request)
    obj = get_catalogue_intervention_for_user(request, intervention)
    entry = services.entry_for(obj)
    action = request.POST.get("action", "")
    list_url = reverse("catalogue:office_list", kwargs={"association": association})
    if request.method == "POST" and action == "reviewed":
        if entry is None:
            raise Http404
        services.mark_reviewed(actor, entry)
        messages.success(request, _("Texterna är markerade som granskade i dag."))
        return redirect(list_url)
    form = CatalogueEntryForm(
        request.POST if request.method == "POST" else None,
        initial=_office_form_initial(obj, entry),
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            if action == "preview":
                text = services.validate_text(form.text())
                preview = _preview_entry(obj, text)
            else:
                services.save_entry(actor, obj, form.text())
                messages.success(request, _("Katalogtexterna är sparade."))
                return redirect(list_url)
        except ValidationError as error:
            attach_errors(form, error)
    return render(
        request,
        "catalogue/office_edit.html",
        {
            "intervention": obj,
            "entry": entry,
            "form": form,
            "preview": preview,
            "area": services.area_municipalities(obj) if preview else [],
            "funders": Association.objects.filter(fundings__intervention=obj).order_by("name")
            if preview
            else [],
            "list_url": list_url,
            "public_url": reverse("catalogue:detail", kwargs={"insats": obj.public_id}),
            "optional_fields": frozenset(form.fields) - {"summary"},
        },
    )


def _preview_entry(intervention: Intervention, text: services.CatalogueText) -> CatalogueEntry:
    """An unsaved entry with the form's texts, for the preview."""
    entry = CatalogueEntry(
        association=intervention.lead_association,
        intervention=intervention,
        needs=list(text.needs),
        registrations_open=text.registrations_open,
        published=text.published,
    )
    for name in services.TEXT_FIELDS:
        setattr(entry, name, getattr(text, name))
    return entry


# --- The provider's inbox ----------------------------------------------------------------------


def _p(actor: Actor, name: str, **kwargs: Any) -> str:
    assert actor.unit is not None
    return reverse(f"catalogue:{name}", kwargs={"provider": actor.unit.public_id, **kwargs})


@role_required(STAFF)
@require_GET
def inbox(request: HttpRequest, provider: str) -> HttpResponse:
    """New interest registrations (or all), newest first. The list shows names: one audited
    read of the page."""
    actor = get_actor(request)
    show = "alla" if request.GET.get("visa") == "alla" else "nya"
    rows = InterestRegistration.objects.visible_to(actor).select_related(
        "intervention", "municipality"
    )
    counts = rows.aggregate(
        new=Count("pk", filter=Q(state=InterestRegistration.State.NEW)), total=Count("pk")
    )
    if show == "nya":
        rows = rows.filter(state=InterestRegistration.State.NEW)
    page = Paginator(rows.order_by("-received_at", "pk"), PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    audit.record("interest.list", actor=actor, reason=f"{len(page.object_list)} rader")
    return render(
        request,
        "catalogue/inbox.html",
        {"page": page, "show": show, "counts": counts, "query": f"visa={show}"},
    )


@role_required(STAFF)
@require_http_methods(["GET", "POST"])
def registration_detail(request: HttpRequest, provider: str, registration: str) -> HttpResponse:
    """One registration: who to call and about what; decline it here, or go on to the referral."""
    actor = get_actor(request)
    obj = get_registration_for_user(request, registration)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decline_registration(actor, obj, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Anmälan är avböjd."))
            return redirect(_p(actor, "inbox"))
    return render(
        request,
        "catalogue/registration_detail.html",
        {"registration": obj, "form": form},
        status=400 if form.errors else 200,
    )


def _referring_kinds(obj: InterestRegistration) -> list[str]:
    return ["sjalv"] if obj.applicant == InterestRegistration.Applicant.SELF else []


@role_required(STAFF)
@require_http_methods(["GET", "POST"])
def registration_convert(request: HttpRequest, provider: str, registration: str) -> HttpResponse:
    """Register the referral: the provider now asks for the national id and the facts a
    referral needs; name, contact, municipality and need come from the registration."""
    actor = get_actor(request)
    obj = get_registration_for_user(request, registration)
    if not obj.is_open:
        messages.error(request, _("Anmälan är redan hanterad."))
        return redirect(_p(actor, "registration_detail", registration=obj.public_id))
    organisations = Organisation.objects.filter(
        memberships__association__fundings__intervention=obj.intervention
    ).distinct()
    contact = " / ".join(v for v in (obj.phone, obj.email) if v)
    form = ConvertForm(
        request.POST or None,
        intervention=obj.intervention,
        organisations=organisations,
        initial={
            "name": obj.name,
            "contact": contact,
            "home_municipality": obj.municipality,
            "planned_start": timezone.localdate(),
            "referring_kinds": _referring_kinds(obj),
            "need": obj.need,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.convert_to_referral(
                actor,
                obj,
                identity=form.identity(),
                planned_start=data["planned_start"],
                members_involved=data["members_involved"],
                referring_kinds=data["referring_kinds"],
                need=data["need"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Anmälan är nu en remiss."))
            return redirect(
                reverse(
                    "participants:referral_detail",
                    kwargs={"provider": provider, "referral": referral.public_id},
                )
            )
    return render(
        request,
        "catalogue/registration_convert.html",
        {"registration": obj, "form": form},
        status=400 if form.errors else 200,
    )
