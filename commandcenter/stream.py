"""The live stream: from the event log to websocket groups, with resume.

The event log is the truth. One relay (of a pair: the other stands by) tails
it in sequence order and publishes each event to the channel-layer groups allowed to see it; each
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
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string

from commandcenter.access import Scope
from commandcenter.models import Event, RelayProgress
from commandcenter.services import relay_progress_record

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

    Safe to restart at any time, and a failed publish is retried before moving
    on. With `progress` (the name of a RelayProgress row: the standalone
    relays of a deployment) it records what it published and a restarted
    relay goes on from there; without, it starts from the newest event
    (clients resume from the log).
    """

    def __init__(
        self,
        channel_layer,
        *,
        poll_seconds: float | None = None,
        progress: str | None = None,
    ) -> None:
        super().__init__(channel_layer, poll_seconds=poll_seconds)
        self.progress = progress
        self.cursor: int | None = None
        self.last_published: dict[str, int] = {}

    @staticmethod
    def _fetch(after: int) -> list[Event]:
        close_old_connections()
        return list(Event.objects.filter(seq__gt=after).order_by("seq")[:500])

    def _start(self) -> int:
        """Where publishing starts: after what was recorded, else the newest event."""
        close_old_connections()
        latest = latest_seq()
        if self.progress is None:
            return latest
        recorded = (
            RelayProgress.objects.filter(name=self.progress)
            .values_list("last_seq", flat=True)
            .first()
        )
        if recorded is None or recorded > latest:  # first run, or the log was reset
            relay_progress_record(name=self.progress, last_seq=latest)
            return latest
        return recorded

    def _record(self, last_seq: int) -> None:
        relay_progress_record(name=self.progress, last_seq=last_seq)

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
            self.cursor = await sync_to_async(self._start)()
        events = await sync_to_async(self._fetch)(self.cursor)
        if events:
            await self.publish(events)
            self.cursor = events[-1].seq
            if self.progress is not None:
                await sync_to_async(self._record)(self.cursor)
        return len(events)

    def failed(self) -> None:
        # Groups may have missed a message: make consumers check the log.
        self.last_published.clear()

    def restart(self) -> None:
        """Forget the position: the next step starts again from the record."""
        self.cursor = None
        self.last_published.clear()


# The RelayProgress row of the standalone event relays (`manage.py relay_events`).
EVENT_RELAY_PROGRESS = "events"

# The key of the advisory lock the publishing relay holds (any fixed number:
# advisory locks are per database, so test and bench databases never meet).
RELAY_LOCK_KEY = 174_017


class RelayLock:
    """The right to publish: a session-level PostgreSQL advisory lock on a
    connection of its own, so PostgreSQL releases it the moment the holding
    process dies (its socket closes) and the standby's next try wins.

    On SQLite (one machine, one relay) the lock is always granted.
    """

    def __init__(self, key: int = RELAY_LOCK_KEY) -> None:
        self.key = key
        self._database = None

    def _cursor(self):
        if self._database is None:
            # Outside `connections`: close_old_connections never closes it.
            self._database = connections.create_connection(DEFAULT_DB_ALIAS)
            self._database.ensure_connection()
        return self._database.connection.cursor()

    def acquire(self) -> bool:
        if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
            return True
        try:
            with self._cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.key])
                return bool(cursor.fetchone()[0])
        except Exception:
            self.close()
            raise

    def held(self) -> bool:
        """False once the lock's connection is gone (the database restarted)."""
        if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
            return True
        try:
            with self._cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid() AND objid = %s AND granted",
                    [self.key],
                )
                return cursor.fetchone()[0] > 0
        except Exception:
            logger.exception("relay lock: its connection failed")
            self.close()
            return False

    def close(self) -> None:
        """Drop the connection, and with it the lock."""
        if self._database is not None:
            try:
                self._database.close()
            except Exception:  # already broken: nothing left to release
                logger.debug("relay lock: closing a broken connection", exc_info=True)
            self._database = None


