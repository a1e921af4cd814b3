"""Unit positions on the live stream.

Positions are not events (thousands a second): `positions_record` publishes
each batch's newest fixes after commit. With the in-process channel layer of
the embedded default, fixes written by another process (the simulator, a
worker) never reach the web process's layer, so the web process tails the
stored fixes itself with a `PositionRelay` (settings.EMBEDDED_RELAYS).
"""

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.db.models import Max

from commandcenter.directory import directory
from commandcenter.models import GovernanceCenter
from commandcenter.stream import Relay, positions_send
from patrol.models import PositionFix, Unit

BATCH = 5000


def position_message(fix: PositionFix, unit: Unit) -> dict:
    """A unit's newest position, with where it belongs (who may see it move)."""
    center = directory.get(GovernanceCenter, unit.home_governance_center_id)
    return {
        "id": unit.pk,
        "lat": fix.lat,
        "lng": fix.lng,
        "speed": fix.speed,
        "heading": fix.heading,
        "at": fix.recorded_at.isoformat(),
        "status": unit.status,
        "station": unit.home_station_id,
        "post": unit.home_post_id,
        "street": center.street_id if center else None,
    }


class PositionRelay(Relay):
    """Publishes the newest stored fix of each unit that moved since the last look."""

    poll_default_seconds = 0.5

    def __init__(self, channel_layer, *, poll_seconds: float | None = None) -> None:
        super().__init__(channel_layer, poll_seconds=poll_seconds or self.poll_default_seconds)
        self.cursor: int | None = None

    @staticmethod
    def _latest_id() -> int:
        close_old_connections()
        return PositionFix.objects.aggregate(last=Max("pk"))["last"] or 0

    @staticmethod
    def _fetch(after: int) -> tuple[int, list[dict]]:
        close_old_connections()
        fixes = list(
            PositionFix.objects.filter(pk__gt=after).select_related("unit").order_by("pk")[:BATCH]
        )
        newest = {fix.unit_id: fix for fix in fixes}  # ordered by id: the last one wins
        last = fixes[-1].pk if fixes else after
        return last, [position_message(fix, fix.unit) for fix in newest.values()]

    async def step(self) -> int:
        if self.cursor is None:
            self.cursor = await sync_to_async(self._latest_id)()
        self.cursor, latest = await sync_to_async(self._fetch)(self.cursor)
        if latest:
            await positions_send(self.layer, latest)
        return len(latest)
