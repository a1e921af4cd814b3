"""回访: callbacks to the caller after a job is closed, and what they answered.

- **Enqueue** (`callbacks_enqueue_tick`, run by beat inside the clock tick)
  reads the `incident.closed` events after its own cursor (ClockCursor
  "callbacks") and queues one callback per job: valid, not a repeat call,
  with a caller's number, not filed by a partner department's system.
  The job is unique on the callback, so reading the log again (a replay, two
  ticks at once) queues nothing twice. A job closed more than
  `ENQUEUE_WITHIN` before the tick is not queued: a history loaded at once
  (an import, the bench) does not flood the desk with calls nobody can make.
- **Due**: by the end of the local day after the job closed. Jining's desk
  phones the same day; a job closed in the evening is not overdue before the
  desk could call at a decent hour, and the queue shows the oldest due first.
- **Record** (`callback_record`): the call-taker's result and comment, under
  the callback's row lock. 未接通 (not reached) keeps it in the queue for
  another try until `MAX_ATTEMPTS` tries; then it is done, not reached.
  Every try is an event `callback.recorded` on the job (the fact consumer
  reads the latest one's `result`). 不满意 (unsatisfied) needs a comment and
  issues a supervision order (督办单) to the job's station, or for a street
  job to its governance center, at once.
- **Satisfaction** = (满意 + w × 基本满意) / valid replies (满意, 基本满意,
  不满意), w = settings.CALLBACK_SATISFACTION_WEIGHT (0.5: Dongguan's 88.93%).

Who: call-takers (dispatchers) and supervisors record; they, administrators
and station chiefs (their own station's) read; everyone else is refused.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from analytics.choices import VALID_REPLIES, CallbackResult, CallbackState
from analytics.models import Callback, ClockCursor
from commandcenter.access import visible
from commandcenter.choices import DISTRICT_ROLES, Role
from commandcenter.directory import directory
from commandcenter.exceptions import ActionForbidden, InvalidTransition
from commandcenter.models import Event, GovernanceCenter, Station
from dispatch.choices import OrderKind
from dispatch.services import end_of_local_day, order_issue_automatic
from incidents.choices import CategoryKind, IncidentStatus, Source, Tier
from incidents.lifecycle import incident_event, incident_location
from incidents.models import Incident, IncidentCategory

CURSOR = "callbacks"
CLOSED = "incident.closed"
QUEUED = "callback.queued"
RECORDED = "callback.recorded"
# Closed events read per enqueue transaction; batches per tick (a long
# backlog is caught up over several ticks, the clock tick is not held up).
ENQUEUE_BATCH = 200
ENQUEUE_BATCHES_PER_TICK = 10
ENQUEUE_WITHIN = timedelta(days=7)
# Tries of a caller who does not answer before the callback is done, not reached.
MAX_ATTEMPTS = 3
# An unsatisfied reply's supervision order is due by the end of the day, and
# never less than this far ahead (a reply recorded at 23:50).
SUPERVISION_AT_LEAST = timedelta(hours=2)
COMMENT_MAX_CHARS = 1000
R = CallbackResult


# --- Who may ----------------------------------------------------------------------------


def may_record_callbacks(user) -> bool:
    """Call-takers (接警员) and the command-center supervisor phone the callers."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in (Role.DISPATCHER, Role.SUPERVISOR))
    )


