from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "leave"
    verbose_name = _("Leave")

    def ready(self) -> None:
        from approvals.doctypes import DocTypeHooks, register
        from approvals.models import DocumentType
        from leave.services import leave_on_decided
        from leave.views import my_page_card
        from personnel.shell import PagePanel, panel_register

        # Leave is filed and decided through the approval engine; deciding it debits the balance.
        register(DocumentType.LEAVE, DocTypeHooks(on_decided=leave_on_decided, related_name="leave_request"))
        panel_register("my_page", PagePanel(template="leave/_my_page_card.html", context=my_page_card, order=10))
