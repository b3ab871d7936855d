"""Pages of aggregate packages: the provider manager's review and sending, and the office's
follow-up from what it has received."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from stegvis.core import audit
from stegvis.core.codes import ReportGroup
from stegvis.core.models import Role
from stegvis.core.permissions import get_actor, role_required
from stegvis.interventions.access import get_intervention_for_user
from stegvis.interventions.models import Intervention

from . import compilation, figures, package, services
from .access import get_compilation_for_user, get_package_for_user
from .forms import (
    AssociationKeyForm,
    CompilationForm,
    CompilationUploadForm,
    KeyForm,
    ReviewForm,
    UploadForm,
)
from .models import (
    AssociationKeyRegistration,
    CompilationDispatch,
    PackageDispatch,
    ProviderKeyRegistration,
    ReceivedCompilation,
    ReceivedPackage,
)
from .permissions import can_compile, can_read_packages, can_receive_packages, can_send_packages

PAGE_SIZE = 25


def _label_rows() -> dict[str, dict[str, Any]]:
    """Swedish labels of each table's rows, from the code lists."""
    from stegvis.core.codes import (
        ExitReason,
        IncomeSource,
        Occupation,
        ReportGroup,
    )

    def labels(choices: list[tuple[str, Any]]) -> dict[str, Any]:
        return dict(choices)

    occupation = {**labels(Occupation.choices), package.NOT_STATED: _("Ej angivet")}
    follow_up = {**labels(Occupation.choices), "ej_nadd": _("Ej nådd")}
    return {
        "participants": {
            "enrolled_at_start": _("Inskrivna vid periodens start"),
            "new": _("Nya"),
            "active": _("Deltagare under perioden"),
            "exited": _("Avslutade"),
            "participant_days": _("Deltagardagar"),
        },
        "exit_reasons": labels(ExitReason.choices),
        "exit_groups": labels(ReportGroup.choices),
        "age_bands": {
            **{r: r.replace("_", "–") for r in package.AGE_ROWS},
            "ovriga": _("Övriga åldrar"),
        },
        "income_start": labels(IncomeSource.choices),
        "income_exit": labels(IncomeSource.choices),
        "occupation_start": occupation,
        "occupation_exit": occupation,
        "time_in_intervention": {
            "0_3_man": _("0–3 månader"),
            "3_6_man": _("3–6 månader"),
            "6_12_man": _("6–12 månader"),
            "over_12_man": _("Över 12 månader"),
        },
        "progression": {
            "positiv": _("Positiv"),
            "ingen": _("Ingen"),
            "negativ": _("Negativ"),
            "ej_matt": _("Ej mätt"),
        },
        "positive_by_group": labels(ReportGroup.choices),
        "steps_moved": {},
        "follow_up_6": follow_up,
        "follow_up_12": follow_up,
        "violence_screening": {"asked": _("Tillfrågade"), "not_asked": _("Inte tillfrågade")},
        "survey_at_exit": {"offered": _("Erbjudna"), "not_offered": _("Inte erbjudna")},
    }


def _table_titles() -> dict[str, str]:
    return {
        "participants": _("Deltagare"),
        "exit_groups": _("Avslut per redovisningsgrupp"),
        "exit_reasons": _("Avslut per avslutsorsak"),
        "age_bands": _("Ålder (deltagare under perioden)"),
        "income_start": _("Försörjning före (vid start, bland avslutade)"),
        "income_exit": _("Försörjning efter (vid avslut)"),
        "occupation_start": _("Sysselsättning före (vid start, bland avslutade)"),
        "occupation_exit": _("Sysselsättning efter (vid avslut)"),
        "time_in_intervention": _("Tid i insatsen (avslutade)"),
        "progression": _("Stegförflyttning (avslutade)"),
        "positive_by_group": _("Positiv stegförflyttning per avslutsgrupp"),
        "steps_moved": _("Antal steg (avslutade med minst två mätningar)"),
        "follow_up_6": _("Uppföljning 6 månader efter avslut"),
        "follow_up_12": _("Uppföljning 12 månader efter avslut"),
        "violence_screening": _("Frågor om våld (avslutade)"),
        "survey_at_exit": _("Enkät vid avslut (avslutade)"),
    }


def _row_order(row: str) -> tuple[int, int, str]:
    """Numbered rows (steps moved, from -n up) by number, then any other by name."""
    try:
        return (0, int(row), "")
    except ValueError:
        return (1, 0, row)


