"""Keep the demo district alive: units patrol, calls arrive, jobs get done."""

import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from commandcenter.models import Bureau
from demo.simulation import Simulator


class Command(BaseCommand):
    help = "Move the demo units along plausible routes and raise a realistic stream of calls."

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=2.0, help="seconds between steps")
        parser.add_argument(
            "--speed",
            type=float,
            default=4.0,
            help="how many times faster than real time units move",
        )
        parser.add_argument("--calls-per-minute", type=float, default=3.0)
        parser.add_argument(
            "--auto-dispatch-after",
            type=float,
            default=120.0,
            help="seconds a police job waits for a human before the simulator dispatches it",
        )
        parser.add_argument(
            "--seconds", type=float, default=0.0, help="stop after this long (0: run until stopped)"
        )
        parser.add_argument("--seed", type=int, default=7)

    def handle(
        self, *args, tick, speed, calls_per_minute, auto_dispatch_after, seconds, seed, **options
    ):
        if not Bureau.objects.exists():
            raise CommandError("No district loaded: run `manage.py seed_demo` first.")
        simulator = Simulator(
            speed=speed,
            calls_per_minute=calls_per_minute,
            seed=seed,
            auto_dispatch_after=timedelta(seconds=auto_dispatch_after),
        )
        self.stdout.write(
            f"Simulating patrol every {tick:g} s ({speed:g}× speed, "
            f"{calls_per_minute:g} calls/min). Ctrl-C stops."
        )
        stop_at = time.monotonic() + seconds if seconds else None
        while stop_at is None or time.monotonic() < stop_at:
            started = time.monotonic()
            simulator.tick(tick)
            close_old_connections()
            time.sleep(max(0.0, tick - (time.monotonic() - started)))
