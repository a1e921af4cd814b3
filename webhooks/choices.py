"""Choice sets of the webhooks: a delivery's lifecycle and why an endpoint was disabled."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    # Every retry of the schedule failed: a dead letter, replayable.
    DEAD = "dead", _("Failed (dead letter)")
    # The endpoint was disabled before the delivery got through: replayable too.
    DISCARDED = "discarded", _("Discarded (endpoint disabled)")


# Dead letters: what replay may send again.
DEAD_LETTERS = frozenset({DeliveryStatus.DEAD, DeliveryStatus.DISCARDED})

DELIVERY_TRANSITIONS = {
    DeliveryStatus.PENDING: frozenset(
        {DeliveryStatus.SUCCEEDED, DeliveryStatus.DEAD, DeliveryStatus.DISCARDED}
    ),
    DeliveryStatus.SUCCEEDED: frozenset(),
    DeliveryStatus.DEAD: frozenset({DeliveryStatus.PENDING}),
    DeliveryStatus.DISCARDED: frozenset({DeliveryStatus.PENDING}),
}


class DisabledReason(models.TextChoices):
    GONE = "gone", _("The receiver answered 410 Gone")
    FAILING = "failing", _("Deliveries kept failing")
    OWNER = "owner", _("Disabled by its owner")
    ADMINISTRATOR = "administrator", _("Disabled by an administrator")
