"""Volunteers (义警): masked and audited personal data, duty sessions and hours, who
may send them where (never to a police job), and their units on the map."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from analytics.facts import unit_days_update
from analytics.models import UnitDay
from commandcenter.choices import Role
from commandcenter.exceptions import ActionForbidden, InvalidTransition
from commandcenter.models import AccessRecord, Event
from community.volunteer_models import VolunteerSession
from community.volunteer_services import (
    volunteer_member_create,
    volunteer_session_end,
    volunteer_session_start,
    volunteer_team_create,
)
from dispatch.selectors import units_recommend
from dispatch.services import (
    UnitUnavailable,
    VolunteersRefused,
    assignment_advance,
    incident_dispatch,
    incident_resolve,
    incident_return,
    incident_settle,
)
from incidents.models import Incident
from incidents.services import incident_accept
from patrol.choices import UnitStatus, UnitType
from patrol.models import PositionFix, Unit
from patrol.selectors import unit_of_officer
from patrol.services import FixInput, positions_record
from tests import factories as f


def volunteer_user(username: str):
    return f.UserFactory(username=username, role=Role.VOLUNTEER)


@pytest.fixture
def teams(district):
    """A team of street 1 (its governance center sends it) and one of station A."""
    d = district
    street_team = volunteer_team_create(actor=None, code="s1", name="湖滨义警队", street=d.street_1)
    station_team = volunteer_team_create(
        actor=None, code="sa", name="A所义警队", station=d.station_a
    )
    wang = volunteer_member_create(
        actor=None,
        team_id=street_team.pk,
        name="王小明",
        phone="13912345678",
        id_number="330102199001011234",
        skills=["first_aid", "mediation"],
        user=volunteer_user("vol_wang"),
        leader=True,
    )
    li = volunteer_member_create(
        actor=None, team_id=street_team.pk, name="李四", phone="13700001111", skills=["language"]
    )
    zhao = volunteer_member_create(
        actor=None,
        team_id=station_team.pk,
        name="赵六",
        phone="13600002222",
        user=volunteer_user("vol_zhao"),
    )
    return SimpleNamespace(street=street_team, station=station_team, wang=wang, li=li, zhao=zhao)


def on_duty(member, *, at=(30.005, 120.005)):
    """Put a member on duty from its own terminal, with a position."""
    volunteer_session_start(actor=member.user, member_id=member.pk)
    positions_record(
        actor=member.user,
        fixes=[FixInput(unit=member.unit_id, recorded_at=datetime.now(UTC), lat=at[0], lng=at[1])],
    )
    member.unit.refresh_from_db()
    return member


# --- Members, units, accounts ---------------------------------------------------------


def test_a_member_gets_an_off_duty_volunteer_unit_homed_like_its_team(district, teams):
    wang, zhao = teams.wang.unit, teams.zhao.unit
    assert wang.unit_type == UnitType.VOLUNTEER and wang.status == UnitStatus.OFF_DUTY
    assert wang.call_sign == "YJ-s1-01" and wang.name == "湖滨义警队 王**"
    assert wang.home_governance_center == district.center_1 and wang.home_station is None
    assert zhao.home_station == district.station_a and zhao.home_governance_center is None
    assert unit_of_officer(teams.wang.user) == wang


def test_a_member_account_must_have_the_volunteer_role(district, teams):
    officer = f.UserFactory(role=Role.OFFICER, station=district.station_a)
    with pytest.raises(ValidationError):
        volunteer_member_create(
            actor=None, team_id=teams.street.pk, name="钱七", phone="1", user=officer
        )


def test_street_staff_of_another_street_may_not_add_members(users, district, teams):
    other = f.UserFactory(role=Role.STREET_STAFF, street=district.street_2)
    with pytest.raises(ActionForbidden):
        volunteer_member_create(actor=other, team_id=teams.street.pk, name="钱七", phone="1")


def test_a_volunteer_reads_nothing_through_the_policy(api_client_for, teams):
    api = api_client_for(teams.wang.user)
    assert api.get("/api/v1/incidents/").json()["results"] == []
    assert api.get("/api/v1/volunteers/").json()["results"] == []


# --- Masking and the access record ------------------------------------------------------


def test_the_list_is_masked_and_records_no_access(api_client_for, users, teams):
    rows = api_client_for(users.street_staff).get("/api/v1/volunteers/").json()["results"]
    wang = next(row for row in rows if row["call_sign"] == "YJ-s1-01")
    assert wang["name"] == "王**"
    assert wang["phone"] == "139****5678"
    assert wang["id_number"] == "330102********1234"
    assert wang["skills"] == ["first_aid", "mediation"] and wang["revealed"] is False
    assert not AccessRecord.objects.exists()


def test_the_team_list_masks_its_leader(api_client_for, users, teams):
    rows = api_client_for(users.street_staff).get("/api/v1/volunteer-teams/").json()["results"]
    assert [(r["code"], r["leader_name"], r["members"]) for r in rows] == [("s1", "王**", 2)]


def test_the_teams_street_reads_one_volunteer_unmasked_and_the_read_is_recorded(
    api_client_for, users, teams
):
    url = f"/api/v1/volunteers/{teams.wang.pk}/?reveal=personal&purpose=call out"
    body = api_client_for(users.street_staff).get(url).json()
    assert (body["name"], body["phone"], body["id_number"]) == (
        "王小明",
        "13912345678",
        "330102199001011234",
    )
    (record,) = AccessRecord.objects.all()
    assert record.actor == users.street_staff
    assert (record.object_type, record.object_id) == (
        "community.volunteermember",
        str(teams.wang.pk),
    )
    assert record.fields == ["id_number", "name", "phone"] and record.purpose == "call out"


def test_without_reveal_one_volunteer_is_masked_too(api_client_for, users, teams):
    body = api_client_for(users.street_staff).get(f"/api/v1/volunteers/{teams.wang.pk}/").json()
    assert body["name"] == "王**" and not AccessRecord.objects.exists()


def test_a_post_officer_sees_its_stations_volunteers_masked_but_may_not_reveal(
    api_client_for, users, teams
):
    api = api_client_for(users.post_officer)
    rows = api.get("/api/v1/volunteers/").json()["results"]
    assert [row["call_sign"] for row in rows] == ["YJ-sa-01"]
    response = api.get(f"/api/v1/volunteers/{teams.zhao.pk}/?reveal=personal")
    assert response.status_code == 403
    assert not AccessRecord.objects.exists()


def test_another_street_does_not_see_the_team(api_client_for, district, teams):
    other = f.UserFactory(role=Role.STREET_STAFF, street=district.street_2)
    api = api_client_for(other)
    assert api.get("/api/v1/volunteers/").json()["results"] == []
    assert api.get(f"/api/v1/volunteers/{teams.wang.pk}/?reveal=personal").status_code == 404
    assert not AccessRecord.objects.exists()


def test_volunteers_filter_by_skill_and_duty(api_client_for, users, teams):
    api = api_client_for(users.dispatcher)
    by_skill = api.get("/api/v1/volunteers/?skill=language").json()["results"]
    assert [row["call_sign"] for row in by_skill] == ["YJ-s1-02"]
    on_duty(teams.zhao)
    on = api.get("/api/v1/volunteers/?on_duty=true").json()["results"]
    assert [row["call_sign"] for row in on] == ["YJ-sa-01"]
    assert on[0]["on_duty"] is True and on[0]["on_duty_since"]


# --- Duty sessions -------------------------------------------------------------------------


def test_a_volunteer_comes_on_and_goes_off_duty_from_its_own_account(teams):
    wang = teams.wang
    session = volunteer_session_start(actor=wang.user, member_id=wang.pk)
    wang.unit.refresh_from_db()
    assert wang.unit.status == UnitStatus.AVAILABLE and session.started_by == wang.user
    event = Event.objects.filter(kind="volunteer.on_duty").get()
    assert event.subject_type == "patrol.unit" and event.payload["status"] == "available"
    assert event.payload["on_behalf"] is False and "王" not in str(event.payload)
    volunteer_session_end(actor=wang.user, member_id=wang.pk)
    wang.unit.refresh_from_db()
    session.refresh_from_db()
    assert wang.unit.status == UnitStatus.OFF_DUTY and session.ended_at is not None


def test_coming_on_duty_twice_is_refused(teams):
    volunteer_session_start(actor=teams.wang.user, member_id=teams.wang.pk)
    with pytest.raises(InvalidTransition):
        volunteer_session_start(actor=teams.wang.user, member_id=teams.wang.pk)


def test_a_volunteer_may_not_put_another_on_duty(teams):
    with pytest.raises(ActionForbidden):
        volunteer_session_start(actor=teams.wang.user, member_id=teams.zhao.pk)


def test_the_street_sends_a_volunteer_on_patrol_in_its_zone(api_client_for, users, district, teams):
    api = api_client_for(users.street_staff)
    response = api.post(
        f"/api/v1/volunteers/{teams.li.pk}/on-duty/",
        {"zone": "zone-nw", "task": "夜间巡逻"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["on_duty"] is True and body["patrol_zone"] == "zone-nw"
    session = VolunteerSession.objects.get(member=teams.li)
    assert session.started_by == users.street_staff and session.task == "夜间巡逻"
    assert Event.objects.get(kind="volunteer.on_duty").payload["on_behalf"] is True


def test_a_patrol_zone_outside_the_teams_area_is_refused(api_client_for, users, teams):
    response = api_client_for(users.street_staff).post(
        f"/api/v1/volunteers/{teams.li.pk}/on-duty/", {"zone": "zone-se"}, format="json"
    )
    assert response.status_code == 400
    assert "zone" in response.json()


def test_another_stations_chief_may_not_send_the_team(api_client_for, users, teams):
    api = api_client_for(users.chief_b)
    assert api.post(f"/api/v1/volunteers/{teams.zhao.pk}/on-duty/").status_code == 404
    assert (
        api_client_for(users.chief_a)
        .post(f"/api/v1/volunteers/{teams.zhao.pk}/on-duty/")
        .status_code
        == 200
    )


def test_going_off_duty_clears_the_last_position(teams):
    on_duty(teams.wang)
    assert teams.wang.unit.lat is not None
    volunteer_session_end(actor=teams.wang.user, member_id=teams.wang.pk)
    teams.wang.unit.refresh_from_db()
    assert teams.wang.unit.lat is None and teams.wang.unit.position_at is None


def test_going_off_duty_while_on_a_job_is_refused(call, users, teams):
    on_duty(teams.wang)
    incident = _street_job(call, users)
    incident_dispatch(
        actor=users.street_staff, incident_id=incident.pk, unit_ids=[teams.wang.unit_id]
    )
    with translation.override("en"), pytest.raises(InvalidTransition, match="leave the scene"):
        volunteer_session_end(actor=teams.wang.user, member_id=teams.wang.pk)


# --- Hours -------------------------------------------------------------------------------------


def test_hours_sum_the_sessions_per_member_and_team(api_client_for, users, teams):
    day = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    for member, hours in ((teams.wang, 2), (teams.li, 1)):
        for start in (day, day + timedelta(hours=5)):
            with time_machine.travel(start, tick=False):
                volunteer_session_start(actor=users.street_staff, member_id=member.pk)
            with time_machine.travel(start + timedelta(hours=hours), tick=False):
                volunteer_session_end(actor=users.street_staff, member_id=member.pk)
    with time_machine.travel(day + timedelta(days=1), tick=False):
        body = (
            api_client_for(users.street_staff)
            .get("/api/v1/volunteers/hours/?from=2026-03-02&to=2026-03-02")
            .json()
        )
    assert body["from"] == body["to"] == "2026-03-02"
    assert [(t["code"], t["members"], t["sessions"], t["hours"]) for t in body["teams"]] == [
        ("s1", 2, 4, 6.0)
    ]
    assert [(m["call_sign"], m["name"], m["sessions"], m["hours"]) for m in body["members"]] == [
        ("YJ-s1-01", "王**", 2, 4.0),
        ("YJ-s1-02", "李*", 2, 2.0),
    ]


def test_hours_count_only_the_part_inside_the_range_and_open_sessions_up_to_now(
    api_client_for, users, teams
):
    evening = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai
    with time_machine.travel(evening, tick=False):
        volunteer_session_start(actor=teams.wang.user, member_id=teams.wang.pk)
    with time_machine.travel(evening + timedelta(hours=3), tick=False):  # 01:00 next day
        api = api_client_for(users.dispatcher)
        first = api.get("/api/v1/volunteers/hours/?from=2026-03-02&to=2026-03-02").json()
        second = api.get("/api/v1/volunteers/hours/?from=2026-03-03").json()
    assert first["members"][0]["hours"] == 2.0
    assert second["members"][0]["hours"] == 1.0
    assert {t["code"]: t["hours"] for t in second["teams"]} == {"s1": 1.0, "sa": 0.0}


def test_hours_are_scoped_like_the_teams(api_client_for, users, teams):
    volunteer_session_start(actor=teams.zhao.user, member_id=teams.zhao.pk)
    body = api_client_for(users.street_staff).get("/api/v1/volunteers/hours/").json()
    assert [t["code"] for t in body["teams"]] == ["s1"] and body["members"] == []


def test_a_backwards_range_is_refused(api_client_for, users, teams):
    response = api_client_for(users.street_staff).get(
        "/api/v1/volunteers/hours/?from=2026-03-02&to=2026-03-01"
    )
    assert response.status_code == 400


# --- Positions and the map -----------------------------------------------------------------


def test_a_volunteer_reports_its_own_position_only_while_on_duty(teams):
    wang = teams.wang
    fix = FixInput(unit=wang.unit_id, recorded_at=datetime.now(UTC), lat=30.005, lng=120.005)
    with translation.override("en"):
        result = positions_record(actor=wang.user, fixes=[fix])
    assert result.accepted == 0 and "on duty" in result.rejected[0]["errors"]["unit"]
    volunteer_session_start(actor=wang.user, member_id=wang.pk)
    assert positions_record(actor=wang.user, fixes=[fix]).accepted == 1
    other = FixInput(unit=teams.zhao.unit_id, recorded_at=fix.recorded_at, lat=30.0, lng=120.0)
    assert positions_record(actor=wang.user, fixes=[other]).accepted == 0
    assert PositionFix.objects.filter(unit=wang.unit).count() == 1


def test_the_units_endpoint_lists_volunteers_for_the_map(api_client_for, users, teams):
    on_duty(teams.wang)
    rows = (
        api_client_for(users.dispatcher)
        .get("/api/v1/units/?unit_type=volunteer&status=available")
        .json()["results"]
    )
    assert [(r["call_sign"], r["name"], r["unit_type"]) for r in rows] == [
        ("YJ-s1-01", "湖滨义警队 王**", "volunteer")
    ]
    assert rows[0]["lat"] == 30.005


# --- Who sends them where ---------------------------------------------------------------------


def _street_job(call, users, category="assistance"):
    """A non-police call in street 1, diverted to its governance center and accepted."""
    created = call(category=category, description="老人迷路求助", lat=30.015, lng=120.005).json()
    incident = Incident.objects.get(pk=created["id"])
    assert incident.tier == "street"
    incident_accept(actor=users.street_staff, incident_id=incident.pk)
    return incident


def test_the_street_sends_a_volunteer_to_a_street_job_through_the_lifecycle(call, users, teams):
    wang = on_duty(teams.wang)
    incident = _street_job(call, users)
    ranked = units_recommend(incident=incident, user=users.street_staff)
    assert wang.unit_id in [r.unit_id for r in ranked]
    (assignment,) = incident_dispatch(
        actor=users.street_staff, incident_id=incident.pk, unit_ids=[wang.unit_id]
    )
    for target in ("acknowledged", "en_route", "on_scene"):
        assignment_advance(actor=wang.user, assignment_id=assignment.pk, target=target)
    incident.refresh_from_db()
    assert incident.status == "on_scene" and incident.on_scene_at is not None
    assignment_advance(actor=wang.user, assignment_id=assignment.pk, target="cleared")
    wang.unit.refresh_from_db()
    assert wang.unit.status == UnitStatus.AVAILABLE  # still on duty, patrolling again
    incident_settle(actor=users.street_staff, incident_id=incident.pk, result_code="assisted")
    incident.refresh_from_db()
    assert incident.status == "resolved"
    steps = Event.objects.filter(subject_id=str(incident.pk), kind__startswith="assignment.")
    assert all(
        event.payload["on_behalf"] is False for event in steps if "on_behalf" in event.payload
    )


def test_a_volunteer_is_never_sent_to_a_police_job(api_client_for, call, users, teams):
    zhao = on_duty(teams.zhao)
    created = call(category="criminal", lat=30.015, lng=120.005).json()
    incident = Incident.objects.get(pk=created["id"])
    assert zhao.unit_id not in [
        r.unit_id for r in units_recommend(incident=incident, user=users.chief_a)
    ]
    with pytest.raises(VolunteersRefused):
        incident_dispatch(actor=users.chief_a, incident_id=incident.pk, unit_ids=[zhao.unit_id])
    response = api_client_for(users.chief_a).post(
        f"/api/v1/incidents/{incident.pk}/dispatch/",
        {"units": [zhao.unit_id]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "volunteers_not_for_police_jobs"
    assert "never sent to a police job" in body["detail"] and "YJ-sa-01" in body["detail"]
    zhao.unit.refresh_from_db()
    assert zhao.unit.status == UnitStatus.AVAILABLE


def test_with_police_units_a_volunteer_is_still_refused_and_nobody_is_sent(
    call, users, district, teams
):
    zhao = on_duty(teams.zhao)
    incident = Incident.objects.get(
        pk=call(category="criminal", lat=30.015, lng=120.005).json()["id"]
    )
    with pytest.raises(VolunteersRefused):
        incident_dispatch(
            actor=users.chief_a,
            incident_id=incident.pk,
            unit_ids=[district.units.a.pk, zhao.unit_id],
        )
    assert Unit.objects.get(pk=district.units.a.pk).status == UnitStatus.AVAILABLE


def test_a_station_sends_its_volunteer_to_a_non_police_job_on_the_police_side(call, users, teams):
    zhao = on_duty(teams.zhao)
    incident = _street_job(call, users)
    incident_return(actor=users.street_staff, incident_id=incident.pk, reason="需要民警协助")
    ranked = units_recommend(incident=Incident.objects.get(pk=incident.pk), user=users.chief_a)
    assert zhao.unit_id in [r.unit_id for r in ranked]
    (assignment,) = incident_dispatch(
        actor=users.chief_a, incident_id=incident.pk, unit_ids=[zhao.unit_id]
    )
    assert assignment.unit == zhao.unit


def test_an_off_duty_volunteer_cannot_be_sent(call, users, teams):
    incident = _street_job(call, users)
    with pytest.raises(UnitUnavailable):
        incident_dispatch(
            actor=users.street_staff, incident_id=incident.pk, unit_ids=[teams.li.unit_id]
        )


def test_a_street_cannot_send_another_streets_or_a_stations_volunteer(call, users, teams):
    on_duty(teams.zhao)
    incident = _street_job(call, users)
    with pytest.raises(ValidationError) as refused:  # "no such unit": not the street's
        incident_dispatch(
            actor=users.street_staff, incident_id=incident.pk, unit_ids=[teams.zhao.unit_id]
        )
    assert str(teams.zhao.unit_id) in refused.value.message_dict["units"][0]


def test_a_volunteer_does_not_report_back_a_police_side_job(call, users, teams):
    zhao = on_duty(teams.zhao)
    incident = _street_job(call, users)
    incident_return(actor=users.street_staff, incident_id=incident.pk, reason="需要民警协助")
    (assignment,) = incident_dispatch(
        actor=users.chief_a, incident_id=incident.pk, unit_ids=[zhao.unit_id]
    )
    assignment_advance(actor=zhao.user, assignment_id=assignment.pk, target="on_scene")
    with pytest.raises(ActionForbidden):
        incident_resolve(actor=zhao.user, incident_id=incident.pk, result_code="assisted")


# --- Query counts ------------------------------------------------------------------------------


def _queries(api, url: str) -> int:
    api.get(url)  # the in-process directory warm
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def test_the_lists_queries_do_not_grow_with_their_rows(api_client_for, users, district):
    api = api_client_for(users.dispatcher)
    team = volunteer_team_create(actor=None, code="t1", name="一队", street=district.street_1)
    first = volunteer_member_create(actor=None, team_id=team.pk, name="甲", phone="1", leader=True)
    volunteer_session_start(actor=users.dispatcher, member_id=first.pk)
    counts = [_queries(api, url) for url in LISTS]
    other = volunteer_team_create(actor=None, code="t2", name="二队", station=district.station_b)
    for number in range(3):
        member = volunteer_member_create(
            actor=None, team_id=other.pk, name=f"乙{number}", phone="2", leader=number == 0
        )
        volunteer_session_start(actor=users.dispatcher, member_id=member.pk)
    assert [_queries(api, url) for url in LISTS] == counts


LISTS = ("/api/v1/volunteers/", "/api/v1/volunteer-teams/", "/api/v1/volunteers/hours/")


def test_volunteers_patrol_time_stays_out_of_the_polices_unit_days(officer, district, teams):
    volunteer_session_start(actor=teams.zhao.user, member_id=teams.zhao.pk)
    now = datetime.now(UTC)
    for actor, unit in ((teams.zhao.user, teams.zhao.unit), (officer, district.units.a)):
        fixes = [
            FixInput(unit=unit.pk, recorded_at=now - timedelta(minutes=m), lat=30.015, lng=120.005)
            for m in (2, 1)
        ]
        assert positions_record(actor=actor, fixes=fixes).accepted == 2
    unit_days_update(timezone.localdate())
    assert set(UnitDay.objects.values_list("unit", flat=True)) == {district.units.a.pk}
