"""Error pages of the site; under /api/ they are JSON like every other API answer.

A URL the API's routes do not match (/api/v1/units/0.5/), or a body Django
refuses before any view (more form fields than DATA_UPLOAD_MAX_NUMBER_FIELDS),
never reaches DRF, so without this it would get Django's HTML page.

A database error that escaped everything else (in middleware, authentication,
a page's view) means the database is down: 503 with Retry-After, JSON under
/api/ and a page of its own elsewhere, never a 500.
"""

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

from commandcenter.api.exception_handlers import DATABASE_UNAVAILABLE, database_unavailable_body

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


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 while the database is unreachable: nothing here may touch it (no
    request context, so no context processor asks for the session or the user)."""
    body, headers = database_unavailable_body()
    if request.path.startswith(API_PREFIX):
        return JsonResponse(body, status=503, headers=headers)
    page = loader.render_to_string("503.html", {"retry_after": headers["Retry-After"]})
    return HttpResponse(page, status=503, headers=headers)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its `except`: the exception is still at hand.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return defaults.server_error(request)
