"""Routes of community under /api/v1/: sites, sensors, heartbeats, alarms, volunteers,
standard addresses and households."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from community.api import missing_views, registry_views, views, volunteer_views

router = SimpleRouter()
router.register("sites", views.SiteViewSet, basename="site")
router.register("sensors", views.SensorViewSet, basename="sensor")
router.register("alarms", views.AlarmViewSet, basename="alarm")
router.register("volunteer-teams", volunteer_views.VolunteerTeamViewSet, basename="volunteer-team")
router.register("volunteers", volunteer_views.VolunteerViewSet, basename="volunteer")
router.register("addresses", registry_views.AddressViewSet, basename="address")
router.register("missing-persons", missing_views.MissingPersonViewSet, basename="missing-person")

urlpatterns = [
    # Before the router: "heartbeats" is no sensor id.
    path("sensors/heartbeats/", views.HeartbeatsView.as_view(), name="sensor-heartbeats"),
    path("volunteers/hours/", volunteer_views.VolunteerHoursView.as_view(), name="volunteer-hours"),
    path("residents/", registry_views.ResidentSearchView.as_view(), name="resident-search"),
    *router.urls,
]
