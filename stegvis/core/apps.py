from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "stegvis.core"
    label = "core"
    verbose_name = _("Grund")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from stegvis.core.collation import register

        # SQLite connections get the Swedish collation that name columns declare.
        connection_created.connect(register, dispatch_uid="stegvis.core.collation")
