"""Routes of dispatch under /api/v1/: assignments and orders.

Jobs (`/incidents/`) are routed by analytics, which adds their clocks to
dispatch's JobViewSet.
"""

from rest_framework.routers import SimpleRouter

from dispatch.api import views

router = SimpleRouter()
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("orders", views.OrderViewSet, basename="order")

urlpatterns = router.urls
