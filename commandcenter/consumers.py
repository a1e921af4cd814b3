"""The live websocket: authenticate, join the one permitted group, forward.

Protocol (JSON text frames):
- connect to `/ws/live/?since=<seq>` (omit `since` to start from now);
- the server sends the events the user may see after `since` (or
  `{"type": "reload"}` if that is too many), then `{"type": "hello", "seq": N}`,
  then live `{"type": "event", "seq": …}` messages in order — several events
  that arrive together come as one frame holding a JSON array of them;
- the client may send `{"type": "sync"}` at any time (it does every 15 s):
  anything missed is read back from the event log;
- unit positions arrive as `{"type": "positions", "units": [...]}` (not logged).
Close codes: 4401 not logged in, 4403 no live view for this role.
"""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from commandcenter.access import scope_of
from commandcenter.sessions import session_allows_stream
from commandcenter.stream import (
    MAX_BACKFILL,
    ensure_embedded_relay,
    events_between,
    latest_seq,
    scope_group,
)


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._refuse(4401)
            return
        # A session past its idle or absolute lifetime, or one of a role that
        # must use two-factor login that never gave it, is not logged in.
        if not await database_sync_to_async(session_allows_stream)(self.scope.get("session"), user):
            await self._refuse(4401)
            return
        self.access = await database_sync_to_async(scope_of)(user)
        self.group = scope_group(self.access)
        if self.group is None:
            await self._refuse(4403)
            return
        ensure_embedded_relay(self.channel_layer)
        # Join first, so nothing published while we read the backlog is lost;
        # what arrives twice is dropped by sequence number.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        since = self._since()
        latest = await database_sync_to_async(latest_seq)()
        if since is not None and since > latest:
            # A number from the future: the log was reset under this client.
            self.last_seq = latest
            await self.send_json({"type": "reload", "seq": latest})
        else:
            self.last_seq = latest if since is None else since
        await self._catch_up(upto=None)
        await self.send_json({"type": "hello", "seq": self.last_seq})

    async def _refuse(self, code: int) -> None:
        """Accept, then close with a code: a browser never sees the code of a
        handshake refused outright (it gets 1006), so it could not tell
        "log in again" from "the network is down"."""
        self.group = None
        await self.accept()
        await self.close(code=code)

    def _since(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        try:
            return max(0, int(query["since"][0]))
        except (KeyError, ValueError, IndexError):
            return None

    async def _catch_up(self, *, upto: int | None) -> None:
        """Send what this scope missed after last_seq (up to `upto`), from the log."""
        messages = await database_sync_to_async(events_between)(
            scope=self.access, after=self.last_seq, upto=upto
        )
        if len(messages) > MAX_BACKFILL:
            self.last_seq = await database_sync_to_async(latest_seq)()
            await self.send_json({"type": "reload", "seq": self.last_seq})
            return
        for message in messages:
            await self.send_json(message)
            self.last_seq = message["seq"]

    async def disconnect(self, code) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if content.get("type") == "sync":
            await self._catch_up(upto=None)
            await self.send_json({"type": "synced", "seq": self.last_seq})

    async def events_message(self, message: dict) -> None:
        """A batch from the relay: `seqs` in order, `texts` already serialised."""
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
            await self._catch_up(upto=fresh[0][0] - 1)
            fresh = [(seq, text) for seq, text in fresh if seq > self.last_seq]
        if len(fresh) == 1:
            await self.send(text_data=fresh[0][1])
        elif fresh:
            await self.send(text_data="[" + ",".join(text for _, text in fresh) + "]")
        if fresh:
            self.last_seq = fresh[-1][0]

    async def positions_message(self, message: dict) -> None:
        await self.send_json({"type": "positions", "units": message["units"]})
