"""Telework gateway pages: authenticator enrolment, the second login step, sessions and logs, the nginx
auth_request endpoint. Each part keeps its routes beside its views."""

from telework import enrol_views, gateway, login_views

app_name = "telework"
urlpatterns = [
    *enrol_views.urlpatterns,
    *login_views.urlpatterns,
    *gateway.urlpatterns,
]
