from django.urls import path

from . import views

app_name = "aggregates"

urlpatterns = [
    path("p/<uuid:provider>/paket/", views.provider_packages, name="provider_packages"),
    path(
        "p/<uuid:provider>/paket/<uuid:intervention>/",
        views.provider_review,
        name="provider_review",
    ),
    path("a/<slug:association>/paket/", views.association_packages, name="association_packages"),
    path(
        "a/<slug:association>/paket/ta-emot/",
        views.association_receive,
        name="association_receive",
    ),
    path(
        "a/<slug:association>/paket/nationell/",
        views.association_national,
        name="association_national",
    ),
    path(
        "a/<slug:association>/paket/sammanstallning/",
        views.association_compilation,
        name="association_compilation",
    ),
    path("n/<slug:network>/", views.network_home, name="network_home"),
    path("n/<slug:network>/ta-emot/", views.network_receive, name="network_receive"),
    path(
        "n/<slug:network>/<uuid:compilation>/",
        views.network_compilation,
        name="network_compilation",
    ),
    path(
        "a/<slug:association>/paket/<uuid:package>/",
        views.association_package,
        name="association_package",
    ),
]
