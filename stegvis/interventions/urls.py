"""URLs of interventions: the office's pages under /a/<association>/insatser/, the provider's
under /p/<provider>/insatser/. Every pattern names its owner (see core/actors.py)."""

from django.urls import URLPattern

app_name = "interventions"

urlpatterns: list[URLPattern] = []
