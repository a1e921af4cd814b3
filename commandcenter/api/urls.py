"""Routes of /api/v1/: every app's endpoints are registered here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from commandcenter.api import views
from dispatch.api import views as dispatch_views
from incidents.api import views as incident_views
from patrol.api import views as patrol_views

# Incidents first: intake is the hottest route, and routes are tried in order.
# No ".json"-style format suffixes: they double the patterns to try.
router = DefaultRouter()
router.include_format_suffixes = False
router.register("incidents", incident_views.IncidentViewSet, basename="incident")
router.register("stations", views.StationViewSet, basename="station")
router.register("posts", views.PostViewSet, basename="post")
router.register("streets", views.StreetViewSet, basename="street")
router.register("governance-centers", views.GovernanceCenterViewSet, basename="governance-center")
router.register(
    "partner-departments", views.PartnerDepartmentViewSet, basename="partner-department"
)
router.register("zones", patrol_views.PatrolZoneViewSet, basename="zone")
router.register("teams", patrol_views.TeamViewSet, basename="team")
router.register("units", patrol_views.UnitViewSet, basename="unit")
router.register(
    "incident-categories", incident_views.IncidentCategoryViewSet, basename="incident-category"
)
router.register("result-codes", incident_views.ResultCodeViewSet, basename="result-code")
router.register("assignments", dispatch_views.AssignmentViewSet, basename="assignment")
router.register("orders", dispatch_views.OrderViewSet, basename="order")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("district/", views.DistrictView.as_view(), name="district"),
    path("positions/", patrol_views.PositionsView.as_view(), name="positions"),
    path("patrol-time/", patrol_views.PatrolTimeView.as_view(), name="patrol-time"),
    path("", include(router.urls)),
]
