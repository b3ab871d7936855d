from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeviationsConfig(AppConfig):
    name = "stegvis.deviations"
    label = "deviations"
    verbose_name = _("Lex Heller-rapporter")

    def ready(self) -> None:
        from stegvis.deviations import signals  # noqa: F401  (connects the receivers)
