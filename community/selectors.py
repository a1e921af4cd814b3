"""Reads of smart-secure sites, their sensors and alarms, for the pages.

Each takes the user and applies the one policy (`commandcenter.access.visible`),
and brings the related rows its page names. Counts per site are subqueries, so
a page of sites costs the same few queries however many sensors and alarms
the district has.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from commandcenter.access import visible
from community.choices import PENDING_STATES, AlarmState, SensorStatus
from community.models import Alarm, Sensor, SensorDay, SmartSite
from incidents.choices import OPEN_STATUSES, IncidentStatus
from incidents.models import Incident


def alarm_job_open(prefix: str = "incident__") -> Q:
    """The job (of an alarm: `prefix` "incident__") is still open: open itself, or a call
    the intake linked as a repeat of an open one (a neighbouring site's alarm job within
    the repeat radius)."""
    return Q(**{f"{prefix}status__in": OPEN_STATUSES}) | Q(
        **{
            f"{prefix}status": IncidentStatus.LINKED,
            f"{prefix}repeat_of__status__in": OPEN_STATUSES,
        }
    )


# The review queue: priority 1 (most urgent) first, then the newest.
REVIEW_ORDER = ("priority", "-first_at", "-pk")
ALARM_RELATED = ("sensor", "site", "incident")


def alarm_review_queue(*, user) -> QuerySet[Alarm]:
    """Alarms the rules left for a person to judge, in the user's area."""
    return (
        visible(Alarm.objects.filter(state=AlarmState.REVIEW), user)
        .select_related(*ALARM_RELATED)
        .order_by(*REVIEW_ORDER)
    )


def _per_site(queryset: QuerySet) -> Coalesce:
    """How many rows of `queryset` belong to the outer site."""
    counted = (
        queryset.filter(site=OuterRef("pk"))
        .order_by()
        .values("site")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def site_list(
    *,
    user,
    kind: str = "",
    grade: int | None = None,
    street_id: int | None = None,
    q: str = "",
) -> QuerySet[SmartSite]:
    """The sites the user may see, filtered, each with its sensors (online and in
    all) and its pending alarms (held or in review)."""
    sites = visible(SmartSite.objects.all(), user)
    if kind:
        sites = sites.filter(kind=kind)
    if grade is not None:
        sites = sites.filter(grade=grade)
    if street_id is not None:
        sites = sites.filter(street_id=street_id)
    if q:
        sites = sites.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(address__icontains=q))
    return (
        sites.select_related("station", "post", "street")
        .annotate(
            sensors_total=_per_site(Sensor.objects.all()),
            sensors_online=_per_site(Sensor.objects.filter(status=SensorStatus.ONLINE)),
            alarms_pending=_per_site(Alarm.objects.filter(state__in=PENDING_STATES)),
        )
        .order_by("code")
    )


def site_get(*, user, site_id: int) -> SmartSite | None:
    """One site with its place and its people, if the user may see it."""
    return (
        visible(SmartSite.objects.all(), user)
        .select_related("zone", "station", "post", "street", "officer")
        .filter(pk=site_id)
        .first()
    )


# --- The online rate -------------------------------------------------------------------


@dataclass(frozen=True)
class OnlineRate:
    """Heartbeats a sensor (or a site) sent today against those it owed so far."""

    heartbeats: float
    expected: float

    @property
    def rate(self) -> float | None:
        """Received ÷ expected, at most 1; None while nothing is owed yet."""
        if self.expected <= 0:
            return None
        return min(1.0, self.heartbeats / self.expected)

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 1)


def heartbeats_expected(*, installed_at: datetime, heartbeat_seconds: int, now: datetime) -> float:
    """Heartbeats owed today so far: the seconds since the local day began (or the
    sensor was installed, if later) over the sensor's interval."""
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    since = max(midnight, installed_at)
    return max(0.0, (now - since) / timedelta(seconds=heartbeat_seconds))


def site_sensors(*, site: SmartSite, now: datetime | None = None) -> list[Sensor]:
    """The site's sensors, each with `today` (its OnlineRate of the local day).

    The site was checked against the policy by its caller; its sensors lie
    where it does.
    """
    now = now or timezone.now()
    beats_today = SensorDay.objects.filter(
        sensor=OuterRef("pk"), day=timezone.localdate(now)
    ).values("heartbeats")[:1]
    sensors = list(
        Sensor.objects.filter(site=site)
        .annotate(heartbeats_today=Coalesce(Subquery(beats_today), 0))
        .order_by("sensor_type", "device_id")
    )
    for sensor in sensors:
        sensor.today = OnlineRate(
            heartbeats=sensor.heartbeats_today,
            expected=heartbeats_expected(
                installed_at=sensor.installed_at,
                heartbeat_seconds=sensor.heartbeat_seconds,
                now=now,
            ),
        )
    return sensors


def site_online_rate(sensors: list[Sensor]) -> OnlineRate:
    """The site's rate today: each sensor's heartbeats (no more than it owed) over
    what all of them owed."""
    return OnlineRate(
        heartbeats=sum(min(s.today.heartbeats, s.today.expected) for s in sensors),
        expected=sum(s.today.expected for s in sensors),
    )


# --- A site's alarms and jobs ----------------------------------------------------------


def site_alarms(*, user, site: SmartSite) -> QuerySet[Alarm]:
    """The site's alarms, newest first."""
    return (
        visible(Alarm.objects.filter(site=site), user)
        .select_related(*ALARM_RELATED)
        .order_by("-first_at", "-pk")
    )


def site_jobs(*, user, site: SmartSite) -> QuerySet[Incident]:
    """The jobs made from the site's alarms (or that its alarms were attached to),
    newest first, each with how many of the site's alarms it holds."""
    made = Alarm.objects.filter(site=site, incident__isnull=False).values("incident")
    return (
        visible(Incident.objects.filter(pk__in=made), user)
        .select_related("category", "station", "post")
        .annotate(site_alarms=Count("alarms", filter=Q(alarms__site=site)))
        .order_by("-received_at", "-pk")
    )
