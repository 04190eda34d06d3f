from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeleworkConfig(AppConfig):
    name = "telework"
    verbose_name = _("Telework")

    def ready(self) -> None:
        from telework import policies  # noqa: F401 - registers the access policies
