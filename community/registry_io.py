"""一标三实 in and out: a street's address and resident lists from Excel or CSV,
and a community's export for its community police.

An import checks every row by the local rules (community.registry) before it
writes any: good rows are written in batches (a 100,000-row list in well under
a minute), bad rows come back with a message per column, as an Excel file to
correct and send again. A row is keyed by its address code (addresses) or by
its address and ID number (residents), so sending a corrected file again
changes only what changed: importing is idempotent.
"""

import io
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from openpyxl import Workbook

from commandcenter.services import event_record
from community.choices import (
    DWELLING_ELEMENTS,
    AddressElement,
    Gender,
    Household,
    HouseUse,
    Industry,
    MoveOutReason,
    Presence,
)
from community.imports import (
    ImportResult,
    may_import,
    refused_xlsx,
    row_choice,
    row_fields,
    table_rows,
)
from community.personal import (
    credit_code_validate,
    id_birth_date,
    id_normalise,
    mask_name,
    mask_phone,
    phone_validate,
)
from community.registry import (
    LEVEL,
    AddressInput,
    address_errors,
    address_fill,
    resident_errors,
    resident_fill,
)
from community.registry_models import House, Organisation, Resident, StandardAddress

MAX_ROWS = 200_000
BATCH = 2_000
KINDS = ("addresses", "residents", "houses", "organisations")
# field → the headers accepted for it (ours, the Chinese label, the police export's pinyin).
COLUMNS = {
    "addresses": {
        "code": ("code", "地址编码", "DZBM"),
        "parent": ("parent", "上级地址编码", "SJDZBM"),
        "element": ("element", "地址元素类型", "DZYSLX"),
        "name": ("name", "名称", "DZYSMC"),
        "lat": ("lat", "纬度", "MAPY"),
        "lng": ("lng", "经度", "MAPX"),
    },
    "residents": {
        "address": ("address", "居住地址编码", "JZDZBM"),
        "id_number": ("id_number", "公民身份号码", "GMSFHM"),
        "name": ("name", "姓名", "XM"),
        "gender": ("gender", "性别", "XB"),
        "ethnicity": ("ethnicity", "民族", "MZ"),
        "birth_date": ("birth_date", "出生日期", "CSRQ"),
        "phone": ("phone", "联系电话", "LXDH"),
        "household": ("household", "人口类别", "RKLB"),
        "presence": ("presence", "人户关系", "RHGX"),
        "head_relation": ("head_relation", "与户主关系", "YHZGX"),
        "moved_in": ("moved_in", "登记日期", "DJRQ"),
        "moved_out": ("moved_out", "注销日期", "ZXRQ"),
        "out_reason": ("out_reason", "注销类别", "ZXLB"),
    },
    "houses": {
        "address": ("address", "房屋地址编码", "FWDZBM"),
        "use": ("use", "房屋用途", "FWYT"),
        "area_m2": ("area_m2", "建筑面积", "JZMJ"),
        "owner_name": ("owner_name", "房主姓名", "FZXM"),
        "owner_phone": ("owner_phone", "房主电话", "FZDH"),
        "rented": ("rented", "是否出租", "SFCZ"),
        "tenants_checked_on": ("tenants_checked_on", "租户核查日期", "ZHHCRQ"),
    },
    "organisations": {
        "credit_code": ("credit_code", "统一社会信用代码", "TYSHXYDM"),
        "name": ("name", "单位名称", "DWMC"),
        "address": ("address", "单位地址编码", "DWDZBM"),
        "industry": ("industry", "行业", "HYLB"),
        "contact_name": ("contact_name", "负责人", "FZR"),
        "contact_phone": ("contact_phone", "联系电话", "LXDH"),
        "staff": ("staff", "从业人数", "CYRS"),
    },
}
REQUIRED = {
    "addresses": ("code", "element", "name"),
    "residents": ("address", "id_number", "name", "household", "presence"),
    "houses": ("address", "use"),
    "organisations": ("credit_code", "name", "address", "industry"),
}


