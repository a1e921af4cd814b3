"""Incident lists as files: CSV and Excel, masked as the reader would see them on screen."""

import csv
import io
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from commandcenter.models import Station, Street
from incidents.lifecycle import directory_name
from incidents.models import IncidentCategory, ResultCode
from incidents.permissions import mask_name, mask_phone, may_see_caller

# At most this many rows per file: a search, not a data dump.
EXPORT_LIMIT = 10_000


def _local(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: write the wall-clock time of Asia/Shanghai.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _name(model, pk) -> str:
    return directory_name(model, pk) or ""


def export_columns() -> list[str]:
    return [
        _("Number"),
        _("Received"),
        _("Category"),
        _("Priority"),
        _("Status"),
        _("Tier"),
        _("Caller phone"),
        _("Caller name"),
        _("Address"),
        _("Station"),
        _("Street"),
        _("Result"),
        _("Closed"),
        _("What happened"),
    ]


def export_rows(*, user, incidents) -> list[list]:
    """One row per incident, the caller masked where the reader may not see it."""
    rows = []
    for incident in incidents[:EXPORT_LIMIT]:
        phone, name = incident.caller_phone, incident.caller_name
        if not may_see_caller(user, incident):
            phone, name = mask_phone(phone), mask_name(name)
        rows.append(
            [
                incident.number,
                _local(incident.received_at),
                _name(IncidentCategory, incident.category_id),
                incident.priority,
                incident.get_status_display(),
                incident.get_tier_display(),
                phone,
                name,
                incident.address,
                _name(Station, incident.station_id),
                _name(Street, incident.street_id),
                _name(ResultCode, incident.result_code_id),
                _local(incident.closed_at),
                incident.description,
            ]
        )
    return rows


# Text a caller typed must never become a formula in the reader's spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def incidents_csv(*, user, incidents) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on a Chinese desktop opens it right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(export_columns())
    for row in export_rows(user=user, incidents=incidents):
        writer.writerow([_csv_value(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def incidents_xlsx(*, user, incidents) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Incidents")
    sheet.append(export_columns())
    for row in export_rows(user=user, incidents=incidents):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # shown as typed, never evaluated
    for column in (2, 13):  # the times
        for cell in sheet[get_column_letter(column)][1:]:
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
    for index, width in enumerate((16, 20, 14, 6, 10, 10, 14, 10, 30, 16, 12, 14, 20, 40), 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", incidents_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", incidents_xlsx),
}


def export_filename(extension: str) -> str:
    return f"incidents-{timezone.localtime():%Y%m%d-%H%M}.{extension}"
