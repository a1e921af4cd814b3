"""Machine keys: made by an administrator, shown once, stored hashed, revoked."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from commandcenter.api.authentication import MachineKeyAuthentication
from commandcenter.choices import Role, SecurityEventKind
from commandcenter.machine_keys import machine_key_create, machine_key_revoke, machine_key_units
from commandcenter.models import MachineKey, SecurityEvent
from tests import factories as f


@pytest.fixture
def gateway(district):
    return f.UserFactory(username="avl-gateway", role=Role.GATEWAY)


def key_client(plaintext: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Key {plaintext}")
    return api


def test_a_key_is_stored_hashed_and_the_database_holds_no_secret(users, superuser):
    key, plaintext = machine_key_create(
        actor=superuser, name="城管系统", kind="partner", user=users.partner
    )
    scheme, prefix, secret = plaintext.split("_", 2)
    assert scheme == "tsk" and prefix == key.prefix
    row = MachineKey.objects.filter(pk=key.pk).values().get()
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert not [value for value in row.values() if secret in str(value)]
    event = SecurityEvent.objects.get(kind=SecurityEventKind.KEY_CREATED)
    assert event.actor == superuser and secret not in str(event.detail)


def test_a_partner_key_authenticates_as_its_account(users, superuser):
    _key, plaintext = machine_key_create(
        actor=superuser, name="城管系统", kind="partner", user=users.partner
    )
    response = key_client(plaintext).get("/api/v1/partner-departments/")
    assert response.status_code == 200
    assert response.json()["count"] == 1  # the partner's own department only


def test_a_wrong_secret_or_a_malformed_key_answers_401(users, superuser):
    key, plaintext = machine_key_create(
        actor=superuser, name="x", kind="partner", user=users.partner
    )
    assert key_client(plaintext[:-2] + "zz").get("/api/v1/stations/").status_code == 401
    assert key_client("not-a-key").get("/api/v1/stations/").status_code == 401
    assert key_client(f"tsk_{key.prefix}_").get("/api/v1/stations/").status_code == 401


def test_a_revoked_key_stops_working_at_once(users, superuser):
    key, plaintext = machine_key_create(
        actor=superuser, name="x", kind="partner", user=users.partner
    )
    api = key_client(plaintext)
    assert api.get("/api/v1/stations/").status_code == 200  # remembered now
    machine_key_revoke(actor=superuser, key=key)
    assert api.get("/api/v1/stations/").status_code == 401
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.KEY_REVOKED).count() == 1


def test_the_account_must_match_the_kind(users, superuser, gateway):
    with pytest.raises(ValidationError):
        machine_key_create(actor=superuser, name="x", kind="gateway", user=users.partner)
    with pytest.raises(ValidationError):
        machine_key_create(
            actor=superuser,
            name="x",
            kind="partner",
            user=users.partner,
            unit_ids=[1],
        )


def test_a_gateway_key_names_its_units(district, superuser, gateway):
    key, plaintext = machine_key_create(
        actor=superuser,
        name="车载终端网关",
        kind="gateway",
        user=gateway,
        unit_ids=[district.units.a.pk, district.units.b.pk],
    )

    class Probe(APIView):
        authentication_classes = [MachineKeyAuthentication]

        def get(self, request):
            from rest_framework.response import Response

            return Response({"units": sorted(machine_key_units(request))})

    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Key {plaintext}")
    response = Probe.as_view()(request)
    assert response.data == {"units": sorted([district.units.a.pk, district.units.b.pk])}


def test_machine_key_units_is_none_without_a_gateway_key(users):
    request = APIRequestFactory().get("/")
    request.auth = None
    assert machine_key_units(request) is None


def test_last_used_is_written_at_most_once_a_minute(users, superuser, clock, settings):
    settings.API_TOKEN_CACHE_SECONDS = 0
    key, plaintext = machine_key_create(
        actor=superuser, name="x", kind="partner", user=users.partner
    )
    api = key_client(plaintext)
    api.get("/api/v1/stations/")
    first = MachineKey.objects.get(pk=key.pk).last_used_at
    assert first is not None
    clock.advance(seconds=30)
    api.get("/api/v1/stations/")
    assert MachineKey.objects.get(pk=key.pk).last_used_at == first
    clock.advance(seconds=31)
    api.get("/api/v1/stations/")
    assert MachineKey.objects.get(pk=key.pk).last_used_at > first


def test_the_admin_shows_a_new_key_once_and_revokes_it(client, district, superuser, gateway):
    client.force_login(superuser)
    response = client.post(
        "/admin/commandcenter/machinekey/add/",
        {"name": "网关", "kind": "gateway", "user": gateway.pk, "units": [district.units.a.pk]},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"] if "tsk_" in str(m)]
    assert len(shown) == 1
    plaintext = shown[0][shown[0].index("tsk_") :].split()[0]
    key = MachineKey.objects.get()
    assert list(key.units.values_list("pk", flat=True)) == [district.units.a.pk]
    assert key_client(plaintext).get("/api/v1/stations/").status_code in (200, 403)
    page = client.get(f"/admin/commandcenter/machinekey/{key.pk}/change/")
    assert "tsk_" + key.prefix + "_" not in page.content.decode()
    client.post(
        "/admin/commandcenter/machinekey/",
        {"action": "revoke_keys", "_selected_action": [key.pk]},
    )
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert key_client(plaintext).get("/api/v1/stations/").status_code == 401
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.KEY_REVOKED).count() == 1
