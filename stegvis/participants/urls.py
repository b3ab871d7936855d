"""URLs of the provider side (/p/<provider>/…) and the referrer's pages (/r/<unit>/…)."""

from django.urls import URLPattern

app_name = "participants"

urlpatterns: list[URLPattern] = []
