from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayrollConfig(AppConfig):
    name = "payroll"
    verbose_name = _("Payroll inputs (総務ワークステーション)")

    def ready(self) -> None:
        from payroll import exports, policies  # noqa: F401 - registers the exports and the access policies
        from payroll.doctypes import register_all
        from payroll.views import my_page_card
        from personnel.shell import PagePanel, panel_register

        register_all()  # every payroll input is filed and decided through the approval engine
        panel_register("my_page", PagePanel(template="payroll/_my_page_card.html", context=my_page_card, order=20))
