"""Finance pages of an association (``/a/<association>/ekonomi/…``).

Every association role reads; only the office writes (``role_required`` plus the services'
own check). Views parse the request, call a service or ``figures``, and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stegvis.core.forms import attach_errors
from stegvis.core.models import Association, Role
from stegvis.core.permissions import get_actor, role_required
from stegvis.finance import exports, figures, imports, services
from stegvis.finance.access import (
    get_budget_for_user,
    get_line_for_user,
    get_mapping_for_user,
    get_tier_for_user,
    year_from,
)
from stegvis.finance.forms import (
    ContributionForm,
    DecideForm,
    LineAmountForm,
    LineForm,
    MappingForm,
    OpeningForm,
    OutcomeForm,
    OutcomeUploadForm,
    StateEstimateForm,
    TierForm,
    UploadForm,
    YearForm,
)
from stegvis.finance.models import (
    AccountMapping,
    Budget,
    BudgetPost,
    CeilingTier,
    ContributionKey,
    EquityYear,
    Outcome,
    StateEstimate,
)
from stegvis.finance.permissions import READ_ROLES, can_edit_finance
from stegvis.reports.permissions import sees_exact_figures

PAGE_SIZE = 30
OFFICE = {Role.OFFICE}


def _association(request: HttpRequest) -> Association:
    association = get_actor(request).association
    assert association is not None
    return association


def url(request: HttpRequest, name: str, year: int | None = None, **kwargs: object) -> str:
    target = reverse(
        f"finance:{name}", kwargs={"association": _association(request).slug, **kwargs}
    )
    return f"{target}?ar={year}" if year is not None else target


def _years_around(year: int) -> list[int]:
    return [year - 1, year + 1]


# --- Overview ------------------------------------------------------------------------------------


@role_required(READ_ROLES)
def overview(request: HttpRequest, association: str) -> HttpResponse:
    owner = _association(request)
    years = (
        Budget.objects.filter(association=owner)
        .values("year")
        .annotate(
            revisions=Count("pk"),
            decided=Count("pk", filter=Q(decided_on__isnull=False)),
            last_decided=Max("decided_on"),
            first=Min("revision"),
        )
        .order_by("-year")
    )
    page = Paginator(years, PAGE_SIZE).get_page(request.GET.get("sida"))
    newest = {
        (b.year, b.revision): b
        for b in Budget.objects.filter(
            association=owner, year__in=[row["year"] for row in page.object_list]
        )
    }
    rows = []
    for row in page.object_list:
        budget = newest.get((row["year"], row["revisions"] + row["first"] - 1))
        rows.append({**row, "budget": budget})
    keys = set(ContributionKey.objects.filter(association=owner).values_list("year", flat=True))
    return render(
        request,
        "finance/overview.html",
        {
            "page": page,
            "rows": rows,
            "keys": keys,
            "can_edit": can_edit_finance(get_actor(request)),
            "form": YearForm(initial={"year": timezone.localdate().year + 1}),
            "this_year": timezone.localdate().year,
        },
    )


# --- Contributions -------------------------------------------------------------------------------


@role_required(READ_ROLES)
@require_http_methods(["GET", "POST"])
def contributions(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    owner = _association(request)
    year = year_from(request)
    key = ContributionKey.objects.filter(association=owner, year=year).first()
    members = figures.members_in_year(owner, year)
    initial: dict[str, Any] = {"population_year": year - 1}
    if key is not None:
        initial = {
            "total": key.total,
            "kind": key.kind,
            "state_percent": key.state_percent,
            "region_percent": key.region_percent,
            "municipal_percent": key.municipal_percent,
            "split_state": key.split_state,
            "population_year": key.population_year,
            **{f"fixed_{s.member_id}": s.percent for s in key.shares.all()},
        }
    form = ContributionForm(initial=initial, members=members)
    if request.method == "POST":
        if not can_edit_finance(actor):
            return _forbidden()
        form = ContributionForm(request.POST, members=members)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_contribution_key(
                    actor,
                    owner,
                    services.KeyInput(
                        year=year,
                        total=data["total"],
                        kind=data["kind"],
                        state_percent=data["state_percent"],
                        region_percent=data["region_percent"],
                        municipal_percent=data["municipal_percent"],
                        split_state=data["split_state"],
                        population_year=data["population_year"],
                        fixed=form.fixed(),
                    ),
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request, _("Medlemsbidragen för %(year)s är sparade.") % {"year": year}
                )
                return redirect(url(request, "contributions", year))
    table = figures.contribution_table(key) if key is not None else None
    return render(
        request,
        "finance/contributions.html",
        {
            "year": year,
            "key": key,
            "table": table,
            "form": form,
            "can_edit": can_edit_finance(actor),
            "years": _years_around(year),
        },
    )


def _forbidden() -> HttpResponse:
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


# --- Budgets -------------------------------------------------------------------------------------


@role_required(OFFICE)
@require_POST
def budget_create(request: HttpRequest, association: str) -> HttpResponse:
    form = YearForm(request.POST)
    if form.is_valid():
        try:
            budget = services.create_budget(
                get_actor(request), _association(request), form.cleaned_data["year"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Budgeten för %(year)s är skapad.") % {"year": budget.year})
            return redirect(url(request, "budget_detail", budget=budget.public_id))
    else:
        messages.error(request, _("Ange ett år mellan 2000 och 2100."))
    return redirect(url(request, "overview"))


def _budget_page(
    request: HttpRequest, budget: Budget, status: int = 200, **forms: Any
) -> HttpResponse:
    actor = get_actor(request)
    table = figures.budget_table(budget)
    can_edit = can_edit_finance(actor)
    editable = can_edit and not budget.is_locked
    newest = figures.current_budget(budget.association, budget.year)
    context = {
        "budget": budget,
        "table": table,
        "can_edit": can_edit,
        "editable": editable,
        "is_newest": newest is not None and newest.pk == budget.pk,
        "revisions": Budget.objects.filter(
            association=budget.association, year=budget.year
        ).order_by("-revision"),
        "next_exists": Budget.objects.filter(
            association=budget.association, year=budget.year + 1
        ).exists(),
        "line_form": forms.get("line_form")
        or LineForm(interventions=services.interventions_for(budget.association)),
        "decide_form": forms.get("decide_form")
        or DecideForm(initial={"decided_on": timezone.localdate()}),
        "amount_errors": forms.get("amount_errors", {}),
        "distribution": figures.cost_distribution(figures.budget_category_amounts(budget)),
    }
    return render(request, "finance/budget_detail.html", context, status=status)


@role_required(READ_ROLES)
def budget_detail(request: HttpRequest, association: str, budget: str) -> HttpResponse:
    return _budget_page(request, get_budget_for_user(request, budget))


@role_required(OFFICE)
@require_POST
def budget_line_add(request: HttpRequest, association: str, budget: str) -> HttpResponse:
    obj = get_budget_for_user(request, budget)
    form = LineForm(request.POST, interventions=services.interventions_for(obj.association))
    if form.is_valid():
        data = form.cleaned_data
        try:
            line = services.add_line(
                get_actor(request),
                obj,
                services.LineInput(
                    category=data["category"],
                    name=data.get("name") or "",
                    amount=data["amount"],
                    intervention=data.get("intervention"),
                    code=data.get("code") or "",
                ),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Raden %(name)s är tillagd.") % {"name": line.post.name})
            return redirect(url(request, "budget_detail", budget=obj.public_id))
    return _budget_page(request, obj, status=400, line_form=form)


@role_required(OFFICE)
@require_POST
def budget_line_edit(
    request: HttpRequest, association: str, budget: str, line: str
) -> HttpResponse:
    obj = get_budget_for_user(request, budget)
    row = get_line_for_user(request, obj, line)
    form = LineAmountForm(request.POST)
    if form.is_valid():
        try:
            services.set_line_amount(get_actor(request), row, form.cleaned_data["amount"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(url(request, "budget_detail", budget=obj.public_id))
        messages.success(request, _("Beloppet för %(name)s är ändrat.") % {"name": row.post.name})
        return redirect(url(request, "budget_detail", budget=obj.public_id))
    errors = [e for errs in form.errors.values() for e in errs]
    return _budget_page(request, obj, status=400, amount_errors={row.public_id: errors})


@role_required(OFFICE)
@require_POST
def budget_line_delete(
    request: HttpRequest, association: str, budget: str, line: str
) -> HttpResponse:
    obj = get_budget_for_user(request, budget)
    row = get_line_for_user(request, obj, line)
    try:
        services.delete_line(get_actor(request), row)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Raden %(name)s är borttagen.") % {"name": row.post.name})
    return redirect(url(request, "budget_detail", budget=obj.public_id))


@role_required(OFFICE)
@require_POST
def budget_decide(request: HttpRequest, association: str, budget: str) -> HttpResponse:
    obj = get_budget_for_user(request, budget)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.decide_budget(get_actor(request), obj, form.cleaned_data["decided_on"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request, _("Budgeten är beslutad och låst. Ändringar görs i en ny revision.")
            )
            return redirect(url(request, "budget_detail", budget=obj.public_id))
    return _budget_page(request, obj, status=400, decide_form=form)


@role_required(OFFICE)
@require_POST
def budget_revise(request: HttpRequest, association: str, budget: str) -> HttpResponse:
    obj = get_budget_for_user(request, budget)
    try:
        revision = services.revise_budget(get_actor(request), obj)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(url(request, "budget_detail", budget=obj.public_id))
    messages.success(request, _("Revision %(n)s är skapad som utkast.") % {"n": revision.revision})
    return redirect(url(request, "budget_detail", budget=revision.public_id))


@role_required(OFFICE)
@require_POST
def budget_copy(request: HttpRequest, association: str, budget: str) -> HttpResponse:
    obj = get_budget_for_user(request, budget)
    try:
        copy = services.copy_forward(get_actor(request), obj)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(url(request, "budget_detail", budget=obj.public_id))
    messages.success(request, _("Budgeten är kopierad till %(year)s.") % {"year": copy.year})
    return redirect(url(request, "budget_detail", budget=copy.public_id))


def _budget_export_context(request: HttpRequest, budget: Budget) -> dict[str, Any]:
    return {
        "budget": budget,
        "table": figures.budget_table(budget),
        "plan": figures.multi_year_plan(budget.association, budget.year),
        "association": budget.association,
        "distribution": figures.cost_distribution(figures.budget_category_amounts(budget)),
    }


@role_required(READ_ROLES)
def budget_xlsx(request: HttpRequest, association: str, budget: str) -> HttpResponse:
    obj = get_budget_for_user(request, budget)
    context = _budget_export_context(request, obj)
    content = exports.budget_workbook(context["table"], context["plan"], obj.association.name)
    return exports.download(content, f"budget-{obj.year}-rev{obj.revision}.xlsx", exports.XLSX)


@role_required(READ_ROLES)
def budget_pdf(request: HttpRequest, association: str, budget: str) -> HttpResponse:
    obj = get_budget_for_user(request, budget)
    content = exports.pdf(
        request, "finance/print_budget.html", _budget_export_context(request, obj)
    )
    return exports.download(content, f"budget-{obj.year}-rev{obj.revision}.pdf", "application/pdf")


@role_required(READ_ROLES)
def plan(request: HttpRequest, association: str) -> HttpResponse:
    year = year_from(request)
    return render(
        request,
        "finance/plan.html",
        {
            "plan": figures.multi_year_plan(_association(request), year),
            "year": year,
            "years": _years_around(year),
        },
    )


# --- Outcomes ------------------------------------------------------------------------------------


def _outcome_grid(owner: Association, year: int) -> list[dict[str, Any]]:
    """Each post with outcomes in ``year``: its 12 months (a quarter on its last month)."""
    cells: dict[int, dict[int, Outcome]] = {}
    names: dict[int, BudgetPost] = {}
    for outcome in Outcome.objects.filter(association=owner, year=year).select_related("post"):
        cells.setdefault(outcome.post_id, {})[outcome.month] = outcome
        names[outcome.post_id] = outcome.post
    return [
        {"post": names[pid], "months": [cells[pid].get(m) for m in range(1, 13)]}
        for pid in sorted(names, key=lambda p: (names[p].category, names[p].name))
    ]


@role_required(READ_ROLES)
@require_http_methods(["GET", "POST"])
def outcomes(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    owner = _association(request)
    year = year_from(request)
    posts = BudgetPost.objects.filter(association=owner).order_by("category", "name")
    form = OutcomeForm(posts=posts)
    status = 200
    if request.method == "POST":
        if not can_edit_finance(actor):
            return _forbidden()
        form = OutcomeForm(request.POST, posts=posts)
        if form.is_valid():
            period = imports.parse_period(form.cleaned_data["period"])
            assert period is not None
            try:
                services.record_outcome(
                    actor,
                    owner,
                    services.OutcomeInput(
                        form.cleaned_data["post"],
                        year,
                        period[0],
                        form.cleaned_data["amount"],
                        period[1],
                    ),
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Utfallet är sparat."))
                return redirect(url(request, "outcomes", year))
        status = 400
    return render(
        request,
        "finance/outcomes.html",
        {
            "year": year,
            "years": _years_around(year),
            "grid": _outcome_grid(owner, year),
            "form": form,
            "can_edit": can_edit_finance(actor),
            "has_posts": posts.exists(),
            "month_numbers": range(1, 13),
        },
        status=status,
    )


@role_required(OFFICE)
@require_http_methods(["GET", "POST"])
def outcome_import(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    owner = _association(request)
    form = OutcomeUploadForm(initial={"year": year_from(request)})
    problems: list[str] = []
    checked: int | None = None
    if request.method == "POST":
        form = OutcomeUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            if form.cleaned_data["format"] == "sie":
                result = imports.read_sie_file(owner, data)
                source = Outcome.Source.SIE
            else:
                result = imports.read_outcome_file(
                    owner, form.cleaned_data["year"], data, upload.name
                )
                source = Outcome.Source.FILE
            try:
                count = imports.import_outcomes(
                    actor, owner, result, source, dry_run=form.cleaned_data["dry_run"]
                )
            except ValidationError as exc:
                problems = exc.messages
            else:
                if form.cleaned_data["dry_run"]:
                    checked = count
                else:
                    messages.success(
                        request,
                        _("%(count)s utfall för %(year)s är importerade.")
                        % {"count": count, "year": result.year},
                    )
                    return redirect(url(request, "report", result.year))
    return render(
        request,
        "finance/outcome_import.html",
        {"form": form, "problems": problems, "checked": checked},
        status=400 if problems or form.errors else 200,
    )


@role_required(READ_ROLES)
def outcome_template(request: HttpRequest, association: str) -> HttpResponse:
    codes = (
        BudgetPost.objects.filter(association=_association(request))
        .order_by("category", "name")
        .values_list("code", flat=True)[:200]
    )
    lines = ["kod;period;belopp"] + [f"{code};1;0" for code in codes]
    return exports.download(
        ("\n".join(lines) + "\n").encode("utf-8-sig"), "utfall-mall.csv", "text/csv; charset=utf-8"
    )


# --- Report and key figures ----------------------------------------------------------------------


def _key_figures(request: HttpRequest, owner: Association, year: int) -> list[Any]:
    """Exact for the office, with participants from 1 to 4 marked small for every other reader."""
    rows = figures.intervention_key_figures(owner, year)
    return rows if sees_exact_figures(get_actor(request)) else figures.published_key_figures(rows)


def _report_context(request: HttpRequest, year: int) -> dict[str, Any]:
    owner = _association(request)
    report = figures.deviation_report(owner, year)
    return {
        "year": year,
        "years": _years_around(year),
        "report": report,
        "association": owner,
        "budget_distribution": figures.cost_distribution(
            figures.budget_category_amounts(report.budget)
        ),
        "outcome_distribution": figures.cost_distribution(
            figures.outcome_category_amounts(owner, year)
        ),
        "key_figures": _key_figures(request, owner, year),
        "equity": figures.equity(owner, year),
    }


@role_required(READ_ROLES)
def report(request: HttpRequest, association: str) -> HttpResponse:
    return render(request, "finance/report.html", _report_context(request, year_from(request)))


@role_required(READ_ROLES)
def report_xlsx(request: HttpRequest, association: str) -> HttpResponse:
    year = year_from(request)
    owner = _association(request)
    content = exports.report_workbook(figures.deviation_report(owner, year), owner.name)
    return exports.download(content, f"budget-och-utfall-{year}.xlsx", exports.XLSX)


@role_required(READ_ROLES)
def report_pdf(request: HttpRequest, association: str) -> HttpResponse:
    year = year_from(request)
    content = exports.pdf(request, "finance/print_report.html", _report_context(request, year))
    return exports.download(content, f"budget-och-utfall-{year}.pdf", "application/pdf")


@role_required(READ_ROLES)
def key_figures_xlsx(request: HttpRequest, association: str) -> HttpResponse:
    year = year_from(request)
    owner = _association(request)
    content = exports.key_figures_workbook(_key_figures(request, owner, year), owner.name, year)
    return exports.download(content, f"nyckeltal-{year}.xlsx", exports.XLSX)


# --- Account mapping -----------------------------------------------------------------------------


@role_required(READ_ROLES)
@require_http_methods(["GET", "POST"])
def mappings(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    owner = _association(request)
    posts = BudgetPost.objects.filter(association=owner).order_by("category", "name")
    form = MappingForm(posts=posts)
    status = 200
    if request.method == "POST":
        if not can_edit_finance(actor):
            return _forbidden()
        form = MappingForm(request.POST, posts=posts)
        if form.is_valid():
            try:
                services.save_mapping(
                    actor, owner, form.cleaned_data["account"], form.cleaned_data["post"]
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Kontot är kopplat."))
                return redirect(url(request, "mappings"))
        status = 400
    rows = (
        AccountMapping.objects.filter(association=owner).select_related("post").order_by("account")
    )
    page = Paginator(rows, 100).get_page(request.GET.get("sida"))
    return render(
        request,
        "finance/mappings.html",
        {
            "page": page,
            "form": form,
            "can_edit": can_edit_finance(actor),
            "has_posts": posts.exists(),
        },
        status=status,
    )


@role_required(OFFICE)
@require_POST
def mapping_delete(request: HttpRequest, association: str, mapping: str) -> HttpResponse:
    obj = get_mapping_for_user(request, mapping)
    services.delete_mapping(get_actor(request), obj)
    messages.success(
        request, _("Kopplingen för konto %(account)s är borttagen.") % {"account": obj.account}
    )
    return redirect(url(request, "mappings"))


# --- Equity --------------------------------------------------------------------------------------


def _equity_page(request: HttpRequest, year: int, status: int = 200, **forms: Any) -> HttpResponse:
    owner = _association(request)
    return render(
        request,
        "finance/equity.html",
        {
            "year": year,
            "years": _years_around(year),
            "equity": figures.equity(owner, year),
            "tiers": CeilingTier.objects.filter(association=owner, year=year),
            "opening_form": forms.get("opening_form")
            or OpeningForm(
                initial={
                    "opening": EquityYear.objects.filter(association=owner, year=year)
                    .values_list("opening", flat=True)
                    .first()
                }
            ),
            "tier_form": forms.get("tier_form") or TierForm(),
            "can_edit": can_edit_finance(get_actor(request)),
        },
        status=status,
    )


@role_required(READ_ROLES)
def equity(request: HttpRequest, association: str) -> HttpResponse:
    return _equity_page(request, year_from(request))


@role_required(OFFICE)
@require_POST
def equity_opening(request: HttpRequest, association: str) -> HttpResponse:
    year = year_from(request)
    form = OpeningForm(request.POST)
    if form.is_valid():
        try:
            services.set_opening_equity(
                get_actor(request), _association(request), year, form.cleaned_data["opening"]
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Ingående eget kapital är sparat."))
            return redirect(url(request, "equity", year))
    return _equity_page(request, year, status=400, opening_form=form)


@role_required(OFFICE)
@require_POST
def tier_add(request: HttpRequest, association: str) -> HttpResponse:
    year = year_from(request)
    form = TierForm(request.POST)
    if form.is_valid():
        try:
            services.add_tier(
                get_actor(request),
                _association(request),
                services.TierInput(year=year, **form.cleaned_data),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Intervallet är tillagt."))
            return redirect(url(request, "equity", year))
    return _equity_page(request, year, status=400, tier_form=form)


@role_required(OFFICE)
@require_POST
def tier_delete(request: HttpRequest, association: str, tier: str) -> HttpResponse:
    obj = get_tier_for_user(request, tier)
    services.delete_tier(get_actor(request), obj)
    messages.success(request, _("Intervallet är borttaget."))
    return redirect(url(request, "equity", obj.year))


# --- A whole year --------------------------------------------------------------------------------


@role_required(OFFICE)
@require_http_methods(["GET", "POST"])
def year_import(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    owner = _association(request)
    form = UploadForm()
    problems: list[str] = []
    differences: list[str] = []
    checked: imports.YearImportResult | None = None
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            plan_ = imports.read_year_file(owner, upload.read(), upload.name)
            differences = plan_.differences
            dry_run = form.cleaned_data["dry_run"]
            try:
                result = imports.import_year(actor, owner, plan_, dry_run=dry_run)
            except ValidationError as exc:
                problems = exc.messages
            else:
                if dry_run:
                    checked = result
                else:
                    messages.success(
                        request,
                        _(
                            "Året %(year)s är importerat: %(lines)s budgetrader och %(outcomes)s "
                            "utfall."
                        )
                        % {"year": plan_.year, "lines": result.lines, "outcomes": result.outcomes},
                    )
                    for difference in differences:
                        messages.warning(request, difference)
                    if result.budget is not None:
                        return redirect(
                            url(request, "budget_detail", budget=result.budget.public_id)
                        )
                    return redirect(url(request, "report", plan_.year))
    return render(
        request,
        "finance/year_import.html",
        {"form": form, "problems": problems, "differences": differences, "checked": checked},
        status=400 if problems or form.errors else 200,
    )


YEAR_TEMPLATE = [
    ["2027", "tilldelning", "", "", "", "", "", "8000000", ""],
    ["2027", "budget", "bidrag", "Medlemsbidrag", "medlemsbidrag", "", "", "8000000", ""],
    ["2027", "budget", "kansli", "Kansli, personal", "administration", "", "", "1200000", ""],
    ["2027", "budget", "steg", "Steg till arbete", "individinriktade", "steg", "", "5000000", ""],
    ["2027", "summa", "kostnader", "Summa kostnader", "", "", "", "6200000", ""],
    ["2027", "utfall", "kansli", "", "", "", "1", "95000", ""],
]


@role_required(READ_ROLES)
def year_template(request: HttpRequest, association: str) -> HttpResponse:
    """An example whole-year file (CSV, semicolons) with every kind of row."""
    lines = [";".join(imports.YEAR_COLUMNS)] + [";".join(row) for row in YEAR_TEMPLATE]
    return exports.download(
        ("\n".join(lines) + "\n").encode("utf-8-sig"), "ar-mall.csv", "text/csv; charset=utf-8"
    )


@role_required(READ_ROLES)
def year_export(request: HttpRequest, association: str) -> HttpResponse:
    year = year_from(request)
    rows = imports.year_rows(_association(request), year)
    content = exports.rows_workbook(rows, str(year))
    return exports.download(content, f"ekonomi-{year}.xlsx", exports.XLSX)


# --- Planning estimate of the state allocation ---------------------------------------------------


@role_required(READ_ROLES)
@require_http_methods(["GET", "POST"])
def state_estimate(request: HttpRequest, association: str) -> HttpResponse:
    actor = get_actor(request)
    owner = _association(request)
    year = year_from(request)
    stored = StateEstimate.objects.filter(association=owner, year=year).first()
    form = StateEstimateForm(instance=stored)
    status = 200
    if request.method == "POST":
        if not can_edit_finance(actor):
            return _forbidden()
        form = StateEstimateForm(request.POST, instance=stored)
        if form.is_valid():
            try:
                services.save_state_estimate(actor, owner, year, form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request, _("Parametrarna för %(year)s är sparade.") % {"year": year}
                )
                return redirect(url(request, "state_estimate", year))
        status = 400
    return render(
        request,
        "finance/state_estimate.html",
        {
            "year": year,
            "years": _years_around(year),
            "stored": stored,
            "result": figures.state_estimate(stored) if stored is not None else None,
            "form": form,
            "can_edit": can_edit_finance(actor),
        },
        status=status,
    )
