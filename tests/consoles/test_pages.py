"""The console pages: dispatcher intake and queue, job panel actions, street office, station."""

from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commandcenter.models import Event
from incidents.models import Incident, ResultCode
from patrol.choices import UnitStatus

HTMX = {"HX-Request": "true"}
INTAKE = {
    "category": "criminal",
    "caller_phone": "13800138000",
    "caller_name": "张三",
    "address": "测试路1号",
    "lat": "30.005",
    "lng": "120.005",
    "priority": "",
    "source": "phone_110",
    "description": "有人抢包",
}


@pytest.fixture(autouse=True)
def english(client):
    """These tests read English messages; the default UI language is Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_the_consoles_speak_chinese_by_default(client, users):
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE")
    client.force_login(users.dispatcher)
    page = client.get(reverse("dispatch-console")).content.decode()
    assert "新警情" in page or "接警" in page


@pytest.fixture
def page(client):
    """The Django test client logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login


def detail_url(incident_id: int, console: str = "dispatch") -> str:
    return reverse("console-incident", kwargs={"console": console, "pk": incident_id})


def action_url(incident_id: int, action: str, console: str = "dispatch") -> str:
    return reverse(
        "incident-action", kwargs={"console": console, "pk": incident_id, "action": action}
    )


def police_job(call, **fields) -> Incident:
    return Incident.objects.get(pk=call(**fields).json()["id"])


def street_job(call, **fields) -> Incident:
    fields = {"category": "dispute", "lat": 30.015, "lng": 120.005, **fields}
    return Incident.objects.get(pk=call(**fields).json()["id"])


