"""报表 in the consoles: the list with its downloads, and the ad-hoc form posted with
htmx (the panel comes back with the new report, or with the form's errors)."""

from datetime import date

import pytest
from django.urls import reverse

from analytics.choices import ReportKind
from analytics.models import Report
from analytics.reports import report_build

DAY = date(2026, 11, 30)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def reports(district):
    return {
        "district": report_build(kind=ReportKind.DAILY, start=DAY, end=DAY),
        "a": report_build(kind=ReportKind.DAILY, start=DAY, end=DAY, station=district.station_a),
        "b": report_build(kind=ReportKind.DAILY, start=DAY, end=DAY, station=district.station_b),
    }


def test_the_command_center_lists_every_report_with_its_downloads(client, users, reports):
    client.force_login(users.supervisor)
    html = client.get(reverse("reports")).content.decode()
    for report in reports.values():
        assert reverse("report-xlsx", args=[report.pk]) in html
        assert reverse("report-pdf", args=[report.pk]) in html
    assert "日报" in html and "测试区" in html


def test_a_chief_lists_its_station_s_reports_only(client, users, reports):
    client.force_login(users.chief_a)
    html = client.get(reverse("reports-list")).content.decode()
    assert reverse("report-pdf", args=[reports["a"].pk]) in html
    assert reverse("report-pdf", args=[reports["b"].pk]) not in html
    assert reverse("report-pdf", args=[reports["district"].pk]) not in html


@pytest.mark.parametrize("role", ["post_officer", "street_staff", "partner"])
def test_other_roles_get_no_reports_page(client, users, role):
    client.force_login(getattr(users, role))
    assert client.get(reverse("reports")).status_code == 403
    assert client.post(reverse("reports-create"), {}, **HTMX).status_code == 403


def test_the_ad_hoc_form_builds_a_report_and_lists_it_first(client, users, reports, district):
    client.force_login(users.supervisor)
    response = client.post(
        reverse("reports-create"),
        {"start": "2026-11-23", "end": "2026-11-30", "station": "station-b"},
        **HTMX,
    )
    assert response.status_code == 200
    report = Report.objects.get(kind=ReportKind.ADHOC)
    assert (report.start, report.end, report.station) == (
        date(2026, 11, 23),
        DAY,
        district.station_b,
    )
    html = response.content.decode()
    assert 'role="status"' in html
    assert html.index(reverse("report-xlsx", args=[report.pk])) < html.index(
        reverse("report-xlsx", args=[reports["a"].pk])
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"start": "30/11/2026", "end": "2026-11-30"}, "YYYY-MM-DD"),
        ({"start": "2026-11-30", "end": "2026-11-29"}, "before its start"),
        ({"start": "2026-11-30", "end": "2026-11-30", "station": "nowhere"}, "nowhere"),
    ],
)
def test_the_form_shows_its_errors(client, users, district, body, message, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(users.supervisor)
    response = client.post(reverse("reports-create"), body, HTTP_ACCEPT_LANGUAGE="en", **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="field-error"' in html and message in html
    assert not Report.objects.exists()


def test_a_chief_s_form_offers_only_its_station(client, users, district):
    client.force_login(users.chief_a)
    html = client.get(reverse("reports")).content.decode()
    assert 'value="station-a"' in html and 'value="station-b"' not in html
    refused = client.post(
        reverse("reports-create"),
        {"start": "2026-11-30", "end": "2026-11-30", "station": "station-b"},
        **HTMX,
    )
    assert refused.status_code == 400
    client.post(reverse("reports-create"), {"start": "2026-11-30", "end": "2026-11-30"}, **HTMX)
    assert Report.objects.get().station == district.station_a
