"""The referral loop (转办): a street center refers a job to a partner department,
which accepts it, reports progress, and answers.

The answers: handled (the job is resolved with the department's words, and the
street closes it with feedback to the caller), not its responsibility (the job is
back with the street center, accepted, with the reason), or a police matter (the
job goes back to the police queue, like a street's return). Each step is an event
on the job (`referral.*`), in the step's transaction; the department's clocks
(accept within the clock's target, handle by `expected_at`) are the clock engine's,
read from those events.

Every step takes the time the department says it happened (`at`; now by default).
A step dated before the department's latest applied one arrived late: it is
refused with `StaleUpdate` and changes nothing, so a job never moves back (the
Open311 updates feed records it and answers it as received).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commandcenter.choices import Role
from commandcenter.exceptions import ActionForbidden, DomainError, InvalidTransition
from commandcenter.lifecycle import transition_apply
from commandcenter.models import PartnerDepartment
from dispatch.choices import REFERRAL_TRANSITIONS, ReferralStatus
from dispatch.models import Referral
from incidents.choices import REFERRAL_ANSWER_TRANSITIONS, IncidentStatus, Tier
from incidents.lifecycle import incident_event, incident_lock, incident_transition
from incidents.models import Incident

S = IncidentStatus
RS = ReferralStatus

# The answers a department gives, and where each sends the job.
ANSWERS = {
    RS.HANDLED: (S.RESOLVED, "referral.handled"),
    RS.DECLINED: (S.ACCEPTED, "referral.declined"),
    RS.POLICE_NEEDED: (S.RETURNED, "referral.police_needed"),
}
# Every event of the loop, for the timeline, the webhooks and the Open311 updates feed.
REFERRAL_EVENT_KINDS = (
    "incident.referred",
    "referral.accepted",
    "referral.progress",
    *(kind for _target, kind in ANSWERS.values()),
)


class StaleUpdate(DomainError):
    """The department's step is dated before its latest applied one: it came late."""


def _at(at: datetime | None) -> datetime:
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        raise ValidationError({"at": _("Give the time with its time zone.")})
    if at > now + timedelta(minutes=5):
        raise ValidationError({"at": _("The time of the update is in the future.")})
    return at


def referral_payload(referral: Referral) -> dict:
    """What the events of the loop carry of the referral (the job's own fields come too)."""
    return {
        "referral": referral.pk,
        "department": referral.department.code,
        "department_name": referral.department.name,
        "referral_status": referral.status,
        "expected_at": referral.expected_at.isoformat(),
    }


def referral_open(
    *, actor, incident: Incident, department: PartnerDepartment, notes: str, expected_at
) -> Referral:
    """A new referral of a locked job (dispatch.services.incident_refer calls it)."""
    now = timezone.now()
    if expected_at is None:
        expected_at = now + timedelta(hours=settings.REFERRAL_HANDLE_HOURS)
    elif expected_at <= now:
        raise ValidationError({"expected_at": _("The time to handle it by has passed already.")})
    referral = Referral(
        incident=incident,
        department=department,
        notes=notes,
        referred_at=now,
        referred_by=actor if actor is not None and actor.is_authenticated else None,
        expected_at=expected_at,
    )
    referral.full_clean(exclude=["incident", "department", "referred_by"])
    referral.save(force_insert=True)
    return referral


def referral_withdraw(*, incident: Incident, actor) -> Referral | None:
    """The street closed a referred job before the department answered: its referral ends."""
    referral = _open_referral(incident)
    if referral is None:
        return None
    _step(referral, RS.WITHDRAWN, answered_at=timezone.now())
    return referral


def require_partner_actor(actor, referral: Referral) -> None:
    if not (
        actor.is_authenticated
        and actor.role == Role.PARTNER
        and actor.partner_department_id == referral.department_id
    ):
        raise ActionForbidden(
            _("Only %(department)s answers this referral.") % {"department": referral.department}
        )


def _open_referral(incident: Incident) -> Referral | None:
    return (
        Referral.objects.select_for_update()
        .select_related("department")
        .filter(incident=incident, status__in=[RS.REFERRED, RS.ACCEPTED])
        .first()
    )


