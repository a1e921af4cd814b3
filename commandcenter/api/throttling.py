"""Rate limits of the API: a partner system's machine key, per key.

A partner's key may make PARTNER_RATE_LIMIT requests ("600/min") in a sliding
window, counted in the Django cache (Redis in production and tests, shared by
every web process; process memory in the embedded demo). Past it the answer is
429 with Retry-After. Only partner keys are counted: people have their own
limits at login, and position and sensor gateways post thousands of fixes a
second by design, so any other credential passes untouched.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from commandcenter.models import MachineKey, MachineKeyKind


class PartnerKeyThrottle(SimpleRateThrottle):
    scope = "partner_key"

    def get_rate(self) -> str:
        return settings.PARTNER_RATE_LIMIT

    def get_cache_key(self, request, view) -> str | None:
        key = getattr(request, "auth", None)
        if not isinstance(key, MachineKey) or key.kind != MachineKeyKind.PARTNER:
            return None
        # The prefix names the key (unique, random): ids are reused by a new test database.
        return f"throttle:{self.scope}:{key.prefix}"
