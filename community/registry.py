"""一标三实: registering standard addresses, finding them, reading a household.

Addresses are written through `address_register` (the local collection rules,
the place from the point); the type-ahead is `address_search`; a household is
read masked by anyone whose area covers it (`household`) and unmasked only
through `household_unmask`, which takes a purpose and writes an access record
per person shown, in the same transaction, and raises a security alert when
one user opens too many households too fast.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from pypinyin import Style, lazy_pinyin

from commandcenter.access import NO_SCOPE, in_area, scope_of
from commandcenter.audit import access_record_many, security_record
from commandcenter.choices import DISTRICT_ROLES, Role, SecurityEventKind, SecurityResult
from commandcenter.models import AccessRecord, SecurityEvent, User
from commandcenter.services import event_record
from community.choices import (
    DWELLING_ELEMENTS,
    Gender,
    Household,
    MoveOutReason,
    Presence,
    UnmaskPurpose,
)
from community.choices import AddressElement as E
from community.personal import (
    digest,
    id_normalise,
    id_validate,
    mask_id,
    mask_name,
    mask_phone,
    phone_normalise,
    phone_validate,
)
from community.registry_models import Resident, StandardAddress
from patrol.models import PatrolZone
from patrol.zone_index import point_resolve

# The depth of each element type in the tree (community and village, road and
# compound, are alternatives at one depth).
LEVEL = {
    E.DISTRICT: 1, E.STREET: 2, E.COMMUNITY: 3, E.VILLAGE: 3, E.ROAD: 4, E.COMPOUND: 4,
    E.COURTYARD: 4, E.BUILDING: 5, E.UNIT: 6, E.ROOM: 7,
}  # fmt: skip
# The local rules for names (an address-coding guide of Hangzhou Xihu): buildings of a
# compound "数字+幢", door plates on a road "数字+号", units "数字+单元", rooms "数字+室".
NAME_RULES = {
    (E.BUILDING, "compound"): (re.compile(r"^\d{1,4}幢$"), _lazy("a number and 幢, e.g. 3幢")),
    (E.BUILDING, "road"): (re.compile(r"^\d{1,5}号$"), _lazy("a number and 号, e.g. 88号")),
    (E.UNIT, None): (re.compile(r"^\d{1,3}单元$"), _lazy("a number and 单元, e.g. 2单元")),
    (E.ROOM, None): (re.compile(r"^\d{1,5}室$"), _lazy("a number and 室, e.g. 301室")),
}
# How many places (or buildings) a type-ahead follows down the tree.
PLACES_FOLLOWED = 100
PLATE_SALT = "tianshu.house-plate"
SEARCH_LIMIT = 10


def _name_rule(element: str, parent: StandardAddress | None):
    if element == E.BUILDING:
        kind = "road" if parent is not None and parent.element == E.ROAD else "compound"
        return NAME_RULES.get((E.BUILDING, kind))
    return NAME_RULES.get((element, None))


@lru_cache(maxsize=50_000)
def initials(name: str) -> str:
    """翠苑一区 → cyyq; digits and Latin letters stay."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()


def search_terms(query: str) -> list[str]:
    """The query's terms: split at spaces and where a name runs into a number
    (翠苑3幢 → 翠苑, 3幢); "3-2-301" is 3幢 2单元 301, "2-301" is 2单元 301."""
    terms: list[str] = []
    for word in (query or "").lower().split()[:8]:
        if dashed := re.fullmatch(r"(\d+)-(\d+)-(\d+)", word):
            terms += [f"{dashed[1]}幢", f"{dashed[2]}单元", dashed[3]]
        elif dashed := re.fullmatch(r"(\d+)-(\d+)", word):
            terms += [f"{dashed[1]}单元", dashed[2]]
        else:
            terms += [t for t in re.split(r"(?<=[^\d\s])(?=\d)", word) if t]
    return terms[:8]


def _matching(queryset: QuerySet, terms: list[str]) -> QuerySet:
    for term in terms:
        queryset = queryset.filter(search__contains=term)
    return queryset


def _ranked(queryset: QuerySet, limit: int) -> list[StandardAddress]:
    return list(
        queryset.annotate(search_length=Length("search")).order_by("search_length", "code")[:limit]
    )


