"""GET /api/v1/sites/: each site with its sensors, those online and its pending alarms."""

import pytest
from django.utils import timezone

from community.choices import AlarmState, SensorStatus
from community.models import Alarm, Sensor

pytestmark = pytest.mark.django_db


def alarm_make(sensor, state: str) -> Alarm:
    now = timezone.now()
    return Alarm.objects.create(
        sensor=sensor, site=sensor.site, alarm_type="loitering", priority=3, first_at=now,
        last_at=now, received_at=now, state=state, **sensor.site.location,
    )  # fmt: skip


def test_a_sites_counts_are_its_own_however_long_its_alarm_history(
    api_client_for, users, sites, django_assert_num_queries
):
    Sensor.objects.filter(pk__in=[sites.ir_a.pk, sites.cam_a.pk]).update(status=SensorStatus.ONLINE)
    alarm_make(sites.ir_a, AlarmState.REVIEW)
    alarm_make(sites.smoke_a, AlarmState.HELD)
    for _ in range(3):
        alarm_make(sites.cam_a, AlarmState.DISMISSED)
    client = api_client_for(users.dispatcher)

    with django_assert_num_queries(2):  # the count and the page
        results = client.get("/api/v1/sites/").data["results"]

    counts = {s["code"]: (s["sensors"], s["sensors_online"], s["alarms_pending"]) for s in results}
    assert counts == {"site-a": (3, 2, 2), "site-b": (1, 0, 0)}
