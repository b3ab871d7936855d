"""Reports, exports and start pages."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("a/<slug:association>/rapporter/", views.association, name="association"),
    path("a/<slug:association>/rapporter/mal/", views.goals, name="goals"),
    path(
        "a/<slug:association>/rapporter/samhallsekonomi/",
        views.socioeconomic,
        name="socioeconomic",
    ),
    path("p/<uuid:provider>/rapporter/", views.provider, name="provider"),
]
