"""The health probe of the platform: /healthz."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework.exceptions import AuthenticationFailed

from commandcenter.api.authentication import CachedTokenAuthentication
from commandcenter.choices import Role
from commandcenter.health import health_report, health_summary


def _is_administrator(request: HttpRequest) -> bool:
    """An administrator by session or by API token (monitoring with a token)."""
    user = request.user
    if not user.is_authenticated:
        try:
            found = CachedTokenAuthentication().authenticate(request)
        except AuthenticationFailed:
            found = None
        user = found[0] if found else None
    return bool(user and user.is_active and (user.is_superuser or user.role == Role.ADMINISTRATOR))


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Up or down per part for anyone; the details (errors, timings) for administrators."""
    healthy, body = health_report()
    if not _is_administrator(request):
        body = health_summary(body)
    response = JsonResponse(body, status=200 if healthy else 503)
    # "Down" is this probe's answer, not a failed request: monitors and the
    # demo's start-up wait ask every second, and the body says what is down.
    response._has_been_logged = True
    return response
