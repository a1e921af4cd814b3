"""Reads of Open311 GeoReport v2: services, a partner's requests and the updates feed.

A partner reads what commandcenter.access gives it (the jobs ever referred to its
department and the jobs it filed), masked as in /api/v1/incidents/: no caller's
name or phone ever, personal numbers in free text masked.

How a job reads in Open311 (the same table is in the report of issue 16):

| Open311 field        | from                                                              |
|----------------------|-------------------------------------------------------------------|
| service_request_id   | the job's id                                                      |
| status               | `open` while the job's status is in OPEN_STATUSES, else `closed`  |
| status_notes         | the latest referral (已转办 / 已签收 / 已办结: answer / 不属职责:   |
|                      | reason / 需公安处置: reason / 已撤回), else the job's status label  |
| agency_responsible   | the department of an open or handled referral, else the street's  |
|                      | governance center (street jobs), else the station, else the       |
|                      | command center                                                    |
| service_notice       | the routing reason intake gave                                    |
| requested_datetime   | received_at                                                       |
| updated_datetime     | the later of updated_at and the referral's last update            |
| expected_datetime    | the open referral's expected_at                                   |
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, Prefetch, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from commandcenter.access import visible
from commandcenter.directory import directory
from commandcenter.models import Event, GovernanceCenter, Station
from community.registry import address_search
from community.registry_models import StandardAddress
from dispatch.choices import ReferralStatus
from dispatch.models import Referral
from incidents.categories import categories_in_tree_order, category_path
from incidents.choices import OPEN_STATUSES, CategoryKind, IncidentStatus, Tier
from incidents.models import Incident, IncidentCategory
from incidents.permissions import mask_personal_text
from partners import open311_catalogue as catalogue

RS = ReferralStatus


def w3c(moment: datetime | None) -> str | None:
    """A W3C datetime in the district's time zone: 2026-01-15T08:30:00+08:00."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).isoformat(timespec="seconds")


# --- Services --------------------------------------------------------------------------------


def service_category(code: str) -> IncidentCategory | None:
    """The active non-police category a service code names, None for any other code."""
    category = directory.by_code(IncidentCategory, code)
    if category is None or not category.active or category.kind != CategoryKind.NON_POLICE:
        return None
    return category


def service_list() -> list[dict]:
    """The active non-police categories a partner may file, in tree order."""
    rows = []
    for category in categories_in_tree_order():
        if category.kind != CategoryKind.NON_POLICE:
            continue
        parent = directory.get(IncidentCategory, category.parent_id)
        rows.append(
            {
                "service_code": category.code,
                "service_name": category.name,
                "description": category_path(category),
                "metadata": category.code in catalogue.SERVICE_ATTRIBUTES,
                "type": "realtime",
                "keywords": ",".join(category.synonyms.split()),
                "group": (parent or category).name,
            }
        )
    return rows


def service_definition(category: IncidentCategory) -> dict:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": str(attribute.datatype_description),
                "order": attribute.order,
                "description": str(attribute.description),
                "values": [{"key": key, "name": str(name)} for key, name in attribute.values],
            }
            for attribute in catalogue.SERVICE_ATTRIBUTES.get(category.code, ())
        ],
    }


def address_point(*, text: str = "", code: str = "") -> StandardAddress | None:
    """The live standard address (一标三实) a partner names: by its code (address_id),
    else by its full text, else the registry's best match of the words. Only its
    point and text are used: the registry's people are never read here."""
    live = StandardAddress.objects.filter(retired_on__isnull=True)
    if code:
        return live.filter(code=code).first()
    text = text.strip()
    if not text:
        return None
    exact = live.filter(full_name=text).order_by("code").first()
    if exact is not None:
        return exact
    found = address_search(text, within=live, limit=1)
    return found[0] if found else None


# --- Requests --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestQuery:
    """A requests list, checked (partners.open311_serializers.RequestListQuery)."""

    ids: tuple[int, ...] = ()  # overrides every other filter
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()  # open, closed
    page: int = 1
    page_size: int = catalogue.DEFAULT_LIMIT


def partner_jobs(user) -> QuerySet[Incident]:
    """The jobs a partner reads, with what a row needs in two queries."""
    referrals = Referral.objects.select_related("department").order_by("-referred_at", "-id")
    return visible(Incident.objects.all(), user).prefetch_related(
        Prefetch("referrals", queryset=referrals, to_attr="referrals_newest_first")
    )


def request_list(*, user, query: RequestQuery) -> list[dict]:
    jobs = partner_jobs(user)
    if query.ids:
        jobs = jobs.filter(pk__in=query.ids)
    else:
        jobs = jobs.filter(received_at__gte=query.start, received_at__lte=query.end)
        if query.service_codes:
            categories = [directory.by_code(IncidentCategory, code) for code in query.service_codes]
            jobs = jobs.filter(category_id__in=[c.pk for c in categories if c is not None])
        if set(query.statuses) == {"open"}:
            jobs = jobs.filter(status__in=sorted(OPEN_STATUSES))
        elif set(query.statuses) == {"closed"}:
            jobs = jobs.exclude(status__in=sorted(OPEN_STATUSES))
    first = (query.page - 1) * query.page_size
    jobs = jobs.order_by("-received_at", "-id")[first : first + query.page_size]
    return [request_row(job) for job in jobs]