@dataclass
class RegistryImport(ImportResult):
    unchanged: int = 0
    error: str = ""
    forbidden: bool = False
    refused_rows: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {**super().as_dict(), "unchanged": self.unchanged}


def refused_file(kind: str, result: RegistryImport) -> bytes:
    """The refused rows with a message per column, as an Excel file."""
    return refused_xlsx(COLUMNS[kind], result)


def missing_file_message() -> str:
    return _("Choose what the file holds and the .xlsx or .csv file to import.")


def registry_import(*, actor, kind: str, upload) -> RegistryImport:
    """Import `kind` (KINDS); the rows checked first, then written."""
    result = RegistryImport()
    if not may_import(actor):
        result.error, result.forbidden = _("Only an administrator imports the registry."), True
        return result
    try:
        rows = table_rows(upload, max_rows=MAX_ROWS)
    except ValidationError as error:
        result.error = error.message_dict["file"][0]
        return result
    rows = [(number, raw, row_fields(COLUMNS[kind], raw)) for number, raw in
            enumerate(rows, start=2)]  # fmt: skip
    {
        "addresses": _addresses_import,
        "residents": _residents_import,
        "houses": _houses_import,
        "organisations": _organisations_import,
    }[kind](rows, result, actor)
    if result.created or result.updated:
        with transaction.atomic():
            event_record(
                kind="registry.imported",
                subject=actor,
                actor=actor,
                payload={"kind": kind, **result.as_dict(), "refused": len(result.refused)},
            )
    return result


def _required(kind: str, values: dict) -> dict:
    return {name: _("Required.") for name in REQUIRED[kind] if not values[name]}


def _coordinate(values: dict, errors: dict) -> tuple[float | None, float | None]:
    if not values["lat"] and not values["lng"]:
        return None, None
    try:
        return float(values["lat"]), float(values["lng"])
    except ValueError:
        errors["lat"] = _("A number is required.")
        return None, None


# --- Addresses ----------------------------------------------------------------------------


def _addresses_import(rows: list, result: RegistryImport, actor) -> None:
    """Level by level (districts before streets before …), so a parent in the same
    file is written before its children; names taken are checked in memory."""
    codes = {values["code"] for _n, _raw, values in rows} | {v["parent"] for _n, _r, v in rows}
    known = {a.code: a for a in StandardAddress.objects.filter(code__in=codes - {""})}
    parents = {a.pk for a in known.values()}
    names = set(
        StandardAddress.objects.filter(parent_id__in=parents, retired_on__isnull=True).values_list(
            "parent_id", "name", "code"
        )
    )
    taken = {(parent_id, name): code for parent_id, name, code in names}
    seen: set[str] = set()
    ordered = []
    for number, raw, values in rows:
        errors = _required("addresses", values)
        element = row_choice(values["element"], AddressElement.choices, errors, "element")
        if values["code"] in seen:
            errors["code"] = _("Twice in this file.")
        seen.add(values["code"])
        ordered.append((LEVEL.get(element, 99), number, raw, values, element, errors))
    ordered.sort(key=lambda row: (row[0], row[1]))
    officers: dict = {}

    def is_taken(parent, name, code):
        return taken.get((parent.pk, name), code) != code

    for level in sorted({row[0] for row in ordered}):
        batch = [row for row in ordered if row[0] == level]
        good = []
        for _level, number, raw, values, element, errors in batch:
            parent = known.get(values["parent"]) if values["parent"] else None
            if values["parent"] and parent is None:
                errors.setdefault(
                    "parent", _("No address “%(code)s”.") % {"code": values["parent"]}
                )
            lat, lng = _coordinate(values, errors)
            if errors:
                result.refused.append((number, raw, errors))
                continue
            data = AddressInput(element=element, name=values["name"], lat=lat, lng=lng,
                                parent=parent, code=values["code"])  # fmt: skip
            if errors := address_errors(data, taken=is_taken):
                result.refused.append((number, raw, errors))
                continue
            taken[(parent.pk if parent else None, data.name.strip())] = data.code
            good.append((data, known.get(data.code)))
        _addresses_write(good, known, result, actor, officers)


