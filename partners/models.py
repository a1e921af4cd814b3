"""What partner systems sent us that we must remember: their Open311 update ids."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from commandcenter.models import PartnerDepartment
from incidents.models import Incident


class UpdateOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    # Dated before the department's latest applied step: kept, the job not moved back.
    STALE = "stale", _("Arrived late: recorded, not applied")


class PartnerUpdate(models.Model):
    """One update a department's system posted (Open311 servicerequestupdates),
    by the system's own update id: a second post of the same id answers the
    first answer again and changes nothing (partners.open311_services)."""

    department = models.ForeignKey(
        PartnerDepartment,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("partner department"),
    )
    update_id = models.CharField(_("the partner's update id"), max_length=64)
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="+", verbose_name=_("incident")
    )
    status = models.CharField(_("Open311 status"), max_length=40)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    updated_at = models.DateTimeField(_("updated at (the partner's time)"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=UpdateOutcome.choices)
    # The event the update wrote on the job, if it wrote one (its seq is our update_id).
    event_seq = models.BigIntegerField(_("event"), null=True, blank=True)
    answer = models.JSONField(_("answer given"), default=list, blank=True)

    class Meta:
        verbose_name = _("partner update")
        verbose_name_plural = _("partner updates")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "update_id"], name="one_partner_update_per_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department_id}:{self.update_id}"
