"""The live one map (一图统揽): the page every role lands on."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from commandcenter.access import consoles_of, scope_of
from commandcenter.choices import Role
from commandcenter.stream import scope_group
from consoles.shell import district_layers, map_config
from dispatch.choices import ACTIVE_ASSIGNMENT_STATUSES
from incidents.choices import LIVE_STATUSES


@login_required
def console_home(request: HttpRequest) -> HttpResponse:
    """The district map with units and open jobs, kept live by the stream."""
    return render(
        request,
        "consoles/home.html",
        {
            "scope": scope_of(request.user),
            "map_config": map_config(
                **district_layers(),
                stations=reverse("station-list") + "?page_size=500",
                posts=reverse("post-list") + "?page_size=500",
                governanceCenters=reverse("governance-center-list") + "?page_size=500",
            ),
            "live_config": live_config(request.user),
        },
    )


def _filtered(url_name: str, statuses) -> str:
    query = "&".join(f"status={status}" for status in sorted(statuses))
    return f"{reverse(url_name)}?{query}&page_size=500"


def live_config(user) -> dict:
    """Where the live layer reads from. `stream` is None for a scope with no live
    group (the map then refreshes itself); the dispatch flags only hide buttons,
    the server decides."""
    consoles = consoles_of(user)
    if user.role == Role.STREET_STAFF:
        job_page = reverse("console-incident", kwargs={"console": "street", "pk": 0})
    elif "dispatch" in consoles:
        job_page = reverse("console-incident", kwargs={"console": "dispatch", "pk": 0})
    else:
        job_page = None
    return {
        "units": reverse("unit-list") + "?page_size=500",
        "incidents": _filtered("incident-list", LIVE_STATUSES),
        "assignments": _filtered("assignment-list", ACTIVE_ASSIGNMENT_STATUSES),
        "teams": reverse("team-list") + "?page_size=500",
        "categories": reverse("incident-category-list"),
        "incidentBase": reverse("incident-list"),
        "stream": "/ws/live/" if scope_group(scope_of(user)) else None,
        "session": reverse("unit-list") + "?page_size=1",
        "login": reverse("login"),
        "jobPage": job_page,
        "dispatchPolice": "dispatch" in consoles,
        "dispatchStreet": "street" in consoles,
    }
