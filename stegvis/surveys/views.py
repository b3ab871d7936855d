"""The association's survey pages (``/a/<association>/enkater/…`` and ``/a/<association>/vald/…``).

Views parse, call a service, render. Results are read by every association role; the office
alone loads questionnaires, opens rounds and imports reference values.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stegvis.core.actors import Actor
from stegvis.core.models import Role
from stegvis.core.pdf import html_to_pdf
from stegvis.core.permissions import get_actor, role_required
from stegvis.core.totp import qr_data_uri
from stegvis.reports.permissions import sees_exact_figures
from stegvis.surveys import charts, exports, services
from stegvis.surveys.access import get_goal_for_user, get_questionnaire_for_user, get_round_for_user
from stegvis.surveys.forms import (
    GoalForm,
    LocalItemForm,
    PaperTallyForm,
    ResultsFilterForm,
    RoundForm,
    UploadForm,
    ViolenceSupportForm,
)
from stegvis.surveys.models import (
    Questionnaire,
    ReferenceValue,
    SurveyResponse,
    SurveyRound,
    ViolenceTally,
)
from stegvis.surveys.permissions import RESULT_ROLES, can_manage_surveys
from stegvis.surveys.questionnaire_file import FileProblems
from stegvis.surveys.results import Results, questionnaire_results, violence_tallies
from stegvis.surveys.services import ImportProblems

PAGE_SIZE = 25
OFFICE = {Role.OFFICE}


def url(actor: Actor, name: str, **kwargs: object) -> str:
    assert actor.association is not None
    return reverse(f"surveys:{name}", kwargs={"association": actor.association.slug, **kwargs})


def attach(form: Any, error: ValidationError) -> None:
    """Put a service's validation error on the form, on its field where it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields and name != NON_FIELD_ERRORS else None
            form.add_error(target, errors)
    else:
        form.add_error(None, error)


def public_link(request: HttpRequest, survey_round: SurveyRound) -> str:
    return request.build_absolute_uri(
        reverse("surveys:answer", kwargs={"token": survey_round.token})
    )


# --- Overview, questionnaires ------------------------------------------------------------------