def may_read_callbacks(user) -> bool:
    """The command center reads every callback, a station chief its station's."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in DISTRICT_ROLES or user.role == Role.STATION_CHIEF)
    )


# --- Enqueue ------------------------------------------------------------------------------


def callback_due(closed_at: datetime) -> datetime:
    """The end of the local day after the job closed."""
    return end_of_local_day(end_of_local_day(closed_at))


def _eligible(incident: Incident) -> bool:
    """A job the caller can be asked about: valid, not a repeat, a number to call."""
    category = directory.get(IncidentCategory, incident.category_id)
    return (
        incident.status == IncidentStatus.CLOSED
        and incident.tier != Tier.INVALID
        and (category is None or category.kind != CategoryKind.INVALID)
        and incident.repeat_of_id is None
        and bool(incident.caller_phone.strip())
        and incident.source != Source.PARTNER_API
    )


def callbacks_enqueue(*, now: datetime | None = None, batch: int = ENQUEUE_BATCH) -> int:
    """Queue callbacks for the jobs closed after the cursor; returns events read."""
    now = now or timezone.now()
    ClockCursor.objects.get_or_create(name=CURSOR)
    with transaction.atomic():
        cursor = ClockCursor.objects.select_for_update().get(name=CURSOR)
        events = list(
            Event.objects.filter(
                seq__gt=cursor.last_seq,
                kind=CLOSED,
                subject_type=Incident._meta.label_lower,
            )
            .order_by("seq")
            .only("seq", "subject_id", "occurred_at")[:batch]
        )
        if not events:
            return 0
        closed_at = {}
        for event in events:
            if event.occurred_at >= now - ENQUEUE_WITHIN:
                closed_at.setdefault(int(event.subject_id), event.occurred_at)
        queued = set(
            Callback.objects.filter(incident_id__in=closed_at).values_list("incident_id", flat=True)
        )
        incidents = [
            incident
            for incident in Incident.objects.filter(pk__in=set(closed_at) - queued)
            if _eligible(incident)
        ]
        callbacks = [
            Callback(
                incident=incident,
                **incident_location(incident),
                created_at=closed_at[incident.pk],
                due_at=callback_due(closed_at[incident.pk]),
            )
            for incident in incidents
        ]
        # Unique per job: a second reader (there is none under the cursor lock) adds nothing.
        Callback.objects.bulk_create(callbacks, ignore_conflicts=True)
        cursor.last_seq = events[-1].seq
        cursor.save(update_fields=["last_seq"])
        # Last: the events hold the log's ordering lock until commit.
        created = dict(
            Callback.objects.filter(incident_id__in=[i.pk for i in incidents]).values_list(
                "incident_id", "pk"
            )
        )
        for incident in incidents:
            if incident.pk in created:
                incident_event(
                    incident=incident,
                    kind=QUEUED,
                    payload={
                        "callback": created[incident.pk],
                        "due_at": callback_due(closed_at[incident.pk]).isoformat(),
                    },
                )
    return len(events)


def callbacks_enqueue_tick(*, now: datetime | None = None) -> int:
    """One pass of the consumer (beat, inside analytics.tasks.clocks_tick): catch
    up on the closed jobs, at most ENQUEUE_BATCHES_PER_TICK batches; events read."""
    read = 0
    with translation.override(settings.LANGUAGE_CODE):
        for _batch in range(ENQUEUE_BATCHES_PER_TICK):
            count = callbacks_enqueue(now=now)
            read += count
            if count < ENQUEUE_BATCH:
                break
    return read


# --- Record -------------------------------------------------------------------------------


def _supervision_recipient(incident: Incident):
    """The job's station; a street job's governance center."""
    if incident.tier == Tier.STREET and incident.governance_center_id:
        return directory.get(GovernanceCenter, incident.governance_center_id)
    if incident.station_id:
        return directory.get(Station, incident.station_id)
    if incident.governance_center_id:
        return directory.get(GovernanceCenter, incident.governance_center_id)
    return None


def _supervise(callback: Callback, comment: str, now: datetime):
    incident = callback.incident
    recipient = _supervision_recipient(incident)
    if recipient is None:  # outside every station and street: nobody to answer
        return None
    return order_issue_automatic(
        kind=OrderKind.SUPERVISION,
        recipient=recipient,
        content=_(
            "Supervision: the caller of job %(number)s (%(address)s) was not satisfied when "
            "called back: “%(comment)s”. Look into it, contact the caller and answer what was "
            "done today."
        )
        % {"number": incident.number, "address": incident.address or "—", "comment": comment},
        deadline=max(end_of_local_day(now), now + SUPERVISION_AT_LEAST),
        incident_id=incident.pk,
    )


def _checked(result: str, comment: str) -> str:
    if result not in R.values:
        raise ValidationError(
            {"result": _("Choose one of: satisfied, basic, unsatisfied, unreached, refused.")}
        )
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_CHARS:
        raise ValidationError(
            {"comment": _("At most %(limit)d characters.") % {"limit": COMMENT_MAX_CHARS}}
        )
    if result == R.UNSATISFIED and not comment:
        raise ValidationError(
            {"comment": _("Say what the caller was not satisfied with: the station answers it.")}
        )
    return comment


@transaction.atomic
def callback_record(*, callback_id: int, actor, result: str, comment: str = "") -> Callback:
    """What the caller said: one try of the callback, in one transaction."""
    if not may_record_callbacks(actor):
        raise ActionForbidden(_("Only call-takers and supervisors record callbacks."))
    comment = _checked(result, comment)
    callback = (
        visible(Callback.objects.all(), actor)
        .select_for_update(of=("self",))
        .select_related("incident")
        .filter(pk=callback_id)
        .first()
    )
    if callback is None:
        raise Callback.DoesNotExist(_("No such callback."))
    if callback.state != CallbackState.PENDING:
        raise InvalidTransition(
            _("The callback of job %(number)s is done already (%(result)s).")
            % {"number": callback.incident.number, "result": callback.get_result_display()}
        )
    now = timezone.now()
    callback.attempts += 1
    callback.result, callback.comment = result, comment
    callback.recorded_at, callback.recorded_by = now, actor
    if result != R.UNREACHED or callback.attempts >= MAX_ATTEMPTS:
        callback.state = CallbackState.DONE
    if result == R.UNSATISFIED:
        callback.supervision = _supervise(callback, comment, now)
    callback.full_clean(exclude=["incident", "station", "post", "street", "recorded_by"])
    callback.save()
    incident_event(
        incident=callback.incident,
        kind=RECORDED,
        actor=actor,
        payload={
            "callback": callback.pk,
            "result": result,
            "attempts": callback.attempts,
            "state": callback.state,
            **({"supervision": callback.supervision.number} if callback.supervision else {}),
        },
    )
    return callback


# --- Read -----------------------------------------------------------------------------------


def callback_list(*, user) -> QuerySet[Callback]:
    """The callbacks `user` may read (none for a role that reads none)."""
    if not may_read_callbacks(user):
        return Callback.objects.none()
    return visible(
        Callback.objects.select_related("incident", "recorded_by", "supervision"), user
    ).order_by("due_at", "id")


def callback_queue(*, user) -> QuerySet[Callback]:
    """Still to call, the oldest due first."""
    return callback_list(user=user).filter(state=CallbackState.PENDING)


def callbacks_recorded(*, user, since: datetime) -> QuerySet[Callback]:
    """Callbacks with a reply or a try recorded since `since`, newest first."""
    return callback_list(user=user).filter(recorded_at__gte=since).order_by("-recorded_at", "-id")


def satisfaction_figure(counts: dict[str, int], weight: float | None = None) -> dict:
    """满意度 = (满意 + w × 基本满意) / valid replies, in the KPI's figure shape."""
    weight = settings.CALLBACK_SATISFACTION_WEIGHT if weight is None else weight
    satisfied, basic = counts.get(R.SATISFIED, 0), counts.get(R.BASIC, 0)
    denominator = sum(counts.get(result, 0) for result in VALID_REPLIES)
    numerator = satisfied + weight * basic
    return {
        "value": numerator / denominator if denominator else None,
        "numerator": numerator,
        "denominator": denominator,
        "weight": weight,
        "satisfied": satisfied,
        "basic": basic,
        "unsatisfied": counts.get(R.UNSATISFIED, 0),
        "unreached": counts.get(R.UNREACHED, 0),
        "refused": counts.get(R.REFUSED, 0),
    }


def satisfaction_since(*, user, since: datetime) -> dict:
    """The satisfaction of the callbacks finished since `since` (cohort: the day the
    reply was recorded), within `user`'s scope."""
    rows = (
        callback_list(user=user)
        .filter(state=CallbackState.DONE, recorded_at__gte=since)
        .order_by()
        .values("result")
        .annotate(n=Count("pk"))
    )
    return satisfaction_figure({row["result"]: row["n"] for row in rows})


def start_of_local_day(moment: datetime | None = None) -> datetime:
    local = timezone.localtime(moment or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def overdue(callback: Callback, now: datetime | None = None) -> bool:
    return callback.state == CallbackState.PENDING and callback.due_at < (now or timezone.now())
