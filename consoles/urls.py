"""Page routes: the live map, the dispatcher, street office and station consoles, orders,
callbacks, the officer terminal, the reports, the dashboard, the smart-secure sites, the
volunteers."""

from django.urls import path, register_converter

from consoles import (
    callbacks,
    dashboard,
    dispatcher,
    home,
    jobs,
    missing,
    orders,
    partner,
    partner_webhooks,
    plates,
    registry,
    reports,
    search,
    sites,
    station,
    street,
    terminal,
    volunteers,
)


class ConsoleConverter:
    """The consoles that open a job: the dispatcher's and the street office's."""

    regex = "|".join(jobs.CONSOLE_PAGES)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ConsoleConverter, "console")

urlpatterns = [
    path("", home.console_home, name="console-home"),
    # 数字门牌: a house plate's QR code opens this, logged in or not.
    path("p/<str:token>/", plates.plate_page, name="house-plate"),
    path("missing/", missing.missing_page, name="missing"),
    path("missing/<int:pk>/", missing.missing_case, name="missing-case"),
    path("registry/", registry.registry_page, name="registry"),
    path("registry/import/", registry.registry_import, name="registry-import"),
    path("registry/addresses/<int:pk>/", registry.address_page, name="registry-address"),
    path("registry/addresses/<int:pk>/plates.pdf", registry.plate_sheet, name="registry-plates"),
    path(
        "registry/addresses/<int:pk>/export.xlsx",
        registry.community_export,
        name="registry-export",
    ),
    path("dispatch/", dispatcher.dispatch_console, name="dispatch-console"),
    path("dispatch/intake/", dispatcher.incident_intake, name="incident-intake"),
    path("dispatch/queue/", dispatcher.queue_partial, name="dispatch-queue"),
    path("dispatch/caller-history/", dispatcher.caller_history_partial, name="caller-history"),
    path("dispatch/alarms/", dispatcher.alarm_review_partial, name="alarm-review"),
    path(
        "dispatch/alarms/<int:pk>/<slug:action>/",
        dispatcher.alarm_review_action,
        name="alarm-review-action",
    ),
    path("partner/", partner.partner_console, name="partner-console"),
    path("partner/jobs/<int:pk>/", partner.partner_job, name="partner-job"),
    path(
        "partner/jobs/<int:pk>/<slug:action>/",
        partner.partner_job_action,
        name="partner-job-action",
    ),
    # Webhooks of the partner console (webhooks app): endpoints, deliveries, replay.
    path("partner/webhooks/", partner_webhooks.partner_webhooks, name="partner-webhooks"),
    path(
        "partner/webhooks/<int:pk>/",
        partner_webhooks.partner_webhook_detail,
        name="partner-webhook-detail",
    ),
    path("street/", street.street_console, name="street-console"),
    path("street/queue/", street.queue_partial, name="street-queue"),
    path("station/", station.station_console, name="station-console"),
    path("station/teams/<int:pk>/duty/", station.team_duty, name="team-duty"),
    path("terminal/", terminal.officer_terminal, name="officer-terminal"),
    path("volunteers/", volunteers.volunteers_page, name="volunteers"),
    path("volunteers/<int:pk>/duty/", volunteers.volunteer_duty, name="volunteer-duty"),
    path("search/", search.incident_search, name="incident-search"),
    path("reports/", reports.reports_page, name="reports"),
    path("reports/list/", reports.report_list_partial, name="reports-list"),
    path("reports/new/", reports.report_create, name="reports-create"),
    path("dashboard/", dashboard.dashboard_page, name="dashboard-page"),
    path("dashboard/jobs/<int:pk>/", dashboard.dashboard_job, name="dashboard-job"),
    path("orders/", orders.orders_page, name="orders"),
    path("orders/inbox/", orders.inbox_partial, name="orders-inbox"),
    path("orders/issue/", orders.order_issue_page, name="order-issue"),
    path("orders/<int:pk>/<slug:action>/", orders.order_action, name="order-action"),
    path("map/incidents/<int:pk>/order/", orders.map_order, name="map-order"),
    path("sites/", sites.sites_page, name="sites-page"),
    path("sites/<int:pk>/", sites.site_page, name="site-page"),
    path("callbacks/", callbacks.callbacks_page, name="callbacks"),
    path("callbacks/queue/", callbacks.queue_partial, name="callbacks-queue"),
    path("callbacks/recent/", callbacks.recent_partial, name="callbacks-recent"),
    path("callbacks/<int:pk>/record/", callbacks.callback_record_page, name="callback-record"),
    path("callbacks/<int:pk>/caller/", callbacks.callback_caller, name="callback-caller"),
    path(
        "<console:console>/incidents/<int:pk>/orders/",
        jobs.job_order_issue,
        name="job-order-issue",
    ),
    path(
        "<console:console>/incidents/<int:pk>/clocks/<int:clock_id>/delay-reason/",
        jobs.job_clock_delay,
        name="job-clock-delay",
    ),
    path(
        "<console:console>/incidents/<int:pk>/clocks/<int:clock_id>/excuse/",
        jobs.job_clock_excuse,
        name="job-clock-excuse",
    ),
    path(
        "<console:console>/incidents/<int:pk>/caller/", jobs.job_caller, name="console-job-caller"
    ),
    path("<console:console>/incidents/<int:pk>/", jobs.job_detail, name="console-incident"),
    path(
        "<console:console>/incidents/<int:pk>/<slug:action>/",
        jobs.job_action,
        name="incident-action",
    ),
]
