"""The live stream: from the event log to websocket groups, with resume.

The event log is the truth. A single relay tails it in sequence order and
publishes each event to the channel-layer groups allowed to see it; each
message carries its `seq` and the `prev` seq published to that group, so a
consumer that missed a message (a Redis blip, a relay restart) notices the
hole and reads it back from the log before going on: no gap, no duplicate.
"""

import asyncio
import json
import logging
from datetime import timedelta

from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string

from commandcenter.access import Scope
from commandcenter.models import Event

logger = logging.getLogger(__name__)

DISTRICT_GROUP = "live.district"


def scope_group(scope: Scope) -> str | None:
    """The one group a user's socket joins, or None if the role has no live view."""
    if scope.district_wide:
        return DISTRICT_GROUP
    if scope.post_id:
        return f"live.post.{scope.post_id}"
    if scope.station_id:
        return f"live.station.{scope.station_id}"
    if scope.street_id:
        return f"live.street.{scope.street_id}"
    return None


def event_groups(event: Event) -> list[str]:
    """Every group that may see `event` (mirrors Event.visible_to)."""
    return location_groups(
        station_id=event.station_id, post_id=event.post_id, street_id=event.street_id
    )


def location_groups(*, station_id=None, post_id=None, street_id=None) -> list[str]:
    groups = [DISTRICT_GROUP]
    if station_id:
        groups.append(f"live.station.{station_id}")
    if post_id:
        groups.append(f"live.post.{post_id}")
    if street_id:
        groups.append(f"live.street.{street_id}")
    return groups


POSITION_FIELDS = ("id", "lat", "lng", "speed", "heading", "at", "status")


async def positions_send(channel_layer, latest: list[dict]) -> None:
    """Send units' newest positions to the groups that may see each unit.

    Positions are not events (there are thousands a second): a client that
    missed some simply gets the next ones, and reloads the rest from the API.
    """
    batches: dict[str, list[dict]] = {}
    for fix in latest:
        public = {key: fix[key] for key in POSITION_FIELDS}
        for group in location_groups(
            station_id=fix.get("station"), post_id=fix.get("post"), street_id=fix.get("street")
        ):
            batches.setdefault(group, []).append(public)
    for group, units in batches.items():
        await channel_layer.group_send(group, {"type": "positions.message", "units": units})


def positions_publish(channel_layer, latest: list[dict]) -> None:
    """`positions_send` from synchronous code: one hop into the event loop for
    all groups (inside the ASGI server, the server's loop and its open Redis
    connection)."""
    async_to_sync(positions_send)(channel_layer, latest)


def event_message(event: Event) -> dict:
    """What a client receives for one event."""
    return {
        "type": "event",
        "seq": event.seq,
        "kind": event.kind,
        "time": event.occurred_at.isoformat(),
        "subject": {"type": event.subject_type, "id": event.subject_id},
        "actor": event.actor_id,
        "payload": event.payload,
    }


def event_text(event: Event) -> str:
    """`event_message` as the JSON text sent, serialised once for every reader."""
    return json.dumps(event_message(event), cls=DjangoJSONEncoder, ensure_ascii=False)


def latest_seq() -> int:
    return Event.objects.aggregate(last=Max("seq"))["last"] or 0


def resume_point(*, since: int | None) -> tuple[int, bool]:
    """Where a (re)connecting client starts reading the log, and whether it
    must reload its picture first.

    Everything after `since` is read back as long as the first event it missed
    is within the retention (settings.LIVE_RESUME_RETENTION_HOURS); a longer
    gap, or a number the log never reached (it was reset), starts from the
    newest event after a reload.
    """
    latest = latest_seq()
    if since is None:
        return latest, False
    if since > latest:
        return latest, True
    first_missed = (
        Event.objects.filter(seq__gt=since)
        .order_by("seq")
        .values_list("occurred_at", flat=True)
        .first()
    )
    retention = timedelta(hours=settings.LIVE_RESUME_RETENTION_HOURS)
    if first_missed is not None and first_missed < timezone.now() - retention:
        return latest, True
    return since, False


