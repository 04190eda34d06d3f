"""The portal's own error pages also under DEBUG (`make run`): a logged-in user who opens a page that does not exist
(or that they may not see) gets the portal's 404 in their language, not Django's technical page listing every URL
pattern. Anonymous visitors keep the technical page in DEBUG (a developer at work); production (DEBUG off) always
renders 404.html through Django's own handler."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


class PortalNotFoundMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and settings.DEBUG and self._friendly(request) and _technical(response):
            return render(request, "404.html", status=404)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and settings.DEBUG and self._friendly(request):
            return render(request, "404.html", status=404)
        return None

    @staticmethod
    def _friendly(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated


def _technical(response: HttpResponse) -> bool:
    """Django's technical 404 page: an unmatched URL under DEBUG (URL resolution never reaches process_exception)."""
    content = getattr(response, "content", b"")
    return response.get("Content-Type", "").startswith("text/html") and b"Using the URLconf" in content
