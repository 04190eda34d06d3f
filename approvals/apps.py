from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("E-approval")

    def ready(self) -> None:
        import approvals.live  # noqa: F401 - connects the logout receiver that closes the session's sockets
        from approvals import policies  # noqa: F401 - registers the access policies
