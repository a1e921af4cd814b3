"""The alarm pipeline over the API: dedup, recovery, rules, jobs, attachment, review."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community.choices import AlarmState
from community.models import Alarm
from community.services import alarms_promote
from incidents.choices import Source
from incidents.models import Incident

pytestmark = pytest.mark.django_db(transaction=True)


def _alarm(device, kind="intrusion", *, at=None, **fields):
    return {"device": device, "time": (at or timezone.now()).isoformat(), "type": kind, **fields}


def post_alarms(client, *items, **headers):
    return client.post("/api/v1/alarms/", {"alarms": list(items)}, format="json", **headers)


def test_an_intrusion_alarm_becomes_a_job_at_the_device(gateway, sites):
    response = post_alarms(gateway, _alarm("IR-A-1", priority=1, description="东门红外"))
    assert response.status_code == 200, response.data
    assert response.data["accepted"] == 1 and response.data["rejected"] == []
    alarm = Alarm.objects.get()
    assert alarm.state == AlarmState.INCIDENT
    job = alarm.incident
    assert job.source == Source.SENSOR_ALARM and job.category.code == "alarm"
    assert (job.lat, job.lng) == (sites.ir_a.lat, sites.ir_a.lng)
    assert job.priority == 1 and job.station_id == sites.a.station_id
    assert "site-a 小区" in job.description and "东门红外" in job.description


def test_the_same_device_again_counts_and_another_device_attaches(gateway, sites):
    first = timezone.now() - timedelta(seconds=30)
    post_alarms(gateway, _alarm("IR-A-1", priority=1, at=first))
    again = post_alarms(gateway, _alarm("IR-A-1", priority=1))
    assert again.data["alarms"][0]["outcome"] == "repeat"
    assert Alarm.objects.count() == 1 and Alarm.objects.get().count == 2
    other = post_alarms(gateway, _alarm("SMOKE-A-1", "smoke", priority=3))
    assert other.data["alarms"][0]["state"] == AlarmState.ATTACHED
    assert Incident.objects.count() == 1
    assert set(Alarm.objects.values_list("incident", flat=True)) == {Incident.objects.get().pk}


def test_a_recovery_inside_the_hold_suppresses_the_alarm(gateway, sites):
    raised = timezone.now() - timedelta(seconds=5)
    response = post_alarms(gateway, _alarm("SMOKE-A-1", "smoke", priority=1, at=raised))
    assert response.data["alarms"][0]["state"] == AlarmState.HELD
    post_alarms(gateway, _alarm("SMOKE-A-1", "smoke", recovered=True))
    assert Alarm.objects.get().state == AlarmState.SUPPRESSED
    assert alarms_promote(now=timezone.now() + timedelta(minutes=1)) == 0
    assert not Incident.objects.exists()


def test_a_report_after_its_recovery_in_one_batch_is_a_new_alarm(gateway, sites):
    """As when the recovery and the report come in two batches: the suppressed alarm
    counts no more reports."""
    now = timezone.now()
    response = post_alarms(
        gateway,
        _alarm("SMOKE-A-1", "smoke", priority=4, at=now - timedelta(seconds=20)),
        _alarm("SMOKE-A-1", "smoke", at=now - timedelta(seconds=10), recovered=True),
        _alarm("SMOKE-A-1", "smoke", priority=4, at=now),
    )
    assert [a["outcome"] for a in response.data["alarms"]] == ["new", "recovered", "new"]
    rows = list(Alarm.objects.order_by("first_at").values_list("state", "count"))
    assert rows == [(AlarmState.SUPPRESSED, 1), (AlarmState.REVIEW, 1)]


def test_a_report_sent_late_leaves_the_newer_alarm_current(gateway, sites):
    now = timezone.now()
    post_alarms(gateway, _alarm("IR-A-1", "tamper", priority=4, at=now - timedelta(seconds=10)))
    response = post_alarms(
        gateway,
        _alarm("IR-A-1", "tamper", priority=4, at=now - timedelta(seconds=420)),
        _alarm("IR-A-1", "tamper", priority=4, at=now),
    )
    assert [a["outcome"] for a in response.data["alarms"]] == ["new", "repeat"]
    assert list(Alarm.objects.order_by("first_at").values_list("count", flat=True)) == [1, 2]


def test_a_held_alarm_becomes_a_job_when_its_hold_ends(gateway, sites):
    post_alarms(gateway, _alarm("SMOKE-A-1", "smoke", priority=1))
    assert alarms_promote() == 0
    assert alarms_promote(now=timezone.now() + timedelta(seconds=16)) == 1
    alarm = Alarm.objects.get()
    assert alarm.state == AlarmState.INCIDENT and alarm.incident.category.code == "fire"


def test_rules_send_low_alarms_to_review_and_faults_to_the_record(gateway, sites):
    response = post_alarms(
        gateway,
        _alarm("IR-A-1", priority=4),
        _alarm("CAM-A-1", "video_loss"),
        _alarm("IR-B-1", priority=4),  # a grade-3 site: any intrusion is a job
    )
    states = [a["state"] for a in response.data["alarms"]]
    assert states == [AlarmState.REVIEW, AlarmState.RECORDED, AlarmState.INCIDENT]


def test_bad_items_are_refused_alone(gateway, sites):
    response = post_alarms(
        gateway,
        _alarm("NOPE"),
        _alarm("IR-A-1", priority=9),
        {"device": "IR-A-1", "time": "yesterday", "type": "intrusion"},
        _alarm("IR-A-1", "bogus"),
        _alarm("IR-A-1", priority=1),
    )
    assert response.status_code == 200
    assert [r["index"] for r in response.data["rejected"]] == [0, 1, 2, 3]
    assert "device" in response.data["rejected"][0]["errors"]
    assert "priority" in response.data["rejected"][1]["errors"]
    assert response.data["alarms"][0]["index"] == 4
    assert Alarm.objects.count() == 1


def test_only_a_sensor_gateway_key_reports(api_client_for, users, sites):
    response = post_alarms(api_client_for(users.dispatcher), _alarm("IR-A-1"))
    assert response.status_code == 403
    assert not Alarm.objects.exists()


def test_a_retry_with_the_same_idempotency_key_writes_nothing(gateway, sites):
    item = _alarm("IR-A-1", priority=4)
    first = post_alarms(gateway, item, HTTP_IDEMPOTENCY_KEY="batch-1")
    again = post_alarms(gateway, item, HTTP_IDEMPOTENCY_KEY="batch-1")
    assert again.status_code == first.status_code == 200
    assert again.data == first.data and again["Idempotent-Replayed"] == "true"
    assert Alarm.objects.get().count == 1
    other = post_alarms(gateway, _alarm("IR-B-1"), HTTP_IDEMPOTENCY_KEY="batch-1")
    assert other.status_code == 422


def test_review_accept_and_dismiss(gateway, sites, api_client_for, users):
    post_alarms(gateway, _alarm("IR-A-1", priority=4), _alarm("IR-B-1", "loitering"))
    ir, loiter = Alarm.objects.order_by("pk")
    chief_b = api_client_for(users.chief_b)
    assert chief_b.post(f"/api/v1/alarms/{ir.pk}/accept/").status_code == 404
    dispatcher = api_client_for(users.dispatcher)
    accepted = dispatcher.post(f"/api/v1/alarms/{ir.pk}/accept/")
    assert accepted.status_code == 200 and accepted.data["state"] == AlarmState.INCIDENT
    assert dispatcher.post(f"/api/v1/alarms/{ir.pk}/accept/").status_code == 409
    bad = chief_b.post(f"/api/v1/alarms/{loiter.pk}/dismiss/", {"reason": "?"}, format="json")
    assert bad.status_code == 400 and "reason" in bad.data
    dismissed = chief_b.post(
        f"/api/v1/alarms/{loiter.pk}/dismiss/", {"reason": "false_alarm"}, format="json"
    )
    assert dismissed.status_code == 200
    loiter.refresh_from_db()
    assert loiter.state == AlarmState.DISMISSED and loiter.nature == "false"


def test_reads_are_scoped(gateway, sites, api_client_for, users):
    post_alarms(gateway, _alarm("IR-A-1", priority=4), _alarm("IR-B-1", "loitering"))
    chief_a = api_client_for(users.chief_a)
    assert [s["code"] for s in chief_a.get("/api/v1/sites/").data["results"]] == ["site-a"]
    assert {a["site_code"] for a in chief_a.get("/api/v1/alarms/").data["results"]} == {"site-a"}
    devices = {
        s["device_id"] for s in chief_a.get("/api/v1/sensors/?type=intrusion").data["results"]
    }
    assert devices == {"IR-A-1"}
    active = api_client_for(users.dispatcher).get("/api/v1/alarms/?active=true").data
    assert active["count"] == 2


def test_a_repeat_racing_the_promotion_of_its_alarm_leaves_the_job_made(
    gateway, sites, monkeypatch
):
    """A batch reads the device's live alarm while beat promotes it: the batch must not
    write its stale state back over the job (the alarm would be held again, and later
    attached to its own job)."""
    import threading

    from community import services
    from tests.concurrency import race

    post_alarms(gateway, _alarm("SMOKE-A-1", "smoke", priority=1))  # held for 15 s
    read, promoted = threading.Event(), threading.Event()
    latest_alarms = services._latest_alarms

    def reading_slowly(*args, **kwargs):
        found = latest_alarms(*args, **kwargs)
        read.set()
        promoted.wait(timeout=1.5)  # the promotion goes ahead now, unless the alarm is locked
        return found

    monkeypatch.setattr(services, "_latest_alarms", reading_slowly)
    repeat = services.AlarmInput(
        device="SMOKE-A-1", time=timezone.now(), alarm_type="smoke", priority=1
    )

    def report():
        return services.alarms_record(actor=gateway.account, items=[repeat], key_kind="sensors")

    def promote():
        read.wait(timeout=5)
        try:
            return alarms_promote(now=timezone.now() + timedelta(seconds=16))
        finally:
            promoted.set()

    race([report, promote])
    alarm = Alarm.objects.get()
    assert (alarm.state, alarm.count) == (AlarmState.INCIDENT, 2)
    assert alarm.incident_id == Incident.objects.get().pk


def test_a_site_whose_job_was_linked_to_a_neighbours_attaches_to_it(
    gateway, sites, api_client_for, users
):
    """Site C's job is a repeat call of site A's (150 m away), open while A's is: C's
    next alarm attaches to C's job instead of filing a third, the device's next report
    counts on its alarm, and C's alarms are active."""
    from tests.community.conftest import sensor_make, site_make

    c = site_make("site-c", lat=30.005, lng=120.005)
    sensor_make(c, "IR-C-1", "intrusion")
    post_alarms(gateway, _alarm("IR-A-1", priority=1))
    linked = post_alarms(gateway, _alarm("IR-C-1", priority=1)).data["alarms"][0]
    job = Incident.objects.get(pk=linked["incident"])
    assert job.status == "linked" and job.repeat_of.alarms.get().sensor.device_id == "IR-A-1"
    again = post_alarms(gateway, _alarm("IR-C-1", "tamper", priority=1)).data["alarms"][0]
    assert (again["state"], again["incident"]) == (AlarmState.ATTACHED, job.pk)
    assert Incident.objects.count() == 2
    repeat = post_alarms(gateway, _alarm("IR-C-1", priority=1)).data["alarms"][0]
    assert (repeat["outcome"], repeat["alarm"]) == ("repeat", linked["alarm"])
    active = api_client_for(users.dispatcher).get("/api/v1/alarms/?active=true&site=site-c")
    assert active.data["count"] == 2


