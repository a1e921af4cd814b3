"""The organisation of a district bureau, its users, and the event log.

Geometry is stored as GeoJSON (lng/lat, WGS84) in JSON columns and worked on
with shapely, so no GDAL is needed anywhere.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commandcenter.access import located_in
from commandcenter.choices import DISTRICT_ROLES, Role, SecurityEventKind, SecurityResult


class OrgUnit(models.Model):
    """Common shape of every organisation table: a stable code and a name."""

    code = models.SlugField(_("code"), max_length=40, unique=True, allow_unicode=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Bureau(OrgUnit):
    """分局: the district public-security bureau; owns the command center."""

    district_name = models.CharField(_("district name"), max_length=100)
    boundary = models.JSONField(_("boundary (GeoJSON)"))

    class Meta(OrgUnit.Meta):
        verbose_name = _("bureau")
        verbose_name_plural = _("bureaus")

    @classmethod
    def visible_to(cls, scope) -> Q:
        return Q()


class Sector(OrgUnit):
    """战区: a group of stations under one bureau leader."""

    bureau = models.ForeignKey(
        Bureau, on_delete=models.PROTECT, related_name="sectors", verbose_name=_("bureau")
    )

    class Meta(OrgUnit.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    @classmethod
    def visible_to(cls, scope) -> Q:
        return Q()


class Station(OrgUnit):
    """派出所: the territorial station that always backs up its posts."""

    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="stations", verbose_name=_("sector")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("duty phone"), max_length=30, blank=True)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))

    class Meta(OrgUnit.Meta):
        verbose_name = _("station")
        verbose_name_plural = _("stations")

    @classmethod
    def visible_to(cls, scope) -> Q:
        if scope.district_wide or scope.partner_department_id:
            return Q()
        if scope.station_id:
            return Q(pk=scope.station_id)
        if scope.street_id:
            return Q(zones__street_id=scope.street_id)
        return Q(pk__in=[])


class Post(OrgUnit):
    """警务站: a street-level post that takes any job in the zones it covers."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="posts", verbose_name=_("station")
    )
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))

    class Meta(OrgUnit.Meta):
        verbose_name = _("police post")
        verbose_name_plural = _("police posts")

    @classmethod
    def visible_to(cls, scope) -> Q:
        if scope.district_wide or scope.partner_department_id:
            return Q()
        if scope.post_id:
            return Q(pk=scope.post_id)
        if scope.station_id:
            return Q(station_id=scope.station_id)
        if scope.street_id:
            return Q(zones__street_id=scope.street_id)
        return Q(pk__in=[])


class Street(OrgUnit):
    """街道: the sub-district government that runs a governance center."""

    bureau = models.ForeignKey(
        Bureau, on_delete=models.PROTECT, related_name="streets", verbose_name=_("bureau")
    )

    class Meta(OrgUnit.Meta):
        verbose_name = _("street")
        verbose_name_plural = _("streets")

    @classmethod
    def visible_to(cls, scope) -> Q:
        if scope.district_wide or scope.partner_department_id:
            return Q()
        if scope.street_id:
            return Q(pk=scope.street_id)
        if scope.post_id:
            return Q(zones__post_id=scope.post_id)
        if scope.station_id:
            return Q(zones__station_id=scope.station_id)
        return Q(pk__in=[])


class GovernanceCenter(OrgUnit):
    """综治中心: takes the street's diverted non-police jobs."""

    street = models.OneToOneField(
        Street, on_delete=models.PROTECT, related_name="governance_center", verbose_name=_("street")
    )
    phone = models.CharField(_("duty phone"), max_length=30, blank=True)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))

    class Meta(OrgUnit.Meta):
        verbose_name = _("governance center")
        verbose_name_plural = _("governance centers")

    @classmethod
    def visible_to(cls, scope) -> Q:
        return Q(street__in=Street.objects.filter(Street.visible_to(scope)))


