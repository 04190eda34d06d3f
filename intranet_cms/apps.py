from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntranetCmsConfig(AppConfig):
    name = "intranet_cms"
    verbose_name = _("Intranet")
