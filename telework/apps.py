from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeleworkConfig(AppConfig):
    name = "telework"
    verbose_name = _("Telework")

    def ready(self) -> None:
        from personnel.shell import PagePanel, panel_register
        from telework import (
            login,  # noqa: F401 - connects the login signals (login time, end of remote sessions)
            policies,  # noqa: F401 - registers the access policies
        )
        from telework.enrol_views import my_page_card

        panel_register("my_page", PagePanel(template="telework/_my_page_card.html", context=my_page_card, order=20))
