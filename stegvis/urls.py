"""Root URLs. Django admin is for operations staff only (is_staff) and sits behind two factors."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from django_otp.admin import OTPAdminSite

# Staff must have verified a second factor to use the admin.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "Stegvis – drift"

urlpatterns = [
    path("", include("stegvis.core.urls")),
    path("", include("stegvis.interventions.urls")),
    path("", include("stegvis.participants.urls")),
    path("", include("stegvis.catalogue.urls")),
    path("", include("stegvis.progression.urls")),
    path("", include("stegvis.finance.urls")),
    path("", include("stegvis.deviations.urls")),
    path("", include("stegvis.surveys.urls")),
    path("", include("stegvis.aggregates.urls")),
    path("", include("stegvis.plans.urls")),
    path("", include("stegvis.reports.urls")),
    path("", include("stegvis.reports.urls_document")),
    path("sprak/", set_language, name="set_language"),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "stegvis.core.views.errors.bad_request"
handler403 = "stegvis.core.views.errors.permission_denied"
handler404 = "stegvis.core.views.errors.page_not_found"
handler500 = "stegvis.core.views.errors.server_error"
