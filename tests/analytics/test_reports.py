"""Reports (日报 / 周报 / ad hoc): the figures are kpi_query's and the dashboard's for
the same range and scope; the Excel file opens with openpyxl, one sheet per section,
numbers as numbers; the PDF's text (pdftotext) has the Chinese headings; who reads
which; beat's reports are built once per period, a rerun replaces them."""

import io
import shutil
import subprocess
from datetime import date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from analytics.choices import ReportKind
from analytics.kpis import kpi_query
from analytics.models import Report
from analytics.report_render import (
    FILE_WORDS,
    SHEETS,
    report_download_header,
    report_filename,
    report_pdf,
    report_xlsx,
)
from analytics.reports import UNIT_KPIS, report_build, weekly_period
from analytics.tasks import reports_daily_task, reports_weekly_task
from tests.analytics.wall_clock import post, ticking_from

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 30)  # a Monday
START = datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)
STATION_B = {"lat": 30.005, "lng": 120.015}


@pytest.fixture
def at():
    """Run `action()` with the wall clock `seconds` after 09:00 local, then read the log."""
    return ticking_from(START)


@pytest.fixture
def day(at, call, api_client_for, users, district):
    """A small day: a job of station A on time, a late one of station B, an invalid call,
    and an invalid call the day before (the previous period)."""
    dispatcher = api_client_for(users.dispatcher)

    def job(seconds, **fields):
        return f"/api/v1/incidents/{at(seconds, lambda: call(**fields).json())['id']}"

    def send(seconds, base, unit):
        body = at(seconds, lambda: post(dispatcher, f"{base}/dispatch/", {"units": [unit.pk]}))
        return f"/api/v1/assignments/{body['assignments'][0]['id']}"

    at(-86400, lambda: call(category="misdial"))
    one = job(0)
    a = send(30, one, district.units.a)
    at(40, lambda: post(dispatcher, f"{a}/en-route/"))
    at(200, lambda: post(dispatcher, f"{a}/on-scene/"))
    at(600, lambda: post(dispatcher, f"{one}/resolve/", {"result_code": "settled_on_site"}))
    at(700, lambda: post(dispatcher, f"{one}/close/", {"feedback": "ok"}))
    # Sent after 90 s, on scene after 500 s: the dispatch and arrival clocks are late.
    two = job(1000, category="traffic", **STATION_B)
    b = send(1090, two, district.units.b)
    at(1100, lambda: post(dispatcher, f"{b}/acknowledge/"))
    at(1500, lambda: post(dispatcher, f"{b}/on-scene/"))
    job(2000, category="misdial")
    # Midnight: the same-day clock of the job not closed breaches (read while fresh).
    at(15 * 3600 + 5, lambda: None)


def only(result: dict) -> dict:
    [row] = result["results"]
    return row["figures"]


def build(**kwargs) -> Report:
    kwargs.setdefault("kind", ReportKind.DAILY)
    kwargs.setdefault("start", DAY)
    kwargs.setdefault("end", DAY)
    return report_build(**kwargs)


# --- The figures --------------------------------------------------------------------


def test_the_district_report_has_kpi_query_s_figures(day, users, api_client_for):
    report = build()
    supervisor = api_client_for(users.supervisor)
    api = supervisor.get("/api/v1/kpis/", {"from": "2026-11-30", "to": "2026-11-30"}).json()
    assert report.data["summary"] == api
    assert only(api)["calls"] == {"value": 3}
    by_station = supervisor.get(
        "/api/v1/kpis/",
        {
            "from": "2026-11-30",
            "to": "2026-11-30",
            "group_by": "station",
            "kpi": ",".join(UNIT_KPIS),
        },
    ).json()
    assert report.data["units"]["results"] == by_station["results"]
    assert sorted(r["figures"]["calls"]["value"] for r in by_station["results"]) == [1, 2]
    hours = kpi_query(user=users.supervisor, start=DAY, end=DAY, group_by=["hour"])
    assert sum(r["figures"]["calls"]["value"] for r in report.data["hours"]["results"]) == 3
    assert {r["group"]["hour"] for r in report.data["hours"]["results"]} == {
        r["group"]["hour"] for r in hours["results"]
    }
    # The previous period: the day before, one call.
    assert report.data["previous"] == {"from": "2026-11-29", "to": "2026-11-29"}
    calls = next(line for line in report.data["comparison"] if line["code"] == "calls")
    assert (calls["current"], calls["previous"], calls["delta"]) == (3, 1, 2)