@role_required(RESULT_ROLES)
@require_GET
def overview(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    rounds = (
        SurveyRound.objects.visible_to(actor)
        .select_related("version__questionnaire")
        .annotate(answers=Count("responses", distinct=True))
        .order_by("-opens_on", "pk")
    )
    page = Paginator(rounds, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "surveys/overview.html",
        {
            "page": page,
            "today": timezone.localdate(),
            "can_manage": can_manage_surveys(actor),
            "questionnaires": Questionnaire.objects.visible_to(actor).exists(),
        },
    )


@role_required(RESULT_ROLES)
@require_http_methods(["GET", "POST"])
def questionnaire_list(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        extensions=(".yaml", ".yml", ".xlsx"),
    )
    problems: list[tuple[str, str]] = []
    if request.method == "POST":
        if not can_manage_surveys(actor):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            assert actor.association is not None
            try:
                result = services.load_questionnaire(
                    actor, actor.association, upload.read(), source=upload.name
                )
            except FileProblems as error:
                problems = error.problems
            else:
                if result.created:
                    messages.success(
                        request,
                        _("%(title)s är inläst som version %(version)s.")
                        % {"title": result.questionnaire.title, "version": result.version.number},
                    )
                else:
                    messages.info(
                        request, _("Filen är likadan som den senaste versionen: inget ändrades.")
                    )
                return redirect(
                    url(actor, "questionnaire_detail", questionnaire=result.questionnaire.public_id)
                )
    questionnaires = (
        Questionnaire.objects.visible_to(actor)
        .annotate(version_count=Count("versions", distinct=True))
        .order_by("kind", "title")
    )
    page = Paginator(questionnaires, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "surveys/questionnaire_list.html",
        {"page": page, "form": form, "problems": problems, "can_manage": can_manage_surveys(actor)},
    )


@role_required(OFFICE)
@require_POST
def load_samples(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.association is not None
    results = services.load_samples(actor, actor.association)
    created = sum(1 for r in results if r.created)
    messages.success(
        request, _("Exempelenkäterna är inlästa (%(count)s nya versioner).") % {"count": created}
    )
    return redirect(url(actor, "questionnaire_list"))


@role_required(RESULT_ROLES)
def questionnaire_detail(
    request: HttpRequest, association: str, questionnaire: str
) -> HttpResponse:
    actor = get_actor(request)
    obj = get_questionnaire_for_user(request, questionnaire)
    version = obj.current_version()
    can_manage = can_manage_surveys(actor)
    context: dict[str, Any] = {
        "questionnaire": obj,
        "version": version,
        "items": list(version.items.order_by("position")) if version else [],
        "versions": obj.versions.annotate(answers=Count("responses")).order_by("-number"),
        "goals": obj.goals.order_by("-year", "item_key"),
        "can_manage": can_manage,
    }
    if can_manage and version is not None:
        context["local_form"] = LocalItemForm(version=version)
        context["goal_form"] = GoalForm(questionnaire=obj)
    return render(request, "surveys/questionnaire_detail.html", context)


@role_required(OFFICE)
@require_http_methods(["GET", "POST"])
def local_item_add(request: HttpRequest, association: str, questionnaire: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_questionnaire_for_user(request, questionnaire)
    version = obj.current_version()
    if version is None:
        return redirect(url(actor, "questionnaire_detail", questionnaire=obj.public_id))
    form = LocalItemForm(request.POST if request.method == "POST" else None, version=version)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.add_local_item(
                actor,
                obj,
                key=data["key"],
                texts={"sv": data["text_sv"], "en": data["text_en"]},
                scale_of=data["scale_of"],
            )
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(
                request,
                _("Frågan är tillagd i den lokala delen (version %(number)s).")
                % {"number": new.number},
            )
            return redirect(url(actor, "questionnaire_detail", questionnaire=obj.public_id))
    return render(
        request,
        "surveys/form_page.html",
        {
            "form": form,
            "title": _("Ny lokal fråga: %(title)s") % {"title": obj.title},
            "intro": _(
                "Lokala frågor ligger i en egen del efter de nationella, som inte kan ändras. "
                "En ny version skapas; svar som redan getts behåller sin version."
            ),
            "submit": _("Lägg till frågan"),
            "back": url(actor, "questionnaire_detail", questionnaire=obj.public_id),
        },
    )


@role_required(OFFICE)
@require_POST
def local_item_remove(request: HttpRequest, association: str, questionnaire: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_questionnaire_for_user(request, questionnaire)
    try:
        services.remove_local_item(actor, obj, request.POST.get("key", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Den lokala frågan är borttagen i en ny version."))
    return redirect(url(actor, "questionnaire_detail", questionnaire=obj.public_id))


@role_required(OFFICE)
@require_POST
def goal_add(request: HttpRequest, association: str, questionnaire: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_questionnaire_for_user(request, questionnaire)
    form = GoalForm(request.POST, questionnaire=obj)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_goal(
                actor,
                obj,
                item_key=data["item_key"],
                year=data["year"],
                kind=data["kind"],
                target=data["target"],
                reference_year=data["reference_year"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Målet är tillagt."))
    else:
        for field, errors in form.errors.items():
            label = str(form.fields[field].label) if field in form.fields else ""
            for problem in errors:
                messages.error(request, f"{label}: {problem}" if label else str(problem))
    return redirect(url(actor, "questionnaire_detail", questionnaire=obj.public_id))


@role_required(OFFICE)
@require_POST
def goal_delete(request: HttpRequest, association: str, goal: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_goal_for_user(request, goal)
    questionnaire = obj.questionnaire
    services.delete_goal(actor, obj)
    messages.success(request, _("Målet är borttaget."))
    return redirect(url(actor, "questionnaire_detail", questionnaire=questionnaire.public_id))


# --- Rounds ------------------------------------------------------------------------------------


@role_required(OFFICE)
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    today = timezone.localdate()
    form = RoundForm(
        request.POST if request.method == "POST" else None,
        actor=actor,
        initial={"opens_on": today, "closes_on": today.replace(month=12, day=31)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        version = data["questionnaire"].current_version()
        try:
            if version is None:
                raise ValidationError({"questionnaire": [_("Enkäten har ingen version.")]})
            survey_round = services.open_round(
                actor,
                version,
                title=data["title"],
                interventions=data["interventions"],
                activity=data["activity"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "version" in error.error_dict:
                error.error_dict["questionnaire"] = error.error_dict.pop("version")
            attach(form, error)
        else:
            messages.success(request, _("Omgången är öppnad. Dela länken eller QR-koden."))
            return redirect(url(actor, "round_detail", round=survey_round.public_id))
    return render(
        request,
        "surveys/form_page.html",
        {
            "form": form,
            "title": _("Öppna en enkätomgång"),
            "intro": _(
                "Välj enkät, vilka insatser (eller vilken aktivitet) omgången gäller och när den "
                "är öppen. Omgången använder enkätens senaste version."
            ),
            "submit": _("Öppna omgången"),
            "back": url(actor, "overview"),
        },
    )


@role_required(RESULT_ROLES)
def round_detail(request: HttpRequest, association: str, round: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_round_for_user(request, round)
    link = public_link(request, obj)
    is_violence = obj.questionnaire.kind == Questionnaire.Kind.VIOLENCE
    if is_violence:
        per_item = (
            ViolenceTally.objects.filter(round=obj).values("item__key").annotate(forms=Sum("count"))
        )
        answers = max((row["forms"] for row in per_item), default=0)
    else:
        answers = SurveyResponse.objects.filter(round=obj).count()
    return render(
        request,
        "surveys/round_detail.html",
        {
            "round": obj,
            "link": link,
            "qr": qr_data_uri(link),
            "answers": answers,
            "is_violence": is_violence,
            "interventions": services.round_interventions(obj),
            "can_manage": can_manage_surveys(actor),
            "is_open": obj.is_open(),
            "placeholders": obj.version.items.filter(placeholder=True).count(),
        },
    )


@role_required(OFFICE)
@require_POST
def round_close(request: HttpRequest, association: str, round: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_round_for_user(request, round)
    try:
        services.close_round(actor, obj)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Omgången är stängd. Länken tar inte längre emot svar."))
    return redirect(url(actor, "round_detail", round=obj.public_id))


def paper_tallies_page(
    request: HttpRequest, actor: Actor, survey_round: SurveyRound, back: str
) -> HttpResponse:
    """The paper-form page, shared by the office and provider staff."""
    if survey_round.questionnaire.kind != Questionnaire.Kind.VIOLENCE:
        from django.http import Http404

        raise Http404
    interventions = services.round_interventions(survey_round)
    if actor.association is None:
        from stegvis.interventions.models import Intervention

        visible = set(Intervention.objects.visible_to(actor).values_list("pk", flat=True))
        interventions = [i for i in interventions if i.pk in visible]
    form = PaperTallyForm(
        request.POST if request.method == "POST" else None,
        survey_round=survey_round,
        interventions=interventions,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_paper_tallies(
                actor,
                survey_round,
                form.intervention(),
                forms=form.cleaned_data["forms_count"],
                counts=form.counts(),
                year=form.cleaned_data["year"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, errors in error.error_dict.items():
                    target = key if key in form.fields else None
                    if target is None and key not in {"forms", "intervention"}:
                        for message in errors:
                            form.add_error(None, message)
                        continue
                    form.add_error({"forms": "forms_count"}.get(key, target), errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Svaren från pappersformulären är inräknade."))
            return redirect(back)
    return render(
        request,
        "surveys/paper_tallies.html",
        {"form": form, "round": survey_round, "back": back},
    )


@role_required(OFFICE)
@require_http_methods(["GET", "POST"])
def round_paper(request: HttpRequest, association: str, round: str) -> HttpResponse:
    actor = get_actor(request)
    obj = get_round_for_user(request, round)
    return paper_tallies_page(request, actor, obj, url(actor, "round_detail", round=obj.public_id))


# --- Results -----------------------------------------------------------------------------------


def _results_from(request: HttpRequest, actor: Actor) -> tuple[ResultsFilterForm, Results | None]:
    data = request.GET.copy()
    if "year" not in data:
        data["year"] = str(timezone.localdate().year)
    form = ResultsFilterForm(data if "questionnaire" in data else None, actor=actor)
    if not form.is_bound or not form.is_valid():
        return form, None
    values = form.cleaned_data
    return form, questionnaire_results(
        values["questionnaire"],
        year=values["year"],
        period=values["period"],
        intervention=values["intervention"],
        survey_round=values["survey_round"],
        split=values["split"] or None,
        reference_year=values["reference_year"],
        publish=not sees_exact_figures(actor),
    )


def _chart(results: Results) -> str | None:
    if not results.shown:
        return None
    series = [
        (
            str(_("Förbundet %(year)s") % {"year": results.year}),
            [r.total.share_positive for r in results.items],
        )
    ]
    if any(r.reference for r in results.items):
        series.append(
            (
                str(_("Nationellt %(year)s") % {"year": results.reference_year}),
                [r.reference.share_positive if r.reference else None for r in results.items],
            )
        )
    if any(r.previous and r.previous.share_positive is not None for r in results.items):
        series.append(
            (
                str(_("Förbundet %(year)s") % {"year": results.year - 1}),
                [r.previous.share_positive if r.previous else None for r in results.items],
            )
        )
    return charts.share_chart([r.label for r in results.items], series)


@role_required(RESULT_ROLES)
@require_GET
def results(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    form, figures = _results_from(request, actor)
    return render(
        request,
        "surveys/results.html",
        {
            "form": form,
            "results": figures,
            "chart": _chart(figures) if figures else None,
            "query": request.GET.urlencode(),
        },
    )


@role_required(RESULT_ROLES)
@require_GET
def results_xlsx(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    _form, figures = _results_from(request, actor)
    if figures is None:
        return redirect(url(actor, "results"))
    response = HttpResponse(
        exports.results_xlsx(figures),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="enkatresultat-{figures.questionnaire.key}-{figures.year}.xlsx"'
    )
    return response


@role_required(RESULT_ROLES)
@require_GET
def results_pdf(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    _form, figures = _results_from(request, actor)
    if figures is None:
        return redirect(url(actor, "results"))
    html = render_to_string(
        "surveys/results_print.html",
        {"results": figures, "chart": _chart(figures), "association": actor.association},
        request=request,
    )
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="enkatresultat-{figures.questionnaire.key}-{figures.year}.pdf"'
    )
    return response


# --- Reference values and the annual delivery ------------------------------------------------


@role_required(RESULT_ROLES)
@require_http_methods(["GET", "POST"])
def reference_values(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        extensions=(".csv", ".xlsx"),
    )
    problems: list[Any] = []
    if request.method == "POST":
        if not can_manage_surveys(actor):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                count = services.import_reference_values(actor, upload.read(), upload.name)
            except ImportProblems as error:
                problems = error.problems
            else:
                messages.success(
                    request, _("%(count)s jämförelsevärden är inlästa.") % {"count": count}
                )
                return redirect(url(actor, "reference_values"))
    values = ReferenceValue.objects.visible_to(actor).order_by(
        "-year", "respondent_group", "number"
    )
    page = Paginator(values, 50).get_page(request.GET.get("sida"))
    return render(
        request,
        "surveys/reference_values.html",
        {
            "form": form,
            "problems": problems,
            "page": page,
            "can_manage": can_manage_surveys(actor),
            "columns": services.REFERENCE_COLUMNS,
        },
    )


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("ar", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return None


@role_required(OFFICE)
@require_GET
def delivery(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.association is not None
    year = _year(request)
    if year is None:
        return render(
            request,
            "surveys/delivery.html",
            {"year": timezone.localdate().year, "bad_year": "ar" in request.GET},
        )
    response = HttpResponse(
        exports.delivery_csv(actor.association, year), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="indikatorer-leverans-{year}.csv"'
    return response


# --- Violence: tallies, support text, export -------------------------------------------------


@role_required(RESULT_ROLES)
@require_GET
def violence(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.association is not None
    year = _year(request) or timezone.localdate().year
    tallies = ViolenceTally.objects.visible_to(actor).filter(year=year)
    rounds = (
        SurveyRound.objects.visible_to(actor)
        .filter(version__questionnaire__kind=Questionnaire.Kind.VIOLENCE)
        .filter(Q(closed_on__isnull=True))
        .order_by("-opens_on")[:20]
    )
    return render(
        request,
        "surveys/violence.html",
        {
            "year": year,
            "rows": violence_tallies(tallies),
            "rounds": rounds,
            "support": services.violence_support(actor.association),
            "can_manage": can_manage_surveys(actor),
        },
    )


@role_required(OFFICE)
@require_http_methods(["GET", "POST"])
def violence_settings(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.association is not None
    support = services.violence_support(actor.association)
    form = ViolenceSupportForm(
        request.POST if request.method == "POST" else None,
        initial={
            "help_text": support.help_text,
            "help_text_en": support.help_text_en,
            "routine": support.routine,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_violence_support(actor, **form.cleaned_data)
        except ValidationError as error:
            attach(form, error)
        else:
            messages.success(request, _("Texterna är sparade."))
            return redirect(url(actor, "violence"))
    return render(
        request,
        "surveys/form_page.html",
        {
            "form": form,
            "title": _("Stöd och rutin vid frågor om våld"),
            "intro": _(
                "Texten om var man kan få hjälp visas för deltagaren efter frågorna. Rutinen visas "
                "för coacherna hos utförarna."
            ),
            "submit": _("Spara"),
            "back": url(actor, "violence"),
        },
    )


@role_required(OFFICE)
@require_GET
def violence_export(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    assert actor.association is not None
    year = _year(request) or timezone.localdate().year
    response = HttpResponse(
        exports.violence_csv(actor.association, year), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="fragor-om-vald-{year}.csv"'
    return response
