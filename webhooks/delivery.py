"""Sending webhooks: deliveries planned from the event log, claimed, sent, recorded.

- Planning reads the events after the cursor (under its row lock, in batches) and
  makes one delivery per (event, endpoint) for each active endpoint that takes the
  event's type and whose owner may see the event; the unique pair makes a second
  run harmless.
- Sending claims due deliveries (SELECT … FOR UPDATE SKIP LOCKED, then a lease),
  sends them outside any transaction from a small thread pool, then records each
  attempt and schedules the next: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
  14 h, 20 h, 24 h, each ±10 % (jitter), or later when the receiver's Retry-After
  says so (at most 24 h). Only 2xx succeeds (redirects are not followed); after the
  last retry the delivery is a dead letter.
- 410 Gone disables the endpoint at once; an endpoint with no 2xx for
  WEBHOOK_DISABLE_AFTER_HOURS is disabled too; either way its owner is told
  (webhooks.services.endpoint_disable_locked).
"""

import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from commandcenter.access import visible
from commandcenter.models import Event
from incidents.models import Incident
from webhooks.catalogue import INCIDENT_SUBJECT, matches, sendable_kind
from webhooks.choices import DeliveryStatus, DisabledReason
from webhooks.guard import DestinationRefused, destination_resolve
from webhooks.models import WebhookAttempt, WebhookCursor, WebhookDelivery, WebhookEndpoint
from webhooks.payloads import body_of
from webhooks.services import endpoint_disable_locked, signing_secrets
from webhooks.signing import signature_headers

CURSOR = "webhooks"
PLAN_BATCH = 500
# Seconds to wait before attempt n+1 of a round, after n attempts (the spec's example).
SCHEDULE = (0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
JITTER = 0.10
RETRY_AFTER_CAP = 24 * 3600
SNIPPET_BYTES = 1024
USER_AGENT = "Tianshu-Webhooks/1.0"


def _lease() -> timedelta:
    # Longer than one attempt can take (connect + read timeouts) and the recording.
    return timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 2 + 60)


# --- Planning ---------------------------------------------------------------------------


def _visible_events(owner, events: list[Event]) -> list[Event]:
    """The events of `events` the owner may see: a call's by the call (a partner: the
    calls referred to it or filed by it), the others by where they happened."""
    about_calls = [e for e in events if e.subject_type == INCIDENT_SUBJECT]
    others = [e for e in events if e.subject_type != INCIDENT_SUBJECT]
    seen_calls: set[str] = set()
    if about_calls:
        ids = {int(e.subject_id) for e in about_calls}
        seen_calls = {
            str(pk)
            for pk in visible(Incident.objects.filter(pk__in=ids), owner).values_list(
                "pk", flat=True
            )
        }
    seen_others: set[int] = set()
    if others:
        seqs = [e.seq for e in others]
        seen_others = set(
            visible(Event.objects.filter(seq__in=seqs), owner).values_list("seq", flat=True)
        )
    return [
        e
        for e in events
        if (
            e.subject_id in seen_calls
            if e.subject_type == INCIDENT_SUBJECT
            else e.seq in seen_others
        )
    ]


def deliveries_plan(*, batch: int = PLAN_BATCH) -> int:
    """Plan deliveries from the events after the cursor; returns the events read."""
    WebhookCursor.objects.get_or_create(name=CURSOR)
    with transaction.atomic():
        cursor = WebhookCursor.objects.select_for_update().get(name=CURSOR)
        events = list(Event.objects.filter(seq__gt=cursor.last_seq).order_by("seq")[:batch])
        if not events:
            return 0
        events_to_send = [e for e in events if sendable_kind(e.kind)]
        rows = []
        endpoints = WebhookEndpoint.objects.filter(disabled_at=None).select_related("owner")
        for endpoint in endpoints if events_to_send else ():
            wanted = [
                e
                for e in events_to_send
                if e.occurred_at >= endpoint.created_at and matches(endpoint.event_types, e.kind)
            ]
            for event in _visible_events(endpoint.owner, wanted) if wanted else ():
                rows.append(
                    WebhookDelivery(
                        endpoint=endpoint,
                        event=event,
                        event_type=event.kind,
                        webhook_id=f"msg_{event.seq}_{endpoint.pk}",
                        next_attempt_at=event.occurred_at,
                        created_at=event.occurred_at,
                    )
                )
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        cursor.last_seq = events[-1].seq
        cursor.save(update_fields=["last_seq"])
    return len(events)


