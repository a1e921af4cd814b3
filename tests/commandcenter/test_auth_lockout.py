"""Lockout after LOGIN_FAILURE_LIMIT failures on every entry point; unlock in the admin."""

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import NON_FIELD_ERRORS
from rest_framework.test import APIClient

from commandcenter.choices import SecurityEventKind
from commandcenter.models import SecurityEvent
from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


def kinds(kind) -> int:
    return SecurityEvent.objects.filter(kind=kind).count()


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_five_wrong_passwords_lock_the_html_login_even_for_the_right_password(client, users, path):
    for _ in range(5):
        client.post(path, {"username": "dispatcher", "password": "wrong-password"})
    response = client.post(path, {"username": "dispatcher", "password": PASSWORD})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 15 * 60
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "locked_out")
    assert client.get("/").status_code == 302  # not logged in
    assert kinds(SecurityEventKind.LOCKED_OUT) == 1
    assert kinds(SecurityEventKind.LOGIN_FAILED) == 6
    assert kinds(SecurityEventKind.LOGIN) == 0


def test_the_lockout_message_says_when_to_try_again(client, users):
    for _ in range(5):
        response = client.post(
            "/accounts/login/", {"username": "dispatcher", "password": "wrong-password"}
        )
    assert response.status_code == 429
    assert ":" in response.context["form"].non_field_errors()[0]  # HH:MM


def test_four_failures_do_not_lock_and_a_success_starts_the_count_again(client, users):
    for _ in range(4):
        client.post("/accounts/login/", {"username": "dispatcher", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": "dispatcher", "password": PASSWORD})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="dispatcher").exists()


def test_five_wrong_passwords_lock_the_token_endpoint_with_429_and_retry_after(users):
    api = APIClient()
    for _ in range(5):
        api.post(TOKEN_URL, {"username": "dispatcher", "password": "nope"}, format="json")
    response = api.post(TOKEN_URL, {"username": "dispatcher", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert 1 <= int(response["Retry-After"]) <= 15 * 60
    assert "token" not in response.json()
    assert kinds(SecurityEventKind.LOCKED_OUT) == 1


def test_the_lockout_is_per_account(client, users):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "dispatcher", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": "chief_a", "password": PASSWORD})
    assert response.status_code == 302


def test_the_limit_is_a_setting(client, users, settings):
    settings.AXES_FAILURE_LIMIT = settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post("/accounts/login/", {"username": "dispatcher", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": "dispatcher", "password": PASSWORD})
    assert response.status_code == 429


def test_an_administrator_unlocks_in_the_admin_and_the_account_logs_in(client, users, superuser):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "dispatcher", "password": "wrong-password"})
    attempt = AccessAttempt.objects.get(username="dispatcher")
    admin = type(client)()
    admin.force_login(superuser)
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock_accounts", "_selected_action": [attempt.pk]},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="dispatcher").exists()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.UNLOCKED)
    assert event.username == "dispatcher" and event.actor == superuser
    response = client.post("/accounts/login/", {"username": "dispatcher", "password": PASSWORD})
    assert response.status_code == 302


def test_the_user_admin_unlocks_too(client, users, superuser):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "dispatcher", "password": "wrong-password"})
    admin = type(client)()
    admin.force_login(superuser)
    admin.post(
        "/admin/commandcenter/user/",
        {"action": "unlock_accounts", "_selected_action": [users.dispatcher.pk]},
    )
    response = client.post("/accounts/login/", {"username": "dispatcher", "password": PASSWORD})
    assert response.status_code == 302


def test_login_and_logout_are_in_the_security_log(client, users):
    client.post("/accounts/login/", {"username": "dispatcher", "password": PASSWORD})
    client.post("/accounts/logout/")
    login = SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN)
    assert login.actor == users.dispatcher
    assert SecurityEvent.objects.get(kind=SecurityEventKind.LOGOUT).actor == users.dispatcher
    failure_free = SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED)
    assert not failure_free.exists()


def test_a_failed_login_is_recorded_with_the_name_typed(client, db):
    client.post("/accounts/login/", {"username": "nobody", "password": "wrong-password"})
    event = SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN_FAILED)
    assert event.username == "nobody" and event.actor is None and event.result == "failure"
