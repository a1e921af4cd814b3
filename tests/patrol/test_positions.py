"""GPS fixes: batches keep the good fixes, refuse bad ones per fix, move units forward."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bench.harness import free_port
from commandcenter.choices import Role
from commandcenter.exceptions import ActionForbidden
from patrol.choices import UnitStatus
from patrol.models import PositionFix, Unit
from patrol.services import FixInput, positions_record
from tests import factories as f


@pytest.fixture
def report(api_client_for, officer):
    """POST fixes as A-01's officer (its terminal), or as `user`."""

    def send(fixes, user=None):
        return api_client_for(user or officer).post(
            "/api/v1/positions/", {"fixes": fixes}, format="json"
        )

    return send


def fix(unit, *, seconds_ago=0, lat=30.005, lng=120.005, **extra):
    at = timezone.now() - timedelta(seconds=seconds_ago)
    return {"unit": unit, "time": at.isoformat(), "lat": lat, "lng": lng, **extra}


def test_good_fixes_are_kept_and_bad_ones_refused_each_with_its_reason(report, district):
    response = report(
        [
            fix(district.units.a.id, lat=30.006, speed=8.0, heading=90),
            fix("B-01", lat=30.016, lng=120.016),
            fix(district.units.a.id, lat=95),
            fix(district.units.a.id, seconds_ago=-3600),
            fix("NO-SUCH-UNIT"),
            {"unit": "A-01", "time": "yesterday-ish", "lat": 30, "lng": 120},
        ]
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["accepted"] == 1
    assert [(r["index"], sorted(r["errors"])) for r in body["rejected"]] == [
        (1, ["unit"]),  # another unit: not this terminal's to report
        (2, ["lat"]),
        (3, ["time"]),
        (4, ["unit"]),
        (5, ["time"]),
    ]
    assert PositionFix.objects.count() == 1
    unit = Unit.objects.get(pk=district.units.a.id)
    assert (unit.lat, unit.lng) == (30.006, 120.005)
    stored = PositionFix.objects.get(unit=unit)
    assert stored.zone_id == district.zones.sw.id
    assert stored.speed == 8.0


def test_a_batch_with_no_good_fix_is_400(report, district):
    response = report([fix(district.units.a.id, lng=200)])
    assert response.status_code == 400
    assert response.json()["accepted"] == 0


def test_an_older_fix_never_moves_a_unit_back(report, district):
    report([fix("A-01", lat=30.007)])
    report([fix("A-01", lat=30.001, seconds_ago=60)])
    assert Unit.objects.get(call_sign="A-01").lat == 30.007
    assert PositionFix.objects.filter(unit__call_sign="A-01").count() == 2


def test_fixes_of_a_busy_unit_are_marked_on_job(report, district):
    Unit.objects.filter(pk=district.units.a.id).update(status=UnitStatus.ON_SCENE)
    report([fix("A-01")])
    assert PositionFix.objects.get().on_job is True


@pytest.mark.parametrize(
    "role", ["dispatcher", "administrator", "chief_a", "post_officer", "street_staff", "partner"]
)
def test_people_at_desks_may_not_report_positions(report, district, users, role):
    """Positions come from terminals and gateways: a person moving a unit is refused whole."""
    unit = district.units.street if role == "street_staff" else district.units.a
    before = Unit.objects.values_list("lat", "lng").get(pk=unit.pk)
    response = report([fix(unit.call_sign, lat=30.009)], user=getattr(users, role))
    assert response.status_code == 403, response.content
    assert not PositionFix.objects.exists()
    assert Unit.objects.values_list("lat", "lng").get(pk=unit.pk) == before


def test_a_gateway_reports_the_units_it_is_bound_to_and_no_others(district, users):
    gateway = f.UserFactory(role=Role.GATEWAY)
    now = timezone.now()
    result = positions_record(
        actor=gateway,
        fixes=[
            FixInput(unit="A-01", recorded_at=now, lat=30.006, lng=120.005),
            FixInput(unit="B-01", recorded_at=now, lat=30.016, lng=120.016),
        ],
        gateway_units=frozenset({district.units.a.pk}),
    )
    assert result.accepted == 1
    assert [r["index"] for r in result.rejected] == [1]
    with pytest.raises(ActionForbidden):
        positions_record(actor=gateway, fixes=[], gateway_units=None)


def test_an_empty_or_oversized_batch_is_refused(report, district):
    assert report([]).status_code == 400
    assert report([fix("A-01")] * 1001).status_code == 400


def test_fixes_older_than_the_cut_are_pruned_and_newer_ones_kept(district):
    from datetime import timedelta

    from django.utils import timezone

    from patrol.models import PositionFix
    from patrol.services import positions_prune

    now = timezone.now()
    unit = district.units.a
    for age in (timedelta(days=2), timedelta(hours=25), timedelta(hours=1)):
        PositionFix.objects.create(unit=unit, recorded_at=now - age, lat=30.005, lng=120.005)
    assert positions_prune(before=now - timedelta(days=1), batch=1) == 2
    assert PositionFix.objects.count() == 1


def test_an_officer_may_report_only_its_own_unit(report, district, officer):
    body = report([fix("A-01"), fix(district.units.p.id), fix("B-01")], user=officer).json()
    assert body["accepted"] == 1
    assert [r["index"] for r in body["rejected"]] == [1, 2]
    assert sorted(body["rejected"][0]["errors"]) == ["unit"]
    assert PositionFix.objects.get().unit_id == district.units.a.id


def test_an_officer_without_a_unit_reports_no_position(report, district):
    from commandcenter.choices import Role
    from tests.factories import UserFactory

    unbound = UserFactory(role=Role.OFFICER, station=district.station_a)
    response = report([fix("A-01")], user=unbound)
    assert response.status_code == 400
    assert PositionFix.objects.count() == 0


def test_a_gateways_machine_key_reports_its_units_over_the_api(district):
    from rest_framework.test import APIClient

    from commandcenter.machine_keys import machine_key_create

    gateway = f.UserFactory(role=Role.GATEWAY)
    _, key = machine_key_create(
        actor=None, name="AVL", kind="gateway", user=gateway, unit_ids=[district.units.a.pk]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Key {key}")
    response = client.post(
        "/api/v1/positions/", {"fixes": [fix("A-01", lat=30.006), fix("B-01")]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 1
    assert [r["index"] for r in response.json()["rejected"]] == [1]
    assert Unit.objects.get(call_sign="A-01").lat == 30.006


# --- Resent batches: one fix per unit and instant ------------------------------------


def test_a_resent_batch_is_accepted_again_and_stored_once(report, district):
    batch = [fix("A-01", seconds_ago=10), fix("A-01", seconds_ago=5, lat=30.006)]
    first, again = report(batch), report(batch)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"accepted": 2, "rejected": []}
    assert PositionFix.objects.count() == 2


def test_a_fix_twice_in_one_batch_is_stored_once(report, district):
    twice = fix("A-01", seconds_ago=3)
    response = report([twice, twice, fix("A-01")])
    assert response.status_code == 200
    assert response.json()["accepted"] == 3
    assert PositionFix.objects.count() == 2


def test_a_batch_half_stored_before_stores_only_the_new_half(report, district):
    old = fix("A-01", seconds_ago=20)
    report([old])
    response = report([old, fix("A-01", lat=30.008)])
    assert response.json()["accepted"] == 2
    assert PositionFix.objects.count() == 2
    assert Unit.objects.get(call_sign="A-01").lat == 30.008


# --- Redis down (the channel layer and the cache on a port nobody listens on) ----------


@pytest.fixture
def redis_down(settings):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [dead], "prefix": "tianshu.dead"},
        }
    }
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}
    }
    settings.EVENT_RELAY_EMBEDDED = False
    return dead


def test_a_batch_stored_while_redis_is_down_is_answered_200(
    report, district, redis_down, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True) as published:
        response = report([fix("A-01"), fix("A-01", seconds_ago=5)])
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 2
    assert PositionFix.objects.count() == 2
    assert len(published) == 1  # the publish ran, after commit, and failed quietly
    assert "positions stored but not published" in caplog.text


def test_a_batch_retried_with_its_idempotency_key_gets_the_first_answer(
    api_client_for, officer, district
):
    client = api_client_for(officer)
    body = {"fixes": [fix("A-01"), fix("A-01", lng=200)]}
    first = client.post("/api/v1/positions/", body, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    again = client.post("/api/v1/positions/", body, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert PositionFix.objects.count() == 1
