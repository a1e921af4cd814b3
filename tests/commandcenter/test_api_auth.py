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
