"""Transport and headers: CSP on every answer, HSTS / SSL redirect / Secure cookies
in production, `check --deploy` clean there, API docs and schema for logged-in users."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "TIANSHU_ENV": "production",
    "DEBUG": "0",
    "SECRET_KEY": "a-production-secret-key-of-the-test-" + "s" * 30,
    "ALLOWED_HOSTS": "tianshu.example",
}


# Not passed on to the production process: the suite's own settings (the browser tests
# set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright's loop, which --deploy rightly refuses).
NOT_INHERITED = ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")


def manage(*arguments, **environment) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(tmp_path, *names, **environment) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))"
    )
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(PRODUCTION, STATIC_ROOT=str(tmp_path), DJANGO_SETTINGS_MODULE="tianshu.settings")
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_in_production(tmp_path):
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, STATIC_ROOT=str(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


def test_production_defaults_to_hsts_ssl_redirect_and_secure_cookies(tmp_path):
    values = production_settings(
        tmp_path,
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
    )
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_the_proxy_ssl_header_is_read_from_the_environment(tmp_path):
    values = production_settings(
        tmp_path, "SECURE_PROXY_SSL_HEADER", SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https"
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_a_malformed_proxy_ssl_header_stops_the_process(tmp_path):
    result = manage(
        "check",
        **PRODUCTION,
        STATIC_ROOT=str(tmp_path),
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
    )
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER" in result.stderr


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/api/v1/stations/"])
def test_every_answer_has_a_content_security_policy(client, db, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_consoles_have_no_inline_script_or_style(client, users):
    client.force_login(users.dispatcher)
    for path in ("/", "/dispatch/", "/search/", "/orders/", "/station/"):
        page = client.get(path).content.decode()
        assert 'style="' not in page, path
        assert "<style" not in page, path
        for tag in page.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            assert "src=" in opening or 'type="application/json"' in opening, (path, opening)


def test_api_schema_is_for_logged_in_users(client, users):
    assert client.get("/api/schema/").status_code in (401, 403)
    client.force_login(users.partner)
    assert client.get("/api/schema/").status_code == 200


def test_api_docs_send_a_browser_to_log_in(client, users):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")
    client.force_login(users.street_staff)
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "<script>" not in page  # the start-up script is loaded, not inline