def _rooms_below(live: QuerySet, buildings: list[int], terms: list[str], limit: int) -> list:
    """Units and rooms of these buildings matching `terms`; a building of one entrance has
    no unit level, so 3-1-301 there is room 301."""
    if not buildings:
        return []
    rooms = live.filter(building__in=buildings, element__in=(E.UNIT, E.ROOM))
    without_unit = [t for t in terms if not t.endswith("单元")]
    for room_terms in (terms, without_unit) if without_unit != terms else (terms,):
        if room_terms and (found := _ranked(_matching(rooms, room_terms), limit)):
            return found
    return []


def _ids(queryset: QuerySet) -> list[int]:
    """The first few ids, read now: a short list the next query follows by its index
    (as a subquery the planner may scan the next level whole instead)."""
    return list(queryset.order_by().values_list("pk", flat=True)[:PLACES_FOLLOWED])


def addresses_of(user) -> QuerySet:
    """The addresses a user's area reaches (a plain filter: no to-many join, unlike
    commandcenter.access.visible, which the type-ahead's scans cannot afford)."""
    scope = scope_of(user)
    if scope is NO_SCOPE:
        return StandardAddress.objects.none()
    return StandardAddress.objects.filter(StandardAddress.visible_to(scope))


def address_search(
    query: str, *, within: QuerySet | None = None, limit: int = SEARCH_LIMIT
) -> list[StandardAddress]:
    """Live standard addresses matching every term, the closest first, found down the
    tree as the words go: the leading terms name a place (street, community, road,
    compound: a few thousand rows, on their own index), the next a building or door
    plate of those places, the last a unit or room of those buildings
    (翠苑 3幢 301, 翠苑 3-2-301, 文一路 88号). Terms that name no place are looked for
    among the buildings directly."""
    terms = search_terms(query)
    if not terms:
        return []
    base = within if within is not None else StandardAddress.objects.all()
    live = base.filter(retired_on__isnull=True).select_related("station", "zone")
    places = live.filter(element__lt=E.BUILDING)
    if found := _ranked(_matching(places, terms), limit):
        return found
    buildings = live.filter(element=E.BUILDING)
    for cut in range(len(terms) - 1, 0, -1):
        named = _ids(_matching(places, terms[:cut]))
        if not named:
            continue
        under = buildings.filter(parent__in=named)
        rest = terms[cut:]
        if found := _ranked(_matching(under, rest), limit):
            return found
        for split in range(len(rest) - 1, 0, -1):
            named_buildings = _ids(_matching(under, rest[:split]))
            if found := _rooms_below(live, named_buildings, rest[split:], limit):
                return found
    # No place named: the buildings themselves (a door plate typed alone), then below them.
    if found := _ranked(_matching(buildings, terms), limit):
        return found
    for split in range(len(terms) - 1, 0, -1):
        named_buildings = _ids(_matching(buildings, terms[:split]))
        if found := _rooms_below(live, named_buildings, terms[split:], limit):
            return found
    return []


# --- Registering an address -----------------------------------------------------------------


@dataclass
class AddressInput:
    element: str
    name: str
    lat: float | None = None
    lng: float | None = None
    parent: StandardAddress | None = None
    code: str = ""


def _name_taken(parent: StandardAddress, name: str, code: str) -> bool:
    return (
        StandardAddress.objects.filter(parent=parent, name=name, retired_on__isnull=True)
        .exclude(code=code)
        .exists()
    )


def address_errors(data: AddressInput, *, taken=_name_taken) -> dict[str, str]:
    """Field → message for an address that breaks the rules (nothing is written).
    `taken(parent, name, code)`: is the name in use under the parent already?"""
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if data.element not in E.values:
        errors["element"] = _("Not an address element type.")
        return errors
    if not name or name in ("无", "-"):
        errors["name"] = _("Every element has a name.")
    elif re.search(r"\s", name):
        errors["name"] = _("A name has no spaces.")
    elif rule := _name_rule(data.element, data.parent):
        pattern, example = rule
        if not pattern.match(name):
            errors["name"] = _("Write it as %(rule)s.") % {"rule": example}
    if data.element != E.DISTRICT and data.parent is None:
        errors["parent"] = _("Every element but the district has a parent.")
    elif data.parent is not None and LEVEL[data.element] <= LEVEL[data.parent.element]:
        errors["parent"] = _("A %(child)s cannot lie under a %(parent)s.") % {
            "child": E(data.element).label,
            "parent": E(data.parent.element).label,
        }
    elif data.parent is not None and data.parent.retired_on is not None:
        errors["parent"] = _("The parent address is retired.")
    if data.lat is None or data.lng is None:
        if data.parent is None:
            errors["lat"] = _("Give the point of the address.")
    elif point_resolve(lat=data.lat, lng=data.lng) is None:
        errors["lat"] = _("The point lies outside the district.")
    if "name" not in errors and data.parent is not None and taken(data.parent, name, data.code):
        errors["name"] = _("%(parent)s already has a %(name)s.") % {
            "parent": data.parent.full_name,
            "name": name,
        }
    return errors


