from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("E-approval")

    def ready(self) -> None:
        import approvals.live  # noqa: F401 - connects the logout receiver that closes the session's sockets
        from approvals import (
            checks,  # noqa: F401 - registers the system checks of the document types
            policies,  # noqa: F401 - registers the access policies
        )
        from approvals.audit import document_status_problems
        from approvals.services.rules import seed_after_migrate
        from personnel import auditchain

        auditchain.register_state_check(document_status_problems)

        # Every app's ready() has run by the time migrate ends, so every document type is registered then.
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid="approvals.seed_default_rules")
