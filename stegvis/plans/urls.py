"""URLs of the operating plan, under /a/<association>/verksamhetsplan/. Every pattern names its
owner."""

from django.urls import include, path

from stegvis.plans import views

app_name = "plans"

patterns = [
    path("", views.plan_list, name="list"),
    path("ny/", views.plan_create, name="create"),
    path("medlemssamrad/", views.consultation_list, name="consultations"),
    path("medlemssamrad/ny/", views.consultation_create, name="consultation_create"),
    path("medlemssamrad/<uuid:consultation>/", views.consultation_detail, name="consultation"),
    path(
        "medlemssamrad/<uuid:consultation>/deltagare/",
        views.participant_add,
        name="participant_add",
    ),
    path(
        "medlemssamrad/<uuid:consultation>/slutsatser/",
        views.conclusion_add,
        name="conclusion_add",
    ),
    path(
        "medlemssamrad/<uuid:consultation>/slutsatser/<uuid:conclusion>/beakta/",
        views.conclusion_consider,
        name="conclusion_consider",
    ),
    path("arshjul/", views.obligation_calendar, name="calendar"),
    path("arshjul/standard/", views.obligation_defaults, name="obligation_defaults"),
    path("arshjul/ny/", views.obligation_add, name="obligation_add"),
    path("arshjul/<uuid:obligation>/", views.obligation_edit, name="obligation_edit"),
    path("<uuid:plan>/", views.plan_detail, name="detail"),
    path("<uuid:plan>/texter/", views.plan_texts, name="texts"),
    path("<uuid:plan>/malomraden/ny/", views.area_add, name="area_add"),
    path("<uuid:plan>/malomraden/<uuid:area>/mal/ny/", views.goal_add, name="goal_add"),
    path(
        "<uuid:plan>/malomraden/<uuid:area>/aktiviteter/ny/",
        views.activity_add,
        name="activity_add",
    ),
    path("<uuid:plan>/mal/<uuid:plan_goal>/ta-bort/", views.goal_delete, name="goal_delete"),
    path(
        "<uuid:plan>/aktiviteter/<uuid:plan_activity>/status/",
        views.activity_follow,
        name="activity_follow",
    ),
    path("<uuid:plan>/samrad/", views.plan_send, name="send"),
    path("<uuid:plan>/besluta/", views.plan_decide, name="decide"),
    path("<uuid:plan>/ny-version/", views.plan_new_version, name="new_version"),
    path("<uuid:plan>/uppfoljning/", views.plan_follow_up, name="follow_up"),
    path("<uuid:plan>/dokument/", views.plan_document, name="document"),
    path("<uuid:plan>/verksamhetsplan.pdf", views.plan_pdf, name="pdf"),
]

urlpatterns = [path("a/<slug:association>/verksamhetsplan/", include(patterns))]
