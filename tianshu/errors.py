"""Error pages of the site; under /api/ they are JSON like every other API answer.

A URL the API's routes do not match (/api/v1/units/0.5/), or a body Django
refuses before any view (more form fields than DATA_UPLOAD_MAX_NUMBER_FIELDS),
never reaches DRF, so without this it would get Django's HTML page.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """Django refused the request before any view (too many form fields, a bad host …)."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("You do not have permission to do this.")}, status=403)
    return defaults.permission_denied(request, exception)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return defaults.server_error(request)
