"""Feed the live stream: tail the event log into the channel layer.

Run two: the one holding the relay lock (a PostgreSQL advisory lock) publishes
and records how far it got; the other stands by and takes over, from that
record, when the first one dies.
"""

import asyncio

from channels.layers import get_channel_layer
from django.conf import settings
from django.core.management.base import BaseCommand

from commandcenter.stream import (
    EVENT_RELAY_PROGRESS,
    EventRelay,
    RelayLock,
    relay_with_standby,
)


class Command(BaseCommand):
    help = "Relay new events from the event log to the websocket groups (run two: one stands by)."

    def handle(self, *args, **options):
        if settings.EVENT_RELAY_EMBEDDED:
            self.stdout.write(
                "In-process channel layer: the web process relays its own events. Idling."
            )
            asyncio.run(_idle())
            return
        relay = EventRelay(get_channel_layer(), progress=EVENT_RELAY_PROGRESS)
        asyncio.run(relay_with_standby(relay, RelayLock(), announce=self._announce))

    def _announce(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()


async def _idle() -> None:
    # Kept alive so a process manager that stops everything when one exits doesn't.
    while True:
        await asyncio.sleep(3600)
