"""Routes of community under /api/v1/: sites, sensors, heartbeats, alarms."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from community.api import views

router = SimpleRouter()
router.register("sites", views.SiteViewSet, basename="site")
router.register("sensors", views.SensorViewSet, basename="sensor")
router.register("alarms", views.AlarmViewSet, basename="alarm")

urlpatterns = [
    # Before the router: "heartbeats" is no sensor id.
    path("sensors/heartbeats/", views.HeartbeatsView.as_view(), name="sensor-heartbeats"),
    *router.urls,
]
