"""The OpenAPI document is valid and describes the organisation endpoints."""

import yaml
from openapi_spec_validator import validate


def test_schema_is_valid_openapi(client, users):
    client.force_login(users.dispatcher)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    validate(document)
    for path in (
        "/api/v1/stations/",
        "/api/v1/zones/",
        "/api/v1/units/",
        "/api/v1/district/",
        "/api/v1/auth/token/",
        "/api/v1/governance-centers/",
        "/api/v1/streets/",
        "/api/v1/posts/",
    ):
        assert path in document["paths"], path


def test_docs_page_uses_no_cdn(client, users):
    client.force_login(users.dispatcher)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page


def test_the_committed_schema_file_is_current():
    """docs/openapi.yaml is what integrators download; regenerate it with `make schema`
    (python manage.py spectacular --lang en --file docs/openapi.yaml --validate)."""
    from pathlib import Path

    from django.core.management import call_command

    committed = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
    generated = committed.with_name("openapi.generated.yaml")
    try:
        call_command("spectacular", lang="en", file=str(generated), validate=True)
        assert committed.read_text() == generated.read_text(), (
            "docs/openapi.yaml is out of date: run `make schema` and commit it"
        )
    finally:
        generated.unlink(missing_ok=True)
