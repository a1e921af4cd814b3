"""Routes of the clocks under /api/v1/, and the job resource with its clocks."""

from rest_framework.routers import SimpleRouter

from analytics.api import views

router = SimpleRouter()
router.register("incidents", views.ClockedJobViewSet, basename="incident")
router.register("clocks", views.ClockViewSet, basename="clock")
router.register("clock-definitions", views.ClockDefinitionViewSet, basename="clock-definition")
router.register("delay-reasons", views.DelayReasonViewSet, basename="delay-reason")

urlpatterns = router.urls
