"""In the embedded default the web process publishes positions other processes stored."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer
from django.utils import timezone

from commandcenter.choices import Role
from patrol.live import PositionRelay
from patrol.services import FixInput, positions_record
from tests import factories as f

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_position_relay_publishes_each_units_newest_stored_fix(users, district):
    layer = InMemoryChannelLayer()
    channel = await layer.new_channel()
    await layer.group_add("live.district", channel)
    relay = PositionRelay(layer)
    assert await relay.step() == 0  # starts from the newest fix: nothing old is replayed
    unit = district.units.a
    now = timezone.now()
    fixes = [
        # One fix per unit and instant: the older one a second before.
        FixInput(unit=unit.pk, recorded_at=now - timedelta(seconds=1), lat=30.004, lng=120.004),
        FixInput(unit=unit.pk, recorded_at=now, lat=30.006, lng=120.006, speed=5, heading=90),
    ]
    # As the simulator process would: stored, and published to its own layer only.
    gateway = await sync_to_async(f.UserFactory)(role=Role.GATEWAY)
    await sync_to_async(positions_record)(
        actor=gateway,
        fixes=fixes,
        gateway_units=frozenset({district.units.a.pk, district.units.b.pk}),
    )
    assert await relay.step() == 1
    message = await layer.receive(channel)
    assert message["type"] == "positions.message"
    assert [(u["id"], u["lat"], u["lng"]) for u in message["units"]] == [(unit.pk, 30.006, 120.006)]
    assert await relay.step() == 0
