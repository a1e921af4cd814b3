"""一标三实: standard addresses (一标) and the actual population, housing and
organisations (三实) at them.

An address is one node of the GA/T 2000.32 tree (district → street → community
→ road or compound → building → unit → room), placed by the zone index from
its point like a call; its residents, house and organisations copy its place
(station, post, street) so a scoped read needs no join. ID numbers and phones
are encrypted at rest; beside each is a keyed digest to find it and the masked
form lists show (community.personal).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from commandcenter.access import located_in
from community.choices import (
    AddressElement,
    Gender,
    Household,
    HouseUse,
    Industry,
    MoveOutReason,
    Presence,
)
from community.located import Located
from patrol.models import PatrolZone


class StandardAddress(Located):
    """标准地址: one element of the address tree, with its full text and point."""

    code = models.CharField(_("address code"), max_length=40, unique=True)
    element = models.CharField(_("element type"), max_length=2, choices=AddressElement.choices)
    name = models.CharField(_("name"), max_length=80)
    full_name = models.CharField(_("full address"), max_length=300)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent"),
    )  # fmt: skip
    # Denormalised ancestors: a community's export and a building's plate sheet
    # read one index, not the tree.
    community = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("community"),
    )  # fmt: skip
    building = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("building"),
    )  # fmt: skip
    # What the type-ahead matches: the address below the street, lower case,
    # with the pinyin initials of its names (e.g. "翠苑一区3幢 cyyq3z").
    search = models.CharField(_("search text"), max_length=400)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    zone = models.ForeignKey(
        PatrolZone, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("patrol zone"),
    )  # fmt: skip
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("responsible officer (网格民警)"),
    )  # fmt: skip
    active_from = models.DateField(_("in use from"), default=timezone.localdate)
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("registered by"),
    )  # fmt: skip

    class Meta:
        ordering = ["code"]
        verbose_name = _("standard address")
        verbose_name_plural = _("standard addresses")
        constraints = [
            # No two live elements of one parent with the same name (no free-form duplicates).
            models.UniqueConstraint(
                "parent",
                "name",
                condition=Q(retired_on__isnull=True),
                name="address_name_once_per_parent",
            )
        ]
        indexes = [
            models.Index(fields=["community", "element"], name="address_community"),
            models.Index(fields=["building", "element"], name="address_building"),
        ]
        # The type-ahead's trigram indexes are PostgreSQL's own: see the migration.

    def __str__(self) -> str:
        return self.full_name

    @property
    def plated(self) -> bool:
        return self.element in (AddressElement.BUILDING, AddressElement.ROOM)


class Resident(Located):
    """实有人口: one person living (or registered) at a room."""

    address = models.ForeignKey(
        StandardAddress, on_delete=models.PROTECT, related_name="residents",
        verbose_name=_("address"),
    )  # fmt: skip
    id_number = EncryptedCharField(_("ID number"), max_length=18)
    id_digest = models.CharField(_("ID lookup digest"), max_length=64, db_index=True)
    id_masked = models.CharField(_("ID number (masked)"), max_length=18)
    name = models.CharField(_("name"), max_length=40)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True, null=True)
    phone_digest = models.CharField(_("phone lookup digest"), max_length=64, blank=True)
    phone_masked = models.CharField(_("phone (masked)"), max_length=20, blank=True)
    household = models.CharField(_("population type"), max_length=12, choices=Household.choices)
    presence = models.CharField(_("residence status"), max_length=8, choices=Presence.choices)
    head_relation = models.CharField(_("relation to the head"), max_length=20, blank=True)
    moved_in = models.DateField(_("moved in"))
    moved_out = models.DateField(_("moved out"), null=True, blank=True)
    out_reason = models.CharField(
        _("reason for moving out"), max_length=1, choices=MoveOutReason.choices, blank=True
    )
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("collected by"),
    )  # fmt: skip
    collected_at = models.DateTimeField(_("collected"), default=timezone.now)

    class Meta:
        ordering = ["address", "moved_in", "pk"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints = [
            # One live record of a person per address (a re-import updates it).
            models.UniqueConstraint(
                "address", "id_digest", condition=Q(moved_out__isnull=True),
                name="resident_once_per_address",
            ),
            models.CheckConstraint(
                condition=Q(moved_out__isnull=True) | ~Q(out_reason=""),
                name="resident_moved_out_with_reason",
            ),
        ]  # fmt: skip
        indexes = [
            # By name, in registration order: a common name reads its first rows only.
            models.Index(fields=["name", "id"], name="resident_name"),
            models.Index(fields=["phone_digest"], name="resident_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.id_masked} @ {self.address_id}"

    @classmethod
    def visible_to(cls, scope) -> Q:
        # Street staff and partners never see residents, even masked.
        if scope.street_id or scope.partner_department_id:
            return Q(pk__in=[])
        return located_in(scope)


class House(Located):
    """实有房屋: the dwelling at a room or a building: its use, owner and tenancy."""

    address = models.OneToOneField(
        StandardAddress, on_delete=models.PROTECT, related_name="house",
        verbose_name=_("address"),
    )  # fmt: skip
    use = models.CharField(_("use"), max_length=10, choices=HouseUse.choices)
    area_m2 = models.PositiveIntegerField(_("floor area (m²)"), null=True, blank=True)
    owner_name = models.CharField(_("owner"), max_length=60, blank=True)
    owner_phone = EncryptedCharField(_("owner's phone"), max_length=20, blank=True, null=True)
    owner_phone_masked = models.CharField(_("owner's phone (masked)"), max_length=20, blank=True)
    rented = models.BooleanField(_("rented out"), default=False)
    tenants_checked_on = models.DateField(_("tenants last checked"), null=True, blank=True)

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("housing")

    def __str__(self) -> str:
        return f"{self.get_use_display()} @ {self.address_id}"

    visible_to = Resident.visible_to


class Organisation(Located):
    """实有单位: an organisation at an address."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    name = models.CharField(_("name"), max_length=120)
    address = models.ForeignKey(
        StandardAddress, on_delete=models.PROTECT, related_name="organisations",
        verbose_name=_("address"),
    )  # fmt: skip
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    contact_name = models.CharField(_("person in charge"), max_length=40, blank=True)
    contact_phone = EncryptedCharField(_("contact phone"), max_length=20, blank=True, null=True)
    contact_phone_masked = models.CharField(_("contact phone (masked)"), max_length=20, blank=True)
    staff = models.PositiveIntegerField(_("staff"), default=0)
    active = models.BooleanField(_("active"), default=True)
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(Upper("credit_code"), name="organisation_credit_code")
        ]

    def __str__(self) -> str:
        return self.name
