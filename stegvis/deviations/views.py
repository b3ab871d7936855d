"""Pages of Lex Heller reports. Thin: parse, call a service, render.

The reporter's pages are the same views under three owners (``urls.py`` wraps them per owner):
a provider's staff under ``/p/<provider>/lex-heller/``, a referrer under ``/r/<unit>/lex-heller/``
and an invited reporter under ``/a/<association>/lex-heller/mina/``. The association's pages
(handling, setup, compilation) are under ``/a/<association>/lex-heller/``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from stegvis.core.actors import Actor
from stegvis.core.forms import attach_errors
from stegvis.core.models import Association, Role
from stegvis.core.permissions import get_actor
from stegvis.deviations import exports, services
from stegvis.deviations.access import (
    get_administrator_for_user,
    get_category_for_user,
    get_report_for_user,
)
from stegvis.deviations.compilation import compile_reports
from stegvis.deviations.forms import (
    AdministratorForm,
    CategoryForm,
    CommentForm,
    DecisionForm,
    FeedbackForm,
    MergeForm,
    NetworkExportForm,
    NetworkUploadForm,
    NoteForm,
    PaperReportForm,
    PeriodForm,
    ReportForm,
    ReturnForm,
)
from stegvis.deviations.models import (
    DeviationAdministrator,
    DeviationCategory,
    DeviationReport,
)
from stegvis.deviations.permissions import (
    can_handle_reports,
    can_manage_setup,
    can_read_reports,
)

PAGE_SIZE = 50
State = DeviationReport.State


# --- The reporter's pages (provider staff, referrers, invited reporters) ------------------------


def own_prefix(actor: Actor) -> str:
    if actor.association is not None:
        return "reporter"
    assert actor.unit is not None
    return "provider" if actor.unit.is_provider else "unit"


def own_url(actor: Actor, name: str, **kwargs: Any) -> str:
    """Reverse ``deviations:<prefix>_<name>`` in the reporter's own owner."""
    prefix = own_prefix(actor)
    if actor.association is not None:
        owner: dict[str, Any] = {"association": actor.association.slug}
    else:
        assert actor.unit is not None
        owner = {prefix: actor.unit.public_id}
    return reverse(f"deviations:{prefix}_{name}", kwargs={**owner, **kwargs})


def reporter_list(request: HttpRequest, **owner: Any) -> HttpResponse:
    actor = get_actor(request)
    reports = (
        DeviationReport.objects.visible_to(actor)
        .select_related("association", "category")
        .order_by("-created_at")
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "deviations/reporter_list.html",
        {"page": page, "new_url": own_url(actor, "new"), "detail": own_prefix(actor) + "_detail"},
    )


def _chosen_association(request: HttpRequest, actor: Actor) -> tuple[Association | None, Any]:
    """The association the reporter reports to: their own, the only one, or the one chosen."""
    choices = services.reportable_associations(actor)
    slug = request.POST.get("forbund") or request.GET.get("forbund")
    if slug:
        return choices.filter(slug=slug).first(), choices
    if len(choices) == 1:
        return choices[0], choices
    return None, choices


@require_http_methods(["GET", "POST"])
def reporter_new(request: HttpRequest, **owner: Any) -> HttpResponse:
    actor = get_actor(request)
    association, choices = _chosen_association(request, actor)
    if association is None:
        return render(
            request,
            "deviations/reporter_choose.html",
            {
                "choices": choices,
                "chosen": request.GET.get("forbund"),
                "back": own_url(actor, "list"),
            },
        )
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        association=association,
        in_unit=actor.unit is not None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = services.file_report(
                actor, association, form.details(), base_url=request.build_absolute_uri("/")
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("Tack! Rapporten är mottagen som nummer %(number)s.") % {"number": report.number},
            )
            return redirect(own_url(actor, "detail", report=report.public_id))
    return render(
        request,
        "deviations/report_form.html",
        {
            "form": form,
            "association": association,
            "several": len(choices) > 1,
            "back": own_url(actor, "list"),
            "title": _("Ny Lex Heller-rapport"),
            "submit": _("Skicka rapporten"),
        },
    )


