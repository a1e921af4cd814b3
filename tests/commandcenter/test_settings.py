"""Production mode refuses unsafe settings at start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tianshu.environment import env_bool, env_int
from tianshu.settings import DEVELOPMENT_SECRET_KEY, refuse_unsafe_production

ROOT = Path(__file__).resolve().parents[2]


def test_production_with_debug_is_refused():
    with pytest.raises(ImproperlyConfigured, match="DEBUG is on"):
        refuse_unsafe_production(environment="production", debug=True, secret_key="x" * 50)


def test_production_with_the_default_secret_is_refused():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        refuse_unsafe_production(
            environment="production", debug=False, secret_key=DEVELOPMENT_SECRET_KEY
        )


def test_production_with_safe_settings_is_accepted():
    refuse_unsafe_production(environment="production", debug=False, secret_key="s" * 50)


def test_development_may_use_debug_and_the_default_secret():
    refuse_unsafe_production(
        environment="development", debug=True, secret_key=DEVELOPMENT_SECRET_KEY
    )


def run_check(**environment) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG")}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_production_process_with_debug_does_not_start():
    result = run_check(TIANSHU_ENV="production", DEBUG="1", SECRET_KEY="s" * 50)
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr


def test_a_production_process_without_a_secret_does_not_start():
    result = run_check(TIANSHU_ENV="production", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_bad_typed_values_fail_loudly(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 1)
