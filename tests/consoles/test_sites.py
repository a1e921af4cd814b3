"""The smart-secure sites pages (智安小区): the list with its filters and counts, and a
site's page with its sensors' online rate today, its alarms and its jobs; both in scope."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commandcenter.choices import Role
from community.choices import AlarmState, SensorStatus, SensorType, SiteKind
from community.models import Alarm, SensorDay
from community.selectors import heartbeats_expected
from community.services import AlarmInput, alarm_accept, alarms_record
from tests import factories as f
from tests.community.conftest import sensor_make, site_make

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 10:00 in the district: ten hours of the day have passed.
TEN_AM = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def english(client):
    """These tests read English messages; the default UI language is Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def sites(district):
    """Site A, a grade-1 compound of street 1 (station A's post zone); site B, a grade-3
    campus of street 2 (station B); site C, a hospital of street 1 (station A)."""
    a = site_make("site-a", lat=30.004, lng=120.004, contact_name="王保安",
                  contact_phone="13900001111")  # fmt: skip
    b = site_make("site-b", lat=30.004, lng=120.014, grade=3, kind=SiteKind.CAMPUS)
    c = site_make("site-c", lat=30.015, lng=120.004, kind=SiteKind.HOSPITAL)
    return SimpleNamespace(
        a=a,
        b=b,
        c=c,
        ir_a=sensor_make(a, "IR-A-1", SensorType.INTRUSION, status=SensorStatus.ONLINE),
        cam_a=sensor_make(a, "CAM-A-1", SensorType.CAMERA, status=SensorStatus.ONLINE),
        smoke_a=sensor_make(a, "SMOKE-A-1", SensorType.SMOKE),
        ir_b=sensor_make(b, "IR-B-1", SensorType.INTRUSION, status=SensorStatus.ONLINE),
    )


@pytest.fixture
def raise_alarms(district):
    gateway = f.UserFactory(username="sensor-gw", role=Role.GATEWAY)

    def report(*items: AlarmInput) -> list[Alarm]:
        result = alarms_record(actor=gateway, items=list(items), key_kind="sensors")
        assert not result.rejected, result.rejected
        return [Alarm.objects.get(pk=a["alarm"]) for a in result.alarms]

    return report


def alarm(device: str, alarm_type: str = "intrusion", *, priority: int = 4) -> AlarmInput:
    return AlarmInput(device=device, time=timezone.now(), alarm_type=alarm_type, priority=priority)


def site_url(site) -> str:
    return reverse("site-page", kwargs={"pk": site.pk})


def listed(client, **query) -> str:
    response = client.get(reverse("sites-page"), query)
    assert response.status_code == 200, response.content
    return response.content.decode()


def row(site) -> str:
    return f'data-site-id="{site.pk}"'


# --- The list --------------------------------------------------------------------------------


def test_the_list_shows_the_users_sites_with_sensors_online_and_pending_alarms(
    client, users, sites, raise_alarms
):
    raise_alarms(alarm("IR-A-1"), alarm("CAM-A-1", "tamper"))
    client.force_login(users.chief_a)
    page = listed(client)
    assert row(sites.a) in page and row(sites.c) in page
    assert row(sites.b) not in page
    line = page[page.index(row(sites.a)) :].split("</tr>")[0]
    assert "2</span> / 3" in line  # two of three sensors online
    assert '<span class="badge is-pending">2</span>' in line
    assert "2 sites" in page


def test_the_street_sees_its_own_sites_only(client, users, sites):
    client.force_login(users.street_staff)
    page = listed(client)
    assert row(sites.a) in page and row(sites.c) in page and row(sites.b) not in page
    # One street: no street to choose.
    assert 'name="street"' not in page


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"kind": "hospital"}, {"c"}),
        ({"grade": "3"}, {"b"}),
        ({"street": "street-1"}, {"a", "c"}),
        ({"q": "SITE-C"}, {"c"}),
        ({"q": "site-a 路"}, {"a"}),
        ({"kind": "compound", "street": "street-2"}, set()),
    ],
)
def test_the_filters(client, users, sites, query, shown):
    client.force_login(users.dispatcher)
    page = listed(client, **query)
    assert {name for name in "abc" if row(getattr(sites, name)) in page} == shown


