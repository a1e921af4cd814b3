"""A person's token ends: expiry, revocation by its owner, by a password change."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from commandcenter.choices import SecurityEventKind
from commandcenter.models import SecurityEvent
from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


def obtain(username="dispatcher") -> tuple[APIClient, dict]:
    api = APIClient()
    answer = api.post(TOKEN_URL, {"username": username, "password": PASSWORD}, format="json")
    assert answer.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    return api, answer.json()


def test_a_token_says_when_it_expires_and_is_recorded(users):
    _api, body = obtain()
    assert body["expires_at"]
    event = SecurityEvent.objects.get(kind=SecurityEventKind.TOKEN_ISSUED)
    assert event.actor == users.dispatcher


def test_a_token_stops_working_12_hours_after_issue(users, clock):
    api, body = obtain()
    assert api.get("/api/v1/stations/").status_code == 200  # now remembered in the process
    clock.advance(hours=12, seconds=1)
    response = api.get("/api/v1/stations/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"].lower() or response.json()["detail"]


def test_asking_again_after_expiry_issues_a_fresh_token(users, clock):
    api, body = obtain()
    clock.advance(hours=13)
    # The client still sends its old token: the endpoint ignores it.
    answer = api.post(TOKEN_URL, {"username": "dispatcher", "password": PASSWORD}, format="json")
    assert answer.status_code == 200
    assert answer.json()["token"] != body["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    assert api.get("/api/v1/stations/").status_code == 200


def test_asking_again_before_expiry_returns_the_same_token(users):
    _api, first = obtain()
    _api, second = obtain()
    assert first["token"] == second["token"]


def test_delete_revokes_the_callers_token_at_once(users):
    api, _body = obtain()
    assert api.get("/api/v1/stations/").status_code == 200
    assert api.delete(TOKEN_URL).status_code == 204
    assert api.get("/api/v1/stations/").status_code == 401
    assert not Token.objects.filter(user=users.dispatcher).exists()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.TOKEN_REVOKED)
    assert event.actor == users.dispatcher and event.detail == {"reason": "owner"}


def test_delete_without_a_token_is_refused(users):
    assert APIClient().delete(TOKEN_URL).status_code == 401
    session = APIClient()
    session.force_authenticate(users.dispatcher)
    assert session.delete(TOKEN_URL).status_code in (400, 401)


def test_a_password_change_in_code_revokes_the_tokens(users):
    api, _body = obtain()
    assert api.get("/api/v1/stations/").status_code == 200
    users.dispatcher.set_password("a-new-long-passphrase-77")
    users.dispatcher.save()
    assert api.get("/api/v1/stations/").status_code == 401
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED).count() == 1
    assert SecurityEvent.objects.get(kind=SecurityEventKind.TOKEN_REVOKED).detail == {
        "reason": "password_changed"
    }


def test_a_password_change_in_the_admin_revokes_the_tokens(client, users, superuser):
    api, _body = obtain()
    client.force_login(superuser)
    response = client.post(
        f"/admin/commandcenter/user/{users.dispatcher.pk}/password/",
        {"password1": "Lantern-harbour-4471", "password2": "Lantern-harbour-4471"},
    )
    assert response.status_code == 302
    assert api.get("/api/v1/stations/").status_code == 401


def test_creating_a_user_records_no_password_change(district):
    from tests import factories as f

    f.UserFactory()
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED).exists()
