"""Websocket routes. Each app adds its consumers here (approvals: live queue counts)."""

from django.urls import path

from approvals.consumers import QueueConsumer

websocket_urlpatterns: list = [
    path("ws/queues/", QueueConsumer.as_asgi(), name="ws_queues"),
]
