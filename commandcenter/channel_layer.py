"""The channel layer of the live stream: channels-redis pub/sub, with a bound
on what each socket may have waiting and delivery inside the process for
when Redis is away.

- A socket's queue holds at most LIVE_CLIENT_QUEUE_MESSAGES messages or
  LIVE_CLIENT_QUEUE_BYTES bytes. Past either, what is queued is dropped and
  replaced by one `stream.overflow` message (the consumer then closes with
  the resume code; the client comes back with its last seq and reads the
  rest from the log), and nothing more is queued for it: a slow client costs
  the process a bounded amount of memory.
- Subscribing never fails a socket while Redis is unreachable: the channel
  and its groups are kept here and subscribed again once Redis is back
  (`resubscribe`), and `deliver_locally` hands a message to this process's
  members of a group (the log fallback of commandcenter.stream uses it).
"""

import asyncio
import logging
from collections import deque

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer
from channels_redis.utils import _wrap_close, decode_hosts
from django.conf import settings
from redis import asyncio as aioredis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

OVERFLOW = {"type": "stream.overflow"}
PROBE_TIMEOUT_SECONDS = 0.5
# What failing to reach Redis raises (OSError: refused or unreachable sockets).
REDIS_ERRORS = (RedisError, OSError, asyncio.TimeoutError)


class ClientQueue(asyncio.Queue):
    """One socket's waiting messages (serialised bytes), bounded in count and size."""

    def __init__(self, *, max_messages: int, max_bytes: int, overflow: bytes) -> None:
        super().__init__()
        self.max_messages = max_messages
        self.max_bytes = max_bytes
        self.overflow = overflow
        self.size = 0
        self.overflowed = False

    def put_nowait(self, item: bytes) -> None:
        if self.overflowed:
            return  # the consumer is closing this socket: keep nothing more
        if self.qsize() >= self.max_messages or self.size + len(item) > self.max_bytes:
            self.overflowed = True
            self._queue.clear()
            self.size = 0
            item = self.overflow
        super().put_nowait(item)

    def _init(self, maxsize) -> None:
        self._queue = deque()

    def _put(self, item: bytes) -> None:
        self._queue.append(item)
        self.size += len(item)

    def _get(self) -> bytes:
        item = self._queue.popleft()
        self.size -= len(item)
        return item


class LiveLoopLayer(RedisPubSubLoopLayer):
    """The layer of one event loop (see LiveChannelLayer)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._probe_address = decode_hosts(kwargs.get("hosts"))[0].get("address")
        self._probe = None

    def _new_queue(self) -> ClientQueue:
        return ClientQueue(
            max_messages=settings.LIVE_CLIENT_QUEUE_MESSAGES,
            max_bytes=settings.LIVE_CLIENT_QUEUE_BYTES,
            overflow=self.channel_layer.serialize(OVERFLOW),
        )

    async def _subscribe(self, name: str) -> None:
        try:
            await self._get_shard(name).subscribe(name)
        except REDIS_ERRORS as error:
            # Kept here and subscribed again by `resubscribe` once Redis is back.
            logger.warning("live layer: cannot subscribe %s yet: %s", name, error)

    async def _subscribe_to_channel(self, channel: str) -> None:
        self.channels[channel] = self._new_queue()
        await self._subscribe(channel)

    async def group_add(self, group: str, channel: str) -> None:
        if channel not in self.channels:
            raise RuntimeError("group_add() is for channels of this process")
        group_channel = self._get_group_channel_name(group)
        self.groups.setdefault(group_channel, set()).add(channel)
        await self._subscribe(group_channel)

    async def group_discard(self, group: str, channel: str) -> None:
        try:
            await super().group_discard(group, channel)
        except REDIS_ERRORS as error:
            logger.warning("live layer: cannot unsubscribe from %s: %s", group, error)

    def deliver_locally(self, group: str, message: dict) -> int:
        """Queue `message` for this process's members of `group`; how many got it."""
        members = self.groups.get(self._get_group_channel_name(group), ())
        data = self.channel_layer.serialize(message)
        delivered = 0
        for channel in list(members):
            queue = self.channels.get(channel)
            if queue is not None:
                queue.put_nowait(data)
                delivered += 1
        return delivered

    async def resubscribe(self) -> None:
        """Subscribe whatever could not be while Redis was away."""
        for name in [*self.channels, *self.groups]:
            await self._get_shard(name).subscribe(name)

    async def redis_reachable(self) -> bool:
        """Does Redis answer a ping within half a second?"""
        if self._probe is None:
            self._probe = aioredis.Redis.from_url(
                self._probe_address,
                socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
                socket_timeout=PROBE_TIMEOUT_SECONDS,
            )
        try:
            await asyncio.wait_for(self._probe.ping(), PROBE_TIMEOUT_SECONDS * 2)
            return True
        except REDIS_ERRORS:
            return False


class LiveChannelLayer(RedisPubSubChannelLayer):
    """channels-redis pub/sub with bounded socket queues and local delivery."""

    def _get_layer(self) -> LiveLoopLayer:
        loop = asyncio.get_running_loop()
        try:
            return self._layers[loop]
        except KeyError:
            layer = LiveLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
            return layer