def test_an_unknown_filter_value_is_a_message_not_a_500(client, users, sites):
    client.force_login(users.dispatcher)
    response = client.get(reverse("sites-page"), {"grade": "9", "street": "nowhere"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="form-alert"' in page and row(sites.a) not in page


def test_the_list_is_paginated(client, users, sites, monkeypatch):
    monkeypatch.setattr("consoles.sites.PAGE_SIZE", 2)
    client.force_login(users.dispatcher)
    first = listed(client, street="street-1")
    assert "Page 1 of 1" not in first and row(sites.a) in first
    everything = listed(client)
    assert "Page 1 of 2" in everything and "page=2" in everything
    assert row(sites.c) in listed(client, page="2")


def test_the_list_reads_the_same_queries_however_many_sites(client, users, sites):
    client.force_login(users.dispatcher)
    listed(client)
    with CaptureQueriesContext(connection) as three:
        listed(client)
    more = site_make("site-d", lat=30.005, lng=120.015)
    sensor_make(more, "IR-D-1", SensorType.INTRUSION)
    with CaptureQueriesContext(connection) as four:
        listed(client)
    assert len(four) == len(three)


# --- A site's page ---------------------------------------------------------------------------


def test_the_site_page_shows_its_place_its_people_and_its_sensors(client, users, sites):
    client.force_login(users.dispatcher)
    response = client.get(site_url(sites.a))
    assert response.status_code == 200
    page = response.content.decode()
    assert "site-a 路 1 号" in page and "王保安" in page and "13900001111" in page
    assert sites.a.station.name in page and sites.a.street.name in page
    for device in ("IR-A-1", "CAM-A-1", "SMOKE-A-1"):
        assert f'data-device="{device}"' in page
    assert 'data-device="IR-B-1"' not in page


def test_the_online_rate_is_todays_heartbeats_over_those_expected_so_far(client, users, district):
    with time_machine.travel(TEN_AM, tick=False):
        site = site_make("site-r", lat=30.004, lng=120.004)
        # Installed yesterday: owes 10 h / 60 s = 600 beats by ten; it sent them all, and more.
        ir = sensor_make(site, "IR-R-1", SensorType.INTRUSION,
                         installed_at=TEN_AM - timedelta(days=1))  # fmt: skip
        # Installed at eight, every 30 s: owes 2 h / 30 s = 240; sent 180.
        cam = sensor_make(site, "CAM-R-1", SensorType.CAMERA, heartbeat_seconds=30,
                          installed_at=TEN_AM - timedelta(hours=2))  # fmt: skip
        # Silent all day: owes 600, sent none.
        sensor_make(site, "SMOKE-R-1", SensorType.SMOKE, installed_at=TEN_AM - timedelta(days=9))
        SensorDay.objects.create(sensor=ir, day=TEN_AM.date(), heartbeats=640)
        SensorDay.objects.create(sensor=cam, day=TEN_AM.date(), heartbeats=180)
        SensorDay.objects.create(sensor=cam, day=TEN_AM.date() - timedelta(days=1), heartbeats=9)
        client.force_login(users.dispatcher)
        page = client.get(site_url(site)).content.decode()

    def cells(device: str) -> str:
        return page[page.index(f'data-device="{device}"') :].split("</tr>")[0]

    assert "640 / 600" in cells("IR-R-1") and "100.0%" in cells("IR-R-1")
    assert "180 / 240" in cells("CAM-R-1") and "75.0%" in cells("CAM-R-1")
    assert "0 / 600" in cells("SMOKE-R-1") and "0.0%" in cells("SMOKE-R-1")
    # The site: (600 + 180 + 0) / (600 + 240 + 600), each sensor counted up to what it owed.
    assert '<p class="site-rate-figure">54.2%</p>' in page


def test_nothing_is_owed_at_the_moment_of_installation():
    assert heartbeats_expected(installed_at=TEN_AM, heartbeat_seconds=60, now=TEN_AM) == 0
    later = TEN_AM + timedelta(minutes=1)
    assert heartbeats_expected(installed_at=TEN_AM, heartbeat_seconds=60, now=later) == 1
    # Past midnight the day starts again, whenever the sensor was installed.
    night = datetime(2026, 3, 11, 0, 30, tzinfo=SHANGHAI)
    assert heartbeats_expected(installed_at=TEN_AM, heartbeat_seconds=60, now=night) == 30


def test_the_site_page_lists_its_alarms_and_the_jobs_made_of_them(
    client, users, sites, raise_alarms
):
    reviewed, job_made = raise_alarms(alarm("IR-A-1"), alarm("CAM-A-1", "tamper"))
    alarm_accept(actor=users.dispatcher, alarm_id=job_made.pk)
    job = Alarm.objects.get(pk=job_made.pk).incident
    (other_site,) = raise_alarms(alarm("IR-B-1", priority=1))
    client.force_login(users.dispatcher)
    page = client.get(site_url(sites.a)).content.decode()
    assert f'data-alarm-id="{reviewed.pk}"' in page and f'data-alarm-id="{job_made.pk}"' in page
    assert f'data-alarm-id="{other_site.pk}"' not in page
    assert "alarm-state-review" in page and "alarm-state-incident" in page
    job_link = reverse("console-incident", kwargs={"console": "dispatch", "pk": job.pk})
    assert f'href="{job_link}"' in page and f'data-incident-id="{job.pk}"' in page
    assert f'data-incident-id="{other_site.incident_id}"' not in page


def test_the_street_opens_jobs_in_its_own_console(client, users, sites, raise_alarms):
    (made,) = raise_alarms(alarm("IR-A-1", priority=1))
    assert made.state == AlarmState.INCIDENT
    client.force_login(users.street_staff)
    page = client.get(site_url(sites.a)).content.decode()
    street_link = reverse("console-incident", kwargs={"console": "street", "pk": made.incident_id})
    assert f'href="{street_link}"' in page and "/dispatch/incidents/" not in page


@pytest.mark.parametrize(
    ("who", "where"),
    [("chief_b", "a"), ("post_officer", "c"), ("street_staff", "b")],
)
def test_a_site_out_of_scope_is_404(client, users, sites, who, where):
    client.force_login(getattr(users, who))
    assert client.get(site_url(getattr(sites, where))).status_code == 404


def test_a_site_that_does_not_exist_is_404(client, users, sites):
    client.force_login(users.dispatcher)
    assert client.get(reverse("site-page", kwargs={"pk": 999999})).status_code == 404


def test_the_site_page_reads_the_same_queries_however_many_sensors_and_alarms(
    client, users, sites, raise_alarms
):
    client.force_login(users.dispatcher)
    client.get(site_url(sites.a))
    with CaptureQueriesContext(connection) as before:
        client.get(site_url(sites.a))
    sensor_make(sites.a, "GATE-A-1", SensorType.ACCESS_GATE)
    raise_alarms(alarm("IR-A-1"), alarm("GATE-A-1", "tailgating"), alarm("CAM-A-1", "tamper"))
    alarm_accept(actor=users.dispatcher, alarm_id=Alarm.objects.first().pk)
    with CaptureQueriesContext(connection) as after:
        client.get(site_url(sites.a))
    assert len(after) == len(before)


# --- Who opens the pages ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dispatcher", "chief_a", "post_officer", "street_staff"])
def test_police_roles_and_the_street_have_the_sites_in_the_navigation(client, users, who):
    client.force_login(getattr(users, who))
    page = client.get(reverse("sites-page")).content.decode()
    assert f'href="{reverse("sites-page")}" aria-current="page"' in page


def test_a_partner_may_not_open_the_sites(client, users):
    client.force_login(users.partner)
    assert client.get(reverse("sites-page")).status_code == 403
    # A partner has no map: its home is its inbox of referred jobs, with no sites in sight.
    home = client.get(reverse("console-home"))
    assert home["Location"] == reverse("partner-console")
    assert f'href="{reverse("sites-page")}"' not in client.get(home["Location"]).content.decode()
