"""Schemathesis against the live schema on a real Uvicorn, as a dispatcher, a
street-office staff member and a partner department: no answer is a 5xx, and
every answer conforms to the schema (status code, content type, body, headers).

Bounded: SCHEMATHESIS_SECONDS per role (default 35 s, so about two minutes
in all on two cores). POST operations create calls and dispatches in the test
database, which is dropped after the run.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from tests.browser.conftest import _free_port, _serve, _server_environment, _uvicorn

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[1]
SECONDS = int(os.environ.get("SCHEMATHESIS_SECONDS", "35"))
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)


@pytest.fixture
def api_server(transactional_db, tmp_path):
    port = _free_port()
    env = _server_environment(REDIS_URL="", TIANSHU_RUN_DIR=str(tmp_path))
    yield from _serve(port, [_uvicorn(port, env)])


def schemathesis(base_url: str, token: str, report: Path) -> subprocess.CompletedProcess:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{base_url}/api/schema/",
        "--header",
        f"Authorization: Token {token}",
        "--checks",
        CHECKS,
        "--max-time",
        str(SECONDS),
        "--max-examples",
        "30",
        # One worker: the run shares two cores with the server (and two workers
        # once tripped an internal error of the coverage phase).
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--seed",
        "11",
        "--generation-database",
        "none",
        "--no-color",
        "--warnings",
        "off",
    ]
    return subprocess.run(
        command, cwd=report.parent, capture_output=True, text=True, timeout=SECONDS + 120
    )


@pytest.mark.parametrize("role", ["dispatcher", "street_staff", "partner"])
def test_no_input_gets_a_server_error_or_an_answer_the_schema_does_not_describe(
    api_server, users, call, role, tmp_path
):
    call()  # a job to act on
    call(category="dispute", lat=30.015, lng=120.005)
    token = Token.objects.create(user=getattr(users, role)).key
    result = schemathesis(api_server, token, tmp_path / "report")
    output = result.stdout + result.stderr
    print(output)  # the whole report, shown by pytest when the test fails
    assert result.returncode == 0, output[-20000:]
