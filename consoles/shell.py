"""What every console page shares: who may open it, htmx awareness, the map config."""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from commandcenter.access import may_use_console

# Who may open which console is one rule in commandcenter.access.CONSOLE_ROLES.
CONSOLE_URL_NAMES = {
    "dispatch": "dispatch-console",
    "street": "street-console",
    "station": "station-console",
    "orders": "orders",
    "terminal": "officer-terminal",
    "callbacks": "callbacks",
    "dashboard": "dashboard-page",
    "sites": "sites-page",
    "volunteers": "volunteers",
    "partner": "partner-console",
}
LIST_LIMIT = 200


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def forbidden(request: HttpRequest, console: str) -> HttpResponse:
    """The console's refusal page (403; the security log records it)."""
    return render(request, "consoles/forbidden.html", {"console": console}, status=403)


def console_required(console: str | None = None):
    """Log in first; then the user's role must be one the console is for (else 403).

    `console` may instead come from the URL (`<console:console>`).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            name = console or kwargs["console"]
            if not request.user.is_authenticated:
                if is_htmx(request):
                    # A refresh after the session ended: send the whole page to the login.
                    current = request.headers.get("HX-Current-URL", "")
                    target = urlsplit(current).path or reverse(CONSOLE_URL_NAMES[name])
                    login = redirect_to_login(target)
                    return HttpResponse(headers={"HX-Redirect": login["Location"]})
                return redirect_to_login(request.get_full_path())
            if not may_use_console(request.user, name):
                return forbidden(request, name)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def map_config(**layers: str) -> dict:
    """What a page's Leaflet map needs: the optional tile server and its vector layers."""
    return {
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "layers": layers,
    }


def district_layers() -> dict:
    """The district's boundary and zones, the layers every map starts with."""
    return {"district": reverse("district"), "zones": reverse("zone-list") + "?page_size=2000"}
