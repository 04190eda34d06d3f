from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeleworkApplicationsConfig(AppConfig):
    name = "telework_applications"
    verbose_name = _("Telework applications")

    def ready(self) -> None:
        from approvals import doctypes
        from personnel import absence
        from personnel.shell import PagePanel, panel_register
        from telework_applications import policies  # noqa: F401 - registers the access policies
        from telework_applications.doctype import TeleworkApplicationType
        from telework_applications.services import telework_days
        from telework_applications.views import my_page_card

        doctypes.register(TeleworkApplicationType())  # filed and decided through the approval engine
        absence.register_day_plans(
            "telework", telework_days, label=_("Telework")
        )  # leave refuses a full day of telework
        panel_register(
            "my_page",
            PagePanel(template="telework_applications/_my_page_card.html", context=my_page_card, order=15),
        )