# --- The schedule -----------------------------------------------------------------------


def retry_delay(attempts_done: int, *, rng: random.Random | None = None) -> timedelta | None:
    """How long after `attempts_done` failed attempts of a round the next one goes
    (None: the round is over, the delivery is dead)."""
    if attempts_done >= len(SCHEDULE):
        return None
    spread = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return timedelta(seconds=SCHEDULE[attempts_done] * spread)


def retry_after_seconds(value: str | None, *, now: datetime) -> int | None:
    """A Retry-After header (seconds, or an HTTP date) in seconds, at most 24 h."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = int(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None or timezone.is_naive(when):
            return None
        seconds = int((when - now).total_seconds())
    return max(0, min(seconds, RETRY_AFTER_CAP))


def next_attempt_at(
    *, attempts_done: int, retry_after: int | None, now: datetime, rng=None
) -> datetime | None:
    """The schedule's time, or the receiver's Retry-After when that is later."""
    delay = retry_delay(attempts_done, rng=rng)
    if delay is None:
        return None
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return now + delay


# --- Sending ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    url: str
    webhook_id: str
    body: str
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    started_at: datetime
    status_code: int | None = None
    error: str = ""
    latency_ms: int = 0
    snippet: str = ""
    retry_after: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def deliveries_claim(*, now: datetime, limit: int) -> list[int]:
    """Take up to `limit` due deliveries for this worker: rows another worker holds
    are skipped, and the lease keeps them ours until we record the attempt."""
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.filter(
                status=DeliveryStatus.PENDING,
                next_attempt_at__lte=now,
                endpoint__disabled_at=None,
            )
            .filter(Q(lease_until=None) | Q(lease_until__lt=now))
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            WebhookDelivery.objects.filter(pk__in=ids).update(lease_until=now + _lease())
    return ids


def _outgoing(delivery_ids: list[int], *, now: datetime) -> list[Outgoing]:
    deliveries = WebhookDelivery.objects.select_related("endpoint", "event").filter(
        pk__in=delivery_ids, status=DeliveryStatus.PENDING
    )
    return [
        Outgoing(
            delivery_id=d.pk,
            url=d.endpoint.url,
            webhook_id=d.webhook_id,
            body=body_of(d.event),
            secrets=tuple(signing_secrets(d.endpoint, now=now)),
        )
        for d in deliveries.order_by("next_attempt_at", "pk")
    ]


def _origin(address: str, port: int, scheme: str) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"{scheme}://{host}:{port}"


def attempt_send(outgoing: Outgoing) -> Outcome:
    """One POST, outside any transaction: the guard checks the host's addresses now,
    and the request connects to the address it checked (the Host header and TLS
    SNI name the host), so no second DNS answer can send it elsewhere."""
    started_at = timezone.now()
    clock = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - clock) * 1000)

    try:
        destination = destination_resolve(outgoing.url)
    except DestinationRefused as refusal:
        return Outcome(started_at=started_at, error=f"refused: {refusal}"[:200])
    default_port = 443 if destination.scheme == "https" else 80
    host_header = (
        destination.host
        if destination.port == default_port
        else (f"{destination.host}:{destination.port}")
    )
    headers = {
        **signature_headers(
            webhook_id=outgoing.webhook_id,
            at=started_at,
            body=outgoing.body,
            secrets_=list(outgoing.secrets),
        ),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "host": host_header,
    }
    extensions = {"sni_hostname": destination.host} if destination.scheme == "https" else {}
    url = _origin(destination.address, destination.port, destination.scheme) + destination.target
    try:
        # trust_env off: no proxy from the environment (it would pick its own address).
        with httpx.Client(
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False, trust_env=False
        ) as client:
            request = client.build_request(
                "POST",
                url,
                content=outgoing.body.encode(),
                headers=headers,
                extensions=extensions,
            )
            response = client.send(request, stream=True)
            try:
                snippet = b""
                for chunk in response.iter_raw():
                    snippet += chunk
                    if len(snippet) >= SNIPPET_BYTES:
                        break
            finally:
                response.close()
    except httpx.TimeoutException:
        return Outcome(started_at=started_at, error="timeout", latency_ms=elapsed())
    except httpx.HTTPError as error:
        message = f"{type(error).__name__}: {error}"[:200]
        return Outcome(started_at=started_at, error=message, latency_ms=elapsed())
    return Outcome(
        started_at=started_at,
        status_code=response.status_code,
        latency_ms=elapsed(),
        snippet=snippet[:SNIPPET_BYTES].decode("utf-8", "replace")[:SNIPPET_BYTES],
        retry_after=response.headers.get("retry-after"),
    )


@transaction.atomic
def attempt_record(
    *, delivery_id: int, outcome: Outcome, now: datetime | None = None, rng=None
) -> WebhookDelivery | None:
    """Record one attempt and decide what comes next (see the module's docstring)."""
    now = now or timezone.now()
    endpoint_id = (
        WebhookDelivery.objects.filter(pk=delivery_id).values_list("endpoint_id", flat=True).first()
    )
    if endpoint_id is None:
        return None  # the endpoint was deleted meanwhile
    # The endpoint first, then the delivery: the order every writer takes them in.
    endpoint = (
        WebhookEndpoint.objects.select_for_update().select_related("owner").get(pk=endpoint_id)
    )
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    retry_after = retry_after_seconds(outcome.retry_after, now=now)
    delivery.attempts += 1
    delivery.round_attempts += 1
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        started_at=outcome.started_at,
        status_code=outcome.status_code,
        error=outcome.error,
        latency_ms=outcome.latency_ms,
        response_snippet=outcome.snippet,
        retry_after_seconds=retry_after,
    )
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    delivery.lease_until = None
    pending = delivery.status == DeliveryStatus.PENDING  # not discarded meanwhile
    if outcome.succeeded:
        if pending:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.succeeded_at = now
            delivery.next_attempt_at = None
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
            endpoint.save(update_fields=["failing_since"])
    elif pending:
        upcoming = None
        if outcome.status_code != 410:
            upcoming = next_attempt_at(
                attempts_done=delivery.round_attempts, retry_after=retry_after, now=now, rng=rng
            )
        if upcoming is None:
            delivery.status = DeliveryStatus.DEAD
            delivery.failed_at = now
        delivery.next_attempt_at = upcoming
    delivery.save()
    if not outcome.succeeded:
        _endpoint_failed(endpoint, outcome=outcome, now=now)
    return delivery


