"""Routes of incidents under /api/v1/: its reference tables.

`/incidents/` itself is routed by dispatch (a job is an incident with units).
"""

from rest_framework.routers import SimpleRouter

from incidents.api import views

router = SimpleRouter()
router.register("incident-categories", views.IncidentCategoryViewSet, basename="incident-category")
router.register("result-codes", views.ResultCodeViewSet, basename="result-code")

urlpatterns = router.urls
