"""URLs of the catalogue.

Public pages sit under /katalog/ and never use an owner keyword (association, provider, unit):
the actor middleware would treat them as owned. The association is ``<slug:forbund>``, the
intervention ``<uuid:insats>`` (its public id: a stable address). The office's pages are under
/a/<association>/katalog/, the provider's inbox under /p/<provider>/intresseanmalningar/.
"""

from django.urls import path

from stegvis.catalogue import views

app_name = "catalogue"

P = "p/<uuid:provider>/intresseanmalningar/"

urlpatterns = [
    path("katalog/", views.index, name="index"),
    path("katalog/oppna-data/katalog.json", views.open_data_json, name="open_data_json"),
    path("katalog/oppna-data/katalog.csv", views.open_data_csv, name="open_data_csv"),
    path("katalog/forbund/<slug:forbund>/", views.association_catalogue, name="association"),
    path("katalog/insats/<uuid:insats>/", views.detail, name="detail"),
    path("katalog/insats/<uuid:insats>/anmalan/", views.register, name="register"),
    path("katalog/insats/<uuid:insats>/tack/", views.receipt, name="receipt"),
    path("a/<slug:association>/katalog/", views.office_list, name="office_list"),
    path(
        "a/<slug:association>/katalog/<uuid:intervention>/",
        views.office_edit,
        name="office_edit",
    ),
    path(P, views.inbox, name="inbox"),
    path(P + "<uuid:registration>/", views.registration_detail, name="registration_detail"),
    path(
        P + "<uuid:registration>/remiss/",
        views.registration_convert,
        name="registration_convert",
    ),
]