def presented(tables: dict[str, dict[str, dict[str, int]]]) -> list[dict[str, Any]]:
    """The package's tables as the pages show them: titled, labelled, with totals."""
    labels = _label_rows()
    result = []
    for name, title in _table_titles().items():
        rows = []
        table = tables.get(name, {})
        # In the package's row order (age bands rising, exit groups as the law lists them)
        # whatever order the sums came in (a database's grouping has none); the rows it does
        # not list (the steps moved) after, by number.
        known = [r for r in package.TABLES.get(name, ([], None))[0] if r in table]
        order = [*known, *sorted((r for r in table if r not in known), key=_row_order)]
        for row in order:
            counts = table[row]
            label = labels[name].get(row, row)
            rows.append(
                {"label": label, **counts, "total": sum(counts[g] for g in package.GENDERS)}
            )
        total = {g: sum(r[g] for r in rows) for g in (*package.GENDERS, "total")}
        result.append(
            {
                "name": name,
                "title": title,
                "rows": rows,
                "total": total if name != "participants" else None,
            }
        )
    return result


# --- Provider side -------------------------------------------------------------------------


@role_required([Role.PROVIDER_MANAGER], can_send_packages)
def provider_packages(request: HttpRequest, provider: str) -> HttpResponse:
    """The provider's individual interventions, its public key and the packages sent."""
    actor = get_actor(request)
    assert actor.unit is not None
    interventions = (
        Intervention.objects.visible_to(actor)
        .filter(kind=Intervention.Kind.INDIVIDUAL)
        .prefetch_related("fundings__association")
        .order_by("name")
    )
    sent = (
        PackageDispatch.objects.visible_to(actor)
        .select_related("recipient", "intervention", "sent_by")
        .order_by("-sent_at")
    )
    page = Paginator(sent, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "aggregates/provider_packages.html",
        {
            "interventions": interventions,
            "page": page,
            "key": services.provider_key(actor.unit),
        },
    )


@role_required([Role.PROVIDER_MANAGER], can_send_packages)
def provider_review(request: HttpRequest, provider: str, intervention: str) -> HttpResponse:
    """The package as tables, before it is sent (GET); send or download it (POST)."""
    actor = get_actor(request)
    obj = get_intervention_for_user(request, intervention)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = ReviewForm(data, intervention=obj)
    prepared = None
    if form.is_valid():
        association = form.cleaned_data["forbund"]
        period = form.cleaned_data["period"]
        try:
            if request.method == "POST" and request.POST.get("action") == "send":
                received = services.send(actor, obj, association, period)
                messages.success(
                    request,
                    _("Paketet för %(period)s är skickat till %(association)s (version %(v)s).")
                    % {"period": period, "association": association.name, "v": received.version},
                )
                return redirect("aggregates:provider_packages", provider=provider)
            if request.method == "POST" and request.POST.get("action") == "download":
                name, content = services.download(actor, obj, association, period)
                response = HttpResponse(content, content_type="application/json")
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
            prepared = services.prepare(actor, obj, association, period)
        except services.PackageRefused as exc:
            for message in exc.messages:
                form.add_error(None, message)
    return render(
        request,
        "aggregates/provider_review.html",
        {
            "intervention": obj,
            "form": form,
            "prepared": prepared,
            "tables": presented(prepared.tables) if prepared else [],
        },
    )


# --- Association side ----------------------------------------------------------------------

