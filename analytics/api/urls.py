"""Routes of the clocks and callbacks under /api/v1/, and the job resource with its clocks."""

from rest_framework.routers import SimpleRouter

from analytics.api import views
from analytics.api.callbacks import CallbackViewSet

router = SimpleRouter()
router.register("incidents", views.ClockedJobViewSet, basename="incident")
router.register("clocks", views.ClockViewSet, basename="clock")
router.register("clock-definitions", views.ClockDefinitionViewSet, basename="clock-definition")
router.register("delay-reasons", views.DelayReasonViewSet, basename="delay-reason")
router.register("callbacks", CallbackViewSet, basename="callback")

urlpatterns = router.urls