def _addresses_write(good: list, known: dict, result, actor, officers: dict) -> None:
    fields = ("element", "name", "parent", "lat", "lng")
    filled = ("full_name", "community", "building", "search", "zone", "station", "post",
              "street", "officer")  # fmt: skip
    for start in range(0, len(good), BATCH):
        new, changed = [], []
        for data, existing in good[start : start + BATCH]:
            address = existing or StandardAddress(code=data.code, registered_by=actor)
            before = [getattr(address, f) for f in fields] if existing else None
            address.element, address.name, address.parent = (
                data.element,
                data.name.strip(),
                (data.parent),
            )
            address.lat, address.lng = data.lat, data.lng
            address_fill(address, data.parent, officers=officers)
            if existing is None:
                new.append(address)
            elif before != [getattr(address, f) for f in fields]:
                changed.append(address)
            else:
                result.unchanged += 1
        with transaction.atomic():
            StandardAddress.objects.bulk_create(new, batch_size=BATCH)
            StandardAddress.objects.bulk_update(changed, [*fields, *filled], batch_size=BATCH)
        for address in new:
            known[address.code] = address
        result.created += len(new)
        result.updated += len(changed)


# --- Residents ----------------------------------------------------------------------------


def _date(text: str, errors: dict, name: str) -> date | None:
    if not text:
        return None
    try:
        parsed = parse_date(text.strip()[:10].replace("/", "-"))
    except ValueError:  # well formed, but no such day
        parsed = None
    if parsed is None:
        errors[name] = _("A date is YYYY-MM-DD.")
    return parsed


def _residents_import(rows: list, result: RegistryImport, actor) -> None:
    codes = {values["address"] for _n, _raw, values in rows}
    addresses = {a.code: a for a in StandardAddress.objects.filter(code__in=codes)}
    seen: set[tuple] = set()
    chosen: dict[tuple, tuple] = {}
    good = []
    for number, raw, values in rows:
        errors = _required("residents", values)
        address = addresses.get(values["address"])
        for name, choices in (("gender", Gender), ("household", Household),
                              ("presence", Presence), ("out_reason", MoveOutReason)):  # fmt: skip
            if values[name]:
                key = (name, values[name])
                if key not in chosen:  # a list repeats the same few words: read each once
                    wrong: dict = {}
                    chosen[key] = (row_choice(values[name], choices.choices, wrong, name), wrong)
                values[name], wrong = chosen[key][0] or "", chosen[key][1]
                errors.update(wrong)
        number_ = id_normalise(values["id_number"])
        if not values["gender"] and len(number_) == 18 and number_[16].isdigit():
            # GB 11643: the 17th digit is odd for men, even for women.
            values["gender"] = Gender.MALE if int(number_[16]) % 2 else Gender.FEMALE
        moved_in = _date(values["moved_in"], errors, "moved_in")
        moved_out = _date(values["moved_out"], errors, "moved_out")
        birth = _date(values["birth_date"], errors, "birth_date") or id_birth_date(number_)
        for name, message in resident_errors({**values, "id_number": number_}, address).items():
            errors.setdefault(name, message)
        key = (values["address"], number_)
        if key in seen:
            errors["id_number"] = _("Twice at this address in this file.")
        seen.add(key)
        if errors:
            result.refused.append((number, raw, errors))
            continue
        good.append(
            Resident(
                address=address,
                id_number=number_,
                name=values["name"].strip()[:40],
                gender=values["gender"],
                birth_date=birth,
                ethnicity=values["ethnicity"][:20],
                phone=values["phone"],
                household=values["household"],
                presence=values["presence"],
                head_relation=values["head_relation"][:20],
                moved_in=moved_in or timezone.localdate(),
                moved_out=moved_out,
                out_reason=values["out_reason"] if moved_out else "",
                collected_by=actor,
            )
        )
    _residents_write(good, result)