# The office alone: the packages' exact counts never leave it (calculations.md §6); the board,
# the preparatory group and the auditor read the published reports.
READERS = [Role.OFFICE]


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("ar", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@role_required(READERS, can_read_packages)
def association_packages(request: HttpRequest, association: str) -> HttpResponse:
    """The office's follow-up for a year: figures per intervention and in total, missing and
    late packages, and the packages received."""
    actor = get_actor(request)
    assert actor.association is not None
    year = _year(request)
    per, total = figures.association_figures(actor.association, year)
    received = (
        ReceivedPackage.objects.visible_to(actor)
        .filter(period_start__year=year)
        .select_related("intervention", "sender")
        .order_by("-period_start", "intervention__name", "-version")
    )
    page = Paginator(received, PAGE_SIZE).get_page(request.GET.get("sida"))
    chosen = request.GET.get("insats", "")
    detail = next((f for f in per if str(f.intervention.public_id) == chosen), total)  # type: ignore[union-attr]
    audit.record("aggregates.figures_viewed", actor=actor, reason=str(year))
    return render(
        request,
        "aggregates/association_packages.html",
        {
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "per": per,
            "total": total,
            "detail": detail,
            "tables": presented(detail.year_tables()),
            "missing": figures.missing_packages(actor.association, year),
            "page": page,
            "query": f"ar={year}",
            "can_receive": can_receive_packages(actor),
        },
    )


@role_required(READERS, can_read_packages)
def association_package(request: HttpRequest, association: str, package: str) -> HttpResponse:
    obj = get_package_for_user(request, package)
    labels = _label_rows()
    changes = [
        {
            **change,
            "table_title": _table_titles().get(change["table"], change["table"]),
            "row_label": labels.get(change["table"], {}).get(change["row"], change["row"]),
        }
        for change in obj.changes
    ]
    return render(
        request,
        "aggregates/association_package.html",
        {"package": obj, "tables": presented(obj.document["tables"]), "changes": changes},
    )


@role_required([Role.OFFICE], can_receive_packages)
def association_receive(request: HttpRequest, association: str) -> HttpResponse:
    """Register providers' public keys and upload package files from other instances."""
    actor = get_actor(request)
    assert actor.association is not None
    key_form = KeyForm(association=actor.association)
    upload_form = UploadForm()
    if request.method == "POST":
        if request.POST.get("action") == "key":
            key_form = KeyForm(request.POST, association=actor.association)
            if key_form.is_valid():
                try:
                    services.register_key(
                        actor, key_form.cleaned_data["sender"], key_form.cleaned_data["public_key"]
                    )
                    messages.success(request, _("Nyckeln är registrerad."))
                    return redirect("aggregates:association_receive", association=association)
                except services.PackageRefused as exc:
                    for message in exc.messages:
                        key_form.add_error("public_key", message)
        elif request.POST.get("action") == "upload":
            upload_form = UploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                upload = upload_form.cleaned_data["file"]
                try:
                    if upload.size > services.MAX_BYTES:
                        raise services.PackageRefused(
                            _("Filen är för stor: ett paket är högst 1 MB.")
                        )
                    received = services.receive(
                        actor.association,
                        upload.read(),
                        user=actor.user,
                        via=PackageDispatch.Via.FILE,
                    )
                    messages.success(
                        request,
                        _("Paketet för %(code)s %(period)s är mottaget.")
                        % {"code": received.intervention.code, "period": received.period},
                    )
                    return redirect(
                        "aggregates:association_package",
                        association=association,
                        package=received.public_id,
                    )
                except services.PackageRefused as exc:
                    for message in exc.messages:
                        upload_form.add_error("file", message)
        else:
            raise PermissionDenied
    keys = ProviderKeyRegistration.objects.visible_to(actor).select_related(
        "sender__organisation", "registered_by"
    )
    return render(
        request,
        "aggregates/association_receive.html",
        {"key_form": key_form, "upload_form": upload_form, "keys": keys},
    )


@role_required(READERS, can_read_packages)
def association_national(request: HttpRequest, association: str) -> HttpResponse:
    """The national count export for a year, as a table to type in from, or as CSV."""
    from .national import national_counts, to_csv

    actor = get_actor(request)
    assert actor.association is not None
    year = _year(request)
    individual, structural = national_counts(actor.association, year)
    audit.record("aggregates.national_export", actor=actor, reason=str(year))
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            to_csv(individual, structural, year), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="nationell-uppfoljning-{actor.association.slug}-{year}.csv"'
        )
        return response
    return render(
        request,
        "aggregates/association_national.html",
        {
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "individual": individual,
            "structural": structural,
        },
    )


# --- Compilations ------------------------------------------------------------------------------


@role_required({Role.OFFICE}, can_receive_packages)
@require_http_methods(["GET", "POST"])
def association_compilation(request: HttpRequest, association: str) -> HttpResponse:
    """The office builds a signed compilation of its year's figures for a network (suppressed)
    and downloads it; the page shows the association's public key for the network."""
    actor = get_actor(request)
    assert actor.association is not None
    form = CompilationForm(initial={"ar": timezone.localdate().year})
    if request.method == "POST":
        form = CompilationForm(request.POST)
        if form.is_valid():
            try:
                name, data = services.build_compilation(
                    actor.association,
                    form.cleaned_data["natverk"],
                    form.cleaned_data["ar"],
                    detail=not form.cleaned_data["utan_insatser"],
                    user=actor.user,
                    actor=actor,
                )
            except services.PackageRefused as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                response = HttpResponse(data, content_type="application/json")
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
    built = CompilationDispatch.objects.visible_to(actor).select_related("built_by")[:PAGE_SIZE]
    return render(
        request,
        "aggregates/association_compilation.html",
        {
            "form": form,
            "key": services.association_key(actor.association),
            "built": built,
        },
    )


def _network_tables(
    per: list[compilation.NetworkFigures], total: compilation.NetworkFigures
) -> list[dict[str, Any]]:
    labels = {
        "participants": _("Deltagare under året"),
        "new": _("Nya"),
        "exited": _("Avslutade"),
        **{g: _("Avslut: %(group)s") % {"group": label} for g, label in ReportGroup.choices},
    }
    result = []
    for shown, title in [*((f, f.label) for f in per), (total, _("Alla förbund"))]:
        rows = [
            dict(zip(["kvinna", "man", "annat", "total"], values, strict=True), label=labels[line])
            for line, values in shown.shown()
        ]
        result.append({"title": title, "rows": rows, "total": None, "name": "network"})
    return result


