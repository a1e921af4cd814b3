"""Middleware of the core."""

import logging

from commandcenter.audit import refusal_record

logger = logging.getLogger(__name__)


class RefusalLogMiddleware:
    """Every 403 answer, of a page or the API, goes to the security log (等保 2.0:
    refused actions), in one place rather than in each view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            try:
                refusal_record(request, response)
            except Exception:  # the log must never turn a refusal into a 500
                logger.exception("could not record a refusal")
        return response