def _endpoint_failed(endpoint: WebhookEndpoint, *, outcome: Outcome, now: datetime) -> None:
    if outcome.status_code == 410:
        endpoint_disable_locked(
            endpoint=endpoint,
            reason=DisabledReason.GONE,
            detail=f"410 Gone at {now:%Y-%m-%d %H:%M:%S} UTC",
            now=now,
        )
        return
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        endpoint.save(update_fields=["failing_since"])
        return
    limit = timedelta(hours=settings.WEBHOOK_DISABLE_AFTER_HOURS)
    if endpoint.is_active and now - endpoint.failing_since >= limit:
        last = f"{outcome.status_code}" if outcome.status_code else outcome.error
        endpoint_disable_locked(
            endpoint=endpoint,
            reason=DisabledReason.FAILING,
            detail=f"No successful delivery since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC "
            f"(last: {last})"[:200],
            now=now,
        )


def webhooks_send(*, now: datetime | None = None, limit: int | None = None) -> dict:
    """Claim what is due, send it from the pool, record every attempt."""
    claim_at = now or timezone.now()
    ids = deliveries_claim(now=claim_at, limit=limit or settings.WEBHOOK_SEND_BATCH)
    if not ids:
        return {"sent": 0, "succeeded": 0}
    outgoing = _outgoing(ids, now=claim_at)
    threads = max(1, min(settings.WEBHOOK_SEND_THREADS, len(outgoing)))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="webhook") as pool:
        outcomes = list(pool.map(attempt_send, outgoing))
    succeeded = 0
    for item, outcome in zip(outgoing, outcomes, strict=True):
        attempt_record(delivery_id=item.delivery_id, outcome=outcome, now=now)
        succeeded += outcome.succeeded
    return {"sent": len(outgoing), "succeeded": succeeded}
