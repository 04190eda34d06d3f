from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TakeoutConfig(AppConfig):
    name = "takeout"
    verbose_name = _("Taking data out (持ち出し)")

    def ready(self) -> None:
        from approvals import doctypes
        from takeout import policies  # noqa: F401 - registers the access policies
        from takeout.doctype import TakeoutType

        doctypes.register(TakeoutType())  # asked for and decided through the approval engine