def test_the_report_s_figures_are_the_dashboard_s(day, users, api_client_for):
    report = build()
    dashboard = (
        api_client_for(users.supervisor)
        .get("/api/v1/dashboard/", {"from": "2026-11-30", "to": "2026-11-30"})
        .json()
    )
    comparison = {line["code"]: line for line in report.data["comparison"]}
    for card in dashboard["cards"]:
        line = comparison[card["code"]]
        assert (line["current"], line["previous"], line["delta"]) == (
            card["value"],
            card["previous"],
            card["delta"],
        ), card["code"]
    assert report.data["ranking"]["rows"] == [
        {key: row[key] for key in report.data["ranking"]["rows"][0]}
        for row in dashboard["ranking"]["rows"]
    ]


def test_a_station_s_report_is_what_its_chief_reads(day, users, api_client_for, district):
    report = build(station=district.station_b)
    chief = api_client_for(users.chief_b)
    api = chief.get("/api/v1/kpis/", {"from": "2026-11-30", "to": "2026-11-30"}).json()
    assert report.data["summary"]["results"] == api["results"]
    assert only(api)["calls"] == {"value": 1}
    assert report.data["units"]["level"] == "team"
    assert [r["group"]["team"] for r in report.data["units"]["results"]] == ["team-b"]


def test_the_late_clocks_are_the_rows_the_breaches_kpi_counts(day, district):
    for station in (None, district.station_a, district.station_b):
        data = build(station=station).data
        breaches = only(data["summary"])["breaches"]["value"]
        assert data["breaches"]["total"] == len(data["breaches"]["rows"]) == breaches
    data = build(station=district.station_b).data
    assert {row["clock_code"] for row in data["breaches"]["rows"]} >= {"dispatch", "arrival"}
    assert all(row["late_s"] > 0 for row in data["breaches"]["rows"])


