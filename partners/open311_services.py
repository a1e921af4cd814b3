"""Writes of Open311 GeoReport v2: a partner files a request, or posts an update
of a job referred to it. Both go through the services the consoles use
(incidents.services.incident_create, dispatch.referrals); nothing here moves a
job by itself.

Posted update statuses (FixMyStreet's names) and the referral step each is:

| posted status                                 | step                                   |
|-----------------------------------------------|----------------------------------------|
| IN_PROGRESS, INVESTIGATING, ACTION_SCHEDULED  | referral_progress (with a description) |
|                                               | or referral_accept (without one)       |
| FIXED, CLOSED                                 | referral_answer(handled)               |
| NOT_RESPONSIBLE, NOT_COUNCILS_RESPONSIBILITY  | referral_answer(declined), reason due  |
| INTERNAL_REFERRAL                             | referral_answer(police_needed), reason |

An update dated before the department's latest applied one arrived late: it is
recorded and answered as received, and the job is not moved back (FixMyStreet's
rule). The partner's update id is remembered per department: the same id again
answers the first answer and changes nothing.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commandcenter.models import Event
from dispatch import referrals
from dispatch.models import Referral
from dispatch.referrals import StaleUpdate
from incidents.models import Incident, IncidentCategory
from incidents.services import incident_create
from partners import open311_catalogue as catalogue
from partners.models import PartnerUpdate, UpdateOutcome
from partners.open311_selectors import partner_jobs


def _attribute_lines(category: IncidentCategory, given: dict[str, str]) -> list[str]:
    """The category's attributes as lines of the job's description, checked."""
    errors, lines = {}, []
    for attribute in catalogue.SERVICE_ATTRIBUTES.get(category.code, ()):
        field = f"attribute[{attribute.code}]"
        value = (given.get(attribute.code) or "").strip()
        if not value:
            if attribute.required:
                errors[field] = _("This attribute is required.")
            continue
        if attribute.datatype in ("singlevaluelist", "multivaluelist"):
            names = dict(attribute.values)
            keys = [key.strip() for key in value.split(",") if key.strip()]
            if attribute.datatype == "singlevaluelist" and len(keys) != 1:
                errors[field] = _("Give one value.")
                continue
            if unknown := [key for key in keys if key not in names]:
                errors[field] = _("Unknown value “%(value)s”: one of %(keys)s.") % {
                    "value": unknown[0],
                    "keys": ", ".join(names),
                }
                continue
            value = "、".join(str(names[key]) for key in keys)
        elif attribute.datatype == "number":
            try:
                number = Decimal(value)
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite():
                errors[field] = _("Give a number.")
                continue
        elif len(value) > 200:
            errors[field] = _("At most %(limit)d characters.") % {"limit": 200}
            continue
        lines.append(f"{attribute.description}: {value}")
    if errors:
        raise ValidationError(errors)
    return lines


def open311_request_file(
    *,
    actor,
    category: IncidentCategory,
    lat: float,
    lng: float,
    description: str,
    address: str = "",
    attributes: dict[str, str] | None = None,
    caller_phone: str = "",
    caller_name: str = "",
) -> Incident:
    """A partner's request as a call of source partner_api (its filing right), the
    category's attributes written under the description."""
    lines = _attribute_lines(category, attributes or {})
    text = description.strip()
    if lines:
        text = "\n".join([text, *lines]) if text else "\n".join(lines)
    return incident_create(
        actor=actor,
        category=category.code,
        description=text,
        lat=lat,
        lng=lng,
        address=address[:200],
        caller_phone=caller_phone,
        caller_name=caller_name,
    )


def _step(*, actor, incident_id: int, status: str, description: str, at: datetime) -> None:
    step = catalogue.POSTED_STATUS_STEP[status]
    if step == "progress":
        if description:
            referrals.referral_progress(
                actor=actor, incident_id=incident_id, notes=description, at=at
            )
        else:
            referrals.referral_accept(actor=actor, incident_id=incident_id, at=at)
    else:
        referrals.referral_answer(
            actor=actor, incident_id=incident_id, answer=step, notes=description, at=at
        )


def partner_update_receive(
    *,
    actor,
    update_id: str,
    incident_id: int,
    status: str,
    description: str,
    at: datetime,
) -> list[dict]:
    """Apply one update a department's system posted; returns the answer to give.

    Refused updates (403, 404, 409, 400) are not remembered: the partner may
    correct and resend them under the same id.
    """
    if status not in catalogue.POSTED_STATUS_STEP:
        raise ValidationError(
            {
                "status": _("Unknown status “%(status)s”: one of %(statuses)s.")
                % {"status": status, "statuses": ", ".join(catalogue.POSTED_STATUS_STEP)}
            }
        )
    department_id = actor.partner_department_id
    earlier = PartnerUpdate.objects.filter(department_id=department_id, update_id=update_id)
    if (first := earlier.first()) is not None:
        return first.answer
    if not partner_jobs(actor).filter(pk=incident_id).exists():
        raise Incident.DoesNotExist(_("No such service request."))
    description = description.strip()
    try:
        with transaction.atomic():
            record = PartnerUpdate(
                department_id=department_id,
                update_id=update_id,
                incident_id=incident_id,
                status=status,
                description=description,
                updated_at=at,
                outcome=UpdateOutcome.APPLIED,
            )
            record.full_clean(exclude=["department", "incident"], validate_unique=False)
            record.save(force_insert=True)
            last_seq = _last_seq(incident_id)
            try:
                _step(
                    actor=actor,
                    incident_id=incident_id,
                    status=status,
                    description=description,
                    at=at,
                )
            except StaleUpdate:
                record.outcome = UpdateOutcome.STALE
            seq = _last_seq(incident_id)
            record.event_seq = seq if seq != last_seq else None
            if record.outcome == UpdateOutcome.APPLIED:
                referral = incident_referral(incident_id, department_id)
                if referral is not None and referral.last_update_at != at:
                    # A late progress note: written on the timeline, nothing moved.
                    record.outcome = UpdateOutcome.STALE
            record.answer = _answer(record)
            record.save(update_fields=["outcome", "event_seq", "answer"])
    except IntegrityError:
        # The same id posted at the same moment: the first one's answer.
        first = earlier.first()
        if first is None:
            raise
        return first.answer
    return record.answer


def incident_referral(incident_id: int, department_id: int) -> Referral | None:
    return (
        Referral.objects.filter(incident_id=incident_id, department_id=department_id)
        .order_by("-referred_at", "-id")
        .first()
    )


def _last_seq(incident_id: int) -> int | None:
    return (
        Event.objects.filter(subject_type="incidents.incident", subject_id=str(incident_id))
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )


def _answer(record: PartnerUpdate) -> list[dict]:
    late = record.outcome == UpdateOutcome.STALE
    return [
        {
            "update_id": str(record.event_seq) if record.event_seq else f"received-{record.pk}",
            "service_request_id": str(record.incident_id),
            "service_notice": _(
                "Received after a later update of this request: recorded, the job is not "
                "moved back."
            )
            if late
            else "",
        }
    ]
