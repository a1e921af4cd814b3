"""The dashboard page (/dashboard/) and its job drill-down: who opens them, what
each role's page is about, the range in the query string, the station filter."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from analytics.engine import clocks_tick
from analytics.facts import facts_tick
from analytics.kpis import READERS
from commandcenter.access import CONSOLE_ROLES
from patrol.models import PositionFix

# Station A's south-west zone (its post's) and station B's north-east zone.
IN_A = {"lat": 30.005, "lng": 120.005}
IN_B = {"lat": 30.015, "lng": 120.015}


@pytest.fixture
def jobs(call):
    """One call in each station today, read into the facts."""
    first = call(**IN_A).json()
    second = call(**IN_B, caller_phone="13900000000").json()
    clocks_tick()
    facts_tick()
    return {"a": first, "b": second}


def page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("dashboard-page"), params)


def card(response, code):
    return next(c for c in response.context["dashboard_data"]["cards"] if c["code"] == code)


def test_the_dashboard_is_for_the_readers_of_kpis():
    assert CONSOLE_ROLES["dashboard"] == READERS


def test_a_chief_sees_its_own_station_only(client, users, jobs):
    response = page(client, users.chief_a)
    assert response.status_code == 200
    assert response.context["stations"] is None
    assert response.context["scope_name"] == users.chief_a.station.name
    assert card(response, "calls")["value"] == 1
    assert response.context["dashboard_data"]["stations"] == []
    assert response.context["dashboard_config"]["zoneFilter"] == {"station": "station-a"}
    assert b'id="dash-station"' not in response.content
    # Another station's code in the address changes nothing.
    response = page(client, users.chief_a, station="station-b")
    assert response.status_code == 200 and card(response, "calls")["value"] == 1
    assert response.context["dashboard_config"]["station"] == ""
    assert card(page(client, users.chief_b), "calls")["value"] == 1


def test_the_fetched_data_of_a_chief_is_its_station_s(client, users, jobs):
    client.force_login(users.chief_a)
    body = client.get(reverse("dashboard"), {"range": "today"}).json()
    assert {c["code"]: c["value"] for c in body["cards"]}["calls"] == 1
    assert client.get(reverse("dashboard"), {"station": "station-b"}).status_code == 403


@pytest.mark.parametrize("role", ["supervisor", "dispatcher", "administrator"])
def test_district_roles_get_every_station_and_the_station_filter(client, users, jobs, role):
    response = page(client, getattr(users, role))
    assert response.status_code == 200
    assert {s.code for s in response.context["stations"]} == {"station-a", "station-b"}
    assert b'id="dash-station"' in response.content
    assert card(response, "calls")["value"] == 2
    stations = response.context["dashboard_data"]["stations"]
    assert {row["station"]: row["calls"] for row in stations} == {"station-a": 1, "station-b": 1}


def test_the_station_filter_narrows_a_district_role_to_one_station(client, users, jobs):
    response = page(client, users.supervisor, station="station-b", range="this_week")
    assert response.status_code == 200
    assert response.context["chosen"].code == "station-b"
    assert response.context["scope_name"] == response.context["chosen"].name
    assert response.context["dashboard_data"]["station"] == "station-b"
    assert card(response, "calls")["value"] == 1
    assert response.context["dashboard_config"]["station"] == "station-b"
    assert page(client, users.supervisor, station="nowhere").status_code == 404


def test_a_post_officer_reads_its_post_and_street_staff_their_street(client, users, jobs):
    response = page(client, users.post_officer)
    assert response.status_code == 200
    assert response.context["dashboard_config"]["zoneFilter"] == {"post": "post-p"}
    assert card(response, "calls")["value"] == 1
    response = page(client, users.street_staff)
    assert response.status_code == 200
    assert response.context["dashboard_config"]["zoneFilter"] == {"street": "street-1"}
    data = response.context["dashboard_data"]
    # Street figures, no team ranking: the street's diverted jobs are not the police's.
    assert data["ranking"] is None
    assert "street_settle_rate" in {c["code"] for c in data["cards"]}
    assert "dispatch_rate" not in {c["code"] for c in data["cards"]}
    assert data["arrival_histogram"]["kpi"] == "street_arrival_time"


@pytest.mark.parametrize("role", ["officer", "partner"])
def test_other_roles_get_the_consoles_forbidden_page(client, users, officer, role):
    user = officer if role == "officer" else users.partner
    response = page(client, user)
    assert response.status_code == 403
    assert "consoles/forbidden.html" in [t.name for t in response.templates]


def test_logged_out_users_are_sent_to_log_in(client, district):
    response = client.get(reverse("dashboard-page") + "?range=this_week")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_range_is_read_from_the_query_string(client, users, district):
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    response = page(client, users.chief_a, range="this_week")
    config = response.context["dashboard_config"]
    assert (config["range"], config["from"], config["to"]) == (
        "this_week",
        monday.isoformat(),
        today.isoformat(),
    )
    response = page(client, users.chief_a, **{"from": "2026-11-01", "to": "2026-11-15"})
    config = response.context["dashboard_config"]
    assert (config["range"], config["from"], config["to"]) == ("custom", "2026-11-01", "2026-11-15")
    assert response.context["dashboard_data"]["previous"] == {
        "from": "2026-10-17",
        "to": "2026-10-31",
    }
    assert page(client, users.chief_a).context["dashboard_config"]["range"] == "today"


@pytest.mark.parametrize(
    "params",
    [{"from": "15/11/2026"}, {"range": "forever"}, {"from": "2026-11-15", "to": "2026-11-01"}],
)
def test_a_bad_range_is_refused_with_its_message_and_today_drawn(client, users, district, params):
    response = page(client, users.chief_a, **params)
    assert response.status_code == 400
    assert response.context["errors"]
    assert response.context["dashboard_config"]["from"] == timezone.localdate().isoformat()


def test_an_empty_day_draws_zeros(client, users, district):
    response = page(client, users.chief_a)
    assert response.status_code == 200
    data = response.context["dashboard_data"]
    assert card(response, "calls")["value"] == 0
    assert data["heat"] == [] and data["breaches"] == []
    assert sum(data["arrival_histogram"]["counts"]) == 0


def test_the_page_carries_the_kpi_dictionary_and_the_cohort(client, users, district):
    response = page(client, users.chief_a)
    content = response.content.decode()
    assert 'id="definition-arrival_rate"' in content
    assert "按接警日期统计" in content  # zh-hans is the default language
    assert "Asia/Shanghai" in content


def test_readers_find_the_dashboard_in_the_navigation(client, users, officer, district):
    client.force_login(users.chief_a)
    assert reverse("dashboard-page").encode() in client.get(reverse("console-home")).content
    client.force_login(officer)
    assert reverse("dashboard-page").encode() not in client.get(reverse("console-home")).content


def test_ranking_items_carry_the_previous_period_s_values(client, users, jobs):
    response = page(client, users.supervisor)
    for row in response.context["dashboard_data"]["ranking"]["rows"]:
        for item in row["items"]:
            assert "previous_value" in item and "previous_earned" in item


def test_the_job_page_shows_the_timeline_clocks_and_the_units_tracks(
    client, users, district, jobs, api_client_for
):
    incident = jobs["a"]["id"]
    dispatcher = api_client_for(users.dispatcher)
    sent = dispatcher.post(
        f"/api/v1/incidents/{incident}/dispatch/", {"units": [district.units.a.pk]}, format="json"
    )
    assert sent.status_code < 300, sent.content
    now = timezone.now()
    PositionFix.objects.bulk_create(
        PositionFix(unit=district.units.a, recorded_at=now + timedelta(seconds=s), lat=lat, lng=lng)
        for s, lat, lng in [(5, 30.0150, 120.0050), (10, 30.0100, 120.0050), (15, 30.0060, 120.005)]
    )
    client.force_login(users.chief_a)
    with time_machine.travel(now + timedelta(seconds=30), tick=False):
        response = client.get(reverse("dashboard-job", kwargs={"pk": incident}))
    assert response.status_code == 200
    assert response.context["timeline"]
    assert response.context["clocks"]
    [track] = response.context["track_map"]["tracks"]
    assert track["call_sign"] == "A-01" and len(track["points"]) == 3
    assert response.context["console_job"] == reverse(
        "console-incident", kwargs={"console": "dispatch", "pk": incident}
    )
    # Another station's job is not there for this chief.
    client.force_login(users.chief_b)
    assert client.get(reverse("dashboard-job", kwargs={"pk": incident})).status_code == 404


def test_breaches_link_to_the_job_page(client, users, jobs):
    config = page(client, users.chief_a).context["dashboard_config"]
    assert config["jobPage"] == reverse("dashboard-job", kwargs={"pk": 0})


def test_a_unit_of_another_station_shows_its_track_on_the_job_only(
    client, users, district, jobs, api_client_for
):
    incident = jobs["a"]["id"]
    before = timezone.now() - timedelta(minutes=5)
    sent = api_client_for(users.dispatcher).post(
        f"/api/v1/incidents/{incident}/dispatch/", {"units": [district.units.b.pk]}, format="json"
    )
    assert sent.status_code < 300, sent.content
    now = timezone.now()
    PositionFix.objects.bulk_create(
        PositionFix(unit=district.units.b, recorded_at=when, lat=30.015, lng=120.015)
        for when in (before, now + timedelta(seconds=5), now + timedelta(seconds=10))
    )
    client.force_login(users.chief_a)
    with time_machine.travel(now + timedelta(seconds=30), tick=False):
        response = client.get(reverse("dashboard-job", kwargs={"pk": incident}))
    [track] = response.context["track_map"]["tracks"]
    assert track["call_sign"] == "B-01" and len(track["points"]) == 2


def test_the_job_page_names_the_clock_events_of_the_timeline(client, users, jobs):
    start = timezone.now()
    for seconds in (50, 70, 400):  # nobody sent: the dispatch clock warns, then breaches
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            clocks_tick()
    client.force_login(users.supervisor)
    response = client.get(reverse("dashboard-job", kwargs={"pk": jobs["a"]["id"]}))
    breached = [s for s in response.context["timeline"] if s["kind"] == "clock.breached"]
    assert breached and not breached[0]["label"].startswith("clock.")
    assert breached[0]["detail"]  # the clock's name


def test_a_chief_finds_its_station_s_reports_and_the_ad_hoc_form(client, users, district, jobs):
    from analytics.choices import ReportKind
    from analytics.reports import report_build

    today = timezone.localdate()
    mine = report_build(kind=ReportKind.ADHOC, start=today, end=today, station=district.station_a)
    other = report_build(kind=ReportKind.ADHOC, start=today, end=today, station=district.station_b)
    response = page(client, users.chief_a, range="this_week")
    assert [row["id"] for row in response.context["reports"]] == [mine.pk]
    content = response.content.decode()
    assert reverse("report-xlsx", args=[mine.pk]) in content
    assert reverse("report-pdf", args=[mine.pk]) in content
    assert reverse("report-xlsx", args=[other.pk]) not in content
    assert reverse("reports-create") in content
    # The form offers the range on the screen.
    assert response.context["report_form"].initial["start"] == response.context["start"]


@pytest.mark.parametrize("role", ["post_officer", "street_staff"])
def test_roles_that_read_no_reports_get_no_reports_panel(client, users, district, role):
    response = page(client, getattr(users, role))
    assert response.status_code == 200
    assert "report_form" not in response.context
    assert reverse("reports-create").encode() not in response.content