@role_required({Role.COMPILER}, can_compile)
def network_home(request: HttpRequest, network: str) -> HttpResponse:
    """The network's combined figures for a year, per association and in total, from the
    published cells of the compilations received; and the compilations themselves."""
    actor = get_actor(request)
    year = _year(request)
    received = ReceivedCompilation.objects.visible_to(actor)
    current = received.filter(replaced_by__isnull=True, period_start__year=year)
    names = dict(
        AssociationKeyRegistration.objects.visible_to(actor)
        .filter(association_slug__in=current.values("association_slug"))
        .values_list("association_slug", "association_name")
    )
    per, total = compilation.network_figures(current, names)
    listed = received.select_related("registration").order_by(
        "-period_start", "registration__association_name", "-version"
    )[:PAGE_SIZE]
    audit.record("aggregates.network_figures", actor=actor, reason=str(year))
    return render(
        request,
        "aggregates/network_home.html",
        {
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "tables": _network_tables(per, total) if per else [],
            "compilations": listed,
        },
    )


@role_required({Role.COMPILER}, can_compile)
@require_http_methods(["GET", "POST"])
def network_receive(request: HttpRequest, network: str) -> HttpResponse:
    """Register associations' public keys and upload their compilation files."""
    actor = get_actor(request)
    assert actor.network is not None
    key_form = AssociationKeyForm()
    upload_form = CompilationUploadForm()
    if request.method == "POST":
        if request.POST.get("action") == "key":
            key_form = AssociationKeyForm(request.POST)
            if key_form.is_valid():
                try:
                    services.register_association_key(
                        actor,
                        key_form.cleaned_data["association_slug"],
                        key_form.cleaned_data["association_name"],
                        key_form.cleaned_data["public_key"],
                    )
                    messages.success(request, _("Nyckeln är registrerad."))
                    return redirect("aggregates:network_receive", network=network)
                except services.PackageRefused as exc:
                    for message in exc.messages:
                        key_form.add_error("public_key", message)
        elif request.POST.get("action") == "upload":
            upload_form = CompilationUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                upload = upload_form.cleaned_data["file"]
                try:
                    if upload.size > compilation.MAX_BYTES:
                        raise services.PackageRefused(
                            _("Filen är för stor: en sammanställning är högst 50 MB.")
                        )
                    received = services.receive_compilation(
                        actor.network, upload.read(), user=actor.user
                    )
                    messages.success(
                        request,
                        _("Sammanställningen från %(association)s för %(period)s är mottagen.")
                        % {
                            "association": received.registration.association_name,
                            "period": received.period,
                        },
                    )
                    return redirect(
                        "aggregates:network_compilation",
                        network=network,
                        compilation=received.public_id,
                    )
                except services.PackageRefused as exc:
                    for message in exc.messages:
                        upload_form.add_error("file", message)
        else:
            raise PermissionDenied
    keys = AssociationKeyRegistration.objects.visible_to(actor).select_related("registered_by")
    return render(
        request,
        "aggregates/network_receive.html",
        {"key_form": key_form, "upload_form": upload_form, "keys": keys},
    )


@role_required({Role.COMPILER}, can_compile)
def network_compilation(request: HttpRequest, network: str, compilation: str) -> HttpResponse:
    """One received compilation as published: its tables, and what a correction changed."""
    from . import compilation as module

    actor = get_actor(request)
    received = get_compilation_for_user(request, compilation)
    group_labels = dict(ReportGroup.choices)
    tables = []
    titles = {"participants": _("Deltagare under året"), "new": _("Nya"), "exits": _("Avslut")}
    order = {g: i for i, g in enumerate(module.GROUPS)}
    for name in module.TABLE_NAMES:
        table = received.document["tables"][name]
        # (intervention code, report group) of each row: "kod.grupp" in exits with detail,
        # a group alone without, a code (or the total) in the other tables.
        parts = {
            key: (code, group)
            for key in table
            if key != module.TOTAL
            for code, _dot, group in [key.rpartition(".") if name == "exits" else (key, "", "")]
        }
        # By code, and the groups in the law's order: PostgreSQL's jsonb keeps an object's
        # keys sorted by length, not in the order the file listed them.
        rows = []
        for key in sorted(parts, key=lambda k: (parts[k][0], order.get(parts[k][1], -1))):
            code, group = parts[key]
            label = " – ".join(p for p in (code, str(group_labels.get(group, ""))) if p)
            rows.append({**table[key], "label": label, "total": table[key][module.TOTAL]})
        total = {**table[module.TOTAL]}
        total["total"] = total[module.TOTAL]
        tables.append({"title": titles[name], "rows": rows, "total": total, "name": name})
    audit.record("aggregates.compilation_viewed", actor=actor, obj=received)
    return render(
        request,
        "aggregates/network_compilation.html",
        {"compilation": received, "tables": tables},
    )