RESIDENT_FIELDS = ("name", "gender", "birth_date", "ethnicity", "phone", "household",
                   "presence", "head_relation", "moved_in", "moved_out", "out_reason")  # fmt: skip


def _differs(old: Resident, new: Resident, field: str) -> bool:
    """A change worth writing (an encrypted empty phone reads back as None)."""
    return (getattr(old, field) or "") != (getattr(new, field) or "")


def _residents_write(good: list[Resident], result) -> None:
    for start in range(0, len(good), BATCH):
        batch = good[start : start + BATCH]
        for resident in batch:
            resident_fill(resident)
        existing = {
            (r.address_id, r.id_digest): r
            for r in Resident.objects.filter(
                address_id__in={r.address_id for r in batch},
                id_digest__in={r.id_digest for r in batch},
                moved_out__isnull=True,
            )
        }
        new, changed = [], []
        for resident in batch:
            old = existing.get((resident.address_id, resident.id_digest))
            if old is None:
                new.append(resident)
            elif any(_differs(old, resident, f) for f in RESIDENT_FIELDS):
                for f in RESIDENT_FIELDS:
                    setattr(old, f, getattr(resident, f))
                resident_fill(old)
                changed.append(old)
            else:
                result.unchanged += 1
        with transaction.atomic():
            Resident.objects.bulk_create(new, batch_size=BATCH)
            Resident.objects.bulk_update(
                changed, [*RESIDENT_FIELDS, "phone_digest", "phone_masked"], batch_size=BATCH
            )
        result.created += len(new)
        result.updated += len(changed)


# --- Houses and organisations --------------------------------------------------------------

YES = {"是", "1", "y", "yes", "true", "出租"}


