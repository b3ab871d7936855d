"""URLs of surveys: the office's pages under /a/<association>/enkater/ and …/vald/, the
provider's under /p/<provider>/, and the respondent's public page /enkat/<token>/ (no owner)."""

from django.urls import URLPattern, path

from stegvis.surveys import views, views_provider, views_public

app_name = "surveys"

A = "a/<slug:association>/enkater/"
V = "a/<slug:association>/vald/"
P = "p/<uuid:provider>/"

urlpatterns: list[URLPattern] = [
    path(A, views.overview, name="overview"),
    path(A + "formular/", views.questionnaire_list, name="questionnaire_list"),
    path(A + "formular/exempel/", views.load_samples, name="load_samples"),
    path(
        A + "formular/<uuid:questionnaire>/",
        views.questionnaire_detail,
        name="questionnaire_detail",
    ),
    path(
        A + "formular/<uuid:questionnaire>/lokal-fraga/",
        views.local_item_add,
        name="local_item_add",
    ),
    path(
        A + "formular/<uuid:questionnaire>/lokal-fraga/ta-bort/",
        views.local_item_remove,
        name="local_item_remove",
    ),
    path(A + "formular/<uuid:questionnaire>/mal/", views.goal_add, name="goal_add"),
    path(A + "mal/<uuid:goal>/ta-bort/", views.goal_delete, name="goal_delete"),
    path(A + "omgangar/ny/", views.round_create, name="round_create"),
    path(A + "omgangar/<uuid:round>/", views.round_detail, name="round_detail"),
    path(A + "omgangar/<uuid:round>/stang/", views.round_close, name="round_close"),
    path(A + "omgangar/<uuid:round>/papper/", views.round_paper, name="round_paper"),
    path(A + "resultat/", views.results, name="results"),
    path(A + "resultat.xlsx", views.results_xlsx, name="results_xlsx"),
    path(A + "resultat.pdf", views.results_pdf, name="results_pdf"),
    path(A + "jamforelsevarden/", views.reference_values, name="reference_values"),
    path(A + "leverans/", views.delivery, name="delivery"),
    path(V, views.violence, name="violence"),
    path(V + "stod/", views.violence_settings, name="violence_settings"),
    path(V + "export.csv", views.violence_export, name="violence_export"),
    path(P + "enkater/", views_provider.provider_surveys, name="provider_surveys"),
    path(P + "vald/", views_provider.screening_overview, name="screening_overview"),
    path(
        P + "vald/inskrivning/<uuid:enrolment>/",
        views_provider.screening_record,
        name="screening_record",
    ),
    path(
        P + "vald/omgang/<uuid:round>/papper/",
        views_provider.provider_paper,
        name="provider_paper",
    ),
    path("enkat/<str:token>/", views_public.answer, name="answer"),
    path("enkat/<str:token>/tack/", views_public.thanks, name="thanks"),
]