class PartnerDepartment(OrgUnit):
    """职能部门: 城管, 市场监管, 劳动执法, 120, 119 … reached through the API."""

    phone = models.CharField(_("duty phone"), max_length=30, blank=True)

    class Meta(OrgUnit.Meta):
        verbose_name = _("partner department")
        verbose_name_plural = _("partner departments")

    @classmethod
    def visible_to(cls, scope) -> Q:
        if scope.partner_department_id:
            return Q(pk=scope.partner_department_id)
        return Q()


class User(AbstractUser):
    """A person or a machine account, with one role scoped to one org unit."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("station"),
    )
    post = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("post"),
    )
    street = models.ForeignKey(
        Street,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("street"),
    )
    partner_department = models.ForeignKey(
        PartnerDepartment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("partner department"),
    )
    # A community officer's (网格民警) duty phone, shown on the house plates of its addresses.
    duty_phone = models.CharField(_("duty phone"), max_length=30, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    # Which org unit each role must be scoped to; the others stay empty.
    REQUIRED_ORG_UNIT = {
        Role.STATION_CHIEF: "station",
        Role.POST_OFFICER: "post",
        # A unit's officer reads like its unit's home station; which unit it
        # works for is bound in patrol (UnitOfficer), which the core cannot name.
        Role.OFFICER: "station",
        Role.STREET_STAFF: "street",
        Role.PARTNER: "partner_department",
    }

    def clean(self) -> None:
        super().clean()
        if self.is_superuser and not self.role:
            self.role = Role.ADMINISTRATOR
        if not self.role:
            raise ValidationError({"role": _("Every user needs a role.")})
        required = self.REQUIRED_ORG_UNIT.get(self.role)
        errors = {}
        for field in ("station", "post", "street", "partner_department"):
            has_value = getattr(self, f"{field}_id") is not None
            if field == required and not has_value:
                errors[field] = _("This role must be scoped to one %(unit)s.") % {
                    "unit": self._meta.get_field(field).verbose_name
                }
            elif field != required and has_value:
                errors[field] = _("This role is not scoped to a %(unit)s.") % {
                    "unit": self._meta.get_field(field).verbose_name
                }
        if errors:
            raise ValidationError(errors)

    @property
    def is_district_wide(self) -> bool:
        return self.role in DISTRICT_ROLES

    # A password change, by any path (the admin, the password-change page,
    # set_password + save in code), revokes the user's API tokens: Django's
    # session hash already ends its other sessions, tokens have no such hash.
    # Hooked here because no signal says "the password changed".
    def set_password(self, raw_password) -> None:
        self._password_replaced = bool(self.password) and self.has_usable_password()
        super().set_password(raw_password)

    def save(self, *args, **kwargs) -> None:
        replaced = getattr(self, "_password_replaced", False) and self.pk is not None
        super().save(*args, **kwargs)
        if replaced:
            self._password_replaced = False
            from commandcenter.tokens import tokens_revoke_for_password_change

            tokens_revoke_for_password_change(user=self)


class Event(models.Model):
    """One entry of the append-only event log: the history and the outbox.

    `seq` is dense and in commit order (see `commandcenter.services.event_record`),
    so a consumer that remembers the last number it saw can resume with no gap
    and no duplicate. Rows are never updated or deleted (a database trigger
    refuses it on PostgreSQL).
    """

    seq = models.BigIntegerField(_("sequence number"), primary_key=True)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    subject_type = models.CharField(_("subject type"), max_length=60)
    subject_id = models.CharField(_("subject id"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict)
    # Where the event happened, so a stream can be filtered by who may see it.
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("station"),
    )
    post = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("post"),
    )
    street = models.ForeignKey(
        Street,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("street"),
    )

    class Meta:
        ordering = ["seq"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["subject_type", "subject_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.subject_type}:{self.subject_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("The event log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The event log is append-only.")

    @classmethod
    def visible_to(cls, scope) -> Q:
        return located_in(scope)


class DailyCounter(models.Model):
    """Running numbers per series and local day on SQLite (PostgreSQL uses a sequence per day)."""

    series = models.CharField(max_length=20)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily counter")
        verbose_name_plural = _("daily counters")
        constraints = [
            models.UniqueConstraint(fields=["series", "day"], name="one_counter_per_series_day")
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.day}: {self.last}"


class WorkerHeartbeat(models.Model):
    """Last time a Celery worker ran the heartbeat task sent by beat."""

    name = models.CharField(max_length=40, primary_key=True)
    beat_at = models.DateTimeField()

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class RelayProgress(models.Model):
    """What a relay of the live stream last published: a restarted relay (or
    its standby taking over) goes on from here, and /healthz measures its lag
    against the newest event of the log."""

    name = models.CharField(max_length=40, primary_key=True)
    last_seq = models.BigIntegerField()
    published_at = models.DateTimeField()

    class Meta:
        verbose_name = _("relay progress")
        verbose_name_plural = _("relay progress")

    def __str__(self) -> str:
        return f"{self.name} at #{self.last_seq}"


class AuditRow(models.Model):
    """What both audit trails keep of every row: when, from which client, on which path."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)

    class Meta:
        abstract = True


