"""Fixtures of the partner integration tests: a partner's machine key and jobs referred to it."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from commandcenter.machine_keys import machine_key_create
from commandcenter.models import MachineKeyKind
from incidents.models import Incident


@pytest.fixture
def partner_key(users) -> str:
    """The plaintext machine key of users.partner (城管, department chengguan)."""
    _key, plaintext = machine_key_create(
        actor=None, name="城管业务系统", kind=MachineKeyKind.PARTNER, user=users.partner
    )
    return plaintext


@pytest.fixture
def open311_cache():
    """An empty cache (the rate limit's counters live there)."""
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def refer(call, api_client_for, users):
    """refer(**call fields): a street job accepted by street 1 and referred to 城管."""

    def make(**fields) -> Incident:
        body = {"category": "complaint", "lat": 30.015, "lng": 120.005, **fields}
        incident = call(**body).json()
        street = api_client_for(users.street_staff)
        base = f"/api/v1/incidents/{incident['id']}"
        assert street.post(f"{base}/accept/", {}, format="json").status_code == 200
        response = street.post(
            f"{base}/refer/", {"to": "chengguan", "notes": "占道经营"}, format="json"
        )
        assert response.status_code == 200, response.content
        return Incident.objects.get(pk=incident["id"])

    return make


@pytest.fixture
def referred(refer) -> Incident:
    return refer()


@pytest.fixture
def open311_jobs(refer, call):
    """Three jobs referred to 城管 (one with a phone number in its description) and one
    police job it must never see."""
    return SimpleNamespace(
        referred=[
            refer(description="占道经营，联系人13812345678"),
            refer(category="neighbour_dispute", description="楼上漏水"),
            refer(category="lockout", description="开锁"),
        ],
        unseen=Incident.objects.get(pk=call().json()["id"]),
    )
