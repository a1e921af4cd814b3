"""Routes of patrol under /api/v1/: zones, teams, units, positions, patrol time."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from patrol.api import views

router = SimpleRouter()
router.register("zones", views.PatrolZoneViewSet, basename="zone")
router.register("teams", views.TeamViewSet, basename="team")
router.register("units", views.UnitViewSet, basename="unit")

urlpatterns = [
    path("positions/", views.PositionsView.as_view(), name="positions"),
    path("patrol-time/", views.PatrolTimeView.as_view(), name="patrol-time"),
    *router.urls,
]
