"""Database down: the API answers JSON 503 with Retry-After, the consoles a 503 page.

The process's connections are pointed at a PostgreSQL cluster of the test
run's own, which is then stopped: every query meets a real refused connection,
wherever it is made (DRF's authentication, the session middleware, a view).
"""

import json

import pytest
from django.db import connection, connections
from django.test import Client


@pytest.fixture
def database_down(private_postgres, django_db_blocker):
    """Every new connection of this process goes to the private cluster, stopped."""
    with django_db_blocker.unblock():
        connections.close_all()
        saved = dict(connection.settings_dict)
        connection.settings_dict.update(private_postgres.settings_dict(saved))
        private_postgres.stop()
        try:
            yield
        finally:
            connections.close_all()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)


def _assert_json_503(response) -> None:
    assert response.status_code == 503, response.content
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Content-Type"] == "application/json"
    assert json.loads(response.content)["code"] == "unavailable"


def test_an_api_call_while_the_database_is_down_is_json_503_with_retry_after(database_down):
    # The token is looked up in DRF's authentication: the first query fails there.
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION="Token " + "0" * 40)
    _assert_json_503(client.get("/api/v1/incidents/"))


def test_a_database_error_in_middleware_under_api_is_json_503(database_down):
    # A session cookie: the session is read in middleware, before DRF.
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    _assert_json_503(client.get("/api/v1/incidents/"))


def test_a_console_page_while_the_database_is_down_is_the_friendly_503_page(database_down):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    response = client.get("/")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'id="unavailable-heading"' in page
    assert "<script" not in page and "<style" not in page and "style=" not in page