def log_page(*, scope: Scope, after: int, upto: int | None = None) -> list[tuple[int, str]]:
    """The next page (settings.LIVE_RESUME_PAGE_EVENTS) of events `scope` may
    see with after < seq ≤ upto, in order, as (seq, text)."""
    events = Event.objects.filter(Event.visible_to(scope), seq__gt=after)
    if upto is not None:
        events = events.filter(seq__lte=upto)
    page = events.order_by("seq")[: settings.LIVE_RESUME_PAGE_EVENTS]
    return [(event.seq, event_text(event)) for event in page]


class Relay:
    """A loop that tails a table and publishes what is new, in order.

    Subclasses say how to `step` once (returning how many rows went out); the
    loop polls while nothing is new and, on any error (Redis or the database
    blinked), waits a second and goes on: a relay never dies of a blip.
    """

    def __init__(self, channel_layer, *, poll_seconds: float | None = None) -> None:
        self.layer = channel_layer
        self.poll_seconds = poll_seconds or settings.EVENT_RELAY_POLL_SECONDS

    async def step(self) -> int:
        raise NotImplementedError

    def failed(self) -> None:
        """After an error: forget what the clients may have missed."""

    async def run(self) -> None:
        while True:
            try:
                if not await self.step():
                    await asyncio.sleep(self.poll_seconds)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis or the database blinked: retry, lose nothing
                logger.exception("%s: publish failed, retrying", type(self).__name__)
                self.failed()
                await asyncio.sleep(1.0)


class EventRelay(Relay):
    """Tails the event log and publishes each event to its groups, in order.

    Safe to restart at any time: it starts from the newest event (clients
    resume from the log), and a failed publish is retried before moving on.
    """

    def __init__(self, channel_layer, *, poll_seconds: float | None = None) -> None:
        super().__init__(channel_layer, poll_seconds=poll_seconds)
        self.cursor: int | None = None
        self.last_published: dict[str, int] = {}

    @staticmethod
    def _fetch(after: int) -> list[Event]:
        close_old_connections()
        return list(Event.objects.filter(seq__gt=after).order_by("seq")[:500])

    async def publish(self, events: list[Event]) -> None:
        """Publish events in order, one message per group for the whole batch.

        Each event is serialised once here, not once per connected client, and
        a batch costs every socket one frame instead of one per event.
        """
        batches: dict[str, list[tuple[int, str]]] = {}
        for event in events:
            text = event_text(event)
            for group in event_groups(event):
                batches.setdefault(group, []).append((event.seq, text))
        for group, batch in batches.items():
            await self.layer.group_send(
                group,
                {
                    "type": "events.message",
                    "seqs": [seq for seq, _ in batch],
                    "texts": [text for _, text in batch],
                    "prev": self.last_published.get(group),
                },
            )
            self.last_published[group] = batch[-1][0]

    async def step(self) -> int:
        """Publish what is new; returns how many events went out."""
        if self.cursor is None:
            self.cursor = await sync_to_async(latest_seq)()
        events = await sync_to_async(self._fetch)(self.cursor)
        if events:
            await self.publish(events)
            self.cursor = events[-1].seq
        return len(events)

    def failed(self) -> None:
        # Groups may have missed a message: make consumers check the log.
        self.last_published.clear()


_embedded_tasks: dict[str, asyncio.Task] = {}


def ensure_embedded_relay(channel_layer) -> None:
    """With the in-process channel layer, the web process relays for itself
    what every process wrote: each of settings.EMBEDDED_RELAYS (dotted paths to
    `Relay` classes: the event log here, apps' own tables beside it)."""
    if not settings.EVENT_RELAY_EMBEDDED:
        return
    for path in settings.EMBEDDED_RELAYS:
        task = _embedded_tasks.get(path)
        if task is None or task.done():
            relay = import_string(path)(channel_layer)
            _embedded_tasks[path] = asyncio.get_running_loop().create_task(relay.run())
