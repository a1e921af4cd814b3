"""Importing sites and sensors from Excel (.xlsx) or CSV, row by row.

Each good row is created or updated (by site code, by device id); each bad row
is refused with a message per column and nothing of it is written. The refused
rows come back as an Excel file with an "errors" column, for the site's
operator to correct and send again (as streets do with 一标三实 lists).
Headers may be our field names or their Chinese labels (see COLUMNS).
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from commandcenter.choices import Role
from community.choices import SensorType, SiteGrade, SiteKind
from community.models import Sensor, SmartSite, gb28181_code
from community.services import site_place

MAX_ROWS = 20_000
# field → the headers accepted for it (the first is the one the error file writes).
COLUMNS = {
    "sites": {
        "code": ("code", "编码", "小区编码"),
        "name": ("name", "名称", "小区名称"),
        "kind": ("kind", "类型"),
        "grade": ("grade", "等级", "智安等级"),
        "address": ("address", "地址"),
        "lat": ("lat", "纬度"),
        "lng": ("lng", "经度"),
        "contact_name": ("contact_name", "安保联系人"),
        "contact_phone": ("contact_phone", "联系电话"),
    },
    "sensors": {
        "device_id": ("device_id", "设备编号"),
        "site": ("site", "小区编码", "所属小区"),
        "sensor_type": ("sensor_type", "设备类型"),
        "gb_code": ("gb_code", "国标编码"),
        "vendor": ("vendor", "厂商"),
        "name": ("name", "名称"),
        "lat": ("lat", "纬度"),
        "lng": ("lng", "经度"),
        "heartbeat_seconds": ("heartbeat_seconds", "心跳间隔"),
    },
}
REQUIRED = {"sites": ("code", "name", "kind", "lat", "lng"), "sensors": ("device_id", "site",
            "sensor_type")}  # fmt: skip


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    # (row number in the file, the row as read, {column: message})
    refused: list[tuple[int, dict, dict]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "refused": [{"row": n, "errors": e} for n, _row, e in self.refused],
        }


def may_import(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role == Role.ADMINISTRATOR)


def table_rows(upload, *, max_rows: int = MAX_ROWS) -> list[dict]:
    """The file's rows as {header: text}; ValidationError if it is no table we read."""
    name = (getattr(upload, "name", "") or "").lower()
    data = upload.read()
    if name.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as error:  # noqa: BLE001 - any unreadable file is the user's
            raise ValidationError({"file": _("Not an Excel file we can read.")}) from error
        lines = [
            ["" if v is None else str(v).strip() for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    elif name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        lines = [[v.strip() for v in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise ValidationError({"file": _("Send an .xlsx or .csv file.")})
    if not lines:
        raise ValidationError({"file": _("The file is empty.")})
    if len(lines) > max_rows + 1:
        raise ValidationError({"file": _("At most %(n)d rows at a time.") % {"n": max_rows}})
    header = lines[0]
    return [dict(zip(header, line, strict=False)) for line in lines[1:] if any(line)]


def row_fields(columns: dict, raw: dict) -> dict:
    """{field: text} of a row, each field read from the first of its headers given."""
    values = {}
    for name, headers in columns.items():
        values[name] = next((raw[h] for h in headers if raw.get(h) not in (None, "")), "")
    return values


def row_choice(value: str, choices, errors: dict, name: str):
    """A choice by its value or its label (Chinese or English)."""
    for code, label in choices:
        if value in (str(code), str(label)) or (value and value in str(label)):
            return code
    errors[name] = _("Unknown value “%(value)s”.") % {"value": value}
    return None


def row_float(value: str, errors: dict, name: str, low: float, high: float):
    try:
        number = float(value)
    except ValueError:
        errors[name] = _("A number is required.")
        return None
    if not low <= number <= high:
        errors[name] = _("Out of range.")
        return None
    return number


def _site_row(values: dict, errors: dict) -> dict:
    return {
        "name": values["name"][:120],
        "kind": row_choice(values["kind"], SiteKind.choices, errors, "kind"),
        "grade": row_choice(values["grade"] or "1", SiteGrade.choices, errors, "grade"),
        "address": values["address"][:200],
        "lat": row_float(values["lat"], errors, "lat", -90, 90),
        "lng": row_float(values["lng"], errors, "lng", -180, 180),
        "contact_name": values["contact_name"][:60],
        "contact_phone": values["contact_phone"][:30],
    }


def _sensor_row(values: dict, errors: dict, sites: dict) -> dict:
    site = sites.get(values["site"])
    if site is None:
        errors["site"] = _("No site “%(code)s”.") % {"code": values["site"]}
    if values["gb_code"]:
        try:
            gb28181_code(values["gb_code"])
        except ValidationError as error:
            errors["gb_code"] = error.messages[0]
    interval = values["heartbeat_seconds"] or "60"
    if not interval.isdigit() or not 10 <= int(interval) <= 86400:
        errors["heartbeat_seconds"] = _("Seconds between 10 and 86400.")
    lat = row_float(values["lat"], errors, "lat", -90, 90) if values["lat"] else None
    lng = row_float(values["lng"], errors, "lng", -180, 180) if values["lng"] else None
    return {
        "site": site,
        "sensor_type": row_choice(values["sensor_type"], SensorType.choices, errors, "sensor_type"),
        "gb_code": values["gb_code"],
        "vendor": values["vendor"][:60],
        "name": values["name"][:120],
        "lat": lat if lat is not None else (site.lat if site else None),
        "lng": lng if lng is not None else (site.lng if site else None),
        "heartbeat_seconds": int(interval) if interval.isdigit() else 60,
    }


def table_import(*, actor, kind: str, upload) -> ImportResult:
    """Import `kind` ("sites" or "sensors") from an uploaded file, row by row."""
    if not may_import(actor):
        raise PermissionDenied(_("Only an administrator imports sites and sensors."))
    rows = table_rows(upload)
    result = ImportResult()
    key = "code" if kind == "sites" else "device_id"
    sites = {s.code: s for s in SmartSite.objects.all()} if kind == "sensors" else {}
    seen = set()
    for number, raw in enumerate(rows, start=2):
        values = row_fields(COLUMNS[kind], raw)
        errors = {n: _("Required.") for n in REQUIRED[kind] if not values[n]}
        if values[key] in seen:
            errors[key] = _("Twice in this file.")
        seen.add(values[key])
        if kind == "sites":
            fields = _site_row(values, errors)
        else:
            fields = _sensor_row(values, errors, sites)
        if errors:
            result.refused.append((number, raw, errors))
            continue
        with transaction.atomic():
            created = _write(kind, values[key], fields)
        if created:
            result.created += 1
        else:
            result.updated += 1
    return result


def _write(kind: str, key: str, fields: dict) -> bool:
    if kind == "sites":
        site = SmartSite.objects.filter(code=key).first() or SmartSite(code=key)
        created = site.pk is None
        for name, value in fields.items():
            setattr(site, name, value)
        site_place(site)
        site.save()
        # Its sensors are where the site is.
        Sensor.objects.filter(site=site).update(**site.location)
        return created
    site = fields["site"]
    sensor, created = Sensor.objects.update_or_create(
        device_id=key, defaults={**fields, **site.location}
    )
    return created


def refused_xlsx(columns: dict, result: ImportResult) -> bytes:
    """The refused rows as they came, with an errors column, to correct and send again;
    `columns` is the kind's COLUMNS."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Refused rows")
    headers = [h[0] for h in columns.values()]
    sheet.append([_("Row"), *headers, _("Errors")])
    for number, raw, errors in result.refused:
        values = row_fields(columns, raw)
        text = "; ".join(f"{name}: {message}" for name, message in errors.items())
        sheet.append([number, *(values[name] for name in columns), text])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
