"""URLs of the annual / interim report (verksamhetsberättelse)."""

from django.urls import path

from stegvis.reports import views_document

app_name = "reports_document"

urlpatterns = [
    path(
        "a/<slug:association>/verksamhetsberattelse/",
        views_document.document_page,
        name="document",
    ),
    path(
        "a/<slug:association>/verksamhetsberattelse/texter/",
        views_document.save_texts,
        name="save_texts",
    ),
    path(
        "a/<slug:association>/verksamhetsberattelse/faststall/",
        views_document.finalise,
        name="finalise",
    ),
    path(
        "a/<slug:association>/verksamhetsberattelse/pdf/",
        views_document.document_pdf,
        name="pdf",
    ),
    path(
        "a/<slug:association>/verksamhetsberattelse/xlsx/",
        views_document.document_xlsx,
        name="xlsx",
    ),
]
