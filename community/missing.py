"""走失人员: reporting a missing person, the search notice, sightings, found.

A report (from a missing_person call or a walk-in) is placed where the person
was last seen and sends a search notice at once, in the same transaction: an
order (指令, with its closed loop) to each of the nearest units and
volunteers on duty around the point, and to the governance centers of the
streets the search area touches. The search area is a circle around the
latest sighting, growing with the time since at a walking pace; a sighting
moves it, found closes the case. Every step is an event where the case is,
so the one map and the inboxes hear of it.
"""

import io
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from shapely.geometry import Point, Polygon, shape

from commandcenter.access import POLICE_ROLES, located_in, scope_of
from commandcenter.choices import Role
from commandcenter.geodesy import distance_m
from commandcenter.models import GovernanceCenter
from commandcenter.services import daily_number, event_record
from community.choices import MissingCondition, MissingStatus
from community.missing_models import MissingPerson, Sighting
from community.personal import mask_phone, phone_validate
from dispatch.choices import OrderKind
from dispatch.services import order_issue_automatic
from patrol.choices import UnitStatus
from patrol.models import PatrolZone, Unit
from patrol.zone_index import point_resolve

PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Who reports and works the cases: the police; the street reads the cases of its street.
REPORTERS = POLICE_ROLES | {Role.OFFICER}


@dataclass
class MissingInput:
    name: str
    description: str
    last_seen_at: datetime
    last_seen_place: str
    last_seen_lat: float
    last_seen_lng: float
    contact_name: str
    contact_phone: str
    gender: str = ""
    age: int | None = None
    condition: str = ""
    incident_id: int | None = None
    photo: bytes | None = None


def search_radius_m(hours: float) -> float:
    """How far the person may be by now: a walking pace from the latest sighting,
    at least the starting radius, at most the cap (settings MISSING_*)."""
    grown = settings.MISSING_START_RADIUS_M + hours * settings.MISSING_WALK_KMH * 1000
    return min(grown, settings.MISSING_MAX_RADIUS_M)


def search_area(case: MissingPerson, *, now: datetime | None = None) -> dict:
    """The circle the search covers now: centre, radius, and what it was drawn from."""
    now = now or timezone.now()
    latest = case.sightings.order_by("-seen_at", "-pk").first()
    lat, lng, since = case.last_seen_lat, case.last_seen_lng, case.last_seen_at
    if latest is not None and latest.seen_at >= case.last_seen_at:
        lat, lng, since = latest.lat, latest.lng, latest.seen_at
    if case.status != MissingStatus.SEARCHING:
        now = case.found_at or now
    hours = max((now - since).total_seconds(), 0) / 3600
    return {
        "lat": lat,
        "lng": lng,
        "since": since,
        "radius_m": round(search_radius_m(hours)),
        "from_sighting": latest is not None and since == latest.seen_at,
    }


def may_report(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in REPORTERS)


def cases_visible(user):
    """The cases a user reads: the police and the street where the person was last seen;
    the command center everywhere."""
    scope = scope_of(user)
    if not user.is_authenticated or scope.partner_department_id or not scope.role:
        return MissingPerson.objects.none()
    if user.role not in REPORTERS | {Role.STREET_STAFF} and not user.is_superuser:
        return MissingPerson.objects.none()
    return MissingPerson.objects.filter(located_in(scope))


def _photo_check(photo: bytes | None, errors: dict) -> str:
    if not photo:
        return ""
    if len(photo) > PHOTO_MAX_BYTES:
        errors["photo"] = _("A photo is at most 2 MB.")
        return ""
    try:
        image = Image.open(io.BytesIO(photo))
        image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        errors["photo"] = _("The photo is not a JPEG, PNG or WebP image.")
        return ""
    if image.format not in PHOTO_TYPES:
        errors["photo"] = _("The photo is not a JPEG, PNG or WebP image.")
        return ""
    return PHOTO_TYPES[image.format]


def _when_errors(moment: datetime | None, field: str, errors: dict, *, after=None) -> None:
    now = timezone.now()
    if moment is None:
        errors[field] = _("Give the time.")
    elif moment > now + timedelta(minutes=5):
        errors[field] = _("The time is in the future.")
    elif moment < now - timedelta(days=settings.MISSING_MAX_DAYS_AGO):
        errors[field] = _("More than %(days)d days ago: file it as a case, not a search.") % {
            "days": settings.MISSING_MAX_DAYS_AGO
        }
    elif after is not None and moment < after:
        errors[field] = _("Before the person was last seen.")


def _point_errors(lat, lng, errors: dict, field: str = "lat"):
    if lat is None or lng is None:
        errors[field] = _("Give the place's point.")
        return None
    placement = point_resolve(lat=lat, lng=lng)
    if placement is None:
        errors[field] = _("The point lies outside the district.")
    return placement


