"""Rebuild the job facts and the daily rollups from the event log (and the unit days)."""

import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from analytics.facts import facts_rebuild, unit_days_update


class Command(BaseCommand):
    help = "Truncate the job facts and rollups and build them again from the event log."

    def add_arguments(self, parser):
        parser.add_argument(
            "--unit-days",
            type=int,
            default=0,
            metavar="DAYS",
            help="Also recompute the unit days (patrol and on-duty time) of the last DAYS days.",
        )

    def handle(self, *args, unit_days: int = 0, **options):
        began = time.monotonic()

        def progress(built: int) -> None:
            if built % 100_000 < 5000:
                self.stdout.write(f"  {built} facts …")

        built = facts_rebuild(progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"{built} facts and their rollups in {time.monotonic() - began:.1f} s"
            )
        )
        today = timezone.localdate()
        for offset in range(unit_days):
            day = today - timedelta(days=offset)
            self.stdout.write(f"  unit days of {day}: {unit_days_update(day)}")