def reporter_detail(request: HttpRequest, report: str, **owner: Any) -> HttpResponse:
    actor = get_actor(request)
    obj = get_report_for_user(request, report)
    # What the reporter sees: state, when each step happened (not who), what to complete, and
    # the feedback, which for a merged report is the feedback of the report it was merged into.
    answered = obj.merged_into if obj.state == State.MERGED else obj
    return render(
        request,
        "deviations/reporter_detail.html",
        {
            "report": obj,
            "steps": obj.steps.order_by("at", "pk"),
            "answered": answered,
            "organisations": obj.organisations.all(),
            "supplement_url": own_url(actor, "supplement", report=obj.public_id),
            "back": own_url(actor, "list"),
        },
    )


@require_http_methods(["GET", "POST"])
def reporter_supplement(request: HttpRequest, report: str, **owner: Any) -> HttpResponse:
    actor = get_actor(request)
    obj = get_report_for_user(request, report)
    detail = own_url(actor, "detail", report=obj.public_id)
    if obj.state != State.RETURNED:
        messages.error(request, _("Rapporten kan bara kompletteras när den har skickats tillbaka."))
        return redirect(detail)
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        initial=ReportForm.initial_from(obj),
        association=obj.association,
        in_unit=actor.unit is not None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.supplement_report(
                actor, obj, form.details(), base_url=request.build_absolute_uri("/")
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Tack! Rapporten är kompletterad och mottagen igen."))
            return redirect(detail)
    return render(
        request,
        "deviations/report_form.html",
        {
            "form": form,
            "association": obj.association,
            "report": obj,
            "back": detail,
            "title": _("Komplettera rapport %(number)s") % {"number": obj.number},
            "submit": _("Skicka kompletteringen"),
        },
    )


# --- The association's pages ------------------------------------------------------------------


def _a(actor: Actor, name: str, **kwargs: Any) -> str:
    assert actor.association is not None
    return reverse(
        f"deviations:association_{name}", kwargs={"association": actor.association.slug, **kwargs}
    )


@require_http_methods(["GET", "POST"])
def association_paper(request: HttpRequest, association: str) -> HttpResponse:
    """The office registers a report that arrived on paper, on the reporter's form."""
    actor = get_actor(request)
    owner = actor.association
    assert owner is not None
    form = PaperReportForm(
        request.POST if request.method == "POST" else None,
        association=owner,
        initial={"received_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = services.register_paper_report(
                actor,
                form.details(),
                received_on=form.cleaned_data["received_on"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("Pappersrapporten är registrerad som nummer %(number)s.")
                % {"number": report.number},
            )
            return redirect(
                "deviations:association_detail", association=owner.slug, report=report.public_id
            )
    return render(
        request,
        "deviations/report_form.html",
        {
            "form": form,
            "association": owner,
            "several": False,
            "back": reverse("deviations:association_list", kwargs={"association": owner.slug}),
            "title": _("Registrera en pappersrapport"),
            "submit": _("Registrera rapporten"),
        },
    )


def association_list(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    state = request.GET.get("status", "")
    reports = (
        DeviationReport.objects.visible_to(actor)
        .select_related("category", "reporter_organisation")
        .order_by("-number")
    )
    if state in State.values:
        reports = reports.filter(state=state)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "deviations/association_list.html",
        {
            "page": page,
            "states": State.choices,
            "state": state,
            "query": f"status={state}" if state else "",
            "can_setup": can_manage_setup(actor),
        },
    )


def _detail_context(request: HttpRequest, actor: Actor, report: DeviationReport) -> dict[str, Any]:
    handler = can_handle_reports(actor)
    assert actor.association is not None
    targets = (
        DeviationReport.objects.filter(association=actor.association)
        .exclude(pk=report.pk)
        .exclude(state__in=[State.MERGED, State.RETURNED, State.CLOSED])
        .select_related("category")
        .order_by("-number")
    )
    return {
        "report": report,
        "organisations": report.organisations.all(),
        "steps": report.steps.select_related("by").order_by("at", "pk"),
        "comments": report.comments.select_related("author").order_by("at", "pk"),
        "merged_reports": report.merged_reports.order_by("number"),
        "handler": handler,
        # Names of people are for the handlers, who may need to ask the reporter.
        "show_people": handler or actor.role == Role.OFFICE,
        "can_step": {step: report.state in allowed for step, allowed in services.STEP_FROM.items()}
        if handler
        else {},
        "forms": {
            "review": NoteForm(prefix="review"),
            "return": ReturnForm(prefix="return"),
            "merge": MergeForm(prefix="merge", targets=targets),
            "take": NoteForm(prefix="take"),
            "decide": DecisionForm(
                prefix="decide",
                association=actor.association,
                initial={"decided_on": timezone.localdate()},
            ),
            "feedback": FeedbackForm(prefix="feedback"),
            "close": NoteForm(prefix="close"),
            "comment": CommentForm(prefix="comment"),
        },
    }


def association_detail(request: HttpRequest, association: str, report: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_report_for_user(request, report)
    return render(
        request, "deviations/association_detail.html", _detail_context(request, actor, obj)
    )


Step = Callable[[Actor, DeviationReport, Any, str], Any]


def _step_view(
    step: str, make_form: Callable[[Any, Actor, DeviationReport], Any], call: Step, done: Any
) -> Callable[..., HttpResponse]:
    """A POST-only view for one handling step: bind the step's form, call the service, and on
    a refusal show the report again with the form's errors."""

    @require_POST
    def view(request: HttpRequest, association: str, report: str) -> HttpResponse:
        actor = get_actor(request)
        obj = get_report_for_user(request, report)
        if step == "comment":
            if not can_read_reports(actor):
                raise PermissionDenied
        elif not can_handle_reports(actor):
            raise PermissionDenied
        form = make_form(request.POST, actor, obj)
        if form.is_valid():
            try:
                call(actor, obj, form.cleaned_data, request.build_absolute_uri("/"))
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, done)
                return redirect(_a(actor, "detail", report=obj.public_id))
        context = _detail_context(request, actor, get_report_for_user(request, report))
        context["forms"][step] = form
        context["failed_form"] = form
        return render(request, "deviations/association_detail.html", context, status=400)

    view.__name__ = f"association_{step}"
    return view


def _note(prefix: str) -> Callable[[Any, Actor, DeviationReport], Any]:
    return lambda data, actor, report: NoteForm(data, prefix=prefix)


def _merge_form(data: Any, actor: Actor, report: DeviationReport) -> MergeForm:
    targets: QuerySet[DeviationReport] = DeviationReport.objects.filter(
        association=report.association
    ).select_related("category")
    return MergeForm(data, prefix="merge", targets=targets)


association_review = _step_view(
    "review",
    _note("review"),
    lambda actor, report, data, base: services.review(actor, report, note=data["note"]),
    gettext_lazy("Rapporten är granskad."),
)
association_return = _step_view(
    "return",
    lambda data, actor, report: ReturnForm(data, prefix="return"),
    lambda actor, report, data, base: services.send_back(
        actor, report, message=data["message"], base_url=base
    ),
    gettext_lazy("Rapporten är skickad tillbaka till rapportören för komplettering."),
)
association_merge = _step_view(
    "merge",
    _merge_form,
    lambda actor, report, data, base: services.merge(
        actor, report, into=data["into"], note=data["note"]
    ),
    gettext_lazy("Rapporten är sammanslagen."),
)
association_take = _step_view(
    "take",
    _note("take"),
    lambda actor, report, data, base: services.take_to_group(actor, report, note=data["note"]),
    gettext_lazy("Rapporten är tagen till beredningsgruppen."),
)
association_decide = _step_view(
    "decide",
    lambda data, actor, report: DecisionForm(data, prefix="decide", association=report.association),
    lambda actor, report, data, base: services.decide(
        actor,
        report,
        action=data["action"],
        organisation=data["organisation"],
        decided_on=data["decided_on"],
    ),
    gettext_lazy("Beslutet är registrerat."),
)
association_feedback = _step_view(
    "feedback",
    lambda data, actor, report: FeedbackForm(data, prefix="feedback"),
    lambda actor, report, data, base: services.give_feedback(
        actor, report, feedback=data["feedback"], base_url=base
    ),
    gettext_lazy("Återkopplingen är skickad till rapportören."),
)
association_close = _step_view(
    "close",
    _note("close"),
    lambda actor, report, data, base: services.close(actor, report, note=data["note"]),
    gettext_lazy("Rapporten är avslutad."),
)
association_comment = _step_view(
    "comment",
    lambda data, actor, report: CommentForm(data, prefix="comment"),
    lambda actor, report, data, base: services.add_comment(actor, report, text=data["text"]),
    gettext_lazy("Kommentaren är sparad."),
)


# --- Setup: administrators and categories (the office) ------------------------------------


@require_http_methods(["GET", "POST"])
def administrator_list(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.association is not None
    form = AdministratorForm(
        request.POST if request.method == "POST" else None,
        users=services.administrator_candidates(actor.association),
    )
    if request.method == "POST" and form.is_valid():
        try:
            appointed = services.appoint_administrator(actor, form.cleaned_data["user"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s handlägger nu rapporterna.") % {"name": appointed.user}
            )
            return redirect(_a(actor, "administrators"))
    administrators = (
        DeviationAdministrator.objects.visible_to(actor)
        .active()
        .select_related("user", "appointed_by")
        .order_by("user__full_name")
    )
    return render(
        request,
        "deviations/administrator_list.html",
        {"form": form, "administrators": administrators},
    )


@require_POST
def administrator_end(request: HttpRequest, association: str, administrator: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_administrator_for_user(request, administrator)
    try:
        services.end_administrator(actor, obj)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s handlägger inte längre rapporterna.") % {"name": obj.user}
        )
    return redirect(_a(actor, "administrators"))


@require_http_methods(["GET", "POST"])
def category_list(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    form = CategoryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.add_category(actor, name=form.cleaned_data["name"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Kategorin %(name)s är tillagd.") % {"name": category})
            return redirect(_a(actor, "categories"))
    categories = DeviationCategory.objects.visible_to(actor).order_by("position", "name")
    return render(
        request, "deviations/category_list.html", {"form": form, "categories": categories}
    )


@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, association: str, category: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_category_for_user(request, category)
    form = CategoryForm(
        request.POST if request.method == "POST" else None,
        initial={"name": obj.name, "active": obj.active},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_category(
                actor, obj, name=form.cleaned_data["name"], active=form.cleaned_data["active"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Kategorin är sparad."))
            return redirect(_a(actor, "categories"))
    return render(request, "deviations/category_edit.html", {"form": form, "category": obj})


# --- The compilation ------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[PeriodForm, date, date]:
    today = timezone.localdate()
    default = {"fran": today.replace(month=1, day=1), "till": today}
    form = PeriodForm(request.GET if "fran" in request.GET else None, initial=default)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["fran"], form.cleaned_data["till"]
    return form, default["fran"], default["till"]


def _compilation_context(request: HttpRequest) -> dict[str, Any]:
    actor = get_actor(request)
    assert actor.association is not None
    form, start, end = _period(request)
    compilation = compile_reports(actor.association, start, end)
    query = f"fran={start.isoformat()}&till={end.isoformat()}"
    return {
        "form": form,
        "c": compilation,
        "chart": exports.chart_data_uri(compilation),
        "chart_alt": exports.chart_alt(compilation),
        "month_rows": [
            (m, [counts[i] for _label, counts in compilation.by_month], compilation.month_totals[i])
            for i, m in enumerate(compilation.months)
        ],
        "query": query,
    }


def compilation(request: HttpRequest, association: str) -> HttpResponse:
    return render(request, "deviations/compilation.html", _compilation_context(request))


def compilation_pdf(request: HttpRequest, association: str) -> HttpResponse:
    context = _compilation_context(request)
    context["request"] = request
    c = context["c"]
    response = HttpResponse(exports.pdf_bytes(context), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="lex-heller-{c.start.isoformat()}-{c.end.isoformat()}.pdf"'
    )
    return response


def compilation_xlsx(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.association is not None
    _form, start, end = _period(request)
    response = HttpResponse(
        exports.xlsx_bytes(compile_reports(actor.association, start, end)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="lex-heller-{start.isoformat()}-{end.isoformat()}.xlsx"'
    )
    return response


# --- Compiling with other associations -------------------------------------------------------


@require_http_methods(["GET", "POST"])
def association_network(request: HttpRequest, association: str) -> HttpResponse:
    """The office builds a signed Lex Heller compilation (counts only) for a network."""
    from stegvis.aggregates.services import PackageRefused
    from stegvis.deviations import network as lexheller

    actor = get_actor(request)
    owner = actor.association
    assert owner is not None
    form = NetworkExportForm(
        request.POST if request.method == "POST" else None,
        initial={"period": str(timezone.localdate().year)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            name, data = lexheller.build_file(
                owner,
                form.cleaned_data["natverk"],
                form.cleaned_data["period"],
                user=actor.user,
                actor=actor,
            )
        except PackageRefused as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            response = HttpResponse(data, content_type="application/json")
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    from stegvis.deviations.models import LexHellerDispatch

    built = LexHellerDispatch.objects.visible_to(actor)[:25]
    return render(request, "deviations/association_network.html", {"form": form, "built": built})


def _network_year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("ar", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _network_context(request: HttpRequest) -> dict[str, Any]:
    from stegvis.deviations import network as lexheller
    from stegvis.deviations.models import ReceivedLexHeller

    actor = get_actor(request)
    c = lexheller.combined(ReceivedLexHeller.objects.visible_to(actor), _network_year(request))
    return {"c": c, "tables": lexheller.tables(c)}


@require_http_methods(["GET", "POST"])
def network_compilation(request: HttpRequest, network: str) -> HttpResponse:
    """The network's combined Lex Heller compilation for a year, and the upload of the
    associations' signed compilations."""
    from stegvis.aggregates.services import PackageRefused
    from stegvis.core import audit
    from stegvis.deviations import network as lexheller

    actor = get_actor(request)
    assert actor.network is not None
    upload_form = NetworkUploadForm()
    if request.method == "POST":
        upload_form = NetworkUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            upload = upload_form.cleaned_data["file"]
            try:
                if upload.size > lexheller.MAX_BYTES:
                    raise PackageRefused(_("Filen är för stor: en sammanställning är högst 50 MB."))
                received = lexheller.receive(actor.network, upload.read(), user=actor.user)
            except PackageRefused as exc:
                for message in exc.messages:
                    upload_form.add_error("file", message)
            else:
                messages.success(
                    request,
                    _(
                        "Lex Heller-sammanställningen från %(association)s för %(period)s är "
                        "mottagen."
                    )
                    % {
                        "association": received.registration.association_name,
                        "period": received.period,
                    },
                )
                return redirect(
                    f"{reverse('deviations:network_compilation', kwargs={'network': network})}"
                    f"?ar={received.period_start.year}"
                )
    context = _network_context(request)
    audit.record("deviation.network_compilation_viewed", actor=actor, reason=str(context["c"].year))
    return render(
        request,
        "deviations/network_compilation.html",
        {
            **context,
            "upload_form": upload_form,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
        },
    )


def network_compilation_pdf(request: HttpRequest, network: str) -> HttpResponse:
    from django.template.loader import render_to_string

    from stegvis.core.pdf import html_to_pdf

    context = _network_context(request)
    html = render_to_string("deviations/network_compilation_print.html", context, request=request)
    pdf = html_to_pdf(html, stylesheets=("css/stegvis.css", "deviations/deviations.css"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="lex-heller-{network}-{context["c"].year}.pdf"'
    )
    return response


def network_compilation_xlsx(request: HttpRequest, network: str) -> HttpResponse:
    from stegvis.reports.tables import to_xlsx

    context = _network_context(request)
    response = HttpResponse(
        to_xlsx(context["tables"]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="lex-heller-{network}-{context["c"].year}.xlsx"'
    )
    return response
