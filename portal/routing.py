"""Websocket routes. Each app adds its consumers here (approvals: live queue counts)."""

websocket_urlpatterns: list = []
