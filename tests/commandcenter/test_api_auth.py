"""Token authentication for machines, session login for people."""

from rest_framework.test import APIClient

from tests.factories import PASSWORD


def test_token_is_issued_for_a_valid_password_and_opens_the_api(users):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "dispatcher", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/stations/").status_code == 200


def test_wrong_password_gets_400_and_no_token(users):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "dispatcher", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_api_without_credentials_answers_401(db):
    response = APIClient().get("/api/v1/stations/")
    assert response.status_code == 401


def test_bad_token_answers_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/stations/").status_code == 401


def test_session_login_opens_the_console_and_the_api(client, users):
    response = client.post("/accounts/login/", {"username": "chief_a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/stations/").json()["count"] == 1


def test_console_redirects_anonymous_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _token_client(user):
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client, token


def test_a_checked_token_is_not_looked_up_again_on_the_next_call(users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, _ = _token_client(users.dispatcher)
    assert client.get("/api/v1/incident-categories/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/incident-categories/").status_code == 200
    assert not [q for q in queries.captured_queries if "authtoken_token" in q["sql"]]


def test_deactivating_a_user_or_deleting_its_token_shuts_the_api_at_once(users):
    client, token = _token_client(users.dispatcher)
    assert client.get("/api/v1/stations/").status_code == 200
    users.dispatcher.is_active = False
    users.dispatcher.save()
    assert client.get("/api/v1/stations/").status_code == 401

    client, token = _token_client(users.supervisor)
    assert client.get("/api/v1/stations/").status_code == 200
    token.delete()
    assert client.get("/api/v1/stations/").status_code == 401


def test_tokens_are_checked_every_call_when_the_cache_is_off(users, settings):
    settings.API_TOKEN_CACHE_SECONDS = 0
    client, token = _token_client(users.chief_a)
    assert client.get("/api/v1/stations/").status_code == 200
    type(token).objects.filter(pk=token.pk).update(created=token.created)  # no signal
    users.chief_a.__class__.objects.filter(pk=users.chief_a.pk).update(is_active=False)
    assert client.get("/api/v1/stations/").status_code == 401
