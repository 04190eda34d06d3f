from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "leave"
    verbose_name = _("Leave")

    def ready(self) -> None:
        from approvals import doctypes
        from leave import exports  # noqa: F401 - registers the leave ledger export
        from leave.doctype import LeaveDocumentType
        from leave.selectors import absent_on
        from leave.services import full_days_of_leave, part_days_of_leave
        from leave.views import my_page_card
        from personnel import absence
        from personnel.shell import PagePanel, panel_register

        doctypes.register(LeaveDocumentType())  # filed and decided through the approval engine
        absence.register_source(absent_on)  # an approver on decided leave may be passed over by 後閲
        # Telework refuses a day of leave; the team calendar shows these and half days and hours.
        absence.register_day_plans("leave", full_days_of_leave, label=_("Leave"))
        absence.register_day_plans("leave_part", part_days_of_leave, label=_("Part-day leave"))
        panel_register("my_page", PagePanel(template="leave/_my_page_card.html", context=my_page_card, order=10))
