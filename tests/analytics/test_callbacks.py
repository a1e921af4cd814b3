"""回访: closed jobs queued once from the event log, each reply recorded with its
event, 未接通 tried again, 不满意 supervised at the job's station, the API's
answers and who may read and record."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics.callbacks import (
    MAX_ATTEMPTS,
    callback_due,
    callback_record,
    callbacks_enqueue,
    callbacks_enqueue_tick,
    satisfaction_figure,
)
from analytics.models import Callback, ClockCursor
from commandcenter.exceptions import ActionForbidden, InvalidTransition
from commandcenter.models import Event
from dispatch.choices import OrderKind
from dispatch.models import Order
from incidents.models import Incident


def post(client, url, body=None):
    return client.post(url, body or {}, format="json")


def ok(response) -> bool:
    assert response.status_code == 200, response.content
    return True


def closed_job(*, api_client_for, users, call, **fields) -> Incident:
    """File a call, resolve it by phone and close it (shared with the page's tests)."""
    dispatcher = api_client_for(users.dispatcher)
    job = call(**fields).json()
    base = f"/api/v1/incidents/{job['id']}"
    assert ok(post(dispatcher, f"{base}/resolve/", {"result_code": "settled_on_site"}))
    assert ok(post(dispatcher, f"{base}/close/", {"feedback": "已处置"}))
    return Incident.objects.get(pk=job["id"])


def queued_callback(**fixtures) -> Callback:
    """A closed job's callback, queued by the tick."""
    incident = closed_job(**fixtures)
    callbacks_enqueue_tick()
    return Callback.objects.get(incident=incident)


@pytest.fixture
def close_job(api_client_for, users, call):
    return lambda **fields: closed_job(
        api_client_for=api_client_for, users=users, call=call, **fields
    )


@pytest.fixture
def close_street_job(api_client_for, users, call):
    """A dispute in street 1, settled by phone and closed by its center."""

    def make() -> Incident:
        job = call(category="dispute", lat=30.015, lng=120.005).json()
        street = api_client_for(users.street_staff)
        base = f"/api/v1/incidents/{job['id']}"
        assert ok(post(street, f"{base}/accept/"))
        settled = post(
            street, f"{base}/settle/", {"result_code": "mediated", "remote": True, "notes": "调解"}
        )
        assert ok(settled)
        assert ok(post(street, f"{base}/close/", {"feedback": "已调解"}))
        return Incident.objects.get(pk=job["id"])

    return make


@pytest.fixture
def queued(api_client_for, users, call):
    return lambda **fields: queued_callback(
        api_client_for=api_client_for, users=users, call=call, **fields
    )


def events(kind: str, incident: Incident) -> list[Event]:
    return list(Event.objects.filter(kind=kind, subject_id=str(incident.pk)).order_by("seq"))


# --- Enqueue --------------------------------------------------------------------------


def test_a_closed_job_is_queued_once_located_like_the_job(close_job, district):
    incident = close_job()  # zone sw: station A, post P
    assert callbacks_enqueue_tick() == 1
    callback = Callback.objects.get()
    assert callback.incident == incident
    assert (callback.station, callback.post, callback.street) == (
        district.station_a,
        district.post_p,
        None,  # not a street's job
    )
    assert callback.state == "pending" and callback.attempts == 0
    assert callback.created_at == events("incident.closed", incident)[0].occurred_at
    assert [e.payload["callback"] for e in events("callback.queued", incident)] == [callback.pk]
    # Read again: nothing new, nothing twice.
    assert callbacks_enqueue_tick() == 0
    assert Callback.objects.count() == 1


def test_replaying_the_log_from_the_start_queues_nothing_twice(close_job):
    first, second = close_job(), close_job(lat=30.015, lng=120.015)
    callbacks_enqueue_tick()
    ClockCursor.objects.filter(name="callbacks").update(last_seq=0)
    assert callbacks_enqueue_tick() == 2  # both closed events read again
    assert Callback.objects.count() == 2
    assert len(events("callback.queued", first)) == len(events("callback.queued", second)) == 1


def test_a_backlog_is_read_in_batches_each_under_the_cursor(close_job):
    jobs = [close_job(lat=30.005 + i * 0.001) for i in range(3)]
    assert callbacks_enqueue(batch=2) == 2
    assert Callback.objects.count() == 2
    assert callbacks_enqueue(batch=2) == 1
    assert set(Callback.objects.values_list("incident_id", flat=True)) == {j.pk for j in jobs}


def test_the_callback_is_due_by_the_end_of_the_next_local_day():
    closed = timezone.make_aware(datetime(2026, 12, 1, 23, 30))  # local (Asia/Shanghai)
    due = timezone.localtime(callback_due(closed))
    assert (due.date().isoformat(), due.time()) == ("2026-12-03", time.min)


def test_a_job_without_a_number_or_a_repeat_call_is_not_queued(
    close_job, call, api_client_for, users
):
    close_job(caller_phone="")
    original = call().json()
    repeat = call().json()  # same place and kind: linked to the original
    assert Incident.objects.get(pk=repeat["id"]).status == "linked"
    dispatcher = api_client_for(users.dispatcher)
    base = f"/api/v1/incidents/{original['id']}"
    post(dispatcher, f"{base}/resolve/", {"result_code": "settled_on_site"})
    post(dispatcher, f"{base}/close/")
    assert Incident.objects.get(pk=repeat["id"]).status == "closed"  # closed with it
    callbacks_enqueue_tick()
    assert list(Callback.objects.values_list("incident_id", flat=True)) == [original["id"]]


def test_a_job_a_partner_department_filed_is_not_queued(close_job, users):
    """The partner's system filed it: there is no member of the public to ask."""
    incident = close_job(user=users.partner)
    assert incident.source == "partner_api"
    callbacks_enqueue_tick()
    assert not Callback.objects.exists()


def test_a_job_closed_long_before_the_tick_is_not_queued(close_job):
    close_job()
    callbacks_enqueue(now=timezone.now() + timedelta(days=8))
    assert not Callback.objects.exists()


def test_a_street_job_is_queued_with_its_street(close_street_job, district):
    incident = close_street_job()
    callbacks_enqueue_tick()
    callback = Callback.objects.get(incident=incident)
    assert (callback.station, callback.street) == (district.station_a, district.street_1)


# --- Record ---------------------------------------------------------------------------


@pytest.mark.parametrize("result", ["satisfied", "basic", "refused"])
def test_a_reply_finishes_the_callback_with_its_event(queued, users, result):
    callback = queued()
    done = callback_record(
        callback_id=callback.pk, actor=users.dispatcher, result=result, comment="  谢谢 "
    )
    assert (done.state, done.result, done.attempts, done.comment) == ("done", result, 1, "谢谢")
    assert done.recorded_by == users.dispatcher and done.recorded_at is not None
    assert done.supervision is None
    [event] = events("callback.recorded", callback.incident)
    assert event.actor == users.dispatcher
    assert event.station_id == callback.station_id  # located like the job
    assert {k: event.payload[k] for k in ("callback", "result", "attempts")} == {
        "callback": callback.pk,
        "result": result,
        "attempts": 1,
    }
    assert event.payload["number"] == callback.incident.number


def test_a_caller_not_reached_is_tried_again_until_the_last_try(queued, users):
    callback = queued()
    for attempt in range(1, MAX_ATTEMPTS):
        callback = callback_record(
            callback_id=callback.pk, actor=users.dispatcher, result="unreached"
        )
        assert (callback.state, callback.attempts) == ("pending", attempt)
    callback = callback_record(callback_id=callback.pk, actor=users.dispatcher, result="unreached")
    assert (callback.state, callback.result, callback.attempts) == ("done", "unreached", 3)
    assert [e.payload["attempts"] for e in events("callback.recorded", callback.incident)] == [
        1,
        2,
        3,
    ]


def test_a_caller_reached_on_the_second_try_counts_the_reply(queued, users):
    callback = queued()
    callback_record(callback_id=callback.pk, actor=users.dispatcher, result="unreached")
    callback = callback_record(callback_id=callback.pk, actor=users.dispatcher, result="satisfied")
    assert (callback.state, callback.result, callback.attempts) == ("done", "satisfied", 2)
    assert events("callback.recorded", callback.incident)[-1].payload["result"] == "satisfied"


def test_an_unsatisfied_reply_issues_a_supervision_order_to_the_jobs_station(
    queued, users, district
):
    callback = queued()
    callback = callback_record(
        callback_id=callback.pk,
        actor=users.supervisor,
        result="unsatisfied",
        comment="民警到场太慢",
    )
    order = callback.supervision
    assert order.kind == OrderKind.SUPERVISION
    assert order.station == district.station_a
    assert order.incident_id == callback.incident_id
    assert callback.incident.number in order.content and "民警到场太慢" in order.content
    assert order.due_at > timezone.now()
    recorded = events("callback.recorded", callback.incident)[0]
    assert recorded.payload["supervision"] == order.number
    assert Event.objects.filter(kind="order.issued", subject_id=str(order.pk)).exists()


def test_an_unsatisfied_street_job_is_supervised_at_its_governance_center(
    close_street_job, users, district
):
    incident = close_street_job()
    callbacks_enqueue_tick()
    callback = callback_record(
        callback_id=incident.callback.pk,
        actor=users.dispatcher,
        result="unsatisfied",
        comment="没人来",
    )
    assert callback.supervision.governance_center == district.center_1


def test_an_unsatisfied_reply_needs_a_comment(queued, users):
    callback = queued()
    with pytest.raises(ValidationError) as refused:
        callback_record(callback_id=callback.pk, actor=users.dispatcher, result="unsatisfied")
    assert "comment" in refused.value.message_dict
    assert not Order.objects.exists()
    assert Callback.objects.get(pk=callback.pk).state == "pending"


def test_a_done_callback_is_refused(queued, users):
    callback = queued()
    callback_record(callback_id=callback.pk, actor=users.dispatcher, result="satisfied")
    with pytest.raises(InvalidTransition):
        callback_record(callback_id=callback.pk, actor=users.dispatcher, result="basic")
    assert len(events("callback.recorded", callback.incident)) == 1


@pytest.mark.parametrize("role", ["chief_a", "administrator", "street_staff", "post_officer"])
def test_only_call_takers_and_supervisors_record(queued, users, role):
    callback = queued()
    with pytest.raises(ActionForbidden):
        callback_record(callback_id=callback.pk, actor=getattr(users, role), result="satisfied")


def test_satisfaction_is_weighted_as_dongguan_reported():
    """February 2019: 6,554 满意, 731 基本满意, 496 不满意 of 7,781 valid replies: 88.93%."""
    figure = satisfaction_figure(
        {"satisfied": 6554, "basic": 731, "unsatisfied": 496, "unreached": 9000, "refused": 5000},
        weight=0.5,
    )
    assert figure["denominator"] == 7781
    assert round(figure["value"] * 100, 2) == 88.93
    assert satisfaction_figure({"unreached": 3})["value"] is None


def test_the_weight_is_a_setting(settings):
    settings.CALLBACK_SATISFACTION_WEIGHT = 0.8
    figure = satisfaction_figure({"satisfied": 1, "basic": 1})
    assert figure["weight"] == 0.8 and figure["value"] == pytest.approx(0.9)


# --- API ------------------------------------------------------------------------------


def url(callback=None, action="") -> str:
    base = "/api/v1/callbacks/"
    if callback is None:
        return base
    return f"{base}{callback.pk}/{action + '/' if action else ''}"


def test_the_dispatcher_records_through_the_api(queued, api_client_for, users):
    callback = queued()
    client = api_client_for(users.dispatcher)
    listed = client.get(url()).json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert row["incident_number"] == callback.incident.number
    assert row["caller_phone"] == "138****8000"  # masked
    assert row["station"] == "station-a" and row["state"] == "pending"
    assert row["overdue"] is False
    response = post(client, url(callback, "record"), {"result": "basic", "comment": "还行"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["result"], body["attempts"], body["recorded_by"]) == (
        "done",
        "basic",
        1,
        "dispatcher",
    )


def test_recording_a_done_callback_is_409(queued, api_client_for, users):
    callback = queued()
    client = api_client_for(users.dispatcher)
    post(client, url(callback, "record"), {"result": "satisfied"})
    response = post(client, url(callback, "record"), {"result": "unsatisfied", "comment": "x"})
    assert response.status_code == 409
    assert callback.incident.number in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"result": "happy"}, "result"),
        ({}, "result"),
        ({"result": "unsatisfied"}, "comment"),
        ({"result": "satisfied", "comment": "长" * 1001}, "comment"),
    ],
)
def test_a_bad_record_is_400_naming_the_field(queued, api_client_for, users, body, field):
    callback = queued()
    response = post(api_client_for(users.dispatcher), url(callback, "record"), body)
    assert response.status_code == 400
    assert field in response.json()
    assert Callback.objects.get(pk=callback.pk).attempts == 0


