"""docker-compose.yml, the Dockerfile and the Procfile point at things that exist.

There is no Docker engine on the build machines, so the stack is checked by
reading it: every command names a module, app or management command of this
project, every build context has its Dockerfile.
"""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ("migrate", "web", "worker", "beat", "relay", "relay-standby")


def check_command(argv: list[str]) -> None:
    """Fail unless the program and what it names exist in this project."""
    while "=" in argv[0]:  # leading VARIABLE=value assignments
        argv = argv[1:]
    program = Path(argv[0]).name
    if program == "uvicorn":
        target = next(arg for arg in argv[1:] if not arg.startswith("-"))
        module, attribute = target.split(":")
        assert hasattr(importlib.import_module(module), attribute), target
    elif program == "celery":
        app_index = argv.index("-A") + 1
        module = importlib.import_module(argv[app_index])
        assert hasattr(module, "celery_app"), argv[app_index]
        assert argv[app_index + 1] in ("worker", "beat"), argv
    elif program in ("python", "python3"):
        assert argv[1] == "manage.py" and (ROOT / "manage.py").exists()
        assert argv[2] in get_commands(), f"no management command {argv[2]!r}"
    else:
        pytest.fail(f"unexpected program {program!r}")


def test_compose_has_the_production_services():
    assert {"db", "redis", "web", "worker", "beat", "relay"} <= set(COMPOSE["services"])
    assert COMPOSE["services"]["db"]["image"].startswith("postgres:15")
    assert COMPOSE["services"]["redis"]["image"].startswith("redis:7")


def test_compose_runs_two_relays_one_standing_by():
    relays = [
        name
        for name, service in COMPOSE["services"].items()
        if service.get("command", [None, None, None])[2:3] == ["relay_events"]
    ]
    assert len(relays) == 2, relays


def test_compose_restarts_every_service():
    for name, service in COMPOSE["services"].items():
        assert service.get("restart") in ("unless-stopped", "always", "on-failure"), name


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_app_service_commands_exist(name, db):
    service = COMPOSE["services"][name]
    check_command(service["command"])
    assert service["build"] == "."
    assert (ROOT / "Dockerfile").exists()
    environment = service["environment"]
    assert environment["TIANSHU_ENV"] == "production"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["REDIS_URL"].startswith("redis://")
    assert "SECRET_KEY" in environment


def test_compose_environment_names_are_read_by_settings():
    settings_source = (ROOT / "tianshu" / "settings.py").read_text()
    for name in COMPOSE["services"]["web"]["environment"]:
        assert f'"{name}"' in settings_source, f"{name} is not read by settings.py"


def test_dockerfile_default_command_exists():
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*?\])", dockerfile, re.S | re.M).group(1)
    check_command(yaml.safe_load(cmd.replace("\\\n", "")))


def test_procfile_commands_exist(db):
    for line in (ROOT / "tianshu" / "Procfile").read_text().splitlines():
        if line.strip():
            _, command = line.split(":", 1)
            check_command(shlex.split(command))


# --- TLS in front of Uvicorn (issue 11) ----------------------------------------------------

CADDYFILE = ROOT / "deploy" / "Caddyfile"


def test_compose_puts_caddy_in_front_and_publishes_no_uvicorn_port():
    services = COMPOSE["services"]
    proxy = services["proxy"]
    assert proxy["image"].split(":")[0] == "caddy"  # the official image
    assert "443:443" in proxy["ports"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    for name, service in services.items():
        if name != "proxy":
            assert "ports" not in service, f"{name} publishes a port"


def test_uvicorn_trusts_the_proxy_headers_and_django_the_scheme():
    web = COMPOSE["services"]["web"]
    assert "--proxy-headers" in web["command"]
    assert any(arg.startswith("--forwarded-allow-ips=") for arg in web["command"])
    environment = web["environment"]
    assert environment["SECURE_PROXY_SSL_HEADER"] == "HTTP_X_FORWARDED_PROTO,https"
    assert "SESSION_COOKIE_SECURE" not in environment  # production's default: Secure
    assert environment["CSRF_TRUSTED_ORIGINS"].startswith("${CSRF_TRUSTED_ORIGINS:-https://")


def caddy_site_blocks() -> dict[str, str]:
    """The Caddyfile's top-level blocks by their address (global options under "")."""
    blocks, depth, address, body = {}, 0, None, []
    for raw in CADDYFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        # Placeholders ({$VAR:default}, {host}) are not blocks.
        braces = re.sub(r"\{[^{}\s]*\}", "", line)
        if depth == 0:
            assert braces.endswith("{"), f"a top-level line that opens no block: {line}"
            address, body = line[: line.rindex("{")].strip(), []
        else:
            body.append(line)
        depth += braces.count("{") - braces.count("}")
        if depth == 0:
            blocks[address] = "\n".join(body[:-1])
    assert depth == 0, "unbalanced braces in the Caddyfile"
    return blocks


def test_caddy_terminates_tls_caps_bodies_and_proxies_to_uvicorn(settings):
    blocks = caddy_site_blocks()
    site = blocks["{$TIANSHU_HOST:localhost}"]
    assert "tls {$TIANSHU_TLS:internal}" in site
    assert "reverse_proxy web:8000" in site
    cap = re.search(r"max_size (\d+)MiB", site)
    assert cap and int(cap.group(1)) * 1024 * 1024 == settings.MAX_REQUEST_BODY_BYTES
    assert "redir https://" in blocks["http://{$TIANSHU_HOST:localhost}"]
    assert "local_certs" in blocks[""]


def test_the_proxy_names_only_variables_compose_gives_it():
    proxy_environment = COMPOSE["services"]["proxy"]["environment"]
    for name in re.findall(r"\{\$(\w+)", CADDYFILE.read_text()):
        assert name in proxy_environment, name


def test_the_proxy_waits_for_a_restarting_web_and_retries_only_what_is_safe():
    site = caddy_site_blocks()["{$TIANSHU_HOST:localhost}"]
    assert re.search(r"lb_try_duration \d+s", site)
    retried = re.findall(r"lb_retry_match \{\n(.*?)\n\}", site, flags=re.S)
    assert retried == ["method GET HEAD OPTIONS", "header Idempotency-Key *"]
