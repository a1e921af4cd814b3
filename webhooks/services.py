"""Writes of the webhooks: endpoints (create, change, rotate the secret, disable,
enable, delete) and the replay of dead letters. Sending is webhooks.delivery."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commandcenter.exceptions import ActionForbidden, DomainError, InvalidTransition
from commandcenter.services import event_record
from webhooks.catalogue import out_of_reach
from webhooks.choices import DEAD_LETTERS, DeliveryStatus, DisabledReason
from webhooks.guard import DestinationRefused, url_check
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.selectors import (
    deliveries_visible,
    endpoints_visible,
    is_webhook_administrator,
    may_self_subscribe,
)
from webhooks.signing import secret_generate

# Reasons that come from the receiver, not from a person: the owner is told.
AUTOMATIC_REASONS = frozenset({DisabledReason.GONE, DisabledReason.FAILING})


def subscription_check(*, owner, url: str, event_types: list[str]) -> list[str]:
    errors: dict[str, list[str]] = {}
    try:
        url_check(url)
    except DestinationRefused as refusal:
        errors["url"] = [str(refusal)]
    event_types = list(dict.fromkeys(t.strip() for t in event_types if t and t.strip()))
    if not event_types:
        errors["event_types"] = [_("Subscribe to at least one event type.")]
    else:
        refused = out_of_reach(owner, event_types)
        if refused:
            errors["event_types"] = [
                _("Not an event type this account may subscribe to: %(types)s.")
                % {"types": ", ".join(refused)}
            ]
    if errors:
        raise ValidationError(errors)
    return event_types


def _endpoint_lock(actor, endpoint_id: int) -> WebhookEndpoint:
    """The endpoint, locked, if `actor` may manage it (404 otherwise)."""
    return endpoints_visible(actor).select_for_update(of=("self",)).get(pk=endpoint_id)


@transaction.atomic
def endpoint_create(
    *,
    actor,
    url: str,
    event_types: list[str],
    description: str = "",
    owner=None,
    now: datetime | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Subscribe `owner` (the actor unless an administrator names another account);
    returns the endpoint and its secret, which is shown only now."""
    owner = owner or actor
    if not may_self_subscribe(actor):
        raise ActionForbidden(_("Only partner accounts and administrators subscribe webhooks."))
    if owner.pk != actor.pk and not is_webhook_administrator(actor):
        raise ActionForbidden(_("Only an administrator subscribes another account."))
    event_types = subscription_check(owner=owner, url=url, event_types=event_types)
    secret = secret_generate()
    endpoint = WebhookEndpoint(
        owner=owner,
        url=url,
        description=description,
        event_types=event_types,
        secret=secret,
        created_at=now or timezone.now(),
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *,
    actor,
    endpoint_id: int,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
) -> WebhookEndpoint:
    endpoint = _endpoint_lock(actor, endpoint_id)
    event_types = subscription_check(
        owner=endpoint.owner,
        url=endpoint.url if url is None else url,
        event_types=endpoint.event_types if event_types is None else event_types,
    )
    if url is not None:
        endpoint.url = url
    if description is not None:
        endpoint.description = description
    endpoint.event_types = event_types
    endpoint.full_clean()
    endpoint.save(update_fields=["url", "description", "event_types"])
    return endpoint


@transaction.atomic
def endpoint_secret_rotate(
    *, actor, endpoint_id: int, now: datetime | None = None
) -> tuple[WebhookEndpoint, str]:
    """A new secret, shown only now; the previous one signs too for
    WEBHOOK_PREVIOUS_SECRET_HOURS, so the receiver can switch without losing any."""
    now = now or timezone.now()
    endpoint = _endpoint_lock(actor, endpoint_id)
    secret = secret_generate()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + timedelta(
        hours=settings.WEBHOOK_PREVIOUS_SECRET_HOURS
    )
    endpoint.secret = secret
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return endpoint, secret


def signing_secrets(endpoint: WebhookEndpoint, *, now: datetime) -> list[str]:
    """The current secret, and the previous one while it is still valid."""
    keys = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        keys.append(endpoint.previous_secret)
    return keys


def endpoint_disable_locked(
    *, endpoint: WebhookEndpoint, reason: str, actor=None, detail: str = "", now: datetime
) -> WebhookEndpoint:
    """Disable a locked endpoint: its pending deliveries are discarded (replayable),
    the event `webhook.endpoint_disabled` is recorded, and for a reason of the
    receiver's making the owner gets an email after commit."""
    if not endpoint.is_active:
        return endpoint
    endpoint.disabled_at = now
    endpoint.disabled_reason = reason
    endpoint.save(update_fields=["disabled_at", "disabled_reason"])
    discarded = WebhookDelivery.objects.filter(
        endpoint=endpoint, status=DeliveryStatus.PENDING
    ).update(
        status=DeliveryStatus.DISCARDED,
        next_attempt_at=None,
        lease_until=None,
        failed_at=now,
    )
    event_record(
        kind="webhook.endpoint_disabled",
        subject=endpoint,
        actor=actor,
        payload={
            "endpoint": endpoint.pk,
            "url": endpoint.url,
            "reason": reason,
            "detail": detail[:200],
            "discarded": discarded,
        },
    )
    if reason in AUTOMATIC_REASONS and endpoint.owner.email:
        transaction.on_commit(lambda: _mail_owner(endpoint, reason, detail))
    return endpoint


