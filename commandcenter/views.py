"""The health probe of the platform: /healthz."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from commandcenter.health import health_report


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, body = health_report()
    response = JsonResponse(body, status=200 if healthy else 503)
    # "Down" is this probe's answer, not a failed request: monitors and the
    # demo's start-up wait ask every second, and the body says what is down.
    response._has_been_logged = True
    return response
