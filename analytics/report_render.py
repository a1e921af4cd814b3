"""A stored report as files: Excel (one sheet per section, numbers as numbers, charts)
and PDF (Chinese set in ReportLab's built-in CID font, so no font file is needed).

Both read only `Report.data` (analytics.reports), so a file made today from a
report built last week shows the figures as they were built. Headings and KPI
names follow the active language; the KPI names carry their Chinese terms.
"""

import io
from datetime import datetime
from urllib.parse import quote

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from analytics.choices import ClockState, ReportKind
from analytics.kpis import KPIS, kpi_definitions
from analytics.reports import report_scope_name
from commandcenter.pdf import LATIN_FONT, PDF_FONT, mixed

# --- What the files say --------------------------------------------------------------

HEADINGS = {
    "summary": gettext_lazy("Summary (指标汇总)"),
    "comparison": gettext_lazy("Change from the previous period (环比)"),
    "station": gettext_lazy("By station (分所统计)"),
    "team": gettext_lazy("By team (分组统计)"),
    "categories": gettext_lazy("By category (警情类别)"),
    "hours": gettext_lazy("By hour received (时段分布)"),
    "breaches": gettext_lazy("Late clocks (超时明细)"),
    "ranking": gettext_lazy("Team ranking (赋分排名)"),
    "definitions": gettext_lazy("How each figure is computed (指标口径)"),
}
# Sheet names: at most 31 characters, none of : \ / ? * [ ].
SHEETS = {
    "summary": gettext_lazy("Summary"),
    "comparison": gettext_lazy("Previous period"),
    "station": gettext_lazy("By station"),
    "team": gettext_lazy("By team"),
    "categories": gettext_lazy("By category"),
    "hours": gettext_lazy("By hour"),
    "breaches": gettext_lazy("Late clocks"),
    "ranking": gettext_lazy("Ranking"),
    "definitions": gettext_lazy("Definitions"),
}
# Short column labels of the KPIs in the tables by unit, category and hour.
SHORT = {
    "calls": gettext_lazy("Calls"),
    "valid_rate": gettext_lazy("Valid"),
    "dispatch_rate": gettext_lazy("Dispatched ≤ 60 s"),
    "arrival_rate": gettext_lazy("Arrived in time"),
    "arrival_time": gettext_lazy("Arrival"),
    "ack_rate": gettext_lazy("Acknowledged"),
    "on_site_rate": gettext_lazy("Resolved on site"),
    "diversion_rate": gettext_lazy("Diverted"),
    "completion_rate": gettext_lazy("Completed"),
    "same_day_rate": gettext_lazy("Closed same day"),
    "satisfaction": gettext_lazy("Satisfaction"),
    "breaches": gettext_lazy("Breaches"),
}
# The first column of a table by group.
LEVELS = {
    "station": gettext_lazy("Station"),
    "team": gettext_lazy("Team"),
    "category": gettext_lazy("Category"),
    "hour": gettext_lazy("Hour received"),
}
FILE_WORDS = {
    ReportKind.DAILY: gettext_lazy("Daily report"),
    ReportKind.WEEKLY: gettext_lazy("Weekly report"),
    ReportKind.ADHOC: gettext_lazy("Report"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"

# Excel number formats.
PERCENT = "0.0%"
CHANGE_PERCENT = "+0.0%;-0.0%;0.0%"
COUNT = "#,##0"
SECONDS = '#,##0.0" s"'
CHANGE_SECONDS = '+#,##0.0" s";-#,##0.0" s";0" s"'
HOURS = '#,##0.0" h"'
RATIO = "0.000"
DATETIME = "yyyy-mm-dd hh:mm:ss"
RATE_KINDS = ("rate", "satisfaction")


def period_text(data: dict) -> str:
    if data["from"] == data["to"]:
        return data["from"]
    return f"{data['from']} – {data['to']}"


def _period(report) -> str:
    return period_text({"from": report.start.isoformat(), "to": report.end.isoformat()})


def report_title(report) -> str:
    """日报 · 上城区 · 2026-12-01 (from the report's columns: the list leaves its data)."""
    return " · ".join(
        [str(ReportKind(report.kind).label), report_scope_name(report), _period(report)]
    )


def report_filename(report, extension: str) -> str:
    parts = [report_scope_name(report), str(FILE_WORDS[ReportKind(report.kind)])]
    parts.append(report.start.isoformat())
    if report.end != report.start:
        parts.append(report.end.isoformat())
    return "-".join(parts).replace("/", "-").replace(" ", "_") + f".{extension}"


def _ascii(text: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in text)


def report_download_header(report, extension: str) -> str:
    """Content-Disposition of a report's file: named in UTF-8 (RFC 5987, 湖滨派出所-日报-…)
    and, for clients that read only `filename`, in ASCII."""
    code = report.station.code if report.station_id else "district"
    dates = report.start.isoformat()
    if report.end != report.start:
        dates += f"_{report.end.isoformat()}"
    fallback = _ascii(f"report-{report.kind}-{code}-{dates}.{extension}")
    name = report_filename(report, extension)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def kpi_name(code: str) -> str:
    return str(KPIS[code].name) if code in KPIS else code


def _group_name(group: dict, level: str) -> str:
    return group.get(f"{level}_name") or group.get(level) or _("none")


def _local(value: str | None) -> datetime | None:
    # Excel has no time zones: the wall-clock time of Asia/Shanghai.
    return datetime.fromisoformat(value).replace(tzinfo=None) if value else None


def _figures(section: dict) -> list[tuple[dict, dict]]:
    return [(row["group"], row["figures"]) for row in section.get("results", [])]


def _summary_figures(data: dict) -> dict:
    results = data["summary"]["results"]
    return results[0]["figures"] if results else {}


def hour_rows(data: dict) -> list[tuple[int, dict]]:
    """Every hour 0–23, an hour with no call as empty figures."""
    by_hour = {group.get("hour"): figures for group, figures in _figures(data["hours"])}
    return [(hour, by_hour.get(hour, {})) for hour in range(24)]


# The table columns: (KPI code, field of its figure).
def table_columns(codes) -> list[tuple[str, str]]:
    columns = []
    for code in codes:
        if KPIS[code].kind == "interval":
            columns += [(code, "p50"), (code, "p90")]
        else:
            columns.append((code, "value"))
    return columns


def column_label(code: str, field: str) -> str:
    label = str(SHORT.get(code) or KPIS[code].name)
    return f"{label} {field}" if field in ("p50", "p90") else label


def _number_format(code: str, field: str = "value") -> str:
    kind = KPIS[code].kind
    if field in ("p50", "p90", "mean", "target_s"):
        return SECONDS
    if field == "within_target" or kind in RATE_KINDS and field in ("value", "target"):
        return PERCENT
    if kind == "hours":
        return HOURS
    if kind == "ratio" and field == "value":
        return RATIO
    if kind == "satisfaction" and field == "numerator":
        return "#,##0.0"
    if kind == "ratio" and field == "denominator":
        return HOURS
    return COUNT


def _codes_of(section: dict) -> list[str]:
    for _group, figures in _figures(section):
        return [code for code in figures if code in KPIS]
    return []


# --- Excel ---------------------------------------------------------------------------

BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")
TITLE = Font(bold=True, size=14)


def _text(cell) -> None:
    # Text someone typed (a delay note, an excuse) must never become a formula.
    if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
        cell.data_type = "s"


def _head(sheet, row: int, labels: list[str]) -> None:
    for column, label in enumerate(labels, 1):
        cell = sheet.cell(row, column, label)
        cell.font, cell.fill = BOLD, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row + 1, 2)


def _put(sheet, row: int, column: int, value, number_format: str | None = None):
    cell = sheet.cell(row, column, value)
    if number_format and isinstance(value, int | float):
        cell.number_format = number_format
    _text(cell)
    return cell


def _widths(sheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _heading(sheet, key: str, data: dict, report) -> int:
    """The sheet's title lines; returns the row its table starts on."""
    sheet.cell(1, 1, report_title(report)).font = TITLE
    sheet.cell(2, 1, str(HEADINGS[key])).font = BOLD
    sheet.cell(
        3, 1, _("Cohort: the local day the call was received (%(tz)s).") % {"tz": data["timezone"]}
    )
    return 5


SUMMARY_FIELDS = [
    ("value", gettext_lazy("Value")),
    ("numerator", gettext_lazy("Numerator")),
    ("denominator", gettext_lazy("Denominator")),
    ("target", gettext_lazy("Target")),
    ("n", gettext_lazy("Jobs timed")),
    ("p50", gettext_lazy("p50")),
    ("p90", gettext_lazy("p90")),
    ("mean", gettext_lazy("Mean")),
    ("within_target", gettext_lazy("Within target")),
    ("target_s", gettext_lazy("Target time")),
]


def _sheet_summary(workbook, report) -> None:
    data = report.data
    sheet = workbook.active
    sheet.title = str(SHEETS["summary"])
    sheet.cell(1, 1, report_title(report)).font = TITLE
    sheet.cell(2, 1, str(HEADINGS["summary"])).font = BOLD
    lines = [
        (_("Scope"), data["scope"]["name"]),
        (_("Period"), period_text(data)),
        (_("Previous period"), f"{data['previous']['from']} – {data['previous']['to']}"),
        (
            _("Cohort"),
            _("the local day the call was received (%(tz)s)") % {"tz": data["timezone"]},
        ),
        (_("Built at"), data["generated_at"]),
    ]
    for offset, (label, value) in enumerate(lines):
        sheet.cell(3 + offset, 1, label).font = BOLD
        sheet.cell(3 + offset, 2, value)
    start = 3 + len(lines) + 1
    _head(
        sheet,
        start,
        [_("KPI"), *(str(label) for _f, label in SUMMARY_FIELDS), _("Formula"), _("Code")],
    )
    figures = _summary_figures(data)
    row = start
    for code, figure in figures.items():
        if code not in KPIS:
            continue
        row += 1
        _put(sheet, row, 1, kpi_name(code))
        for column, (field, _label) in enumerate(SUMMARY_FIELDS, 2):
            value = figure.get(field)
            _put(sheet, row, column, value, _number_format(code, field))
        _put(sheet, row, len(SUMMARY_FIELDS) + 2, KPIS[code].as_dict()["formula"])
        _put(sheet, row, len(SUMMARY_FIELDS) + 3, code)
    _widths(sheet, [44, 11, 11, 11, 9, 9, 10, 10, 10, 10, 10, 60, 22])


def _change_format(code: str) -> str:
    kind = KPIS[code].kind
    if kind in RATE_KINDS:
        return CHANGE_PERCENT
    if kind == "interval":
        return CHANGE_SECONDS
    return "+#,##0.###;-#,##0.###;0"


def _sheet_comparison(workbook, report) -> None:
    data = report.data
    sheet = workbook.create_sheet(str(SHEETS["comparison"]))
    start = _heading(sheet, "comparison", data, report)
    _head(
        sheet,
        start,
        [
            _("KPI"),
            _("This period (%(period)s)") % {"period": period_text(data)},
            _("Previous period (%(period)s)") % {"period": period_text(data["previous"])},
            _("Difference"),
            _("Better"),
        ],
    )
    for row, line in enumerate(data["comparison"], start + 1):
        code = line["code"]
        value_format = SECONDS if KPIS[code].kind == "interval" else _number_format(code)
        name = kpi_name(code) + (" p90" if KPIS[code].kind == "interval" else "")
        _put(sheet, row, 1, name)
        _put(sheet, row, 2, line["current"], value_format)
        _put(sheet, row, 3, line["previous"], value_format)
        _put(sheet, row, 4, line["delta"], _change_format(code))
        better = _better(line)
        _put(sheet, row, 5, "" if better is None else (_("yes") if better else _("no")))
    _widths(sheet, [48, 18, 18, 12, 8])


def _better(line: dict) -> bool | None:
    if not line["delta"]:
        return None
    # A shorter interval is better; so is a lower count where higher is not.
    higher = line["higher_is_better"] and KPIS[line["code"]].kind != "interval"
    return (line["delta"] > 0) == higher


def _table_sheet(
    workbook, report, key: str, level: str, rows: list[tuple[str, str, dict]], codes
) -> tuple:
    """A table of groups (name, code, figures) by KPI column; returns (sheet, first, last row)."""
    data = report.data
    sheet = workbook.create_sheet(str(SHEETS[key]))
    start = _heading(sheet, key, data, report)
    columns = table_columns(codes)
    _head(sheet, start, [str(LEVELS[level]), _("Code"), *(column_label(c, f) for c, f in columns)])
    row = start
    for name, code, figures in rows:
        row += 1
        _put(sheet, row, 1, name)
        _put(sheet, row, 2, code)
        for column, (kpi, field) in enumerate(columns, 3):
            _put(
                sheet, row, column, (figures.get(kpi) or {}).get(field), _number_format(kpi, field)
            )
    _widths(sheet, [26, 14, *([12] * len(columns))])
    return sheet, start, row


def _calls_chart(sheet, *, start: int, end: int, title: str, anchor: str) -> None:
    """A bar chart of the calls column (the table's third) by the names in its first."""
    if end <= start:
        return
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.y_axis.title = str(SHORT["calls"])
    chart.legend = None
    chart.height, chart.width = 8, 18
    chart.add_data(Reference(sheet, min_col=3, min_row=start, max_row=end), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=start + 1, max_row=end))
    sheet.add_chart(chart, anchor)


def _sheet_units(workbook, report) -> None:
    data = report.data
    level = data["units"]["level"]
    rows = [
        (_group_name(group, level), group.get(level) or "", figures)
        for group, figures in _figures(data["units"])
    ]
    sheet, start, end = _table_sheet(workbook, report, level, level, rows, _codes_of(data["units"]))
    _calls_chart(
        sheet,
        start=start,
        end=end,
        title=str(HEADINGS[level]),
        anchor=f"B{end + 3}",
    )


def _sheet_categories(workbook, report) -> None:
    data = report.data
    rows = [
        (_group_name(group, "category"), group.get("category") or "", figures)
        for group, figures in _figures(data["categories"])
    ]
    rows.sort(key=lambda r: -((r[2].get("calls") or {}).get("value") or 0))
    _table_sheet(workbook, report, "categories", "category", rows, _codes_of(data["categories"]))


def _sheet_hours(workbook, report) -> None:
    data = report.data
    rows = [(f"{hour:02d}:00", str(hour), figures) for hour, figures in hour_rows(data)]
    codes = _codes_of(data["hours"]) or ["calls"]
    sheet, start, end = _table_sheet(workbook, report, "hours", "hour", rows, codes)
    # An hour with no call received is a 0 in the calls column, not a blank.
    for row in range(start + 1, end + 1):
        if sheet.cell(row, 3).value is None:
            _put(sheet, row, 3, 0, COUNT)
    _calls_chart(sheet, start=start, end=end, title=str(HEADINGS["hours"]), anchor=f"J{start}")


def _sheet_breaches(workbook, report) -> None:
    data = report.data
    breaches = data["breaches"]
    sheet = workbook.create_sheet(str(SHEETS["breaches"]))
    start = _heading(sheet, "breaches", data, report)
    sheet.cell(
        4,
        1,
        _("%(shown)s of %(total)s late clocks.")
        % {
            "shown": len(breaches["rows"]),
            "total": breaches["total"],
        },
    )
    _head(
        sheet,
        start,
        [
            _("Job"),
            _("Clock"),
            _("State"),
            _("Started"),
            _("Due"),
            _("Stopped"),
            _("Late by"),
            _("Delay reason"),
            _("Note"),
            _("Excuse"),
            _("Station"),
            _("Order number"),
        ],
    )
    for row, clock in enumerate(breaches["rows"], start + 1):
        values = [
            (clock["number"], None),
            (clock["clock_name"], None),
            (str(ClockState(clock["state"]).label), None),
            (_local(clock["started_at"]), DATETIME),
            (_local(clock["due_at"]), DATETIME),
            (_local(clock["stopped_at"]), DATETIME),
            (clock["late_s"], SECONDS),
            (clock["delay_reason"], None),
            (clock["delay_note"], None),
            (clock["excuse_reason"], None),
            (clock["station_name"], None),
            (clock["order"], None),
        ]
        for column, (value, number_format) in enumerate(values, 1):
            cell = _put(sheet, row, column, value, number_format)
            if number_format == DATETIME and value is not None:
                cell.number_format = DATETIME
    _widths(sheet, [16, 16, 10, 20, 20, 20, 10, 16, 24, 24, 16, 16])


def _sheet_ranking(workbook, report) -> None:
    data = report.data
    ranked = data.get("ranking")
    if not ranked:
        return
    sheet = workbook.create_sheet(str(SHEETS["ranking"]))
    start = _heading(sheet, "ranking", data, report)
    sheet.cell(4, 1, _("Scheme: %(name)s") % {"name": ranked["scheme"]["name"]})
    _head(
        sheet,
        start,
        [
            _("Rank"),
            _("Team"),
            _("Code"),
            _("Score"),
            _("Vetoed"),
            _("Previous rank"),
            _("Previous score"),
            _("Difference"),
        ],
    )
    for row, line in enumerate(ranked["rows"], start + 1):
        _put(sheet, row, 1, line["rank"], COUNT)
        _put(sheet, row, 2, line["name"])
        _put(sheet, row, 3, line["code"])
        _put(sheet, row, 4, line["score"], "0.00")
        _put(sheet, row, 5, _("yes") if line["vetoed"] else "")
        _put(sheet, row, 6, line["previous_rank"], COUNT)
        _put(sheet, row, 7, line["previous_score"], "0.00")
        _put(sheet, row, 8, line["change"], "+0.00;-0.00;0.00")
    _widths(sheet, [8, 20, 14, 10, 8, 12, 12, 10])


def _sheet_definitions(workbook, report) -> None:
    sheet = workbook.create_sheet(str(SHEETS["definitions"]))
    start = _heading(sheet, "definitions", report.data, report)
    _head(
        sheet,
        start,
        [_("Code"), _("KPI"), _("Counts"), _("Over"), _("Left out"), _("Formula"), _("Target")],
    )
    for row, definition in enumerate(kpi_definitions(), start + 1):
        values = [
            definition["code"],
            definition["name"],
            definition["numerator"],
            definition["denominator"],
            definition["excluded"],
            definition["formula"],
        ]
        for column, value in enumerate(values, 1):
            _put(sheet, row, column, value)
        _put(sheet, row, 7, definition["target"], PERCENT)
    _widths(sheet, [22, 40, 50, 40, 50, 60, 10])


def report_xlsx(report) -> bytes:
    """The report as an Excel workbook: one sheet per section, numbers as numbers."""
    workbook = Workbook()
    _sheet_summary(workbook, report)
    _sheet_comparison(workbook, report)
    _sheet_units(workbook, report)
    _sheet_categories(workbook, report)
    _sheet_hours(workbook, report)
    _sheet_breaches(workbook, report)
    _sheet_ranking(workbook, report)
    _sheet_definitions(workbook, report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Text for the PDF ----------------------------------------------------------------


def duration(seconds) -> str:
    """m:ss (h:mm:ss past an hour)."""
    if seconds is None:
        return "—"
    hours, rest = divmod(int(round(seconds)), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def number(value, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def value_text(code: str, field: str, figure: dict | None) -> str:
    value = (figure or {}).get(field)
    kind = KPIS[code].kind
    if field in ("p50", "p90", "mean", "target_s"):
        return duration(value)
    if field == "within_target" or kind in RATE_KINDS:
        return percent(value)
    if kind == "hours":
        return "—" if value is None else f"{value:,.1f} h"
    if kind == "ratio":
        return number(value, 3)
    return number(value)


def figure_text(code: str, figure: dict) -> tuple[str, str]:
    """The figure and the line under it: 93.0% and 93 / 100, target 95%."""
    kind = KPIS[code].kind
    if kind == "interval":
        main = _("p50 %(p50)s · p90 %(p90)s") % {
            "p50": duration(figure.get("p50")),
            "p90": duration(figure.get("p90")),
        }
        detail = _("%(n)s jobs, mean %(mean)s") % {
            "n": number(figure.get("n")),
            "mean": duration(figure.get("mean")),
        }
        if figure.get("target_s"):
            detail += ", " + _("%(within)s within %(target)s") % {
                "within": percent(figure.get("within_target")),
                "target": duration(figure["target_s"]),
            }
        return main, detail
    main = value_text(code, "value", figure)
    if kind in RATE_KINDS:
        detail = f"{number(figure.get('numerator'), 1 if kind == 'satisfaction' else 0)}"
        detail += f" / {number(figure.get('denominator'))}"
        if figure.get("target") is not None:
            detail += " · " + _("target %(target)s") % {"target": percent(figure["target"])}
        return main, detail
    if kind == "ratio":
        return main, f"{number(figure.get('numerator'))} / {number(figure.get('denominator'), 1)} h"
    return main, ""


def change_text(line: dict) -> str:
    delta = line["delta"]
    if delta is None:
        return "—"
    kind = KPIS[line["code"]].kind
    sign = "+" if delta > 0 else ""
    if kind in RATE_KINDS:
        return f"{sign}{delta * 100:.1f} pp"
    if kind == "interval":
        return ("+" if delta > 0 else "-") + duration(abs(delta))
    return f"{sign}{delta:,.3f}".rstrip("0").rstrip(".") if kind != "count" else f"{sign}{delta:,}"


# --- PDF -------------------------------------------------------------------------------

BREACHES_IN_PDF = 100
CATEGORIES_IN_PDF = 15
PAGE_WIDTH = A4[0] - 30 * mm


def _styles() -> dict:
    base = {"fontName": PDF_FONT, "wordWrap": "CJK"}
    return {
        "title": ParagraphStyle("title", fontSize=15, leading=20, spaceAfter=4, **base),
        "meta": ParagraphStyle("meta", fontSize=8, leading=11, textColor=colors.grey, **base),
        "h2": ParagraphStyle("h2", fontSize=12, leading=16, spaceBefore=10, spaceAfter=4, **base),
        "cell": ParagraphStyle("cell", fontSize=7.5, leading=9.5, **base),
        "number": ParagraphStyle("number", fontSize=7.5, leading=9.5, alignment=TA_RIGHT, **base),
        "head": ParagraphStyle("head", fontSize=6.5, leading=8, **base),
        "small": ParagraphStyle("small", fontSize=6.5, leading=8, textColor=colors.grey, **base),
    }


STYLES = _styles()


def _p(text, style: str = "cell") -> Paragraph:
    return Paragraph(mixed(text), STYLES[style])


def _n(text) -> Paragraph:
    return _p(text, "number")


def _table(head: list[str], rows: list[list], shares: list[float]) -> Table:
    table = Table(
        [[_p(label, "head") for label in head], *rows],
        colWidths=[share * PAGE_WIDTH for share in shares],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE6F0")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9AA8B8")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _section(story: list, key: str, *content) -> None:
    # The heading stays on the page of what follows it.
    story.append(KeepTogether([_p(HEADINGS[key], "h2"), content[0]]))
    story.extend(content[1:])


def _group_table(section: dict, level: str, rows: list[tuple[str, dict]]) -> Table:
    columns = table_columns(_codes_of(section) or ["calls"])
    body = [
        [
            _p(name),
            *(
                _n(value_text(code, field, figures.get(code) or _empty(code)))
                for code, field in columns
            ),
        ]
        for name, figures in rows
    ]
    first = 0.18
    return _table(
        [str(LEVELS[level]), *(column_label(c, f) for c, f in columns)],
        body,
        [first, *([(1 - first) / len(columns)] * len(columns))],
    )


def _empty(code: str) -> dict:
    # A group with no call: a count is 0, a rate or an interval has no value.
    return {"value": 0} if KPIS[code].kind == "count" else {}


def _hour_chart(data: dict) -> Drawing:
    calls = [(figures.get("calls") or {}).get("value") or 0 for _hour, figures in hour_rows(data)]
    drawing = Drawing(PAGE_WIDTH, 42 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 10 * mm, 7 * mm
    chart.width, chart.height = PAGE_WIDTH - 14 * mm, 32 * mm
    chart.data = [calls]
    chart.categoryAxis.categoryNames = [f"{hour:02d}" for hour in range(24)]
    chart.valueAxis.valueMin = 0
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName, axis.labels.fontSize = LATIN_FONT, 6
    chart.bars[0].fillColor = colors.HexColor("#3A6EA5")
    drawing.add(chart)
    return drawing


def _summary_story(story: list, data: dict) -> None:
    rows = []
    for code, figure in _summary_figures(data).items():
        if code in KPIS:
            main, detail = figure_text(code, figure)
            rows.append([_p(kpi_name(code)), _n(main), _p(detail)])
    _section(story, "summary", _table([_("KPI"), _("Figure"), _("Over")], rows, [0.45, 0.2, 0.35]))


def _comparison_story(story: list, data: dict) -> None:
    rows = []
    for line in data["comparison"]:
        code = line["code"]
        field = "p90" if KPIS[code].kind == "interval" else "value"
        rows.append(
            [
                _p(kpi_name(code) + (" p90" if field == "p90" else "")),
                _n(value_text(code, field, {field: line["current"]})),
                _n(value_text(code, field, {field: line["previous"]})),
                _n(change_text(line)),
            ]
        )
    head = [
        _("KPI"),
        _("This period (%(period)s)") % {"period": period_text(data)},
        _("Previous period (%(period)s)") % {"period": period_text(data["previous"])},
        _("Difference"),
    ]
    _section(story, "comparison", _table(head, rows, [0.49, 0.17, 0.17, 0.17]))


def _breaches_story(story: list, data: dict) -> None:
    breaches = data["breaches"]
    rows = [
        [
            _p(clock["number"]),
            _p(clock["clock_name"]),
            _p(ClockState(clock["state"]).label),
            _p(clock["due_at"][:16].replace("T", " ")),
            _n(duration(clock["late_s"])),
            _p(clock["delay_reason"] or clock["excuse_reason"]),
            _p(clock["station_name"]),
        ]
        for clock in breaches["rows"][:BREACHES_IN_PDF]
    ]
    shown = min(len(breaches["rows"]), BREACHES_IN_PDF)
    note = _("%(shown)s of %(total)s late clocks.") % {"shown": shown, "total": breaches["total"]}
    head = [
        _("Job"),
        _("Clock"),
        _("State"),
        _("Due"),
        _("Late by"),
        _("Delay reason"),
        _("Station"),
    ]
    table = _table(head, rows, [0.17, 0.17, 0.1, 0.16, 0.1, 0.17, 0.13])
    _section(story, "breaches", _p(note, "meta"), table)


def _ranking_story(story: list, data: dict) -> None:
    ranked = data.get("ranking")
    if not ranked:
        return
    rows = [
        [
            _n(line["rank"]),
            _p(line["name"]),
            _n(number(line["score"], 2)),
            _p(_("yes") if line["vetoed"] else ""),
            _n("—" if line["previous_rank"] is None else line["previous_rank"]),
            _n("—" if line["change"] is None else f"{line['change']:+.2f}"),
        ]
        for line in ranked["rows"]
    ]
    head = [_("Rank"), _("Team"), _("Score"), _("Vetoed"), _("Previous rank"), _("Difference")]
    note = _("Scheme: %(name)s") % {"name": ranked["scheme"]["name"]}
    table = _table(head, rows, [0.1, 0.34, 0.14, 0.12, 0.15, 0.15])
    _section(story, "ranking", _p(note, "meta"), table)


def report_pdf(report) -> bytes:
    """The report as a PDF for printing: the summary, the change from the previous
    period, the tables, the late clocks (the first BREACHES_IN_PDF; the Excel file
    has them all) and the ranking."""
    data = report.data
    buffer = io.BytesIO()
    title = report_title(report)
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=title,
        author="Tianshu",
    )
    meta = [
        _("Previous period %(period)s") % {"period": period_text(data["previous"])},
        _("Cohort: the local day the call was received (%(tz)s).") % {"tz": data["timezone"]},
        _("Built at %(when)s") % {"when": data["generated_at"]},
    ]
    story = [_p(title, "title"), _p(" · ".join(meta), "meta")]
    _summary_story(story, data)
    _comparison_story(story, data)
    level = data["units"]["level"]
    units = [(_group_name(group, level), figures) for group, figures in _figures(data["units"])]
    _section(story, level, _group_table(data["units"], level, units))
    categories = sorted(
        ((_group_name(group, "category"), f) for group, f in _figures(data["categories"])),
        key=lambda row: -((row[1].get("calls") or {}).get("value") or 0),
    )
    table = _group_table(data["categories"], "category", categories[:CATEGORIES_IN_PDF])
    _section(story, "categories", table)
    hours = [(f"{hour:02d}:00", figures) for hour, figures in hour_rows(data)]
    _section(story, "hours", _hour_chart(data), _group_table(data["hours"], "hour", hours))
    _breaches_story(story, data)
    _ranking_story(story, data)
    story.append(Spacer(1, 6 * mm))
    story.append(
        _p(
            _(
                "Every figure is computed as on the dashboard for the same range and scope; "
                "how each is computed is in the Excel file (Definitions) and on the dashboard."
            ),
            "small",
        )
    )

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.grey)
        footer_line = Paragraph(mixed(title), STYLES["small"])
        footer_line.wrapOn(canvas, PAGE_WIDTH - 20 * mm, 10 * mm)
        footer_line.drawOn(canvas, 15 * mm, 7 * mm)
        canvas.setFont(LATIN_FONT, 7)
        canvas.drawRightString(A4[0] - 15 * mm, 7.5 * mm, str(doc.page))
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


RENDERERS = {"xlsx": (XLSX, report_xlsx), "pdf": (PDF, report_pdf)}
