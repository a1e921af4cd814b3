"""Machine keys of partner systems and position gateways: create (shown once),
check, revoke; and what a gateway key may report (`machine_key_units`).

A key is `tsk_<prefix>_<secret>`: 8 hex characters find the row, 32 random
bytes (url-safe base64) are the secret, stored only as SHA-256 and compared
in constant time. Requests send it as `Authorization: Key <key>`.
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from commandcenter.audit import security_record
from commandcenter.choices import SecurityEventKind
from commandcenter.exceptions import DomainError
from commandcenter.models import MachineKey, MachineKeyKind

KEY_SCHEME = "tsk"
PREFIX_BYTES = 4
SECRET_BYTES = 32
# last_used_at is written at most this often per key.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_key(raw: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key, None otherwise."""
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def machine_key_create(
    *,
    actor,
    name: str,
    kind: str,
    user,
    unit_ids: Iterable[int] = (),
    request: HttpRequest | None = None,
    fixed: tuple[str, str] | None = None,
) -> tuple[MachineKey, str]:
    """Create a key; returns it with its plaintext, which is never stored or shown again.

    `fixed` (prefix, secret) is for the demo district only, whose README lists
    its sensor gateway's key; every other key is random.
    """
    unit_ids = sorted(set(unit_ids))
    if unit_ids and kind != MachineKeyKind.GATEWAY:
        raise ValidationError({"units": _("Only a gateway key names units.")})
    prefix, secret = fixed or (secrets.token_hex(PREFIX_BYTES), secrets.token_urlsafe(SECRET_BYTES))
    with transaction.atomic():
        key = MachineKey(
            name=name,
            kind=kind,
            user=user,
            prefix=prefix,
            secret_hash=secret_hash(secret),
            created_by=actor,
        )
        key.full_clean()
        key.save()
        if unit_ids:
            key.units.set(unit_ids)
        security_record(
            kind=SecurityEventKind.KEY_CREATED,
            request=request,
            actor=actor,
            username=user.get_username(),
            detail={"key": key.pk, "prefix": key.prefix, "kind": kind, "units": unit_ids},
        )
    return key, f"{KEY_SCHEME}_{key.prefix}_{secret}"


def machine_key_revoke(*, actor, key: MachineKey, request: HttpRequest | None = None) -> None:
    """Revoke a key (compare-and-set: revoking twice is refused)."""
    from commandcenter.api.authentication import machine_keys_forget

    with transaction.atomic():
        changed = MachineKey.objects.filter(pk=key.pk, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        if not changed:
            raise DomainError(_("This key is already revoked."))
        security_record(
            kind=SecurityEventKind.KEY_REVOKED,
            request=request,
            actor=actor,
            username=key.user.get_username(),
            detail={"key": key.pk, "prefix": key.prefix},
        )
    machine_keys_forget(prefix=key.prefix)


def machine_key_check(raw: str) -> MachineKey | None:
    """The active key whose secret matches, with its user and (gateways) unit ids."""
    parts = split_key(raw)
    if parts is None:
        return None
    prefix, secret = parts
    key = MachineKey.objects.select_related("user").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.secret_hash, secret_hash(secret)):
        return None
    if key.revoked_at is not None or not key.user.is_active:
        return None
    key.unit_ids = (
        frozenset(key.units.values_list("pk", flat=True))
        if key.kind == MachineKeyKind.GATEWAY
        else frozenset()
    )
    return key


def machine_key_touch(key: MachineKey) -> None:
    """Stamp last_used_at, at most once a minute per key (compare-and-set)."""
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_RESOLUTION:
        return
    MachineKey.objects.filter(pk=key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    key.last_used_at = now


def machine_key_units(request) -> frozenset[int] | None:
    """The units a gateway key may report positions for; None when the request
    is not made with a gateway key (the caller's own rules apply then)."""
    key = getattr(request, "auth", None)
    if isinstance(key, MachineKey) and key.kind == MachineKeyKind.GATEWAY:
        return key.unit_ids
    return None


def machine_key_kind(request) -> str | None:
    """The kind of machine key the request is made with, None for any other credential."""
    key = getattr(request, "auth", None)
    return key.kind if isinstance(key, MachineKey) else None
