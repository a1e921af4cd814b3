"""Routes of partners under /api/v1/ (before the jobs' routes: /incidents/{id}/eido/)."""

urlpatterns: list = []
