"""Webhook endpoints, their deliveries (one per event and endpoint) and every attempt.

A delivery is planned from the event log (the outbox) and is the unit of retry: its
`webhook_id` stays the same across attempts, so a receiver dedupes on it. The
deadline of the next attempt is `next_attempt_at`, swept by beat; `lease_until`
keeps two workers from sending one delivery at once.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from webhooks.choices import DeliveryStatus, DisabledReason


class WebhookEndpoint(models.Model):
    """An integrator's URL subscribed to event types within its owner's scope.

    The signing secret (`whsec_` + base64 of 32 random bytes) is stored encrypted
    and shown once, at creation and at rotation; after a rotation the previous
    secret signs too, until `previous_secret_expires_at`.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("owner"),
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Event kinds ("referral.accepted") or whole families ("incident.*").
    event_types = models.JSONField(_("event types"), default=list)
    secret = EncryptedCharField(_("signing secret"), max_length=100)
    previous_secret = EncryptedCharField(
        _("previous signing secret"), max_length=100, blank=True, null=True
    )
    previous_secret_expires_at = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True
    )
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(
        _("why disabled"), max_length=20, choices=DisabledReason.choices, blank=True
    )
    # Since when no attempt has succeeded (None: the last attempt succeeded).
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None


class WebhookDelivery(models.Model):
    """One event sent to one endpoint, with as many attempts as it takes."""

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    event = models.ForeignKey(
        "commandcenter.Event", on_delete=models.PROTECT, related_name="+", verbose_name=_("event")
    )
    event_type = models.CharField(_("event type"), max_length=60)
    # The `webhook-id` header: the same on every attempt and replay.
    webhook_id = models.CharField(_("webhook id"), max_length=60, unique=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Attempts since the delivery was planned or last replayed: the retry schedule's step.
    round_attempts = models.PositiveIntegerField(_("attempts in this round"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # A worker that claimed the delivery owns it until then (a crash frees it).
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last status code"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    succeeded_at = models.DateTimeField(_("succeeded at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_one_per_event"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_due"),
            models.Index(
                fields=["endpoint", "status", "created_at"], name="webhook_endpoint_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.webhook_id} {self.status}"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery and what came back (or why nothing did)."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempt_rows",
        verbose_name=_("delivery"),
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), default=0)
    response_snippet = models.CharField(_("response (first 1 KB)"), max_length=1024, blank=True)
    retry_after_seconds = models.PositiveIntegerField(_("Retry-After (s)"), null=True, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookCursor(models.Model):
    """How far the planner has read the event log (one row)."""

    name = models.CharField(max_length=20, primary_key=True)
    last_seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("webhook cursor")
        verbose_name_plural = _("webhook cursors")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_seq}"
