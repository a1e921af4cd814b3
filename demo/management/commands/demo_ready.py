"""Print the demo's welcome once /healthz answers 200, so the banner means "ready"."""

import time
import urllib.error
import urllib.request

from django.core.management.base import BaseCommand

from demo.seed import DEMO_PASSWORD
from demo.webhook_receiver import demo_endpoint_point


class Command(BaseCommand):
    help = "Wait until the demo server is healthy, then say where to start."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--timeout", type=float, default=180.0)

    def handle(self, *args, url, timeout, **options):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        demo_endpoint_point(url)
                        self._welcome(url)
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(1.0)
        self.stderr.write(f"Tianshu did not become healthy within {timeout:g} s: see {url}/healthz")

    def _welcome(self, url: str) -> None:
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"  Tianshu is ready on {url}/   (Ctrl-C stops everything)",
                    f"  Log in as  dispatcher / {DEMO_PASSWORD}  first: {url}/dispatch/",
                    "  The other demo accounts (same password): supervisor, chief, post_officer,",
                    "  officer (/terminal/ on a phone), street_staff, partner, admin",
                    "  -- README.md says what each one sees.",
                    "  The simulator moves the units and files calls; police jobs nobody",
                    "  dispatches within 2 minutes it dispatches itself.",
                    "",
                ]
            )
        )
