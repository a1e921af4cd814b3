"""Session idle timeout and absolute lifetime (the clock is moved, never slept)."""

from django.contrib.sessions.backends.base import SessionBase

from commandcenter.choices import SecurityEventKind
from commandcenter.models import SecurityEvent
from commandcenter.sessions import ACTIVE_KEY, STARTED_KEY, session_end_reason

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/dispatch/"}


def test_a_session_idle_for_30_minutes_ends_and_goes_to_the_login(client, users, clock):
    client.force_login(users.dispatcher)
    clock.advance(minutes=31)
    response = client.get("/dispatch/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/dispatch/")
    event = SecurityEvent.objects.get(kind=SecurityEventKind.SESSION_EXPIRED)
    assert event.actor == users.dispatcher and event.detail == {"reason": "idle"}
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.LOGOUT).exists()
    assert client.get("/dispatch/").status_code == 302  # logged out for good


def test_the_login_page_says_the_session_ended(client, users, clock):
    client.force_login(users.dispatcher)
    clock.advance(minutes=31)
    page = client.get("/dispatch/", follow=True)
    assert [m.level_tag for m in page.context["messages"]] == ["warning"]


def test_page_loads_and_forms_keep_the_session_alive(client, users, clock):
    client.force_login(users.dispatcher)
    clock.advance(minutes=20)
    assert client.get("/dispatch/").status_code == 200
    clock.advance(minutes=20)
    assert client.post("/i18n/setlang/", {"language": "zh-hans"}).status_code == 302
    clock.advance(minutes=20)
    assert client.get("/dispatch/").status_code == 200


def test_htmx_refreshes_do_not_keep_it_alive_and_get_an_hx_redirect(client, users, clock):
    client.force_login(users.dispatcher)
    clock.advance(minutes=20)
    assert client.get("/dispatch/queue/", **HTMX).status_code == 200
    clock.advance(minutes=11)
    response = client.get("/dispatch/queue/", **HTMX)
    assert response["HX-Redirect"].startswith("/accounts/login/?next=/dispatch/")


def test_script_fetches_of_the_api_do_not_keep_it_alive(client, users, clock):
    client.force_login(users.dispatcher)
    clock.advance(minutes=20)
    assert client.get("/api/v1/stations/", HTTP_SEC_FETCH_MODE="cors").status_code == 200
    clock.advance(minutes=11)
    response = client.get("/api/v1/stations/")
    assert response.status_code == 401 and response.json()["code"] == "session_expired"


def test_a_session_ends_12_hours_after_login_however_active(client, users, clock, settings):
    settings.SESSION_IDLE_MINUTES = 24 * 60
    client.force_login(users.dispatcher)
    clock.advance(hours=11, minutes=59)
    assert client.get("/dispatch/").status_code == 200
    clock.advance(minutes=2)
    assert client.get("/dispatch/").status_code == 302
    event = SecurityEvent.objects.get(kind=SecurityEventKind.SESSION_EXPIRED)
    assert event.detail == {"reason": "lifetime"}


def test_the_websocket_check_follows_the_same_rule(users, clock):
    session = SessionBase()
    now = clock.now.timestamp()
    session[STARTED_KEY] = session[ACTIVE_KEY] = now
    assert session_end_reason(session, now + 60) is None
    assert session_end_reason(session, now + 31 * 60) == "idle"
    assert session_end_reason(SessionBase(), now) == "lifetime"