def missing_errors(data: MissingInput) -> tuple[dict, object, str]:
    errors: dict[str, str] = {}
    for field in ("name", "description", "last_seen_place", "contact_name"):
        if not (getattr(data, field) or "").strip():
            errors[field] = _("Required.")
    try:
        phone_validate(data.contact_phone or "")
    except ValidationError as error:
        errors["contact_phone"] = error.messages[0]
    if data.condition and data.condition not in MissingCondition.values:
        errors["condition"] = _("Not a condition on the list.")
    if data.age is not None and not 0 <= data.age <= 120:
        errors["age"] = _("An age from 0 to 120.")
    _when_errors(data.last_seen_at, "last_seen_at", errors)
    placement = _point_errors(data.last_seen_lat, data.last_seen_lng, errors, "last_seen_lat")
    photo_type = _photo_check(data.photo, errors)
    return errors, placement, photo_type


def missing_report(*, actor, data: MissingInput) -> MissingPerson:
    """Open a case and send its search notice; ValidationError changes nothing."""
    if not may_report(actor):
        raise PermissionDenied(_("Missing persons are reported by the police."))
    errors, placement, photo_type = missing_errors(data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = MissingPerson(
            number=daily_number(series="missing", prefix="ZS"),
            incident_id=data.incident_id,
            name=data.name.strip()[:40],
            gender=data.gender[:1],
            age=data.age,
            condition=data.condition,
            description=data.description.strip()[:1000],
            photo=data.photo or None,
            photo_type=photo_type,
            last_seen_at=data.last_seen_at,
            last_seen_place=data.last_seen_place.strip()[:200],
            last_seen_lat=data.last_seen_lat,
            last_seen_lng=data.last_seen_lng,
            zone_id=placement.zone_id,
            station_id=placement.station_id,
            post_id=placement.post_id,
            street_id=placement.street_id,
            contact_name=data.contact_name.strip()[:40],
            contact_phone=phone_validate(data.contact_phone),
            contact_phone_masked=mask_phone(phone_validate(data.contact_phone)),
            reported_by=actor,
        )
        case.save(force_insert=True)
        notified = _notice_send(case)
        _event(case, "missing.reported", actor, {"notified": notified})
    return case


def _notice_send(case: MissingPerson) -> dict:
    """Orders to the nearest units and volunteers on duty within the notice radius, and
    to the governance centers of the streets the search area touches."""
    radius = max(settings.MISSING_NOTICE_RADIUS_M, search_area(case)["radius_m"])
    lat, lng = case.last_seen_lat, case.last_seen_lng
    on_duty = Unit.objects.exclude(status=UnitStatus.OFF_DUTY).filter(
        lat__isnull=False, lng__isnull=False
    )
    nearby = sorted(
        (d, unit.pk, unit)
        for unit in on_duty.only(
            "pk", "lat", "lng", "home_station", "home_post", "home_governance_center", "call_sign"
        )  # fmt: skip
        if (d := distance_m(lat, lng, unit.lat, unit.lng)) <= radius
    )[: settings.MISSING_NOTICE_UNITS]
    circle = _circle(lat, lng, radius)
    streets = {
        zone.street_id
        for zone in PatrolZone.objects.only("pk", "boundary", "street")
        if shape(zone.boundary).intersects(circle)
    } | ({case.street_id} if case.street_id else set())
    centers = list(GovernanceCenter.objects.filter(street_id__in=streets))
    content = notice_text(case)
    deadline = timezone.now() + timedelta(hours=settings.MISSING_NOTICE_HOURS)
    for _distance, _pk, unit in nearby:
        order_issue_automatic(
            kind=OrderKind.INSTRUCTION, recipient=unit, content=content, deadline=deadline,
            incident_id=case.incident_id,
        )  # fmt: skip
    for center in centers:
        order_issue_automatic(
            kind=OrderKind.INSTRUCTION, recipient=center, content=content, deadline=deadline,
            incident_id=case.incident_id,
        )  # fmt: skip
    return {
        "units": [unit.call_sign for _d, _pk, unit in nearby],
        "centers": [center.name for center in centers],
        "radius_m": round(radius),
    }


def _circle(lat: float, lng: float, radius_m: float):
    """The circle as a shapely polygon in degrees (an ellipse: a degree of longitude
    is shorter than one of latitude)."""
    ky = 111_320.0
    kx = ky * math.cos(math.radians(lat))
    points = [
        (lng + radius_m * math.cos(a) / kx, lat + radius_m * math.sin(a) / ky)
        for a in (2 * math.pi * i / 32 for i in range(32))
    ]
    return Polygon(points) if radius_m > 0 else Point(lng, lat)


def notice_text(case: MissingPerson) -> str:
    """The search notice's text: who, what to look for, where last seen, whom to tell."""
    who = case.name
    if case.age is not None:
        who += _(", %(age)d years") % {"age": case.age}
    if case.condition and case.condition != MissingCondition.NONE:
        who += f", {MissingCondition(case.condition).label}"
    return _(
        "Search for a missing person (寻人协查) %(number)s: %(who)s. %(description)s "
        "Last seen %(when)s at %(place)s. Report any sighting to the command center (110)."
    ) % {
        "number": case.number,
        "who": who,
        "description": case.description,
        "when": timezone.localtime(case.last_seen_at).strftime("%m-%d %H:%M"),
        "place": case.last_seen_place,
    }


def _event(case: MissingPerson, kind: str, actor, extra: dict | None = None) -> None:
    area = search_area(case)
    event_record(
        kind=kind,
        subject=case,
        actor=actor,
        payload={
            "number": case.number,
            "status": case.status,
            "lat": area["lat"],
            "lng": area["lng"],
            "radius_m": area["radius_m"],
            **(extra or {}),
        },
        **case.location,
    )


def _open_case(actor, case_id: int) -> MissingPerson:
    case = cases_visible(actor).select_for_update().filter(pk=case_id).first()
    if case is None:
        raise MissingPerson.DoesNotExist(_("No such case."))
    if not may_report(actor):
        raise PermissionDenied(_("Missing persons are worked by the police."))
    if case.status != MissingStatus.SEARCHING:
        raise ValidationError({"status": _("The case is closed already.")})
    return case


def sighting_record(
    *, actor, case_id: int, seen_at: datetime, place: str, lat: float, lng: float, note: str = ""
) -> Sighting:
    """A sighting: the search area moves there and starts growing again from its time."""
    with transaction.atomic():
        case = _open_case(actor, case_id)
        errors: dict[str, str] = {}
        if not (place or "").strip():
            errors["place"] = _("Required.")
        _when_errors(seen_at, "seen_at", errors)
        _point_errors(lat, lng, errors)
        if errors:
            raise ValidationError(errors)
        sighting = Sighting.objects.create(
            case=case, seen_at=seen_at, place=place.strip()[:200], lat=lat, lng=lng,
            note=(note or "").strip()[:500], reported_by=actor,
        )  # fmt: skip
        _event(case, "missing.sighted", actor, {"place": sighting.place,
                                                "seen_at": seen_at.isoformat()})  # fmt: skip
    return sighting


def missing_found(
    *,
    actor,
    case_id: int,
    found_at: datetime,
    place: str,
    found_by: str,
    lat: float | None = None,
    lng: float | None = None,
    note: str = "",
) -> MissingPerson:
    """Found: the case closes with where, when and by whom."""
    with transaction.atomic():
        case = _open_case(actor, case_id)
        errors: dict[str, str] = {}
        for field, value in (("place", place), ("found_by", found_by)):
            if not (value or "").strip():
                errors[field] = _("Required.")
        _when_errors(found_at, "found_at", errors, after=case.last_seen_at)
        if lat is not None or lng is not None:
            _point_errors(lat, lng, errors)
        if errors:
            raise ValidationError(errors)
        case.status = MissingStatus.FOUND
        case.found_at, case.found_place, case.found_by = found_at, place.strip(), found_by.strip()
        case.found_lat, case.found_lng = lat, lng
        case.closing_note, case.closed_by = (note or "").strip()[:500], actor
        case.save()
        _event(case, "missing.found", actor, {"found_place": case.found_place,
                                              "found_by": case.found_by})  # fmt: skip
    return case


def missing_close(*, actor, case_id: int, note: str) -> MissingPerson:
    """Closed otherwise (came home by themselves, a mistaken report): with a note."""
    with transaction.atomic():
        case = _open_case(actor, case_id)
        if not (note or "").strip():
            raise ValidationError({"note": _("Say why the case is closed.")})
        case.status, case.closing_note, case.closed_by = MissingStatus.CLOSED, note.strip(), actor
        case.found_at = None
        case.save()
        _event(case, "missing.closed", actor)
    return case


def missing_months(*, user, months: int = 12) -> list[dict]:
    """Per month of report: reported, found, found within 24 h, median hours to find."""
    since = (timezone.localdate().replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    cases = cases_visible(user).filter(reported_at__date__gte=since)
    rows = (
        cases.annotate(month=TruncMonth("reported_at"))
        .values("month")
        .annotate(
            reported=Count("pk"),
            found=Count("pk", filter=Q(status=MissingStatus.FOUND)),
            searching=Count("pk", filter=Q(status=MissingStatus.SEARCHING)),
        )
        .order_by("month")
    )
    hours: dict = {}
    for month, reported_at, found_at in (
        cases.filter(status=MissingStatus.FOUND)
        .annotate(month=TruncMonth("reported_at"))
        .values_list("month", "reported_at", "found_at")
    ):
        hours.setdefault(month, []).append((found_at - reported_at).total_seconds() / 3600)
    out = []
    for row in rows:
        found_hours = sorted(hours.get(row["month"], []))
        median = found_hours[len(found_hours) // 2] if found_hours else None
        out.append(
            {
                "month": timezone.localtime(row["month"]).strftime("%Y-%m")
                if timezone.is_aware(row["month"]) else row["month"].strftime("%Y-%m"),
                "reported": row["reported"],
                "found": row["found"],
                "searching": row["searching"],
                "found_within_24h": sum(1 for h in found_hours if h <= 24),
                "median_hours_to_find": round(median, 1) if median is not None else None,
            }
        )  # fmt: skip
    return out
