"""The live websocket: authenticate, join the one permitted group, forward.

Protocol (JSON text frames):
- connect to `/ws/live/?since=<seq>` (omit `since` to start from now);
- the server sends every event the user may see after `since`, read from the
  event log in pages (frames holding a JSON array of up to
  LIVE_RESUME_PAGE_EVENTS events) — preceded by `{"type": "reload", "seq": N}`
  when the first missed event is older than the retention
  (LIVE_RESUME_RETENTION_HOURS) or `since` is beyond the log (it was reset) —
  then `{"type": "hello", "seq": N}`, then live `{"type": "event", "seq": …}`
  messages in order; several events that arrive together come as one frame
  holding a JSON array of them;
- the client may send `{"type": "sync"}` at any time (it does every 15 s):
  anything missed is read back from the event log;
- unit positions arrive as `{"type": "positions", "units": [...]}` (not logged).
Close codes: 4401 not logged in, 4403 no live view for this role, 4429 this
client fell too far behind (reconnect at once with `since`), 4503 the
database is unavailable (reconnect later with `since`).
"""

import asyncio
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError, InterfaceError

from commandcenter.access import scope_of
from commandcenter.sessions import session_allows_stream
from commandcenter.stream import (
    ensure_embedded_relay,
    ensure_log_fallback,
    log_page,
    resume_point,
    scope_group,
)

logger = logging.getLogger(__name__)

CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NO_LIVE_VIEW = 4403
CLOSE_FELL_BEHIND = 4429
CLOSE_TRY_LATER = 4503
DATABASE_ERRORS = (DatabaseError, InterfaceError)


class LiveConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None
    closing = False

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._refuse(CLOSE_NOT_LOGGED_IN)
            return
        try:
            # A session past its idle or absolute lifetime, or one of a role that
            # must use two-factor login that never gave it, is not logged in.
            allowed = await database_sync_to_async(session_allows_stream)(
                self.scope.get("session"), user
            )
            access = await database_sync_to_async(scope_of)(user) if allowed else None
        except DATABASE_ERRORS:
            await self._refuse(CLOSE_TRY_LATER)
            return
        if access is None:
            await self._refuse(CLOSE_NOT_LOGGED_IN)
            return
        self.access = access
        group = scope_group(access)
        if group is None:
            await self._refuse(CLOSE_NO_LIVE_VIEW)
            return
        ensure_embedded_relay(self.channel_layer)
        ensure_log_fallback(self.channel_layer)
        await self.accept()
        try:
            self.last_seq, reload = await database_sync_to_async(resume_point)(since=self._since())
            if reload:
                await self.send_json({"type": "reload", "seq": self.last_seq})
            # The backlog is read before joining, so nothing piles up for this
            # socket while it is sent; what the group gets meanwhile is read
            # after joining, and anything arriving twice is dropped by seq.
            await self._catch_up()
            await self.channel_layer.group_add(group, self.channel_name)
            self.group = group
            await self._catch_up()
        except DATABASE_ERRORS:
            await self._try_later()
            return
        await self.send_json({"type": "hello", "seq": self.last_seq})

    async def _refuse(self, code: int) -> None:
        """Accept, then close with a code: a browser never sees the code of a
        handshake refused outright (it gets 1006), so it could not tell
        "log in again" from "the network is down"."""
        await self.accept()
        await self.close(code=code)

    async def _try_later(self) -> None:
        """The database failed under us: the client reconnects with its last
        seq after a pause and resumes from the log then."""
        logger.warning("live stream: database unavailable, client asked to come back")
        await self._close(CLOSE_TRY_LATER)

    async def _close(self, code: int) -> None:
        if not self.closing:
            self.closing = True
            await self.close(code=code)

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:
        """Every frame, with a deadline: a client that does not take it in
        time is closed with the resume code (its frames would pile up here)."""
        if self.closing:
            return
        try:
            await asyncio.wait_for(
                super().send(text_data=text_data, bytes_data=bytes_data, close=close),
                settings.LIVE_SEND_TIMEOUT_SECONDS,
            )
        except TimeoutError:
            logger.warning("live stream: a client took no frame for a while, closed")
            await self._close(CLOSE_FELL_BEHIND)

    async def stream_overflow(self, message: dict) -> None:
        """More was waiting for this socket than settings allow (the channel
        layer dropped it): the client resumes from its last seq at once."""
        logger.warning("live stream: a client fell behind, closed for it to resume")
        await self._close(CLOSE_FELL_BEHIND)

    def _since(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        try:
            return max(0, int(query["since"][0]))
        except (KeyError, ValueError, IndexError):
            return None

    async def _catch_up(self, *, upto: int | None = None) -> None:
        """Send what this scope missed after last_seq (up to `upto`), page by page."""
        while True:
            page = await database_sync_to_async(log_page)(
                scope=self.access, after=self.last_seq, upto=upto
            )
            await self._send_batch(page)
            if len(page) < settings.LIVE_RESUME_PAGE_EVENTS:
                return

    async def _send_batch(self, batch: list[tuple[int, str]]) -> None:
        """One frame for events in order (an array when there are several)."""
        if len(batch) == 1:
            await self.send(text_data=batch[0][1])
        elif batch:
            await self.send(text_data="[" + ",".join(text for _, text in batch) + "]")
        if batch:
            self.last_seq = batch[-1][0]

    async def disconnect(self, code) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if content.get("type") == "sync":
            try:
                await self._catch_up()
            except DATABASE_ERRORS:
                await self._try_later()
                return
            await self.send_json({"type": "synced", "seq": self.last_seq})

    async def events_message(self, message: dict) -> None:
        """A batch from the relay: `seqs` in order, `texts` already serialised."""
        if self.closing:
            return
        fresh = [
            (seq, text)
            for seq, text in zip(message["seqs"], message["texts"], strict=True)
            if seq > self.last_seq
        ]  # older ones were already sent from the log
        if not fresh:
            return
        if message.get("prev") != self.last_seq and message["seqs"][0] > self.last_seq:
            # Something published to our group was missed, or the relay
            # restarted: read the hole back from the log first.
            try:
                await self._catch_up(upto=fresh[0][0] - 1)
            except DATABASE_ERRORS:
                await self._try_later()
                return
            fresh = [(seq, text) for seq, text in fresh if seq > self.last_seq]
        await self._send_batch(fresh)

    async def positions_message(self, message: dict) -> None:
        await self.send_json({"type": "positions", "units": message["units"]})
