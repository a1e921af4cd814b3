"""Patrol time (巡防时长): free time per unit and zone from the track, per local day."""

from datetime import datetime, timedelta

from django.utils import timezone

from patrol.models import PositionFix


def track(unit, zone, start, minutes, *, on_job=False, step=60):
    PositionFix.objects.bulk_create(
        PositionFix(
            unit=unit,
            zone=zone,
            lat=30.005,
            lng=120.005,
            on_job=on_job,
            recorded_at=start + timedelta(seconds=s),
        )
        for s in range(0, minutes * 60 + 1, step)
    )


def local(hour, minute=0):
    return timezone.make_aware(datetime(2026, 11, 20, hour, minute))


def test_patrol_time_counts_free_time_per_zone_and_skips_jobs_and_gaps(
    api_client_for, users, district
):
    unit = district.units.a
    track(unit, district.zones.sw, local(9), 30)  # 30 min patrolling in sw
    track(unit, district.zones.sw, local(9, 31), 20, on_job=True)  # on a job: not counted
    track(unit, district.zones.nw, local(10), 10)  # 10 min in nw
    track(unit, district.zones.nw, local(12), 5)  # after a 1h50 gap: 5 min
    rows = api_client_for(users.chief_a).get("/api/v1/patrol-time/?date=2026-11-20").json()
    by_zone = {row["zone"]: row["seconds"] for row in rows}
    # sw: 30 min, plus the minute from its last free fix to the first job fix.
    assert by_zone == {"zone-sw": 31 * 60, "zone-nw": 15 * 60}
    assert {row["call_sign"] for row in rows} == {"A-01"}
    assert rows[0]["team"] == "team-a"


def test_patrol_time_is_per_local_day_and_scoped(api_client_for, users, district):
    track(district.units.b, district.zones.ne, local(23, 50), 20)  # crosses local midnight
    chief_b = api_client_for(users.chief_b)
    first_day = chief_b.get("/api/v1/patrol-time/?date=2026-11-20").json()
    assert [row["seconds"] for row in first_day] == [10 * 60]
    assert api_client_for(users.chief_a).get("/api/v1/patrol-time/?date=2026-11-20").json() == []
    station = chief_b.get("/api/v1/patrol-time/?date=2026-11-20&station=station-b").json()
    assert station == first_day


def test_bad_date_or_station_is_a_field_error(api_client_for, users, district):
    client = api_client_for(users.dispatcher)
    assert "date" in client.get("/api/v1/patrol-time/?date=20-11").json()
    assert "station" in client.get("/api/v1/patrol-time/?station=nowhere").json()
