"""Routes of the clocks, callbacks, measures and reports under /api/v1/, and the job
resource with its clocks."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from analytics.api import kpis, reports, views
from analytics.api.callbacks import CallbackViewSet

router = SimpleRouter()
router.register("incidents", views.ClockedJobViewSet, basename="incident")
router.register("clocks", views.ClockViewSet, basename="clock")
router.register("clock-definitions", views.ClockDefinitionViewSet, basename="clock-definition")
router.register("delay-reasons", views.DelayReasonViewSet, basename="delay-reason")
router.register("callbacks", CallbackViewSet, basename="callback")
router.register("reports", reports.ReportViewSet, basename="report")

urlpatterns = [
    *router.urls,
    path("kpis/", kpis.KpiView.as_view(), name="kpis"),
    path("sensor-kpis/", kpis.SensorKpiView.as_view(), name="sensor-kpis"),
    path("referral-kpis/", kpis.ReferralKpiView.as_view(), name="referral-kpis"),
    path("kpi-definitions/", kpis.KpiDefinitionView.as_view(), name="kpi-definitions"),
    path("ranking/", kpis.RankingView.as_view(), name="ranking"),
    path("dashboard/", kpis.DashboardView.as_view(), name="dashboard"),
]