def test_a_batch_and_a_promotion_of_the_same_site_never_deadlock(gateway, sites):
    """The promotion locks the site, then records its job's events; the batch's new alarm
    refers to the site. Its deferred foreign-key check must come before its events take
    the event log's lock, not at commit (after it)."""
    import threading
    import time

    from django.db import transaction

    from commandcenter.services import event_record
    from community import services
    from community.models import SmartSite
    from tests.concurrency import race

    locked = threading.Event()

    def promotion():
        with transaction.atomic():
            site = SmartSite.objects.select_for_update().get(pk=sites.a.pk)
            locked.set()
            time.sleep(0.5)  # the batch gets to its events meanwhile
            event_record(kind="bench.promotion", subject=site)
        return "promoted"

    def batch():
        locked.wait(timeout=5)
        item = services.AlarmInput(
            device="IR-A-1", time=timezone.now(), alarm_type="tamper", priority=4
        )
        services.alarms_record(actor=gateway.account, items=[item], key_kind="sensors")
        return "recorded"

    assert race([promotion, batch]) == ["promoted", "recorded"]
    assert Alarm.objects.get().state == AlarmState.REVIEW


def test_after_the_job_closes_the_same_device_raises_a_new_alarm(gateway, sites, users):
    from dispatch.services import incident_cancel

    post_alarms(gateway, _alarm("IR-A-1", priority=1))
    job = Incident.objects.get()
    incident_cancel(actor=users.dispatcher, incident_id=job.pk, reason="视频复核无异常")
    again = post_alarms(gateway, _alarm("IR-A-1", priority=1))
    assert again.data["alarms"][0]["outcome"] == "new"
    assert Incident.objects.count() == 2
