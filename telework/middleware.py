"""Session timeouts for the telework gateway (being written, issue 4)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)
