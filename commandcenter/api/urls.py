"""Routes of the core under /api/v1/: tokens, the district and the organisation."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from commandcenter.api import audit, views

router = SimpleRouter()
router.register("stations", views.StationViewSet, basename="station")
router.register("posts", views.PostViewSet, basename="post")
router.register("streets", views.StreetViewSet, basename="street")
router.register("governance-centers", views.GovernanceCenterViewSet, basename="governance-center")
router.register(
    "partner-departments", views.PartnerDepartmentViewSet, basename="partner-department"
)
router.register("audit/access", audit.AccessRecordViewSet, basename="audit-access")
router.register("audit/security", audit.SecurityEventViewSet, basename="audit-security")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("district/", views.DistrictView.as_view(), name="district"),
    *router.urls,
]
