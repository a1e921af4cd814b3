"""Build the demo district (fixed seed) and its demo accounts."""

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from analytics.choices import ReportKind
from analytics.engine import clocks_tick
from analytics.facts import facts_tick
from analytics.reports import daily_period, reports_periodic, weekly_period
from commandcenter.machine_keys import machine_key_create
from commandcenter.models import Bureau, MachineKeyKind, User
from demo.district import build_demo_district
from demo.history import history_write
from demo.missing import demo_missing_seed
from demo.referrals import DEMO_PARTNER_KEY, demo_referrals_seed
from demo.registry import demo_registry_seed
from demo.seed import DEMO_PASSWORD, demo_district_seed
from demo.sites import DEMO_SENSOR_KEY, demo_sites_seed
from demo.volunteers import demo_volunteers
from demo.webhook_receiver import demo_endpoint_seed
from patrol.choices import UnitType
from patrol.models import Unit


class Command(BaseCommand):
    help = "Load the demo district: 17 stations, ~70 zones, ~150 units, one user per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when a district is already loaded.",
        )
        parser.add_argument("--seed", type=int, default=20211)
        parser.add_argument(
            "--history-days",
            type=int,
            default=10,
            help="Past days of jobs to write before today (for the dashboard's comparisons).",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with TIANSHU_ENV=production (its accounts share a published password).",
        )

    def handle(
        self, *args, if_empty: bool, seed: int, allow_production: bool, history_days: int, **options
    ):
        if settings.ENVIRONMENT == "production" and not allow_production:
            raise CommandError(
                "Refusing to seed the demo district in production: its accounts share the "
                "published password. Pass --allow-production to do it anyway."
            )
        if Bureau.objects.exists():
            if if_empty:
                self.stdout.write("A district is already loaded; nothing to do.")
                return
            raise CommandError("A district is already loaded; use a fresh database.")
        plan = build_demo_district(seed=seed)
        accounts = demo_district_seed(plan=plan)
        # 义警: a few teams with accounts and units (demo.volunteers); the login `volunteer`.
        accounts += demo_volunteers(rng=random.Random(seed + 14))
        began = time.monotonic()
        community = demo_sites_seed(history_days=max(history_days, 1))
        self.stdout.write(
            f"Smart-secure sites: {community['sites']} sites, {community['sensors']} sensors, "
            f"{community['days']} sensor days and {community['alarms']} past alarms "
            f"in {time.monotonic() - began:.0f} s."
        )
        # 一标三实: the addresses down to the rooms, the residents, houses and shops.
        began = time.monotonic()
        registry = demo_registry_seed()
        self.stdout.write(
            f"Registry (一标三实): {registry['addresses']} standard addresses "
            f"({registry['buildings']} buildings with plates, {registry['rooms']} rooms), "
            f"{registry['residents']} residents, {registry['organisations']} organisations "
            f"in {time.monotonic() - began:.0f} s."
        )
        self.stdout.write(f"Missing persons (走失人员): {demo_missing_seed()} cases.")
        demo_endpoint_seed(partner=User.objects.filter(username="partner").first())
        self.stdout.write(f"Referred to partner departments (转办): {demo_referrals_seed()} jobs.")
        if history_days:
            began = time.monotonic()
            jobs = history_write(days=history_days, calls_per_day=250, seed=seed)
            # Read the past like any events: its clocks, then the facts and rollups.
            clocks_tick()
            facts_tick()
            self.stdout.write(
                f"Wrote {jobs} jobs of the last {history_days} days and read them into clocks, "
                f"facts and rollups in {time.monotonic() - began:.0f} s."
            )
            # Yesterday's 日报 and last week's 周报, as beat builds them at 07:00.
            began = time.monotonic()
            today = timezone.localdate()
            built = []
            for kind, (start, end) in (
                (ReportKind.DAILY, daily_period(today)),
                (ReportKind.WEEKLY, weekly_period(today)),
            ):
                built += reports_periodic(kind=kind, start=start, end=end)
            self.stdout.write(
                f"Built {len(built)} daily and weekly reports in {time.monotonic() - began:.0f} s."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {plan.name}: {len(plan.stations)} stations, {len(plan.posts)} posts, "
                f"{len(plan.streets)} streets, {len(plan.zones)} zones, {len(plan.units)} units."
            )
        )
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD!r}):")
        for account in accounts:
            self.stdout.write(f"  {account.username:<14} {account.role:<14} {account.org_unit}")
        # An AVL gateway reports with a machine key bound to its units, never a password.
        _key, plaintext = machine_key_create(
            actor=None,
            name="演示车载定位网关",
            kind=MachineKeyKind.GATEWAY,
            user=User.objects.get(username="gateway"),
            # Not the volunteers': their own phones report them, only while on duty.
            unit_ids=Unit.objects.exclude(unit_type=UnitType.VOLUNTEER).values_list(
                "pk", flat=True
            ),
        )
        self.stdout.write(
            "Position gateway machine key (shown this once; POST /api/v1/positions/ with "
            f"'Authorization: Key …'): {plaintext}"
        )
        self.stdout.write(
            "Sensor gateway machine key (demo only; POST /api/v1/sensors/heartbeats/ and "
            f"/api/v1/alarms/ with 'Authorization: Key …'): {DEMO_SENSOR_KEY}"
        )
        self.stdout.write(
            "Partner system (城管) machine key (demo only; Open311 at /open311/v2/ with "
            f"api_key=…, the API with 'Authorization: Key …'): {DEMO_PARTNER_KEY}"
        )
