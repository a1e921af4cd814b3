"""Websocket routes; the live one map's stream joins here."""

websocket_urlpatterns: list = []
