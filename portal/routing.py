"""Websocket routes. Each app adds its consumers here (approvals: live queue counts).

The queue socket ends with its login session; the telework gateway's test of that (logged out, idle or absolute
timeout) is given to the engine's consumer here, so the engine does not import the identity layer."""

from django.urls import path

from approvals.consumers import QueueConsumer
from telework.middleware import session_expired

websocket_urlpatterns: list = [
    path(
        "ws/queues/",
        QueueConsumer.as_asgi(session_over=lambda session, zone: session_expired(session, zone=zone)),
        name="ws_queues",
    ),
]
