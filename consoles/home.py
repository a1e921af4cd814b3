"""The live one map (一图统揽): the page every role lands on."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from commandcenter.access import consoles_of, may_use_console, scope_of
from commandcenter.choices import Role
from commandcenter.stream import scope_group
from community.choices import AlarmState, AlarmType, SensorStatus, SensorType
from consoles.shell import district_layers, map_config
from dispatch.services import may_issue_orders


@login_required
def console_home(request: HttpRequest) -> HttpResponse:
    """The district map with units, open jobs and the smart-secure sites, kept live
    by the stream. A volunteer (义警) has no area to watch: their page is the terminal;
    a partner department's is its inbox of referred jobs."""
    if request.user.role == Role.VOLUNTEER:
        return redirect("officer-terminal")
    if request.user.role == Role.PARTNER:
        return redirect("partner-console")
    config = map_config(
        **district_layers(),
        stations=reverse("station-list") + "?page_size=500",
        posts=reverse("post-list") + "?page_size=500",
        governanceCenters=reverse("governance-center-list") + "?page_size=500",
    )
    config["community"] = community_config(request.user)
    config["missing"] = missing_config(request.user)
    return render(
        request,
        "consoles/home.html",
        {
            "map_config": config,
            "live_config": live_config(request.user),
            "community_words": community_words(),
        },
    )


def community_words() -> list[tuple[str, str, str]]:
    """(group, value, label) of the sensors' and alarms' choices, for the map's
    words (`word("sensor-type", …)` in community.js): events carry only values."""
    groups = {
        "sensor-type": SensorType,
        "sensor-status": SensorStatus,
        "alarm-type": AlarmType,
        "alarm-state": AlarmState,
    }
    return [
        (group, value, label)
        for group, choices in groups.items()
        for value, label in choices.choices
    ]


def community_config(user) -> dict:
    """What the smart-secure sites' layers read (frontend/static/js/map/community.js).

    Lists without query strings (the script adds its filters and page size);
    every list is scoped by the API, so each role sees its own area's sites.
    """
    return {
        "sites": reverse("site-list"),
        "sensors": reverse("sensor-list"),
        "alarms": reverse("alarm-list"),
        # A site's page, with 0 for its id: only for those who may open it.
        "sitePage": reverse("site-page", kwargs={"pk": 0})
        if may_use_console(user, "sites")
        else None,
    }


def missing_config(user) -> dict | None:
    """What the missing persons' layer reads (frontend/static/js/map/missing.js)."""
    if not may_use_console(user, "missing"):
        return None
    return {
        "cases": reverse("missing-person-list"),
        "casePage": reverse("missing-case", kwargs={"pk": 0}),
        "startM": settings.MISSING_START_RADIUS_M,
        "walkKmh": settings.MISSING_WALK_KMH,
        "maxM": settings.MISSING_MAX_RADIUS_M,
    }


def live_config(user) -> dict:
    """What the live layer of the map reads (frontend/static/js/map/board.js).

    Endpoints without query strings: the script adds the status filters from
    the shared vocabulary and the page size. `stream` is None for a scope with
    no live group (the map then reads itself every 30 s); the dispatch flags
    only hide buttons, the server decides.
    """
    consoles = consoles_of(user)
    if user.role == Role.STREET_STAFF:
        job_page = reverse("console-incident", kwargs={"console": "street", "pk": 0})
    elif "dispatch" in consoles:
        job_page = reverse("console-incident", kwargs={"console": "dispatch", "pk": 0})
    else:
        job_page = None
    return {
        "units": reverse("unit-list"),
        "incidents": reverse("incident-list"),
        "assignments": reverse("assignment-list"),
        "teams": reverse("team-list"),
        "categories": reverse("incident-category-list"),
        "stream": "/ws/live/" if scope_group(scope_of(user)) else None,
        "login": reverse("login"),
        "jobPage": job_page,
        "dispatchPolice": "dispatch" in consoles,
        "dispatchStreet": "street" in consoles,
        # 下达指令 from a job's panel: the form's address, with 0 for the job's id.
        "orderForm": reverse("map-order", kwargs={"pk": 0}) if may_issue_orders(user) else None,
    }
