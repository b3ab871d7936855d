"""URLs of finance, under /a/<association>/ekonomi/. Every pattern names its owner."""

from django.urls import include, path

from stegvis.finance import views

app_name = "finance"

patterns = [
    path("", views.overview, name="overview"),
    path("medlemsbidrag/", views.contributions, name="contributions"),
    path("budget/ny/", views.budget_create, name="budget_create"),
    path("budget/<uuid:budget>/", views.budget_detail, name="budget_detail"),
    path("budget/<uuid:budget>/rader/ny/", views.budget_line_add, name="budget_line_add"),
    path(
        "budget/<uuid:budget>/rader/<uuid:line>/", views.budget_line_edit, name="budget_line_edit"
    ),
    path(
        "budget/<uuid:budget>/rader/<uuid:line>/ta-bort/",
        views.budget_line_delete,
        name="budget_line_delete",
    ),
    path("budget/<uuid:budget>/besluta/", views.budget_decide, name="budget_decide"),
    path("budget/<uuid:budget>/revidera/", views.budget_revise, name="budget_revise"),
    path("budget/<uuid:budget>/kopiera/", views.budget_copy, name="budget_copy"),
    path("budget/<uuid:budget>/budget.xlsx", views.budget_xlsx, name="budget_xlsx"),
    path("budget/<uuid:budget>/budget.pdf", views.budget_pdf, name="budget_pdf"),
    path("flerarsplan/", views.plan, name="plan"),
    path("utfall/", views.outcomes, name="outcomes"),
    path("utfall/import/", views.outcome_import, name="outcome_import"),
    path("utfall/mall.csv", views.outcome_template, name="outcome_template"),
    path("uppfoljning/", views.report, name="report"),
    path("uppfoljning/rapport.xlsx", views.report_xlsx, name="report_xlsx"),
    path("uppfoljning/rapport.pdf", views.report_pdf, name="report_pdf"),
    path("uppfoljning/nyckeltal.xlsx", views.key_figures_xlsx, name="key_figures_xlsx"),
    path("kontomappning/", views.mappings, name="mappings"),
    path("kontomappning/<uuid:mapping>/ta-bort/", views.mapping_delete, name="mapping_delete"),
    path("eget-kapital/", views.equity, name="equity"),
    path("eget-kapital/ingaende/", views.equity_opening, name="equity_opening"),
    path("eget-kapital/tak/", views.tier_add, name="tier_add"),
    path("eget-kapital/tak/<uuid:tier>/ta-bort/", views.tier_delete, name="tier_delete"),
    path("statlig-tilldelning/", views.state_estimate, name="state_estimate"),
    path("import/", views.year_import, name="year_import"),
    path("export.xlsx", views.year_export, name="year_export"),
    path("ar-mall.csv", views.year_template, name="year_template"),
]

urlpatterns = [path("a/<slug:association>/ekonomi/", include(patterns))]