def _mail_owner(endpoint: WebhookEndpoint, reason: str, detail: str) -> None:
    send_mail(
        subject=_("Tianshu webhook disabled: %(url)s") % {"url": endpoint.url},
        message=_(
            "Your webhook endpoint %(url)s was disabled: %(reason)s. %(detail)s\n"
            "Deliveries that were waiting are kept as dead letters: enable the endpoint "
            "and replay them from the partner console or the API."
        )
        % {
            "url": endpoint.url,
            "reason": DisabledReason(reason).label,
            "detail": detail,
        },
        from_email=None,
        recipient_list=[endpoint.owner.email],
        fail_silently=True,
    )


@transaction.atomic
def endpoint_disable(
    *, actor, endpoint_id: int, reason: str = DisabledReason.OWNER, now: datetime | None = None
) -> WebhookEndpoint:
    if reason not in (DisabledReason.OWNER, DisabledReason.ADMINISTRATOR):
        raise ValidationError({"reason": _("A person disables as owner or administrator.")})
    endpoint = _endpoint_lock(actor, endpoint_id)
    if not endpoint.is_active:
        raise InvalidTransition(_("The endpoint is disabled already."))
    return endpoint_disable_locked(
        endpoint=endpoint, reason=reason, actor=actor, now=now or timezone.now()
    )


@transaction.atomic
def endpoint_enable(*, actor, endpoint_id: int) -> WebhookEndpoint:
    """Send again; what was discarded meanwhile stays a dead letter until replayed."""
    endpoint = _endpoint_lock(actor, endpoint_id)
    if endpoint.is_active:
        raise InvalidTransition(_("The endpoint is active already."))
    try:
        url_check(endpoint.url)
    except DestinationRefused as refusal:
        raise ValidationError({"url": [str(refusal)]}) from refusal
    endpoint.disabled_at = None
    endpoint.disabled_reason = ""
    endpoint.failing_since = None
    endpoint.save(update_fields=["disabled_at", "disabled_reason", "failing_since"])
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor, endpoint_id: int) -> None:
    """Unsubscribe: the endpoint goes, with its deliveries and their attempts."""
    _endpoint_lock(actor, endpoint_id).delete()


class EndpointDisabled(DomainError):
    code = "endpoint_disabled"


def _replayable_endpoint(endpoint: WebhookEndpoint) -> None:
    if not endpoint.is_active:
        raise EndpointDisabled(_("Enable the endpoint before replaying its deliveries."))


@transaction.atomic
def delivery_replay(*, actor, delivery_id: int, now: datetime | None = None) -> WebhookDelivery:
    """Send a dead letter again now, with the same webhook-id; the retry schedule
    starts over and its attempts add to the delivery's."""
    delivery = deliveries_visible(actor).select_for_update(of=("self",)).get(pk=delivery_id)
    _replayable_endpoint(delivery.endpoint)
    if delivery.status not in DEAD_LETTERS:
        raise InvalidTransition(
            _("Only failed or discarded deliveries are replayed; this one is %(status)s.")
            % {"status": delivery.get_status_display()}
        )
    delivery.status = DeliveryStatus.PENDING
    delivery.round_attempts = 0
    delivery.next_attempt_at = now or timezone.now()
    delivery.lease_until = None
    delivery.failed_at = None
    delivery.save(
        update_fields=["status", "round_attempts", "next_attempt_at", "lease_until", "failed_at"]
    )
    return delivery


@transaction.atomic
def deliveries_replay_range(
    *, actor, endpoint_id: int, start: datetime, end: datetime, now: datetime | None = None
) -> int:
    """Replay every dead letter of the endpoint created in [start, end); returns how many."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationError({"start": _("Give the times with their time zone.")})
    if end <= start:
        raise ValidationError({"end": _("The end must be after the start.")})
    endpoint = _endpoint_lock(actor, endpoint_id)
    _replayable_endpoint(endpoint)
    return WebhookDelivery.objects.filter(
        endpoint=endpoint,
        status__in=DEAD_LETTERS,
        created_at__gte=start,
        created_at__lt=end,
    ).update(
        status=DeliveryStatus.PENDING,
        round_attempts=0,
        next_attempt_at=now or timezone.now(),
        lease_until=None,
        failed_at=None,
    )