async def relay_with_standby(relay: EventRelay, lock: RelayLock, *, announce=print) -> None:
    """Publish while holding the lock; stand by, asking for it, while another
    relay does. Whoever takes over starts from the recorded progress."""
    standing_by = False
    while True:
        try:
            holding = await sync_to_async(lock.acquire)()
        except Exception:
            logger.exception("relay lock: the database is unavailable, retrying")
            holding = False
        if not holding:
            if not standing_by:
                announce("Standing by: another relay publishes.")
                standing_by = True
            await asyncio.sleep(settings.EVENT_RELAY_STANDBY_POLL_SECONDS)
            continue
        standing_by = False
        relay.restart()
        announce("Holding the relay lock: publishing.")
        task = asyncio.get_running_loop().create_task(relay.run())
        try:
            while await sync_to_async(lock.held)():
                await asyncio.sleep(settings.EVENT_RELAY_STANDBY_POLL_SECONDS)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        announce("Lost the relay lock: standing by.")


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


class LocalDelivery:
    """A `group_send` that reaches this process's own sockets only."""

    def __init__(self, channel_layer) -> None:
        self.layer = channel_layer

    async def group_send(self, group: str, message: dict) -> None:
        self.layer.deliver_locally(group, message)


class FallbackRelay(EventRelay):
    """The event relay of one web process while Redis is away: from what the
    standalone relay recorded last (what went out through Redis) to this
    process's sockets. Consumers drop what reaches them twice by seq and read
    any hole back from the log, so switching either way loses nothing."""

    def __init__(self, channel_layer) -> None:
        super().__init__(
            LocalDelivery(channel_layer), poll_seconds=settings.LIVE_FALLBACK_POLL_SECONDS
        )

    def _start(self) -> int:
        close_old_connections()
        latest = latest_seq()
        recorded = (
            RelayProgress.objects.filter(name=EVENT_RELAY_PROGRESS)
            .values_list("last_seq", flat=True)
            .first()
        )
        return latest if recorded is None else min(recorded, latest)


class LogFallback:
    """Watches Redis from a web process; while it is unreachable, runs a
    FallbackRelay for this process's sockets, and stops it a grace period
    after Redis answers again (its subscriptions restored)."""

    def __init__(self, channel_layer) -> None:
        self.layer = channel_layer
        self.task: asyncio.Task | None = None
        self.back_since: float | None = None

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                reachable = await self.layer.redis_reachable()
                if not reachable and self.task is None:
                    logger.warning("live stream: Redis unreachable, reading the log here")
                    self.task = loop.create_task(FallbackRelay(self.layer).run())
                    self.back_since = None
                elif not reachable:
                    self.back_since = None
                elif self.task is not None and self.back_since is None:
                    await self.layer.resubscribe()
                    self.back_since = loop.time()
                elif (
                    self.task is not None
                    and loop.time() - self.back_since > settings.LIVE_FALLBACK_GRACE_SECONDS
                ):
                    logger.warning("live stream: Redis is back, the relay feeds the sockets")
                    self.task.cancel()
                    self.task = None
            except asyncio.CancelledError:
                if self.task is not None:
                    self.task.cancel()
                raise
            except Exception:  # resubscribing met Redis leaving again: next round
                logger.exception("live stream: watching Redis failed, retrying")
                self.back_since = None
            await asyncio.sleep(settings.LIVE_FALLBACK_PROBE_SECONDS)


_fallback_tasks: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}


def ensure_log_fallback(channel_layer) -> None:
    """Start this process's LogFallback once, with a layer that can deliver
    locally (commandcenter.channel_layer.LiveChannelLayer)."""
    if settings.EVENT_RELAY_EMBEDDED or not hasattr(channel_layer, "redis_reachable"):
        return
    loop = asyncio.get_running_loop()
    task = _fallback_tasks.get(loop)
    if task is None or task.done():
        for old_loop in [old for old in _fallback_tasks if old.is_closed()]:
            del _fallback_tasks[old_loop]
        _fallback_tasks[loop] = loop.create_task(LogFallback(channel_layer).run())