# --- Access -----------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["dispatch-console", "street-console", "station-console"])
def test_anonymous_user_is_sent_to_the_login(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_htmx_poll_redirects_the_whole_page_to_the_login(client, db):
    response = client.get(
        reverse("dispatch-queue"),
        headers={**HTMX, "HX-Current-URL": "http://testserver/dispatch/"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/dispatch/"


def test_street_user_gets_403_on_the_dispatcher_console(page, users):
    response = page(users.street_staff).get(reverse("dispatch-console"))
    assert response.status_code == 403
    assert "This console is not for your role" in response.content.decode()


@pytest.mark.parametrize("url_name", ["dispatch-console", "street-console", "station-console"])
def test_partner_gets_403_on_every_console(page, users, url_name):
    assert page(users.partner).get(reverse(url_name)).status_code == 403


def test_dispatcher_gets_403_on_the_street_console(page, users):
    assert page(users.dispatcher).get(reverse("street-console")).status_code == 403


@pytest.mark.parametrize(
    "role", ["dispatcher", "administrator", "chief_a", "post_officer", "street_staff", "partner"]
)
def test_navigation_shows_exactly_the_consoles_the_role_may_open(page, users, role):
    client = page(getattr(users, role))
    home = client.get(reverse("console-home")).content.decode()
    for url_name in ("dispatch-console", "street-console", "station-console"):
        url = reverse(url_name)
        may_open = client.get(url).status_code == 200
        assert (f'href="{url}"' in home) == may_open, url_name


def test_job_out_of_the_users_area_is_not_found(page, users, call):
    incident = police_job(call, lat=30.005, lng=120.005)  # station A
    assert page(users.chief_b).get(detail_url(incident.pk)).status_code == 404


def test_street_user_cannot_open_a_job_of_another_street(page, users, call):
    other = street_job(call, lat=30.015, lng=120.015)  # street 2
    response = page(users.street_staff).get(detail_url(other.pk, console="street"))
    assert response.status_code == 404


# --- Dispatcher console: queue ----------------------------------------------------------


def test_dispatcher_console_renders_with_the_queue(page, users, call):
    waiting = police_job(call)
    diverted = street_job(call)
    response = page(users.dispatcher).get(reverse("dispatch-console"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="intake-form"' in html
    assert waiting.number in html
    assert diverted.number not in html  # the street's, not the dispatcher's queue
    assert 'class="timer" data-since="' in html
    assert 'hx-trigger="queue-changed from:body"' in html  # refreshed from the live stream
    assert 'hx-trigger="every' not in html


def test_queue_lists_waiting_jobs_oldest_first_with_a_timer(page, users, call):
    first = police_job(call, lat=30.005, lng=120.005)
    second = police_job(call, category="traffic", lat=30.015, lng=120.015)
    html = page(users.dispatcher).get(reverse("dispatch-queue"), headers=HTMX).content.decode()
    assert html.index(first.number) < html.index(second.number)
    assert html.count('class="timer"') >= 2
    assert "<html" not in html  # a partial, for htmx to swap


@pytest.mark.parametrize(
    ("role", "url_name", "make_job"),
    [
        ("dispatcher", "dispatch-queue", police_job),
        ("supervisor", "station-console", police_job),
        ("street_staff", "street-queue", street_job),
    ],
)
def test_list_queries_do_not_grow_with_the_jobs(page, users, call, role, url_name, make_job):
    client = page(getattr(users, role))
    points = [(30.005, 120.005), (30.015, 120.005), (30.005, 120.0085)]
    categories = {police_job: ["criminal", "traffic", "fire"], street_job: ["dispute"] * 3}
    make_job(call, category=categories[make_job][0], lat=points[0][0], lng=points[0][1])
    with CaptureQueriesContext(connection) as one_job:
        client.get(reverse(url_name), headers=HTMX)
    for category, (lat, lng) in zip(categories[make_job][1:], points[1:], strict=True):
        make_job(call, category=category, lat=lat, lng=lng)
    with CaptureQueriesContext(connection) as three_jobs:
        assert client.get(reverse(url_name), headers=HTMX).content.decode().count("queue-row") >= 3
    assert len(three_jobs) == len(one_job)


# --- Dispatcher console: intake ---------------------------------------------------------


def test_intake_form_creates_an_incident_and_shows_its_routing_reason(page, users, district):
    response = page(users.dispatcher).post(reverse("incident-intake"), INTAKE, headers=HTMX)
    assert response.status_code == 200
    incident = Incident.objects.get()
    html = response.content.decode()
    assert incident.number in html
    assert incident.routing_reason in html
    assert district.post_p.name in html  # who takes it
    assert incident.get_status_display() in html
    assert response["HX-Trigger"] == "queue-changed"
    assert 'name="description"' in html and "有人抢包" not in html  # cleared for the next call


def test_intake_form_accepts_the_category_name_picked_from_the_list(page, users, district):
    data = {**INTAKE, "category": "刑事案件"}
    page(users.dispatcher).post(reverse("incident-intake"), data, headers=HTMX)
    assert Incident.objects.get().category.code == "criminal"


def test_intake_form_takes_a_part_of_a_name_that_fits_one_category(page, users, district):
    page(users.dispatcher).post(reverse("incident-intake"), {**INTAKE, "category": "交通"})
    assert Incident.objects.get().category.code == "traffic"


def test_intake_form_refuses_a_part_that_fits_several_categories(page, users, district):
    data = {**INTAKE, "category": "案件"}
    response = page(users.dispatcher).post(reverse("incident-intake"), data, headers=HTMX)
    assert response.status_code == 400
    assert "fits several categories: 刑事案件、治安案件" in response.content.decode()
    assert Incident.objects.count() == 0


def test_intake_without_htmx_redirects_to_the_console_showing_the_call(page, users, district):
    client = page(users.dispatcher)
    response = client.post(reverse("incident-intake"), INTAKE)
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('dispatch-console')}?taken={incident.pk}"
    assert incident.routing_reason in client.get(response["Location"]).content.decode()


def test_repeat_call_shows_what_it_is_a_repeat_of(page, users, call):
    original = police_job(call)
    response = page(users.dispatcher).post(
        reverse("incident-intake"), {**INTAKE, "lat": "30.0051"}, headers=HTMX
    )
    html = response.content.decode()
    assert f"repeat of {original.number}" in html
    assert Incident.objects.get(repeat_of=original).status == "linked"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lat", "91", "Latitude must be between -90 and 90."),
        ("description", "", "Say what happened."),
        ("category", "no-such-thing", "Unknown incident category “no-such-thing”."),
    ],
)
def test_bad_intake_rerenders_with_errors_and_writes_nothing(
    page, users, district, field, value, message
):
    events = Event.objects.count()
    response = page(users.dispatcher).post(
        reverse("incident-intake"), {**INTAKE, field: value}, headers=HTMX
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="测试路1号"' in html  # what was typed is kept
    assert Incident.objects.count() == 0
    assert Event.objects.count() == events


def test_bad_intake_without_htmx_rerenders_the_whole_console(page, users, district):
    response = page(users.dispatcher).post(reverse("incident-intake"), {**INTAKE, "lat": "x"})
    assert response.status_code == 400
    assert 'id="queue"' in response.content.decode()
    assert Incident.objects.count() == 0


# --- Job panel: recommendations, dispatch, steps, lifecycle -----------------------------


def test_detail_page_shows_recommendations(page, users, call, district):
    incident = police_job(call)
    html = page(users.dispatcher).get(detail_url(incident.pk)).content.decode()
    assert incident.routing_reason in html
    for unit in (district.units.p, district.units.a, district.units.b):
        assert f'name="unit" value="{unit.pk}"' in html
    assert "S1-01" not in html  # street forces are not offered for police jobs
    assert "Covering post" in html


def test_detail_panel_for_htmx_is_only_the_panel(page, users, call):
    incident = police_job(call)
    html = page(users.dispatcher).get(detail_url(incident.pk), headers=HTMX).content.decode()
    assert 'id="job"' in html
    assert "<html" not in html


def test_dispatching_a_unit_via_the_page_changes_its_status(page, users, call, district):
    incident = police_job(call)
    unit = district.units.p
    response = page(users.dispatcher).post(
        action_url(incident.pk, "dispatch"), {"unit": unit.pk}, headers=HTMX
    )
    assert response.status_code == 200
    unit.refresh_from_db()
    incident.refresh_from_db()
    assert unit.status == UnitStatus.DISPATCHED
    assert incident.status == "dispatched"
    assert "Units dispatched." in response.content.decode()
    assert response["HX-Trigger"] == "queue-changed"


def test_dispatch_selected_sends_every_ticked_unit(page, users, call, district):
    incident = police_job(call)
    units = [district.units.a, district.units.p]
    page(users.dispatcher).post(
        action_url(incident.pk, "dispatch"), {"units": [u.pk for u in units]}, headers=HTMX
    )
    assert incident.assignments.count() == 2


def test_second_dispatch_of_the_same_unit_is_shown_as_an_error(page, users, call, district):
    client = page(users.dispatcher)
    first = police_job(call, lat=30.005, lng=120.005)
    second = police_job(call, category="traffic", lat=30.015, lng=120.015)
    unit = district.units.p
    client.post(action_url(first.pk, "dispatch"), {"unit": unit.pk}, headers=HTMX)
    response = client.post(action_url(second.pk, "dispatch"), {"unit": unit.pk}, headers=HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'class="job-alert is-error"' in html
    assert "Unit P-01 is Dispatched and cannot be sent." in html
    second.refresh_from_db()
    assert second.status == "received"
    assert second.assignments.count() == 0


def test_refused_dispatch_without_htmx_shows_the_message_on_the_console(
    page, users, call, district
):
    client = page(users.dispatcher)
    first = police_job(call, lat=30.005, lng=120.005)
    second = police_job(call, category="traffic", lat=30.015, lng=120.015)
    client.post(action_url(first.pk, "dispatch"), {"unit": district.units.p.pk})
    response = client.post(action_url(second.pk, "dispatch"), {"unit": district.units.p.pk})
    assert response.status_code == 409
    assert "cannot be sent" in response.content.decode()


def test_dispatch_with_no_unit_chosen_is_refused(page, users, call):
    incident = police_job(call)
    response = page(users.dispatcher).post(action_url(incident.pk, "dispatch"), {}, headers=HTMX)
    assert response.status_code == 400
    assert "Choose at least one unit." in response.content.decode()


def test_assignment_step_buttons_advance_the_unit(page, users, call, district):
    client = page(users.dispatcher)
    incident = police_job(call)
    client.post(action_url(incident.pk, "dispatch"), {"unit": district.units.p.pk}, headers=HTMX)
    assignment = incident.assignments.get()
    html = client.get(detail_url(incident.pk), headers=HTMX).content.decode()
    assert 'value="acknowledged"' in html
    response = client.post(
        action_url(incident.pk, "advance"),
        {"assignment": assignment.pk, "target": "on_scene"},
        headers=HTMX,
    )
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.status == "on_scene"


def test_step_that_the_assignment_cannot_take_is_refused_with_409(page, users, call, district):
    client = page(users.dispatcher)
    incident = police_job(call)
    client.post(action_url(incident.pk, "dispatch"), {"unit": district.units.p.pk}, headers=HTMX)
    assignment = incident.assignments.get()
    advance = {"assignment": assignment.pk, "target": "cleared"}
    client.post(action_url(incident.pk, "advance"), advance, headers=HTMX)
    response = client.post(
        action_url(incident.pk, "advance"),
        {"assignment": assignment.pk, "target": "on_scene"},
        headers=HTMX,
    )
    assert response.status_code == 409
    assert "cannot become" in response.content.decode()


def test_assignment_of_another_job_is_not_found(page, users, call, district):
    client = page(users.dispatcher)
    first = police_job(call, lat=30.005, lng=120.005)
    second = police_job(call, category="traffic", lat=30.015, lng=120.015)
    client.post(action_url(first.pk, "dispatch"), {"unit": district.units.p.pk}, headers=HTMX)
    response = client.post(
        action_url(second.pk, "advance"),
        {"assignment": first.assignments.get().pk, "target": "on_scene"},
        headers=HTMX,
    )
    assert response.status_code == 404


def test_resolve_then_close_from_the_page(page, users, call):
    client = page(users.dispatcher)
    incident = police_job(call)
    data = {"result_code": "case_opened", "notes": "已立案"}
    assert client.post(action_url(incident.pk, "resolve"), data, headers=HTMX).status_code == 200
    response = client.post(action_url(incident.pk, "close"), {"feedback": "已回访"}, headers=HTMX)
    assert response.status_code == 200
    incident.refresh_from_db()
    assert (incident.status, incident.result_code.code) == ("closed", "case_opened")


def test_resolve_with_an_unknown_result_shows_the_error_and_changes_nothing(page, users, call):
    incident = police_job(call)
    response = page(users.dispatcher).post(
        action_url(incident.pk, "resolve"), {"result_code": "nope"}, headers=HTMX
    )
    assert response.status_code == 400
    assert "Unknown result code “nope”." in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == "received"


def test_cancel_without_a_reason_is_refused_with_the_services_message(page, users, call):
    incident = police_job(call)
    response = page(users.dispatcher).post(
        action_url(incident.pk, "cancel"), {"reason": " "}, headers=HTMX
    )
    assert response.status_code == 400
    assert "Say why the incident is cancelled." in response.content.decode()


def test_invalidate_closes_the_call_with_its_reason(page, users, call):
    incident = police_job(call)
    page(users.dispatcher).post(
        action_url(incident.pk, "invalidate"), {"reason": "prank"}, headers=HTMX
    )
    incident.refresh_from_db()
    assert (incident.status, incident.invalid_reason.code) == ("invalid", "prank")


def test_linked_repeat_can_be_unlinked_from_the_page(page, users, call):
    police_job(call)
    repeat = police_job(call, lat=30.0051)
    html = page(users.dispatcher).get(detail_url(repeat.pk), headers=HTMX).content.decode()
    assert action_url(repeat.pk, "unlink") in html
    page(users.dispatcher).post(action_url(repeat.pk, "unlink"), headers=HTMX)
    repeat.refresh_from_db()
    assert (repeat.status, repeat.repeat_of_id) == ("received", None)


def test_panel_offers_only_what_the_status_allows(page, users, call):
    incident = police_job(call)
    html = page(users.dispatcher).get(detail_url(incident.pk), headers=HTMX).content.decode()
    for action in ("dispatch", "resolve", "cancel", "invalidate"):
        assert action_url(incident.pk, action) in html
    for action in ("close", "unlink", "accept", "settle", "refer", "return"):
        assert action_url(incident.pk, action) not in html


def test_post_officer_sees_a_job_of_its_post_but_not_the_buttons_of_others(page, users, call):
    incident = police_job(call, lat=30.005, lng=120.005)  # post P
    html = page(users.post_officer).get(detail_url(incident.pk), headers=HTMX).content.decode()
    assert action_url(incident.pk, "dispatch") in html


def test_unknown_action_is_not_found(page, users, call):
    incident = police_job(call)
    response = page(users.dispatcher).post(action_url(incident.pk, "explode"), headers=HTMX)
    assert response.status_code == 404


# --- Timeline ---------------------------------------------------------------------------


def test_timeline_lists_steps_with_actors(page, users, call, district):
    client = page(users.dispatcher)
    incident = police_job(call)
    client.post(action_url(incident.pk, "dispatch"), {"unit": district.units.p.pk}, headers=HTMX)
    html = client.get(detail_url(incident.pk), headers=HTMX).content.decode()
    timeline = html[html.index('class="timeline"') :]
    assert timeline.index("Call received") < timeline.index("Units dispatched")
    assert "P-01" in timeline
    assert timeline.count('class="timeline-actor" title="dispatcher"') == 2


def test_timeline_times_are_shown_in_local_time_with_seconds(page, users, call):
    incident = police_job(call)
    first = Event.objects.filter(subject_id=str(incident.pk)).order_by("seq").first()
    local = first.occurred_at.astimezone(ZoneInfo("Asia/Shanghai"))
    html = page(users.dispatcher).get(detail_url(incident.pk), headers=HTMX).content.decode()
    assert f">{local:%H:%M:%S}</time>" in html


# --- Street office console --------------------------------------------------------------


def test_street_console_shows_only_its_streets_diverted_jobs(page, users, call):
    own = street_job(call, lat=30.015, lng=120.005)  # street 1
    other = street_job(call, lat=30.015, lng=120.015)  # street 2
    police = police_job(call)
    html = page(users.street_staff).get(reverse("street-console")).content.decode()
    assert own.number in html
    assert other.number not in html
    assert police.number not in html


def test_street_accepts_a_job_through_the_page(page, users, call):
    incident = street_job(call)
    response = page(users.street_staff).post(
        action_url(incident.pk, "accept", console="street"), headers=HTMX
    )
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.status == "accepted"
    assert "Job accepted." in response.content.decode()


def test_street_sends_street_staff_after_accepting(page, users, call, district):
    client = page(users.street_staff)
    incident = street_job(call)
    client.post(action_url(incident.pk, "accept", console="street"), headers=HTMX)
    html = client.get(detail_url(incident.pk, console="street"), headers=HTMX).content.decode()
    assert "S1-01" in html and "A-01" not in html
    client.post(
        action_url(incident.pk, "dispatch", console="street"),
        {"unit": district.units.street.pk},
        headers=HTMX,
    )
    incident.refresh_from_db()
    assert incident.status == "dispatched"


def test_street_returns_a_job_to_the_police_through_the_page(page, users, call):
    incident = street_job(call)
    response = page(users.street_staff).post(
        action_url(incident.pk, "return", console="street"),
        {"reason": "涉及人身伤害"},
        headers=HTMX,
    )
    assert response.status_code == 200
    incident.refresh_from_db()
    assert (incident.status, incident.tier) == ("returned", "police")
    queue = page(users.dispatcher).get(reverse("dispatch-queue"), headers=HTMX)
    assert incident.number in queue.content.decode()


def test_street_return_without_a_reason_shows_the_services_message(page, users, call):
    incident = street_job(call)
    response = page(users.street_staff).post(
        action_url(incident.pk, "return", console="street"), {"reason": ""}, headers=HTMX
    )
    assert response.status_code == 400
    assert "Say why the job goes back to the police." in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == "diverted"


def test_street_settles_and_refers_through_the_page(page, users, call, district):
    client = page(users.street_staff)
    settled = street_job(call, lat=30.015, lng=120.005)
    referred = street_job(call, category="complaint", lat=30.005, lng=120.005)
    for incident in (settled, referred):
        client.post(action_url(incident.pk, "accept", console="street"), headers=HTMX)
    client.post(
        action_url(settled.pk, "settle", console="street"),
        {"result_code": "mediated", "remote": "true"},  # settled by phone: nobody went
        headers=HTMX,
    )
    client.post(
        action_url(referred.pk, "refer", console="street"),
        {"to": district.partner.code},
        headers=HTMX,
    )
    settled.refresh_from_db()
    referred.refresh_from_db()
    assert settled.status == "resolved"
    assert (referred.status, referred.referred_to_id) == ("referred", district.partner.pk)


def test_street_lists_jobs_finished_in_the_last_day_below_the_queue(page, users, call):
    client = page(users.street_staff)
    incident = street_job(call)
    client.post(
        action_url(incident.pk, "return", console="street"), {"reason": "警情"}, headers=HTMX
    )
    html = client.get(reverse("street-queue"), headers=HTMX).content.decode()
    recent = html[html.index('id="recent-heading"') :]
    assert incident.number in recent


def test_dispatcher_cannot_accept_for_the_street(page, users, call):
    incident = street_job(call)
    response = page(users.dispatcher).post(action_url(incident.pk, "accept"), headers=HTMX)
    assert response.status_code == 403
    assert "Only the staff of the street" in response.content.decode()


# --- Station view ----------------------------------------------------------------------


def test_station_view_shows_only_the_chiefs_station_jobs(page, users, call, district):
    own = police_job(call, lat=30.005, lng=120.005)  # station A
    other = police_job(call, category="traffic", lat=30.015, lng=120.015)  # station B
    html = page(users.chief_a).get(reverse("station-console")).content.decode()
    assert own.number in html
    assert other.number not in html
    assert district.post_p.name in html  # grouped by the covering post
    assert "A-01" in html and "B-01" not in html  # the station's units


def test_station_view_of_a_post_officer_shows_its_post_only(page, users, call):
    post_job = police_job(call, lat=30.005, lng=120.005)  # post P
    station_job = police_job(call, category="traffic", lat=30.015, lng=120.005)  # A, no post
    html = page(users.post_officer).get(reverse("station-console")).content.decode()
    assert post_job.number in html
    assert station_job.number not in html


def test_district_roles_filter_the_station_view_by_station(page, users, call, district):
    own = police_job(call, lat=30.005, lng=120.005)
    other = police_job(call, category="traffic", lat=30.015, lng=120.015)
    client = page(users.supervisor)
    everything = client.get(reverse("station-console")).content.decode()
    assert own.number in everything and other.number in everything
    filtered = client.get(reverse("station-console"), {"station": "station-b"}).content.decode()
    assert other.number in filtered
    assert own.number not in filtered
    assert client.get(reverse("station-console"), {"station": "nope"}).status_code == 404


def test_station_view_shows_which_job_a_unit_is_on(page, users, call, district):
    incident = police_job(call)
    page(users.dispatcher).post(
        action_url(incident.pk, "dispatch"), {"unit": district.units.a.pk}, headers=HTMX
    )
    html = page(users.chief_a).get(reverse("station-console")).content.decode()
    units = html[html.index('id="units-heading"') :]
    assert incident.number in units


def test_station_view_shows_teams_and_lets_the_chief_end_a_shift(client, users, district):
    client.force_login(users.chief_a)
    page = client.get(reverse("station-console")).content.decode()
    assert district.teams.a.name in page
    assert district.teams.b.name not in page
    response = client.post(
        reverse("team-duty", kwargs={"pk": district.teams.a.pk}), {"on_duty": "0"}
    )
    assert response.status_code == 302
    district.teams.a.refresh_from_db()
    assert district.teams.a.on_duty is False
    assert UnitStatus.OFF_DUTY in set(district.teams.a.units.values_list("status", flat=True))


def test_station_view_shows_patrol_time_of_the_day(client, users, district):
    from datetime import timedelta

    from django.utils import timezone

    from patrol.models import PositionFix

    start = timezone.now() - timedelta(minutes=20)
    PositionFix.objects.bulk_create(
        PositionFix(
            unit=district.units.a,
            zone=district.zones.sw,
            lat=30.005,
            lng=120.005,
            recorded_at=start + timedelta(minutes=m),
        )
        for m in range(11)
    )
    client.force_login(users.chief_a)
    page = client.get(reverse("station-console")).content.decode()
    assert "A-01" in page
    assert f"{district.zones.sw.name} 10" in page


def test_the_queue_puts_an_urgent_call_above_older_ones(page, users, call):
    older = police_job(call, category="traffic", priority=3)
    urgent = police_job(call, category="criminal", priority=1, lat=30.015, lng=120.005)
    html = page(users.dispatcher).get(reverse("dispatch-queue"), headers=HTMX).content.decode()
    assert html.index(urgent.number) < html.index(older.number)


def test_the_timeline_names_the_result_not_its_code(page, users, call):
    incident = police_job(call)
    client = page(users.dispatcher)
    client.post(action_url(incident.pk, "resolve"), {"result_code": "case_opened"}, headers=HTMX)
    html = client.get(detail_url(incident.pk), headers=HTMX).content.decode()
    timeline = html[html.index('class="timeline"') :]
    assert "case_opened" not in timeline
    assert ResultCode.objects.get(code="case_opened").name in timeline


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("dispatcher", "console-home"),
        ("dispatcher", "dispatch-console"),
        ("street_staff", "street-console"),
        ("chief_a", "station-console"),
        ("dispatcher", "incident-search"),
    ],
)
def test_every_console_page_has_a_heading(page, users, role, url_name):
    html = page(getattr(users, role)).get(reverse(url_name)).content.decode()
    assert html.count("<h1") == 1, url_name


def test_a_too_long_field_is_refused_in_the_call_takers_words(page, users, district):
    data = {**INTAKE, "address": "路" * 201}
    html = page(users.dispatcher).post(reverse("incident-intake"), data, headers=HTMX)
    assert "At most 200 characters (now 201)." in html.content.decode()
    assert "Ensure this value" not in html.content.decode()


def test_the_admin_names_incident_columns_and_filters_in_chinese(client, users):
    administrator = users.administrator
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE")  # the default language: Chinese
    html = client.get("/admin/incidents/incident/").content.decode()
    assert "警情类别" in html
    assert "以 category" not in html and ">category<" not in html.lower()


@pytest.mark.parametrize("path", ["/", "/dispatch/", "/street/", "/orders/", "/search/"])
def test_one_htmx_config_swaps_refusals_and_settles_no_style(client, users, path):
    """htmx reads the first htmx-config meta only; under the CSP it must not copy
    style attributes, and 4xx answers (a refusal's message) must be swapped in."""
    import json
    import re

    client.force_login(users.administrator)
    html = client.get(path).content.decode()
    configs = re.findall(r'<meta name="htmx-config" content=\'([^\']*)\'>', html)
    assert "{#" not in html and "{%" not in html  # no template comment shown as text
    assert len(configs) == 1, configs
    config = json.loads(configs[0])
    assert "style" not in config["attributesToSettle"]
    assert {"code": "4..", "swap": True, "error": False} in config["responseHandling"]
