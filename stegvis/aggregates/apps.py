from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AggregatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stegvis.aggregates"
    verbose_name = _("Avidentifierade sammanställningar")

    def ready(self) -> None:
        from stegvis.aggregates import signals  # noqa: F401
        from stegvis.aggregates.plan_measures import register

        # The operating plan's goals that need participant figures are answered from packages.
        register()