def test_a_station_chief_reads_only_its_stations_callbacks(queued, api_client_for, users):
    own = queued()  # station A
    other = queued(lat=30.015, lng=120.015)  # station B
    chief = api_client_for(users.chief_a)
    assert [r["id"] for r in chief.get(url()).json()["results"]] == [own.pk]
    assert chief.get(url(own)).status_code == 200
    assert chief.get(url(other)).status_code == 404
    assert post(chief, url(own, "record"), {"result": "satisfied"}).status_code == 403


@pytest.mark.parametrize("role", ["street_staff", "post_officer", "partner", "officer"])
def test_other_roles_are_refused(queued, api_client_for, users, officer, role):
    callback = queued()
    user = officer if role == "officer" else getattr(users, role)
    client = api_client_for(user)
    assert client.get(url()).status_code == 403
    assert client.get(url(callback)).status_code == 403
    assert post(client, url(callback, "record"), {"result": "satisfied"}).status_code == 403


def test_the_list_filters(queued, api_client_for, users):
    first, second = queued(), queued(lat=30.015, lng=120.015)
    client = api_client_for(users.dispatcher)
    post(client, url(first, "record"), {"result": "satisfied"})

    def ids(**query):
        response = client.get(url(), query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids(state="pending") == {second.pk}
    assert ids(result="satisfied") == {first.pk}
    assert ids(station="station-b") == {second.pk}
    assert ids(station="nowhere") == set()
    today = timezone.localdate().isoformat()
    assert ids(**{"from": today, "to": today}) == {first.pk, second.pk}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert ids(**{"from": tomorrow}) == set()
    assert client.get(url(), {"from": "yesterday"}).status_code == 400


def test_the_list_queries_do_not_grow(queued, api_client_for, users):
    client = api_client_for(users.dispatcher)
    queued()
    client.get(url())

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url()).status_code == 200
        return len(queries)

    one = count()
    queued(lat=30.015, lng=120.015)
    queued(lat=30.015, lng=120.005)
    assert count() == one
