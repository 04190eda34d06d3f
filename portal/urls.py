from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from personnel.shell import login_handover
from telework import login_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="personnel:my_page", permanent=False), name="home"),
    path("login/", login_views.login_view, name="login"),
    path("login/otp/", login_views.login_otp_view, name="login_otp"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("personnel/", include("personnel.urls")),
    path("telework/", include("telework.urls")),
    path("approvals/", include("approvals.urls")),
    path("leave/", include("leave.urls")),
    path("payroll/", include("payroll.urls")),
    path("telework/applications/", include("telework_applications.urls")),
    # Where leave lived before it became its own app; bookmarks keep working.
    path("personnel/leave/", RedirectView.as_view(pattern_name="leave:list", permanent=True)),
    path("personnel/leave/new/", RedirectView.as_view(url="/approvals/new/leave/", permanent=True)),
    path("admin/", admin.site.urls),
    # One login path: Wagtail's login page hands over to the portal's (Django's admin does so in PortalAdminSite);
    # its self-service password reset is off (WAGTAIL_PASSWORD_RESET_ENABLED).
    path("cms-admin/login/", login_handover),
    path("cms-admin/", include(wagtailadmin_urls)),
    path("cms/", include(wagtail_urls)),
]
