"""Pages and probes of the shared core: the console shell and /healthz."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from commandcenter.access import scope_of
from commandcenter.health import health_report


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, body = health_report()
    return JsonResponse(body, status=200 if healthy else 503)


def map_config(**layers: str) -> dict:
    """What a page's Leaflet map needs: the optional tile server and its vector layers."""
    return {
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "layers": layers,
    }


@login_required
def console_home(request: HttpRequest) -> HttpResponse:
    """The console shell: the district map every later console builds on."""
    return render(
        request,
        "consoles/home.html",
        {
            "scope": scope_of(request.user),
            "map_config": map_config(
                district=reverse("district"),
                zones=reverse("zone-list") + "?page_size=2000",
                stations=reverse("station-list") + "?page_size=500",
                posts=reverse("post-list") + "?page_size=500",
                governanceCenters=reverse("governance-center-list") + "?page_size=500",
            ),
        },
    )
