"""API authentication by token (people) and machine key (partner systems,
gateways), each remembering recent credentials in the process.

Partner systems and consoles call many times a second with the same token;
looking the token and its user up on every call cost more than a whole
intake. A web process keeps each token it has checked for a few seconds
(API_TOKEN_CACHE_SECONDS). Deleting a token or saving or deactivating its
user forgets it at once in the process that made the change; other
processes notice within those seconds. A token past API_TOKEN_HOURS is
refused ("Token expired") whether remembered or not. Machine keys
(`Authorization: Key <key>`) are remembered the same way; revoking one
forgets it at once in the revoking process.
"""

import hmac
import threading
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    TokenAuthentication,
    get_authorization_header,
)
from rest_framework.authtoken.models import Token

from commandcenter.tokens import token_is_expired

_remembered: dict[str, tuple[float, object, Token]] = {}
_lock = threading.Lock()
# Past this many entries, expired ones are swept out on the next store.
SWEEP_AT = 1000


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        now = time.monotonic()
        hit = _remembered.get(key)
        if hit is not None and hit[0] > now:
            user, token = hit[1], hit[2]
        else:
            user, token = self._remember(key, now)
        if token_is_expired(token, timezone.now()):
            raise exceptions.AuthenticationFailed(_("Token expired."))
        return user, token

    def _remember(self, key, now):
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
    machine_keys_forget(user_id=instance.pk)


_keys_remembered: dict[str, tuple[float, str, object]] = {}


class MachineKeyAuthentication(BaseAuthentication):
    """`Authorization: Key tsk_…`: request.user is the key's account,
    request.auth the MachineKey (with `unit_ids` for a gateway)."""

    keyword = "Key"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid key header."))
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid key header.")) from None
        return self.authenticate_key(raw)

    def authenticate_key(self, raw: str):
        """(user, key) for a key given in plain text, wherever the request carried it
        (Open311 clients send it as `api_key`: partners.open311)."""
        from commandcenter.machine_keys import (
            machine_key_check,
            machine_key_touch,
            secret_hash,
            split_key,
        )

        parts = split_key(raw)
        if parts is None:
            raise exceptions.AuthenticationFailed(_("Invalid key."))
        now = time.monotonic()
        hit = _keys_remembered.get(parts[0])
        if hit is not None and hit[0] > now and hmac.compare_digest(hit[1], secret_hash(parts[1])):
            key = hit[2]
        else:
            key = machine_key_check(raw)
            if key is None:
                raise exceptions.AuthenticationFailed(_("Invalid key."))
            ttl = settings.API_TOKEN_CACHE_SECONDS
            if ttl > 0:
                with _lock:
                    if len(_keys_remembered) >= SWEEP_AT:
                        for stale in [k for k, v in _keys_remembered.items() if v[0] <= now]:
                            del _keys_remembered[stale]
                    _keys_remembered[parts[0]] = (now + ttl, key.secret_hash, key)
        machine_key_touch(key)
        return key.user, key

    def authenticate_header(self, request):
        return self.keyword


def machine_keys_forget(*, prefix: str | None = None, user_id: int | None = None) -> None:
    """Forget remembered machine keys: one by prefix, or all of one account."""
    with _lock:
        for stale in [
            k
            for k, v in _keys_remembered.items()
            if k == prefix or (user_id is not None and v[2].user_id == user_id)
        ]:
            del _keys_remembered[stale]


class MachineKeyScheme(OpenApiAuthenticationExtension):
    """The machine key in the OpenAPI document."""

    target_class = MachineKeyAuthentication
    name = "machineKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A partner's or gateway's machine key: `Key tsk_<prefix>_<secret>`.",
        }
