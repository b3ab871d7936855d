"""URLs of the provider side (/p/<provider>/…) and the referrer's pages (/r/<unit>/…)."""

from django.urls import URLPattern, path

from stegvis.participants import views, views_export, views_import

app_name = "participants"

P = "p/<uuid:provider>/"
R = "r/<uuid:unit>/"

urlpatterns: list[URLPattern] = [
    path(P + "deltagare/", views.participant_list, name="participant_list"),
    path(P + "deltagare/ny/", views.participant_create, name="participant_create"),
    path(P + "deltagare/<uuid:participant>/", views.participant_detail, name="participant_detail"),
    path(P + "deltagare/<uuid:participant>/samtycke/", views.consent_add, name="consent_add"),
    path(
        P + "deltagare/<uuid:participant>/samtycke/<uuid:consent>/aterkalla/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        P + "deltagare/<uuid:participant>/inskrivning/", views.enrolment_add, name="enrolment_add"
    ),
    path(P + "inskrivningar/<uuid:enrolment>/avslut/", views.enrolment_exit, name="enrolment_exit"),
    path(
        P + "inskrivningar/<uuid:enrolment>/uppehall/",
        views.enrolment_pause,
        name="enrolment_pause",
    ),
    path(
        P + "deltagare/<uuid:participant>/andra/", views.participant_edit, name="participant_edit"
    ),
    path(
        P + "inskrivningar/<uuid:enrolment>/sammanfattning/",
        views.exit_summary,
        name="exit_summary",
    ),
    path(P + "remisser/", views.referral_list, name="referral_list"),
    path(P + "remisser/ny/", views.referral_add, name="referral_add"),
    path(P + "remisser/<uuid:referral>/", views.referral_detail, name="referral_detail"),
    path(P + "uppfoljningar/", views.follow_up_list, name="follow_up_list"),
    path(P + "uppfoljningar/<uuid:follow_up>/", views.follow_up_record, name="follow_up_record"),
    path(R + "remisser/", views.referrer_referral_list, name="referrer_referral_list"),
    path(R + "remisser/ny/", views.referrer_referral_add, name="referrer_referral_add"),
    path(
        R + "remisser/<uuid:referral>/",
        views.referrer_referral_detail,
        name="referrer_referral_detail",
    ),
    path(
        R + "remisser/<uuid:referral>/aterta/",
        views.referrer_referral_withdraw,
        name="referrer_referral_withdraw",
    ),
]

urlpatterns += [
    path(P + "deltagare/export.csv", views_export.export_csv, name="export_csv"),
    path(P + "deltagare/export.xlsx", views_export.export_xlsx, name="export_xlsx"),
]

# Participant import (views_import.py): upload and preview, confirm, the template, a background
# import's progress and result.
urlpatterns += [
    path(P + "import/", views_import.import_upload, name="provider_import"),
    path(P + "import/bekrafta/", views_import.import_confirm, name="provider_import_confirm"),
    path(P + "import/mall.xlsx", views_import.import_template, name="provider_import_template"),
    path(P + "import/<uuid:job>/", views_import.import_job, name="provider_import_job"),
]
