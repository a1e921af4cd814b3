"""/healthz: 200 only when every required part is up."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from commandcenter.choices import Role
from commandcenter.models import WorkerHeartbeat
from commandcenter.services import relay_progress_record, worker_heartbeat_record
from commandcenter.stream import EVENT_RELAY_PROGRESS
from commandcenter.tasks import record_worker_heartbeat
from tests import factories as f


@pytest.fixture
def client(client, db):
    """An administrator's browser: the details of each check are theirs to see."""
    client.force_login(f.UserFactory(username="health-admin", role=Role.ADMINISTRATOR))
    return client


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def fresh_heartbeat(db):
    return worker_heartbeat_record(name="celery")


def test_all_up_answers_200_with_each_check(client, fresh_heartbeat, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["database"]["vendor"] == "postgresql"
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["celery_worker"]["ok"] is True


def test_no_worker_heartbeat_answers_503(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["celery_worker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_stale_worker_heartbeat_answers_503(client, db, settings):
    WorkerHeartbeat.objects.create(
        name="celery",
        beat_at=timezone.now() - timedelta(seconds=settings.HEALTH_WORKER_STALE_SECONDS + 5),
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "ago" in response.json()["checks"]["celery_worker"]["error"]


def test_redis_down_answers_503(client, fresh_heartbeat, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False


def test_worker_not_required_when_configured_so(client, db, settings):
    settings.HEALTH_REQUIRE_WORKER = False
    assert client.get("/healthz").status_code == 200


def test_heartbeat_task_records_a_beat(db):
    record_worker_heartbeat.apply()
    assert WorkerHeartbeat.objects.get(name="celery").beat_at > timezone.now() - timedelta(
        seconds=5
    )


def test_anonymous_callers_see_up_or_down_per_part_without_details(anonymous, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # down, with an exception text
    response = anonymous.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["redis"] == {"ok": False, "required": True}
    assert body["checks"]["database"] == {"ok": True, "required": True}
    assert "error" not in response.content.decode()
    assert "vendor" not in body["checks"]["database"]


def test_a_non_administrator_sees_no_details(anonymous, users):
    anonymous.force_login(users.dispatcher)
    body = anonymous.get("/healthz").json()
    assert set(body["checks"]["database"]) == {"ok", "required"}


def test_an_administrator_token_sees_the_details(anonymous, users, fresh_heartbeat):
    token = Token.objects.create(user=users.administrator)
    response = anonymous.get("/healthz", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.json()["checks"]["database"]["vendor"] == "postgresql"


def test_a_bad_token_is_treated_as_anonymous(anonymous, db):
    response = anonymous.get("/healthz", HTTP_AUTHORIZATION="Token nope")
    assert response.status_code in (200, 503)
    assert "vendor" not in response.json()["checks"]["database"]


def _record_events(count: int) -> int:
    from django.db import transaction

    from commandcenter.services import event_record

    subject = f.UserFactory()
    with transaction.atomic():
        return [event_record(kind="test.event", subject=subject) for _ in range(count)][-1].seq


def test_a_relay_up_to_date_reports_its_progress(client, fresh_heartbeat):
    last = _record_events(2)
    relay_progress_record(name=EVENT_RELAY_PROGRESS, last_seq=last)
    response = client.get("/healthz")
    assert response.status_code == 200
    relay = response.json()["checks"]["relay"]
    assert relay["ok"] is True
    assert relay["events_behind"] == 0
    assert relay["seconds_since_publish"] >= 0


def test_a_relay_too_many_events_behind_answers_503(client, fresh_heartbeat, settings):
    settings.HEALTH_RELAY_MAX_EVENTS_BEHIND = 2
    last = _record_events(4)
    relay_progress_record(name=EVENT_RELAY_PROGRESS, last_seq=last - 3)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["relay"]["events_behind"] == 3


def test_a_relay_lagging_too_long_answers_503(client, fresh_heartbeat, settings):
    settings.HEALTH_RELAY_MAX_LAG_SECONDS = 0.0
    last = _record_events(2)
    relay_progress_record(name=EVENT_RELAY_PROGRESS, last_seq=last - 1)
    response = client.get("/healthz")
    assert response.status_code == 503
    relay = response.json()["checks"]["relay"]
    assert relay["events_behind"] == 1
    assert relay["lag_seconds"] >= 0


def test_events_with_no_relay_ever_answer_503(client, fresh_heartbeat):
    _record_events(1)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["relay"]["ok"] is False


def test_the_embedded_web_process_has_no_relay_to_watch(client, fresh_heartbeat, settings):
    settings.EVENT_RELAY_EMBEDDED = True
    _record_events(1)
    assert "relay" not in client.get("/healthz").json()["checks"]
