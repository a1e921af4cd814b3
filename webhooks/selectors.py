"""Reads of the webhooks: an owner reads its own endpoints, an administrator every one."""

from django.db.models import QuerySet

from commandcenter.choices import Role
from commandcenter.models import Event
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

ENDPOINT_SUBJECT = WebhookEndpoint._meta.label_lower


def is_webhook_administrator(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role == Role.ADMINISTRATOR)
    )


def may_self_subscribe(user) -> bool:
    """Partner accounts subscribe themselves; any other account only through an
    administrator (the Django admin), who may subscribe itself too."""
    return bool(user.is_authenticated and user.is_active and user.role == Role.PARTNER) or (
        is_webhook_administrator(user)
    )


def endpoints_visible(user) -> QuerySet[WebhookEndpoint]:
    queryset = WebhookEndpoint.objects.select_related("owner")
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if is_webhook_administrator(user):
        return queryset
    return queryset.filter(owner=user)


def deliveries_visible(user) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(
        endpoint__in=endpoints_visible(user).values("pk")
    ).select_related("endpoint")


def attempts_of(delivery_ids) -> dict[int, list[WebhookAttempt]]:
    """Attempts per delivery, newest last, in one query."""
    attempts: dict[int, list[WebhookAttempt]] = {}
    for attempt in WebhookAttempt.objects.filter(delivery_id__in=list(delivery_ids)):
        attempts.setdefault(attempt.delivery_id, []).append(attempt)
    return attempts


def endpoint_notices(user, *, limit: int = 20) -> QuerySet[Event]:
    """The `webhook.*` events about the user's endpoints (disabled, …), newest first."""
    ids = [str(pk) for pk in endpoints_visible(user).values_list("pk", flat=True)]
    return Event.objects.filter(
        subject_type=ENDPOINT_SUBJECT, subject_id__in=ids, kind__startswith="webhook."
    ).order_by("-seq")[:limit]
