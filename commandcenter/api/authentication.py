"""API token authentication that remembers recent tokens in the process.

Partner systems and consoles call many times a second with the same token;
looking the token and its user up on every call cost more than a whole
intake. A web process keeps each token it has checked for a few seconds
(API_TOKEN_CACHE_SECONDS). Deleting a token or saving or deactivating its
user forgets it at once in the process that made the change; other
processes notice within those seconds.
"""

import threading
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

_remembered: dict[str, tuple[float, object, Token]] = {}
_lock = threading.Lock()
# Past this many entries, expired ones are swept out on the next store.
SWEEP_AT = 1000


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        now = time.monotonic()
        hit = _remembered.get(key)
        if hit is not None and hit[0] > now:
            return hit[1], hit[2]
        user, token = super().authenticate_credentials(key)
        ttl = settings.API_TOKEN_CACHE_SECONDS
        if ttl > 0:
            with _lock:
                if len(_remembered) >= SWEEP_AT:
                    for stale in [k for k, v in _remembered.items() if v[0] <= now]:
                        del _remembered[stale]
                _remembered[key] = (now + ttl, user, token)
        return user, token


def tokens_forget(*, user_id: int) -> None:
    """Forget the remembered tokens of one user."""
    with _lock:
        for key in [k for k, v in _remembered.items() if v[2].user_id == user_id]:
            del _remembered[key]


@receiver(post_save, sender=Token)
@receiver(post_delete, sender=Token)
def _token_changed(sender, instance, **kwargs):
    tokens_forget(user_id=instance.user_id)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def _user_changed(sender, instance, **kwargs):
    tokens_forget(user_id=instance.pk)
