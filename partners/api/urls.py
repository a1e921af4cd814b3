"""Routes of partners under /api/v1/ (before the jobs' routes: /incidents/{id}/eido/)."""

from django.urls import path

from partners.api.views import IncidentEidoView

urlpatterns: list = [
    path("incidents/<int:pk>/eido/", IncidentEidoView.as_view(), name="incident-eido"),
]
