"""走失人员: a missing person's case, from the report to found, and its sightings.

A case is placed where the person was last seen (zone, station, post, street),
like a call; its search area is a circle around the latest sighting (or the
last-seen point) that grows with the time since (community.missing.search_area).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from community.choices import MissingCondition, MissingStatus
from community.located import Located
from incidents.models import Incident
from patrol.models import PatrolZone


class MissingPerson(Located):
    number = models.CharField(_("number"), max_length=24, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MissingStatus.choices, default=MissingStatus.SEARCHING
    )
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("call"),
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=40)
    gender = models.CharField(_("gender"), max_length=1, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    condition = models.CharField(
        _("condition"), max_length=12, choices=MissingCondition.choices, blank=True
    )
    description = models.TextField(_("description"), max_length=1000)
    photo = models.BinaryField(_("photo"), null=True, blank=True, editable=False)
    photo_type = models.CharField(_("photo type"), max_length=20, blank=True)
    last_seen_at = models.DateTimeField(_("last seen at"))
    last_seen_place = models.CharField(_("last seen place"), max_length=200)
    last_seen_lat = models.FloatField(_("last seen latitude"))
    last_seen_lng = models.FloatField(_("last seen longitude"))
    zone = models.ForeignKey(
        PatrolZone, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("patrol zone"),
    )  # fmt: skip
    contact_name = models.CharField(_("contact"), max_length=40)
    contact_phone = EncryptedCharField(_("contact phone"), max_length=20)
    contact_phone_masked = models.CharField(_("contact phone (masked)"), max_length=20)
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("reported by"),
    )  # fmt: skip
    found_at = models.DateTimeField(_("found at"), null=True, blank=True)
    found_place = models.CharField(_("found where"), max_length=200, blank=True)
    found_lat = models.FloatField(_("found latitude"), null=True, blank=True)
    found_lng = models.FloatField(_("found longitude"), null=True, blank=True)
    found_by = models.CharField(_("found by"), max_length=100, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("closed by"),
    )  # fmt: skip
    closing_note = models.CharField(_("closing note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("missing person")
        verbose_name_plural = _("missing persons")
        indexes = [
            models.Index(fields=["status", "-reported_at"], name="missing_status"),
            models.Index(fields=["reported_at"], name="missing_reported"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="found") | Q(found_at__isnull=False),
                name="missing_found_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Sighting(models.Model):
    """A report of the person seen somewhere: it moves the search area there."""

    case = models.ForeignKey(
        MissingPerson, on_delete=models.PROTECT, related_name="sightings", verbose_name=_("case")
    )
    seen_at = models.DateTimeField(_("seen at"))
    place = models.CharField(_("place"), max_length=200)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("reported by"),
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-seen_at", "-pk"]
        verbose_name = _("sighting")
        verbose_name_plural = _("sightings")

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.seen_at:%Y-%m-%d %H:%M}"