def _lock(*, actor, incident_id: int, at: datetime) -> tuple[Incident, Referral]:
    """The job and its open referral, locked, checked to be the actor's to answer.

    A step for a referral answered already is refused: as arriving late when it is
    dated before the answer, as a conflict otherwise."""
    incident = incident_lock(incident_id)
    referral = _open_referral(incident)
    if referral is not None and incident.status != S.REFERRED:
        # Left open by a path that ended the job without withdrawing it: it is over.
        referral_withdraw(incident=incident, actor=actor)
        referral = None
    if referral is None:
        last = Referral.objects.filter(incident=incident).select_related("department").first()
        if last is None or actor.partner_department_id != last.department_id:
            raise ActionForbidden(
                _("Incident %(number)s is not referred to your department.")
                % {"number": incident.number}
            )
        _not_stale(last, at)
        raise InvalidTransition(
            _("The referral of %(number)s is %(status)s already.")
            % {"number": incident.number, "status": last.get_status_display()}
        )
    require_partner_actor(actor, referral)
    return incident, referral


def _not_stale(referral: Referral, at: datetime) -> None:
    if referral.last_update_at is not None and at < referral.last_update_at:
        raise StaleUpdate(
            _("An update dated %(at)s came after one dated %(last)s: the job is not moved back.")
            % {
                "at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S"),
                "last": timezone.localtime(referral.last_update_at).strftime("%Y-%m-%d %H:%M:%S"),
            }
        )


def _step(referral: Referral, target: str, **changes) -> None:
    """Move a locked referral to `target` by its transition table, with `changes`, and save."""
    transition_apply(
        referral,
        target=target,
        table=REFERRAL_TRANSITIONS,
        statuses=ReferralStatus,
        refusal=_("The referral is %(current)s and cannot become %(target)s."),
        changes=changes,
    )


@transaction.atomic
def referral_accept(*, actor, incident_id: int, at: datetime | None = None) -> Referral:
    """签收: the department takes the job (its accept clock stops)."""
    at = _at(at)
    incident, referral = _lock(actor=actor, incident_id=incident_id, at=at)
    _not_stale(referral, at)
    _step(referral, RS.ACCEPTED, accepted_at=at, accepted_by=actor, last_update_at=at)
    incident_event(
        incident=incident, kind="referral.accepted", actor=actor, payload=referral_payload(referral)
    )
    return referral


@transaction.atomic
def referral_progress(
    *, actor, incident_id: int, notes: str, at: datetime | None = None
) -> Referral:
    """进展: what the department has done so far, on the job's timeline.

    A note accepts the job if it was not yet (the department is working on it);
    a late note is still recorded, with the time it was written, and moves nothing.
    """
    notes = notes.strip()
    if not notes:
        raise ValidationError({"notes": _("Say what was done.")})
    at = _at(at)
    incident, referral = _lock(actor=actor, incident_id=incident_id, at=at)
    late = referral.last_update_at is not None and at < referral.last_update_at
    if referral.status == RS.REFERRED and not late:
        _step(referral, RS.ACCEPTED, accepted_at=at, accepted_by=actor, last_update_at=at)
        incident_event(
            incident=incident,
            kind="referral.accepted",
            actor=actor,
            payload=referral_payload(referral),
        )
    elif not late:
        referral.last_update_at = at
        referral.save(update_fields=["last_update_at"])
    incident_event(
        incident=incident,
        kind="referral.progress",
        actor=actor,
        payload={**referral_payload(referral), "notes": notes, "at": at.isoformat()},
    )
    return referral


@transaction.atomic
def referral_answer(
    *, actor, incident_id: int, answer: str, notes: str = "", at: datetime | None = None
) -> Referral:
    """The department's answer: handled, not its responsibility, or needs the police."""
    if answer not in ANSWERS:
        raise ValidationError(
            {"answer": _("Answer one of: %(answers)s.") % {"answers": ", ".join(ANSWERS)}}
        )
    notes = notes.strip()
    if answer != RS.HANDLED and not notes:
        raise ValidationError({"notes": _("Say why the job goes back.")})
    at = _at(at)
    incident, referral = _lock(actor=actor, incident_id=incident_id, at=at)
    _not_stale(referral, at)
    changes = {"answered_at": at, "answered_by": actor, "last_update_at": at, "answer": notes}
    if referral.accepted_at is None and answer == RS.HANDLED:
        changes.update(accepted_at=at, accepted_by=actor)
    _step(referral, answer, **changes)
    target, kind = ANSWERS[answer]
    job_changes: dict = {}
    if answer == RS.HANDLED:
        job_changes["result_notes"] = notes
    elif answer == RS.POLICE_NEEDED:
        job_changes["tier"] = Tier.POLICE
    incident_transition(
        incident=incident,
        target=target,
        actor=actor,
        kind=kind,
        reason=notes if answer != RS.HANDLED else "",
        payload={
            **referral_payload(referral),
            **({"notes": notes} if answer == RS.HANDLED and notes else {}),
        },
        changes=job_changes,
        table=REFERRAL_ANSWER_TRANSITIONS,
    )
    return referral