def responsible_officer(zone_id: int | None, post_id: int | None) -> int | None:
    """网格民警: the zone's community officer, else the post's first post officer."""
    if zone_id is not None:
        officer = PatrolZone.objects.filter(pk=zone_id).values_list("community_officer", flat=True)
        if officer and officer[0]:
            return officer[0]
    if post_id is None:
        return None
    return (
        User.objects.filter(role=Role.POST_OFFICER, post_id=post_id, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def _search_parts(address: StandardAddress) -> tuple[str, str]:
    """(names, initials) of an address's own search text."""
    joined, _space, letters = address.search.partition(" ")
    return joined, letters


def address_fill(
    address: StandardAddress, parent: StandardAddress | None, *, officers: dict | None = None
) -> None:
    """Full text, ancestors, search text and place of an address, from its parent
    (already filled) and its point; no walk up the tree, so an import of many
    rows asks the database nothing here. `officers` caches (zone, post) → officer."""
    level = LEVEL[address.element]
    address.full_name = (f"{parent.full_name}{address.name}" if parent else address.name)[:300]
    address.community = None
    address.building = None
    if parent is not None:
        address.community = parent if LEVEL[parent.element] == 3 else parent.community
        if address.element in (E.UNIT, E.ROOM):
            address.building = parent if parent.element == E.BUILDING else parent.building
    # Streets and above match on their name; the levels below the street on their
    # names from the community down; units and rooms on their part below the building.
    joined, letters = "", ""
    if parent is not None and (
        LEVEL[parent.element] > LEVEL[E.BUILDING]
        or (LEVEL[parent.element] > LEVEL[E.STREET] and level <= LEVEL[E.BUILDING])
    ):
        joined, letters = _search_parts(parent)
    address.search = f"{joined}{address.name} {letters}{initials(address.name)}".lower()[:400]
    if address.lat is None and parent is not None:
        # At its parent's point: in its parent's place, with its officer.
        address.lat, address.lng = parent.lat, parent.lng
        for field in ("zone_id", "station_id", "post_id", "street_id", "officer_id"):
            setattr(address, field, getattr(parent, field))
        return
    placement = point_resolve(lat=address.lat, lng=address.lng)
    address.zone_id = placement.zone_id if placement else None
    address.station_id = placement.station_id if placement else None
    address.post_id = placement.post_id if placement else None
    address.street_id = placement.street_id if placement else None
    officers = {} if officers is None else officers
    key = (address.zone_id, address.post_id)
    if key not in officers:
        officers[key] = responsible_officer(address.zone_id, address.post_id)
    address.officer_id = officers[key]


def address_register(data: AddressInput, *, actor=None) -> StandardAddress:
    """A new standard address, or ValidationError with a message per field."""
    if errors := address_errors(data):
        raise ValidationError(errors)
    address = StandardAddress(
        code=data.code or "",
        element=data.element,
        name=data.name.strip(),
        parent=data.parent,
        lat=data.lat,
        lng=data.lng,
        registered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    address_fill(address, data.parent)
    with transaction.atomic():
        if not address.code:
            address.code = f"T{uuid.uuid4().hex[:20].upper()}"
        address.save()
        event_record(
            kind="address.registered",
            subject=address,
            actor=address.registered_by,
            payload={"code": address.code, "full_name": address.full_name},
            **address.location,
        )
    return address


# --- House plates -------------------------------------------------------------------------


def plate_token(address: StandardAddress) -> str:
    """The opaque, signed id a plate's QR carries: no personal data, nothing guessable."""
    return signing.Signer(salt=PLATE_SALT).sign(signing.b62_encode(address.pk))


def plate_address(token: str) -> StandardAddress | None:
    """The plated, live address a plate's token names, or None."""
    try:
        pk = signing.b62_decode(signing.Signer(salt=PLATE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    address = (
        StandardAddress.objects.filter(pk=pk, element__in=(E.BUILDING, E.ROOM))
        .select_related("station", "officer", "post")
        .first()
    )
    return address


def public_card(address: StandardAddress) -> dict:
    """What anyone who scans the plate sees: the address, its station and officer."""
    station, officer = address.station, address.officer
    return {
        "address": address.full_name,
        "retired": address.retired_on is not None,
        "station": station.name if station else "",
        "station_phone": station.phone if station else "",
        "officer": (officer.get_full_name() or officer.username) if officer else "",
        "officer_phone": officer.duty_phone if officer else "",
    }


# --- Households -----------------------------------------------------------------------------

RESIDENT_FIELDS_SHOWN = ("id_number", "name", "phone", "birth_date")


# Police roles read households in their area; street staff, partners, volunteers
# and machines never do.
HOUSEHOLD_READERS = frozenset(
    {*DISTRICT_ROLES, Role.STATION_CHIEF, Role.POST_OFFICER, Role.OFFICER}
)


def may_read_household(user, address: StandardAddress) -> bool:
    if not user.is_authenticated:
        return False
    if user.role not in HOUSEHOLD_READERS and not user.is_superuser:
        return False
    return in_area(scope_of(user), **address.location)


def _dwellers(address: StandardAddress) -> QuerySet:
    """The live residents of a room, or of every room of a building."""
    residents = Resident.objects.filter(moved_out__isnull=True)
    if address.element == E.BUILDING:
        return residents.filter(Q(address=address) | Q(address__building=address))
    return residents.filter(address=address)


def _resident_row(r: Resident, *, unmasked: bool, within: StandardAddress) -> dict:
    return {
        "id": r.pk,
        "address_id": r.address_id,
        "address": r.address.full_name,
        # Where in the address read (a building's residents: their unit and room).
        "room": r.address.full_name.removeprefix(within.full_name),
        "name": r.name if unmasked else mask_name(r.name),
        "gender": r.get_gender_display(),
        "birth_date": r.birth_date.isoformat() if unmasked else f"{r.birth_date:%Y}",
        "id_number": r.id_number if unmasked else r.id_masked,
        "phone": (r.phone or "") if unmasked else r.phone_masked,
        "household": r.get_household_display(),
        "presence": r.get_presence_display(),
        "head_relation": r.head_relation,
        "moved_in": r.moved_in.isoformat(),
    }


def household(address: StandardAddress, user) -> list[dict]:
    """The residents, masked (a count and masked rows), for a user whose area covers it."""
    if not may_read_household(user, address):
        raise PermissionDenied(_("This address lies outside your area."))
    rows = _dwellers(address).select_related("address").defer("id_number", "phone")
    return [_resident_row(r, unmasked=False, within=address) for r in rows[:500]]


def household_unmask(
    address: StandardAddress,
    user,
    *,
    purpose: str,
    request=None,
    position: tuple[float, float] | None = None,
) -> list[dict]:
    """The residents unmasked, each read recorded (who, when, purpose, where from)."""
    if not may_read_household(user, address):
        raise PermissionDenied(_("This address lies outside your area."))
    if purpose not in UnmaskPurpose.values:
        raise ValidationError({"purpose": _("Choose why you need to see the household.")})
    label = str(UnmaskPurpose(purpose).label)
    note = f"{purpose}: {label}"
    if position is not None:
        note += f" @ {position[0]:.6f},{position[1]:.6f}"
    with transaction.atomic():
        residents = list(_dwellers(address).select_related("address")[:500])
        access_record_many(
            actor=user,
            object_type="community.resident",
            object_ids=[r.pk for r in residents],
            fields=RESIDENT_FIELDS_SHOWN,
            request=request,
            purpose=note,
        )
        # The household itself, so a burst is counted in households, not people.
        access_record_many(
            actor=user,
            object_type="community.household",
            object_ids=[address.pk],
            fields=["residents"],
            request=request,
            purpose=note,
        )
        _burst_check(user, request)
    return [_resident_row(r, unmasked=True, within=address) for r in residents]


def _burst_check(user, request) -> None:
    """A user who opened UNMASK_BURST_HOUSEHOLDS households within the window: one
    security event and one alert to the command center per window."""
    window = timezone.now() - timedelta(seconds=settings.UNMASK_BURST_SECONDS)
    opened = AccessRecord.objects.filter(
        actor=user, object_type="community.household", at__gte=window
    ).aggregate(n=Count("object_id", distinct=True))["n"]
    if opened < settings.UNMASK_BURST_HOUSEHOLDS:
        return
    if SecurityEvent.objects.filter(
        kind=SecurityEventKind.UNMASK_BURST, actor=user, at__gte=window
    ).exists():
        return
    security_record(
        kind=SecurityEventKind.UNMASK_BURST,
        request=request,
        actor=user,
        result=SecurityResult.FAILURE,
        detail={"households": opened, "seconds": settings.UNMASK_BURST_SECONDS},
    )
    event_record(
        kind="security.alert",
        subject=user,
        actor=user,
        payload={
            "alert": "unmask_burst",
            "username": user.username,
            "households": opened,
            "minutes": settings.UNMASK_BURST_SECONDS // 60,
        },
    )


# --- Residents ------------------------------------------------------------------------------


def resident_fill(resident: Resident) -> None:
    """Digests, masks and place of a resident from its plain values and address."""
    resident.id_number = id_normalise(resident.id_number)
    resident.id_digest = digest(resident.id_number)
    resident.id_masked = mask_id(resident.id_number)
    resident.phone = phone_normalise(resident.phone) if resident.phone else ""
    resident.phone_digest = digest(resident.phone)
    resident.phone_masked = mask_phone(resident.phone) if resident.phone else ""
    for field, value in resident.address.location.items():
        setattr(resident, field, value)


def resident_errors(values: dict, address: StandardAddress | None) -> dict[str, str]:
    """Field → message for a resident row that breaks the rules."""
    errors: dict[str, str] = {}
    if address is None:
        errors["address"] = _("No standard address with this code.")
    elif address.element not in DWELLING_ELEMENTS:
        errors["address"] = _("People live at a room or a house (a building), not here.")
    elif address.retired_on is not None:
        errors["address"] = _("The address is retired.")
    for field, check in (("id_number", id_validate), ("phone", phone_validate)):
        if field == "phone" and not values.get("phone"):
            continue
        try:
            check(values.get(field) or "")
        except ValidationError as error:
            errors[field] = error.messages[0]
    if not (values.get("name") or "").strip():
        errors["name"] = _("Every resident has a name.")
    for field, choices in (
        ("gender", Gender),
        ("household", Household),
        ("presence", Presence),
    ):
        if values.get(field) not in choices.values:
            errors[field] = _("Choose one of: %(labels)s.") % {
                "labels": "、".join(str(label) for label in choices.labels)
            }
    if values.get("moved_out") and values.get("out_reason") not in MoveOutReason.values:
        errors["out_reason"] = _("A resident who moved out needs the reason.")
    return errors


def residents_find(user, *, name: str = "", id_number: str = "", phone: str = "") -> QuerySet:
    """Live residents of the user's area by exact name, ID number or phone (the last two
    through their digests: nothing is decrypted to search), for a masked list."""
    if not user.is_authenticated or (user.role not in HOUSEHOLD_READERS and not user.is_superuser):
        return Resident.objects.none()
    condition = Q()
    if name.strip():
        condition &= Q(name=name.strip())
    if id_number.strip():
        condition &= Q(id_digest=digest(id_normalise(id_number)))
    if phone.strip():
        condition &= Q(phone_digest=digest(phone_normalise(phone)))
    if not condition:
        return Resident.objects.none()
    return (
        Resident.objects.filter(Resident.visible_to(scope_of(user)), condition)
        .filter(moved_out__isnull=True)
        .select_related("address")
        .defer("id_number", "phone")
        .order_by("pk")
    )


def resident_masked(resident: Resident) -> dict:
    return _resident_row(
        resident, unmasked=False, within=resident.address.parent or resident.address
    )
