"""URLs of progression: the provider's pages (/p/<provider>/stegforflyttning/…), the
association's (/a/<association>/stegforflyttning/…) and the participant's public page (/s/…)."""

from django.urls import URLPattern, path

from stegvis.progression import views

app_name = "progression"

P = "p/<uuid:provider>/stegforflyttning/"
A = "a/<slug:association>/stegforflyttning/"

urlpatterns: list[URLPattern] = [
    path(P, views.work_list, name="work_list"),
    path(P + "inskrivning/<uuid:enrolment>/", views.enrolment_progress, name="enrolment_progress"),
    path(
        P + "inskrivning/<uuid:enrolment>/ny-matning/",
        views.measurement_create,
        name="measurement_create",
    ),
    path(P + "matning/<uuid:measurement>/", views.measurement_detail, name="measurement_detail"),
    path(P + "matning/<uuid:measurement>/lank/", views.link_create, name="link_create"),
    path(
        P + "insats/<uuid:intervention>/", views.intervention_figures, name="intervention_figures"
    ),
    path(P + "insats/<uuid:intervention>/matplan/", views.plan_edit, name="plan_edit"),
    path(P + "instrument/", views.provider_instrument_list, name="provider_instrument_list"),
    path(
        P + "instrument/ladda-upp/",
        views.provider_instrument_upload,
        name="provider_instrument_upload",
    ),
    path(
        P + "instrument/<uuid:instrument>/",
        views.provider_instrument_detail,
        name="provider_instrument_detail",
    ),
    path(
        P + "instrument/<uuid:instrument>/fil.yaml",
        views.provider_instrument_download,
        name="provider_instrument_download",
    ),
    path(A + "instrument/", views.association_instrument_list, name="association_instrument_list"),
    path(
        A + "instrument/ladda-upp/",
        views.association_instrument_upload,
        name="association_instrument_upload",
    ),
    path(
        A + "instrument/<uuid:instrument>/",
        views.association_instrument_detail,
        name="association_instrument_detail",
    ),
    path(
        A + "instrument/<uuid:instrument>/fil.yaml",
        views.association_instrument_download,
        name="association_instrument_download",
    ),
    path(
        P + "instrument/<uuid:instrument>/fil.xlsx",
        views.provider_instrument_download_xlsx,
        name="provider_instrument_download_xlsx",
    ),
    path(
        A + "instrument/<uuid:instrument>/fil.xlsx",
        views.association_instrument_download_xlsx,
        name="association_instrument_download_xlsx",
    ),
    path(A + "instrument/<uuid:instrument>/steg/", views.ladder_steps, name="ladder_steps"),
    # The participant's own page: no account, no owner in the address; the token is the key.
    path("s/<str:token>/", views.self_assessment, name="self_assessment"),
]
