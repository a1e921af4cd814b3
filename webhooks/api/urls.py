"""Routes of webhooks under /api/v1/."""

urlpatterns: list = []
