"""Page routes of the consoles: dispatcher, street office, station."""

from django.urls import path, register_converter

from incidents import views


class ConsoleConverter:
    """The consoles that open a job: the dispatcher's and the street office's."""

    regex = "dispatch|street"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ConsoleConverter, "console")

urlpatterns = [
    path("dispatch/", views.dispatch_console, name="dispatch-console"),
    path("dispatch/intake/", views.incident_intake, name="incident-intake"),
    path("dispatch/queue/", views.dispatch_queue_partial, name="dispatch-queue"),
    path("street/", views.street_console, name="street-console"),
    path("street/queue/", views.street_queue_partial, name="street-queue"),
    path("station/", views.station_console, name="station-console"),
    path("station/teams/<int:pk>/duty/", views.team_duty, name="team-duty"),
    path("<console:console>/incidents/<int:pk>/", views.incident_detail, name="console-incident"),
    path(
        "<console:console>/incidents/<int:pk>/<slug:action>/",
        views.incident_action,
        name="incident-action",
    ),
]
