"""TOTP two-factor: enrolment, required roles, the login's second step, backup
codes, the token endpoint."""

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from commandcenter.choices import SecurityEventKind
from commandcenter.models import SecurityEvent
from commandcenter.two_factor import otp_enabled
from tests.commandcenter.conftest import current_code
from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def required(settings):
    settings.OTP_REQUIRED_ROLES = ["administrator", "supervisor"]


def log_in(client, username):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def recorded(kind) -> int:
    return SecurityEvent.objects.filter(kind=kind).count()


def test_required_role_without_authenticator_is_sent_to_enrol_and_can_use_nothing_else(
    client, users, required
):
    response = log_in(client, "supervisor")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/"
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/stations/").status_code == 401
    assert recorded(SecurityEventKind.LOGIN) == 0


def test_enrolment_shows_a_qr_code_and_the_key_then_backup_codes_once_and_logs_in(
    client, users, required
):
    log_in(client, "supervisor")
    client.post("/accounts/two-factor/", {"action": "begin"})
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=users.supervisor, confirmed=False)
    assert page.context["secret"].replace(" ", "")
    response = client.post(
        "/accounts/two-factor/", {"action": "confirm", "otp": current_code(device)}
    )
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert "no-store" in response["Cache-Control"]
    assert otp_enabled(users.supervisor)
    assert client.get("/").status_code == 200
    assert recorded(SecurityEventKind.OTP_ENABLED) == 1
    assert recorded(SecurityEventKind.LOGIN) == 1
    # Shown once: the page now says it is on and shows no codes.
    assert "codes" not in client.get("/accounts/two-factor/").context


def test_a_wrong_code_does_not_confirm_the_enrolment(client, users):
    client.force_login(users.dispatcher)
    client.post("/accounts/two-factor/", {"action": "begin"})
    response = client.post("/accounts/two-factor/", {"action": "confirm", "otp": "000000x"})
    assert response.status_code == 401
    assert not otp_enabled(users.dispatcher)
    assert recorded(SecurityEventKind.OTP_FAILED) == 1


def test_required_role_with_authenticator_passes_with_a_totp_code(
    client, users, required, authenticator
):
    device = authenticator(users.supervisor)
    response = log_in(client, "supervisor")
    assert response["Location"] == "/accounts/login/verify/"
    assert client.get("/").status_code == 302
    assert client.post("/accounts/login/verify/", {"otp": "123"}).status_code == 401
    assert recorded(SecurityEventKind.OTP_FAILED) == 1
    response = client.post("/accounts/login/verify/", {"otp": current_code(device)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert recorded(SecurityEventKind.OTP_VERIFIED) == 1
    assert recorded(SecurityEventKind.LOGIN) == 1


def test_any_user_with_an_authenticator_gives_a_code(client, users, authenticator):
    authenticator(users.dispatcher)
    response = log_in(client, "dispatcher")
    assert response["Location"] == "/accounts/login/verify/"
    assert client.get("/").status_code == 302


def test_a_backup_code_logs_in_once_only(client, users, required):
    log_in(client, "administrator")
    client.post("/accounts/two-factor/", {"action": "begin"})
    device = TOTPDevice.objects.get(user=users.administrator)
    codes = client.post(
        "/accounts/two-factor/", {"action": "confirm", "otp": current_code(device)}
    ).context["codes"]
    client.post("/accounts/logout/")
    log_in(client, "administrator")
    assert client.post("/accounts/login/verify/", {"otp": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=users.administrator).count() == 9
    client.post("/accounts/logout/")
    log_in(client, "administrator")
    assert client.post("/accounts/login/verify/", {"otp": codes[0]}).status_code == 401


def test_wrong_codes_count_towards_the_lockout(client, users, authenticator):
    authenticator(users.dispatcher)
    for _ in range(4):
        client.post("/accounts/login/", {"username": "dispatcher", "password": "wrong-password"})
    log_in(client, "dispatcher")
    response = client.post("/accounts/login/verify/", {"otp": "999999"})
    assert response.status_code == 429
    assert recorded(SecurityEventKind.LOCKED_OUT) == 1


def test_a_session_of_a_required_role_without_second_factor_is_ended(client, users, required):
    client.force_login(users.supervisor)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    event = SecurityEvent.objects.get(kind=SecurityEventKind.SESSION_EXPIRED)
    assert event.detail == {"reason": "second_factor"}


def test_turning_it_off_needs_a_code(client, users, authenticator):
    device = authenticator(users.dispatcher)
    client.force_login(users.dispatcher)
    response = client.post("/accounts/two-factor/", {"action": "disable", "otp": "111111"})
    assert response.status_code == 401 and otp_enabled(users.dispatcher)
    client.post("/accounts/two-factor/", {"action": "disable", "otp": current_code(device)})
    assert not otp_enabled(users.dispatcher)
    assert recorded(SecurityEventKind.OTP_DISABLED) == 1


def test_a_required_role_cannot_turn_it_off(client, users, required, authenticator):
    device = authenticator(users.supervisor)
    log_in(client, "supervisor")
    client.post("/accounts/login/verify/", {"otp": current_code(device)})
    response = client.post("/accounts/two-factor/", {"action": "disable", "otp": "x"})
    assert response.status_code == 409
    assert otp_enabled(users.supervisor)


def test_the_top_bar_links_the_two_factor_page(client, users):
    client.force_login(users.dispatcher)
    assert 'href="/accounts/two-factor/"' in client.get("/").content.decode()


# --- the token endpoint -------------------------------------------------------


def test_token_for_a_required_role_needs_the_code(users, required, authenticator):
    device = authenticator(users.supervisor)
    api = APIClient()
    body = {"username": "supervisor", "password": PASSWORD}
    missing = api.post(TOKEN_URL, body, format="json")
    assert missing.status_code == 400 and "otp" in missing.json()["errors"]
    wrong = api.post(TOKEN_URL, {**body, "otp": "000000"}, format="json")
    assert wrong.status_code == 401 and "otp" in wrong.json()["errors"]
    assert "token" not in wrong.json()
    passed = api.post(TOKEN_URL, {**body, "otp": current_code(device)}, format="json")
    assert passed.status_code == 200 and passed.json()["token"]


def test_token_for_a_required_role_without_authenticator_is_refused(users, required):
    response = APIClient().post(
        TOKEN_URL, {"username": "supervisor", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400 and "otp" in response.json()["errors"]


def test_wrong_token_codes_lock_the_account(users, authenticator):
    authenticator(users.dispatcher)
    api = APIClient()
    body = {"username": "dispatcher", "password": PASSWORD, "otp": "000000"}
    answers = [api.post(TOKEN_URL, body, format="json").status_code for _ in range(5)]
    assert answers == [401, 401, 401, 401, 429]
    assert api.post(TOKEN_URL, body, format="json").status_code == 429
