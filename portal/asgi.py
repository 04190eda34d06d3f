"""ASGI entry point, served by Daphne: HTTP through Django, websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402 - needs the app registry loaded above
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from portal.routing import websocket_urlpatterns  # noqa: E402


class AllowedHostsOriginValidator(OriginValidator):
    """Channels' validator of the same name (a socket's Origin must be one of ALLOWED_HOSTS, which stops other
    sites' pages from opening sockets with the user's cookie), reading the setting at each connection instead of
    once at import, so it always agrees with Django's own host check (and the test runner's "testserver")."""

    def __init__(self, application) -> None:
        self.application = application

    @property
    def allowed_origins(self) -> list[str]:
        if settings.DEBUG and not settings.ALLOWED_HOSTS:
            return ["localhost", "127.0.0.1", "[::1]"]
        return settings.ALLOWED_HOSTS


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