def request_one(*, user, incident_id: int) -> dict | None:
    job = partner_jobs(user).filter(pk=incident_id).first()
    return None if job is None else request_row(job)


def _referral_notes(referral: Referral) -> str:
    department = referral.department.name
    answer = mask_personal_text(referral.answer)
    notes = {
        RS.REFERRED: _("Referred to %(department)s."),
        RS.ACCEPTED: _("Accepted by %(department)s."),
        RS.HANDLED: _("Handled by %(department)s: %(answer)s")
        if answer
        else _("Handled by %(department)s."),
        RS.DECLINED: _("Not the responsibility of %(department)s: %(answer)s"),
        RS.POLICE_NEEDED: _("%(department)s says the police are needed: %(answer)s"),
        RS.WITHDRAWN: _("The referral to %(department)s was withdrawn."),
    }[referral.status]
    return notes % {"department": department, "answer": answer}


def _agency(job: Incident, referral: Referral | None) -> str:
    if referral is not None and referral.status in (RS.REFERRED, RS.ACCEPTED, RS.HANDLED):
        return referral.department.name
    center = directory.get(GovernanceCenter, job.governance_center_id)
    if job.tier == Tier.STREET and center is not None:
        return center.name
    station = directory.get(Station, job.station_id)
    return station.name if station is not None else _("Command center")


def request_row(job: Incident) -> dict:
    """One job as Open311 shows it to a partner (the mapping in the module docstring)."""
    referrals = getattr(job, "referrals_newest_first", None)
    if referrals is None:
        referrals = list(job.referrals.select_related("department").order_by("-referred_at", "-id"))
    referral = referrals[0] if referrals else None
    category = directory.get(IncidentCategory, job.category_id)
    if referral is not None:
        notes = _referral_notes(referral)
    else:
        notes = str(IncidentStatus(job.status).label)
        if job.result_notes and job.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
            notes = f"{notes}: {mask_personal_text(job.result_notes)}"
    updated = job.updated_at
    if referral is not None and referral.last_update_at and referral.last_update_at > updated:
        updated = referral.last_update_at
    open_referral = referral if referral is not None and referral.is_open else None
    return {
        "service_request_id": str(job.pk),
        "status": "open" if job.status in OPEN_STATUSES else "closed",
        "status_notes": notes,
        "service_name": category.name,
        "service_code": category.code,
        "description": mask_personal_text(job.description),
        "agency_responsible": _agency(job, referral),
        "service_notice": job.routing_reason,
        "requested_datetime": w3c(job.received_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": w3c(open_referral.expected_at) if open_referral else None,
        "address": mask_personal_text(job.address),
        "address_id": None,
        "zipcode": None,
        "lat": job.lat,
        "long": job.lng,
        "media_url": None,
    }


# --- The updates feed ------------------------------------------------------------------------


def _update_status(event: Event) -> str:
    if event.kind in catalogue.REFERRAL_UPDATE_STATUS:
        return catalogue.REFERRAL_UPDATE_STATUS[event.kind]
    if event.kind == "incident.closed":
        return catalogue.CLOSED
    return catalogue.OPEN if event.payload.get("status") in OPEN_STATUSES else catalogue.CLOSED


def _update_description(event: Event) -> str:
    payload = event.payload
    department = payload.get("department_name") or ""
    if event.kind == "referral.accepted":
        return _("Accepted by %(department)s.") % {"department": department}
    if event.kind in ("referral.progress", "referral.handled"):
        notes = mask_personal_text(payload.get("notes") or "")
        if notes or event.kind == "referral.progress":
            return notes
        return _("Handled by %(department)s.") % {"department": department}
    if event.kind == "incident.referred" and department:
        return _("Referred to %(department)s.") % {"department": department}
    status = payload.get("status")
    label = str(IncidentStatus(status).label) if status in IncidentStatus.values else ""
    reason = mask_personal_text(payload.get("reason") or "")
    return f"{label}: {reason}" if reason else label


def update_row(event: Event) -> dict:
    return {
        "update_id": str(event.seq),
        "service_request_id": event.subject_id,
        "status": _update_status(event),
        "updated_datetime": w3c(event.occurred_at),
        "description": _update_description(event),
        "media_url": None,
    }


def update_list(
    *, user, start: datetime, end: datetime, page: int = 1, page_size: int = catalogue.DEFAULT_LIMIT
) -> list[dict]:
    """Every status change in [start, end] of the jobs the partner reads, in the
    order they were committed: update_id is the event's seq, dense and increasing."""
    jobs = visible(Incident.objects.all(), user).annotate(subject=Cast("pk", CharField()))
    events = (
        Event.objects.filter(
            subject_type="incidents.incident",
            subject_id__in=jobs.values("subject"),
            kind__in=catalogue.UPDATE_EVENT_KINDS,
            occurred_at__gte=start,
            occurred_at__lte=end,
        )
        .only("seq", "kind", "subject_id", "occurred_at", "payload")
        .order_by("seq")
    )
    first = (page - 1) * page_size
    return [update_row(event) for event in events[first : first + page_size]]
