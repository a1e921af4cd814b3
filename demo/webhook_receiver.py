"""The demo's webhook receiver (演示接收端): stands in for the 城管 system, so the signed
deliveries of `make demo` have somewhere to go. It checks each delivery's signature
with the `standardwebhooks` package, as a partner's system would, keeps the last
ones in a file under the run directory, and shows them on a page.

On only where DEMO_WEBHOOK_RECEIVER is set (a development machine: the webhook
guard lets loopback through there and nowhere else); elsewhere both routes are 404.
"""

import json
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from commandcenter.choices import Role
from webhooks.models import WebhookEndpoint
from webhooks.services import endpoint_create, endpoint_update, signing_secrets

KEEP = 100
PATH = "/demo/webhook-receiver/"
# webhook-id is msg_<event seq>_<endpoint id> (webhooks.delivery).
ENDPOINT_OF_ID = re.compile(r"^msg_\d+_(\d+)$")


def _log() -> Path:
    return Path(settings.RUN_DIR) / "demo-webhooks.jsonl"


def _verified(body: bytes, headers: dict) -> tuple[bool, dict | None]:
    match = ENDPOINT_OF_ID.match(headers.get("webhook-id", ""))
    endpoint = WebhookEndpoint.objects.filter(pk=match[1]).first() if match else None
    if endpoint is None:
        return False, None
    for secret in signing_secrets(endpoint, now=timezone.now()):
        try:
            return True, Webhook(secret).verify(body, headers)
        except WebhookVerificationError:
            continue
    return False, None


@csrf_exempt
def receive(request: HttpRequest) -> HttpResponse:
    if not settings.DEMO_WEBHOOK_RECEIVER:
        raise Http404
    if request.method != "POST":
        return received_page(request)
    headers = {key.lower(): value for key, value in request.headers.items()}
    ok, payload = _verified(request.body, headers)
    entry = {
        "received_at": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
        "webhook_id": headers.get("webhook-id", ""),
        "verified": ok,
        "type": (payload or {}).get("type", ""),
        "data": (payload or {}).get("data", {}),
    }
    log = _log()
    lines = log.read_text().splitlines()[-(KEEP - 1) :] if log.exists() else []
    log.write_text("\n".join([*lines, json.dumps(entry, ensure_ascii=False)]) + "\n")
    # A receiver answers 2xx only for what it accepts: a bad signature is refused.
    return HttpResponse(status=204 if ok else 401)


@login_required
def received_page(request: HttpRequest) -> HttpResponse:
    """What the receiver got (a partner's or an administrator's page)."""
    if request.user.role not in (Role.PARTNER, Role.ADMINISTRATOR):
        raise Http404
    log = _log()
    rows = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return render(request, "consoles/demo_receiver.html", {"rows": rows[::-1]})


def demo_endpoint_seed(
    *, partner, base_url: str = "http://127.0.0.1:8000"
) -> WebhookEndpoint | None:
    """The demo partner's subscription to its jobs' referral and status events,
    delivered to this receiver (before the demo's referrals, so they are sent)."""
    if not settings.DEMO_WEBHOOK_RECEIVER or partner is None:
        return None
    endpoint, _secret = endpoint_create(
        actor=partner,
        url=f"{base_url}{PATH}",
        event_types=["referral.*", "incident.*"],
        description="演示：城管业务系统接收端",
    )
    return endpoint


def demo_endpoint_point(base_url: str) -> None:
    """Point the demo subscriptions at the receiver of the server now running (its port)."""
    if not settings.DEMO_WEBHOOK_RECEIVER:
        return
    for endpoint in WebhookEndpoint.objects.filter(url__endswith=PATH).select_related("owner"):
        if endpoint.url != f"{base_url}{PATH}":
            endpoint_update(actor=endpoint.owner, endpoint_id=endpoint.pk, url=f"{base_url}{PATH}")
