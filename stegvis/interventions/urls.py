"""URLs of interventions: the office's pages under /a/<association>/insatser/, the provider's
under /p/<provider>/insatser/. Every pattern names its owner (see core/actors.py)."""

from django.urls import include, path

from stegvis.interventions import views

app_name = "interventions"

association_patterns = [
    path("", views.association_list, name="association_list"),
    path("ny/", views.association_create, name="association_create"),
    path(
        "finansiering/<uuid:offer>/",
        views.association_funding_offer,
        name="association_funding_offer",
    ),
    path("<uuid:intervention>/", views.association_detail, name="association_detail"),
    path("<uuid:intervention>/andra/", views.association_edit, name="association_edit"),
    path("<uuid:intervention>/mal/nytt/", views.association_goal_add, name="association_goal_add"),
    path(
        "<uuid:intervention>/mal/<uuid:goal>/ta-bort/",
        views.association_goal_delete,
        name="association_goal_delete",
    ),
    path(
        "<uuid:intervention>/aktiviteter/ny/",
        views.association_activity_add,
        name="association_activity_add",
    ),
    path(
        "<uuid:intervention>/aktiviteter/<uuid:activity>/",
        views.association_activity_detail,
        name="association_activity_detail",
    ),
    path(
        "<uuid:intervention>/aktiviteter/<uuid:activity>/ta-bort/",
        views.association_activity_delete,
        name="association_activity_delete",
    ),
]

provider_patterns = [
    path("", views.provider_list, name="provider_list"),
    path("<uuid:intervention>/", views.provider_detail, name="provider_detail"),
    path("<uuid:intervention>/coacher/", views.provider_coaches, name="provider_coaches"),
]

urlpatterns = [
    path("a/<slug:association>/insatser/", include(association_patterns)),
    path("p/<uuid:provider>/insatser/", include(provider_patterns)),
]
