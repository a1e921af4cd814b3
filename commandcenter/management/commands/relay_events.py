"""Feed the live stream: tail the event log into the channel layer."""

import asyncio

from channels.layers import get_channel_layer
from django.conf import settings
from django.core.management.base import BaseCommand

from commandcenter.stream import EventRelay


class Command(BaseCommand):
    help = "Relay new events from the event log to the websocket groups (one process)."

    def handle(self, *args, **options):
        if settings.EVENT_RELAY_EMBEDDED:
            self.stdout.write(
                "In-process channel layer: the web process relays its own events. Idling."
            )
            asyncio.run(_idle())
            return
        self.stdout.write("Relaying events to the channel layer…")
        asyncio.run(EventRelay(get_channel_layer()).run())


async def _idle() -> None:
    # Kept alive so a process manager that stops everything when one exits doesn't.
    while True:
        await asyncio.sleep(3600)
