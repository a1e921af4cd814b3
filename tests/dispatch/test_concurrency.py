"""Two dispatchers, one unit: the database lets exactly one succeed.

These tests commit for real (transaction=True) and race threads with their own
connections against PostgreSQL.
"""

import pytest
from rest_framework.test import APIClient

from dispatch.models import Assignment
from patrol.models import Unit
from tests.concurrency import race
from tests.factories import UserFactory

ROUNDS = 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_dispatchers_sending_the_same_unit_exactly_one_succeeds(district, round_):
    dispatchers = [UserFactory(username=f"d{i}-{round_}") for i in range(2)]
    clients = []
    for user in dispatchers:
        client = APIClient()
        client.force_authenticate(user)
        clients.append(client)
    incidents = [
        clients[0]
        .post(
            "/api/v1/incidents/",
            {"category": "traffic", "description": "撞车", "lat": lat, "lng": 120.005},
            format="json",
        )
        .json()["id"]
        for lat in (30.003, 30.017)
    ]
    unit = district.units.a.id

    def send(client, incident):
        return lambda: (
            client.post(
                f"/api/v1/incidents/{incident}/dispatch/", {"units": [unit]}, format="json"
            ).status_code
        )

    statuses = race([send(clients[0], incidents[0]), send(clients[1], incidents[1])])
    assert sorted(statuses) == [200, 409]
    assert Assignment.objects.filter(unit_id=unit).count() == 1
    assert Unit.objects.get(pk=unit).status == "dispatched"


@pytest.mark.django_db(transaction=True)
def test_many_dispatchers_racing_for_three_units_never_double_book(district):
    users = [UserFactory(username=f"racer{i}") for i in range(6)]
    client = APIClient()
    client.force_authenticate(users[0])
    incidents = [
        client.post(
            "/api/v1/incidents/",
            {
                "category": "traffic",
                "description": "撞车",
                "lat": 30.001 + i * 0.003,
                "lng": 120.001 + i * 0.003,
            },
            format="json",
        ).json()["id"]
        for i in range(6)
    ]
    units = [district.units.a.id, district.units.p.id, district.units.b.id]

    def send(user, incident, unit):
        def go():
            c = APIClient()
            c.force_authenticate(user)
            return c.post(
                f"/api/v1/incidents/{incident}/dispatch/", {"units": [unit]}, format="json"
            ).status_code

        return go

    statuses = race([send(users[i], incidents[i], units[i % 3]) for i in range(6)])
    assert statuses.count(200) == 3
    assert statuses.count(409) == 3
    for unit in units:
        assert Assignment.objects.filter(unit_id=unit).count() == 1
