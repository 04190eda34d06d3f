"""The portal's URLs plus a login form as a library might add one later (django.contrib.auth's form and login(),
with none of the gateway's code): the login policy must hold there too (test_login_policy_everywhere.py)."""

from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def library_login(request: HttpRequest) -> HttpResponse:
    form = AuthenticationForm(request, data=request.POST)
    if form.is_valid():
        login(request, form.get_user())
        return HttpResponse("logged in")
    return HttpResponse("refused", status=400)


urlpatterns = [path("library-login/", library_login), *portal_urlpatterns]