class AccessRecord(AuditRow):
    """访问记录: one read that showed personal data unmasked. Append-only.

    Who (actor), when, what (object type and id, the fields shown), from
    where (client address, path) and why (purpose, where the page asks).
    """

    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor")
    )
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    fields = models.JSONField(_("fields shown"), default=list)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_id} {self.object_type}:{self.object_id}"


class SecurityEvent(AuditRow):
    """安全日志: logins, failures, lockouts, tokens, keys, two-factor, refusals. Append-only.

    `actor` is the user when known; `username` is what was typed (a failed
    login names no user that exists, perhaps).
    """

    kind = models.CharField(_("kind"), max_length=30, choices=SecurityEventKind.choices)
    result = models.CharField(
        _("result"),
        max_length=10,
        choices=SecurityResult.choices,
        default=SecurityResult.SUCCESS,
    )
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security log")
        indexes = [models.Index(fields=["kind", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"


class MachineKeyKind(models.TextChoices):
    PARTNER = "partner", _("Partner system")
    GATEWAY = "gateway", _("Position gateway")
    SENSORS = "sensors", _("Sensor gateway (智安)")


class MachineKey(models.Model):
    """机器密钥: a long-lived API key of a partner system or a position gateway.

    The key is `tsk_<prefix>_<secret>`: the prefix finds the row, the secret is
    kept only as its SHA-256 (a 32-byte random secret needs no slow hash). It
    acts as `user` (a partner or gateway account), never expires, needs no
    second factor and is not locked out; it ends when revoked. A gateway may
    report positions of `units` only.
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=MachineKeyKind.choices)
    user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="machine_keys",
        verbose_name=_("acts as account"),
    )
    # By name: the core imports no app, the table is the gateway's reach.
    units = models.ManyToManyField(
        "patrol.Unit", blank=True, related_name="+", verbose_name=_("units (gateways)")
    )
    prefix = models.CharField(_("public prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(_("secret hash"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("machine key")
        verbose_name_plural = _("machine keys")
        ordering = ["-created_at"]

    ACCOUNT_ROLE = {
        MachineKeyKind.PARTNER: Role.PARTNER,
        MachineKeyKind.GATEWAY: Role.GATEWAY,
        MachineKeyKind.SENSORS: Role.GATEWAY,
    }

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def clean(self) -> None:
        super().clean()
        role = self.ACCOUNT_ROLE.get(self.kind)
        if role is not None and self.user_id is not None and self.user.role != role:
            raise ValidationError(
                {
                    "user": _("A key of this kind acts as an account of role %(role)s.")
                    % {"role": role.label}
                }
            )


class IdempotencyRecord(models.Model):
    """The first answer to a machine's write sent with an `Idempotency-Key`, kept 24 h
    (commandcenter.idempotency): a retry with the same key and body gets it again
    and writes nothing. `status` is null while the first request is at work."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("key"), max_length=255)
    request_hash = models.CharField(_("request hash"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    body = models.JSONField(_("body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"