def test_bad_periods_are_refused(db):
    with pytest.raises(ValidationError) as error:
        build(end=DAY - timedelta(days=1))
    assert "to" in error.value.message_dict
    with pytest.raises(ValidationError):
        build(kind=ReportKind.DAILY, end=DAY + timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        build(kind=ReportKind.WEEKLY, start=DAY + timedelta(days=1), end=DAY + timedelta(days=7))
    assert "from" in error.value.message_dict


def test_a_chief_builds_only_its_station_s_report(day, users, district):
    report = build(kind=ReportKind.ADHOC, actor=users.chief_a)
    assert report.station == district.station_a and report.created_by == users.chief_a
    with pytest.raises(PermissionDenied):
        build(kind=ReportKind.ADHOC, actor=users.chief_a, station=district.station_b)
    with pytest.raises(PermissionDenied):
        build(kind=ReportKind.ADHOC, actor=users.street_staff)


# --- Beat -----------------------------------------------------------------------------


def test_beat_builds_yesterday_s_reports_once_and_a_rerun_replaces_them(day, district):
    first = reports_daily_task("2026-12-01")
    assert len(first) == 3  # the district, station A, station B
    daily = Report.objects.filter(kind=ReportKind.DAILY)
    assert {(r.start, r.end, r.station_id) for r in daily} == {
        (DAY, DAY, None),
        (DAY, DAY, district.station_a.pk),
        (DAY, DAY, district.station_b.pk),
    }
    built_at = {r.pk: r.created_at for r in daily}
    again = reports_daily_task("2026-12-01")
    assert sorted(again) == sorted(first)
    assert Report.objects.filter(kind=ReportKind.DAILY).count() == 3
    assert all(r.created_at >= built_at[r.pk] for r in Report.objects.filter(kind="daily"))


def test_beat_builds_last_week_s_reports_on_monday(day):
    assert weekly_period(date(2026, 12, 7)) == (DAY, date(2026, 12, 6))
    ids = reports_weekly_task("2026-12-07")
    weekly = Report.objects.get(pk=ids[0])
    assert (weekly.kind, weekly.start, weekly.end, weekly.station) == (
        ReportKind.WEEKLY,
        DAY,
        date(2026, 12, 6),
        None,
    )
    assert only(weekly.data["summary"])["calls"] == {"value": 3}
    reports_weekly_task("2026-12-07")
    assert Report.objects.filter(kind=ReportKind.WEEKLY).count() == 3


def test_beat_runs_the_reports_at_seven_local(settings):
    daily = settings.CELERY_BEAT_SCHEDULE["reports-daily"]
    weekly = settings.CELERY_BEAT_SCHEDULE["reports-weekly"]
    assert daily["task"] == "analytics.tasks.reports_daily"
    assert weekly["task"] == "analytics.tasks.reports_weekly"
    assert str(daily["schedule"].tz) == "Asia/Shanghai"
    assert daily["schedule"].hour == {7} and daily["schedule"].minute == {0}
    assert weekly["schedule"].day_of_week == {1} and weekly["schedule"].hour == {7}


# --- The files ------------------------------------------------------------------------


def test_the_excel_file_has_a_sheet_per_section_with_numbers(day, district):
    report = build()
    workbook = load_workbook(io.BytesIO(report_xlsx(report)))
    sections = ("summary", "comparison", "station", "categories", "hours", "breaches", "ranking")
    assert workbook.sheetnames == [str(SHEETS[key]) for key in (*sections, "definitions")]
    summary = workbook[str(SHEETS["summary"])]
    rows = {row[12]: row for row in summary.iter_rows(values_only=True) if row[12]}
    figures = only(report.data["summary"])
    assert rows["calls"][1] == 3 and isinstance(rows["calls"][1], int)
    rate = figures["valid_rate"]
    assert rows["valid_rate"][1:4] == (rate["value"], rate["numerator"], rate["denominator"])
    arrival = figures["arrival_time"]
    expected = (arrival["n"], arrival["p50"], arrival["p90"], arrival["mean"])
    assert rows["arrival_time"][5:9] == expected
    cell = next(c for c in summary["B"] if c.value == rate["value"])
    assert cell.number_format == "0.0%"
    assert "接警总数" in rows["calls"][0]
    stations = workbook[str(SHEETS["station"])]
    assert stations._charts, "a chart of the calls by station"
    calls = [row[2] for row in stations.iter_rows(min_row=6, values_only=True) if row[1]]
    assert sorted(calls) == [1, 2]
    hours = workbook[str(SHEETS["hours"])]
    by_hour = [row[2] for row in hours.iter_rows(min_row=6, max_row=29, values_only=True)]
    assert by_hour[9] == 3 and by_hour.count(0) == 23  # every call came in at 09:xx
    late = workbook[str(SHEETS["breaches"])]
    assert late.max_row - 5 == report.data["breaches"]["total"]
    assert isinstance(late["D6"].value, datetime) and isinstance(late["G6"].value, int)


def test_typed_text_never_becomes_a_formula(day, district):
    report = build()
    report.data["breaches"]["rows"][0]["delay_note"] = '=HYPERLINK("http://x")'
    workbook = load_workbook(io.BytesIO(report_xlsx(report)))
    cell = workbook[str(SHEETS["breaches"])]["I6"]
    assert cell.data_type == "s" and cell.value.startswith("=")


@pytest.fixture
def pdftotext():
    path = shutil.which("pdftotext")
    if path is None:
        pytest.skip("pdftotext (Debian's poppler-utils) is not installed: `make test` installs it")
    return lambda pdf: subprocess.run(
        [path, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_the_pdf_s_text_has_the_chinese_headings(day, pdftotext):
    report = build()
    pdf = report_pdf(report)
    assert pdf.startswith(b"%PDF")
    text = pdftotext(pdf)
    for heading in ("日报", "指标汇总", "接警总数", "有效警情率", "环比", "分所统计", "超时明细"):
        assert heading in text, heading
    assert "测试区" in text  # the district's name


def test_the_weekly_pdf_says_weekly(day, pdftotext, district):
    report = report_build(
        kind=ReportKind.WEEKLY, start=DAY, end=date(2026, 12, 6), station=district.station_b
    )
    text = pdftotext(report_pdf(report))
    assert "周报" in text and district.station_b.name in text and "分组统计" in text


def test_filenames_are_chinese_in_utf_8(day, district):
    report = build(station=district.station_a)
    name = report_filename(report, "xlsx")
    assert name == f"{district.station_a.name}-{FILE_WORDS['daily']}-2026-11-30.xlsx".replace(
        " ", "_"
    )
    weekly = report_build(kind=ReportKind.WEEKLY, start=DAY, end=date(2026, 12, 6))
    assert report_filename(weekly, "pdf").endswith("-2026-11-30-2026-12-06.pdf")
    assert report_download_header(weekly, "pdf").startswith(
        'attachment; filename="report-weekly-district-2026-11-30_2026-12-06.pdf"; '
        "filename*=UTF-8''%E6%B5%8B%E8%AF%95%E5%8C%BA-"
    )


# --- The API --------------------------------------------------------------------------


@pytest.fixture
def dailies(day):
    reports_daily_task("2026-12-01")
    return {r.station.code if r.station else "district": r for r in Report.objects.all()}


def test_the_api_lists_every_report_to_the_command_center(dailies, users, api_client_for):
    body = api_client_for(users.supervisor).get("/api/v1/reports/").json()
    assert body["count"] == 3
    district = next(r for r in body["results"] if r["station"] is None)
    assert district["from"] == district["to"] == "2026-11-30"
    assert district["kind"] == "daily" and "日报" in district["title"]
    assert district["scope_name"] == "测试区"
    assert district["xlsx"] == f"/api/v1/reports/{district['id']}/xlsx/"
    assert "data" not in district
    only_b = api_client_for(users.supervisor).get("/api/v1/reports/", {"station": "station-b"})
    assert [r["station"] for r in only_b.json()["results"]] == ["station-b"]
    only_district = api_client_for(users.supervisor).get(
        "/api/v1/reports/", {"station": "district"}
    )
    assert [r["station"] for r in only_district.json()["results"]] == [None]


def test_a_chief_reads_only_its_station_s_reports(dailies, users, api_client_for):
    chief = api_client_for(users.chief_a)
    body = chief.get("/api/v1/reports/").json()
    assert [r["station"] for r in body["results"]] == ["station-a"]
    assert chief.get(f"/api/v1/reports/{dailies['station-b'].pk}/").status_code == 404
    assert chief.get(f"/api/v1/reports/{dailies['district'].pk}/xlsx/").status_code == 404
    assert chief.get(f"/api/v1/reports/{dailies['station-a'].pk}/pdf/").status_code == 200


@pytest.mark.parametrize("role", ["post_officer", "street_staff", "partner"])
def test_other_roles_read_no_reports(dailies, users, api_client_for, role):
    client = api_client_for(getattr(users, role))
    assert client.get("/api/v1/reports/").status_code == 403
    assert client.get(f"/api/v1/reports/{dailies['station-a'].pk}/").status_code == 403
    assert (
        client.post("/api/v1/reports/", {"from": "2026-11-30", "to": "2026-11-30"}).status_code
        == 403
    )


def test_a_report_s_figures_in_the_api_are_the_kpi_api_s(dailies, users, api_client_for):
    client = api_client_for(users.chief_b)
    report = client.get(f"/api/v1/reports/{dailies['station-b'].pk}/").json()
    kpis = client.get("/api/v1/kpis/", {"from": "2026-11-30", "to": "2026-11-30"}).json()
    assert report["data"]["summary"]["results"] == kpis["results"]


def test_the_downloads_are_named_files(dailies, users, api_client_for, district):
    client = api_client_for(users.supervisor)
    report = dailies["station-a"]
    xlsx = client.get(f"/api/v1/reports/{report.pk}/xlsx/")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = report_filename(report, "xlsx")
    assert name.startswith(district.station_a.name)
    assert xlsx["Content-Disposition"] == (
        f'attachment; filename="report-daily-station-a-2026-11-30.xlsx"; '
        f"filename*=UTF-8''{quote(name)}"
    )
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert str(SHEETS["team"]) in workbook.sheetnames
    pdf = client.get(f"/api/v1/reports/{report.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("attachment;")


def test_an_ad_hoc_report_for_any_range_and_scope(day, users, api_client_for, district):
    client = api_client_for(users.supervisor)
    response = client.post(
        "/api/v1/reports/",
        {"from": "2026-11-29", "to": "2026-11-30", "station": "station-b"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["from"], body["to"], body["station"]) == (
        "adhoc",
        "2026-11-29",
        "2026-11-30",
        "station-b",
    )
    kpis = client.get(
        "/api/v1/kpis/", {"from": "2026-11-29", "to": "2026-11-30", "station": "station-b"}
    ).json()
    assert body["data"]["summary"]["results"] == kpis["results"]
    assert body["created_by"] == users.supervisor.username
    # Ad-hoc reports are never replaced: a second one is another report.
    client.post("/api/v1/reports/", {"from": "2026-11-29", "to": "2026-11-30"}, format="json")
    assert Report.objects.filter(kind=ReportKind.ADHOC).count() == 2


def test_a_chief_s_ad_hoc_report_is_its_station_s(day, users, api_client_for, district):
    chief = api_client_for(users.chief_a)
    body = chief.post("/api/v1/reports/", {"from": "2026-11-30", "to": "2026-11-30"}).json()
    assert body["station"] == "station-a"
    refused = chief.post(
        "/api/v1/reports/", {"from": "2026-11-30", "to": "2026-11-30", "station": "station-b"}
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to": "2026-11-30"}, "from"),
        ({"from": "30/11/2026", "to": "2026-11-30"}, "from"),
        ({"from": "2026-11-30", "to": "2026-11-29"}, "to"),
        ({"from": "2026-11-30", "to": "2026-11-30", "station": "nowhere"}, "station"),
        ({"from": "2010-01-01", "to": "2026-11-30"}, "to"),
    ],
)
def test_bad_ad_hoc_input_answers_400_with_the_field(db, users, api_client_for, body, field):
    response = api_client_for(users.supervisor).post("/api/v1/reports/", body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Report.objects.exists()


def test_the_report_list_s_queries_do_not_grow(dailies, users, api_client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client_for(users.supervisor)

    def count() -> int:
        client.get("/api/v1/reports/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/reports/").status_code == 200
        return len(queries)

    three = count()
    reports_daily_task("2026-11-30")
    assert Report.objects.count() == 6
    assert count() == three


def test_beat_s_database_keeps_the_report_schedules_in_local_time(db, settings):
    from django_celery_beat.models import CrontabSchedule

    # What the database scheduler stores for each entry at beat's start.
    daily, weekly = (
        CrontabSchedule.from_schedule(settings.CELERY_BEAT_SCHEDULE[name]["schedule"])
        for name in ("reports-daily", "reports-weekly")
    )
    daily.save()
    weekly.save()
    daily, weekly = (CrontabSchedule.objects.get(pk=c.pk) for c in (daily, weekly))
    assert (daily.minute, daily.hour, daily.day_of_week) == ("0", "7", "*")
    assert (weekly.hour, weekly.day_of_week) == ("7", "1")
    assert str(daily.timezone) == str(weekly.timezone) == "Asia/Shanghai"
