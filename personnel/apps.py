from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PersonnelConfig(AppConfig):
    name = "personnel"
    verbose_name = _("Personnel")

    def ready(self) -> None:
        from personnel import directory_export, policies  # noqa: F401 - registers the policies and the export


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the portal's site (personnel.shell.PortalAdminSite) as `admin.site`; listed in
    INSTALLED_APPS in place of django.contrib.admin (never this app's default config)."""

    default = False
    default_site = "personnel.shell.PortalAdminSite"