def _keyed_import(rows, result, *, model, key, build, fields) -> None:
    """Rows checked by `build(values, errors) -> (key, instance)`, then created or, where
    the key exists, updated field by field (only what changed)."""
    good, seen = {}, set()
    for number, raw, values in rows:
        errors = _required("houses" if model is House else "organisations", values)
        row_key, instance = build(values, errors)
        if row_key in seen:
            errors.setdefault(key, _("Twice in this file."))
        seen.add(row_key)
        if errors:
            result.refused.append((number, raw, errors))
        else:
            good[row_key] = instance
    existing = {getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": list(good)})}
    new, changed = [], []
    for row_key, instance in good.items():
        old = existing.get(row_key)
        if old is None:
            new.append(instance)
        elif any((getattr(old, f) or "") != (getattr(instance, f) or "") for f in fields):
            for f in fields:
                setattr(old, f, getattr(instance, f))
            changed.append(old)
        else:
            result.unchanged += 1
    with transaction.atomic():
        model.objects.bulk_create(new, batch_size=BATCH)
        model.objects.bulk_update(changed, fields, batch_size=BATCH)
    result.created += len(new)
    result.updated += len(changed)


def _address_cell(values: dict, errors: dict, addresses: dict) -> StandardAddress | None:
    address = addresses.get(values["address"])
    if values["address"] and address is None:
        errors["address"] = _("No standard address with this code.")
    return address


def _houses_import(rows: list, result, actor) -> None:
    addresses = {a.code: a for a in StandardAddress.objects.filter(
        code__in={v["address"] for _n, _r, v in rows}, element__in=DWELLING_ELEMENTS)}  # fmt: skip

    def build(values, errors):
        address = _address_cell(values, errors, addresses)
        use = row_choice(values["use"], HouseUse.choices, errors, "use") if values["use"] else ""
        area = values["area_m2"]
        if area and not area.isdigit():
            errors["area_m2"] = _("A whole number of square metres.")
        phone = values["owner_phone"]
        if phone:
            try:
                phone = phone_validate(phone)
            except ValidationError as error:
                errors["owner_phone"] = error.messages[0]
        checked = _date(values["tenants_checked_on"], errors, "tenants_checked_on")
        rented = values["rented"].strip().lower() in YES or use == HouseUse.RENTED
        if errors:
            return values["address"], None
        return address.pk, House(
            address=address, use=use, area_m2=int(area) if area else None,
            owner_name=values["owner_name"][:60], owner_phone=phone or None,
            owner_phone_masked=mask_phone(phone) if phone else "", rented=rented,
            tenants_checked_on=checked, **address.location,
        )  # fmt: skip

    _keyed_import(rows, result, model=House, key="address_id", build=build,
                  fields=HOUSE_FIELDS)  # fmt: skip


HOUSE_FIELDS = ["use", "area_m2", "owner_name", "owner_phone", "owner_phone_masked", "rented",
                "tenants_checked_on"]  # fmt: skip
ORGANISATION_FIELDS = ["name", "address", "industry", "contact_name", "contact_phone",
                       "contact_phone_masked", "staff", "station", "post", "street"]  # fmt: skip


def _organisations_import(rows: list, result, actor) -> None:
    addresses = {a.code: a for a in StandardAddress.objects.filter(
        code__in={v["address"] for _n, _r, v in rows})}  # fmt: skip

    def build(values, errors):
        address = _address_cell(values, errors, addresses)
        code = values["credit_code"].strip().upper()
        try:
            code = credit_code_validate(code)
        except ValidationError as error:
            errors["credit_code"] = error.messages[0]
        industry = row_choice(values["industry"], Industry.choices, errors, "industry") if (
            values["industry"]) else ""  # fmt: skip
        staff = values["staff"] or "0"
        if not staff.isdigit():
            errors["staff"] = _("A whole number.")
        phone = values["contact_phone"]
        if phone:
            try:
                phone = phone_validate(phone)
            except ValidationError as error:
                errors["contact_phone"] = error.messages[0]
        if errors:
            return code, None
        return code, Organisation(
            credit_code=code, name=values["name"][:120], address=address, industry=industry,
            contact_name=values["contact_name"][:40], contact_phone=phone or None,
            contact_phone_masked=mask_phone(phone) if phone else "",
            staff=int(staff), **address.location,
        )  # fmt: skip

    _keyed_import(rows, result, model=Organisation, key="credit_code", build=build,
                  fields=ORGANISATION_FIELDS)  # fmt: skip


# --- A community's export -----------------------------------------------------------------


def community_xlsx(community: StandardAddress) -> bytes:
    """The community's addresses and its residents, masked (a sheet each): what the
    community police walk with. Unmasked reads stay one household at a time."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Addresses"))
    sheet.append([_("Address code"), _("Element type"), _("Full address"), _("Station"),
                  _("Latitude"), _("Longitude")])  # fmt: skip
    rows = StandardAddress.objects.filter(community=community, retired_on__isnull=True)
    for a in rows.select_related("station").order_by("code").iterator(chunk_size=5000):
        sheet.append([a.code, a.get_element_display(), a.full_name,
                      a.station.name if a.station else "", a.lat, a.lng])  # fmt: skip
    people = workbook.create_sheet(_("Residents"))
    people.append([_("Address code"), _("Full address"), _("Name"), _("Gender"), _("Born"),
                   _("ID number"), _("Phone"), _("Population type"),
                   _("Residence status")])  # fmt: skip
    residents = (
        Resident.objects.filter(address__community=community, moved_out__isnull=True)
        .select_related("address")
        .defer("id_number", "phone")
        .order_by("address__code", "pk")
    )
    for r in residents.iterator(chunk_size=5000):
        people.append([r.address.code, r.address.full_name, mask_name(r.name),
                       r.get_gender_display(), r.birth_date.year, r.id_masked, r.phone_masked,
                       r.get_household_display(), r.get_presence_display()])  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
