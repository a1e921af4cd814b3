"""Routes of dispatch under /api/v1/: jobs (incidents), assignments, orders."""

from rest_framework.routers import SimpleRouter

from dispatch.api import views

router = SimpleRouter()
router.register("incidents", views.JobViewSet, basename="incident")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("orders", views.OrderViewSet, basename="order")

urlpatterns = router.urls
