"""The volunteers page (/volunteers/): masked teams and members, hours, send on patrol."""

import pytest

from commandcenter.choices import Role
from commandcenter.models import AccessRecord
from community.volunteer_models import VolunteerSession
from community.volunteer_services import volunteer_member_create, volunteer_team_create
from patrol.choices import UnitStatus
from tests import factories as f

URL = "/volunteers/"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def member(district):
    team = volunteer_team_create(actor=None, code="s1", name="湖滨义警队", street=district.street_1)
    return volunteer_member_create(
        actor=None,
        team_id=team.pk,
        name="王小明",
        phone="13912345678",
        skills=["first_aid"],
        user=f.UserFactory(username="vol_wang", role=Role.VOLUNTEER),
        leader=True,
    )


def test_the_street_sees_its_team_and_members_masked(client, users, member):
    client.force_login(users.street_staff)
    page = client.get(URL).content.decode()
    assert "湖滨义警队" in page and "YJ-s1-01" in page
    assert "王**" in page and "139****5678" in page and "First aid" in page
    assert "王小明" not in page and "13912345678" not in page
    assert 'href="/volunteers/"' in page  # in the navigation
    assert not AccessRecord.objects.exists()


def test_the_street_sends_a_member_on_patrol_and_ends_its_duty(client, users, member):
    client.force_login(users.street_staff)
    url = f"/volunteers/{member.pk}/duty/"
    response = client.post(url, {"on_duty": "1", "zone": "zone-nw", "task": "夜巡"})
    assert response.status_code == 302
    session = VolunteerSession.objects.get(member=member)
    assert session.zone.code == "zone-nw" and session.started_by == users.street_staff
    page = client.get(URL).content.decode()
    assert "夜巡" in page and "End duty" in page
    client.post(url, {"on_duty": "0"})
    member.unit.refresh_from_db()
    assert member.unit.status == UnitStatus.OFF_DUTY


def test_a_refusal_is_shown_as_a_message(client, users, member):
    client.force_login(users.street_staff)
    response = client.post(f"/volunteers/{member.pk}/duty/", {"on_duty": "0"}, follow=True)
    assert "is not on duty" in response.content.decode()


def test_a_post_officer_reads_but_may_not_send(client, users, district):
    team = volunteer_team_create(
        actor=None, code="sa", name="A所义警队", station=district.station_a
    )
    volunteer_member_create(actor=None, team_id=team.pk, name="赵六", phone="13600002222")
    client.force_login(users.post_officer)
    page = client.get(URL).content.decode()
    assert "YJ-sa-01" in page and "Send on patrol" not in page


def test_another_street_sees_nothing_and_may_not_send(client, district, member):
    other = f.UserFactory(role=Role.STREET_STAFF, street=district.street_2)
    client.force_login(other)
    assert "YJ-s1-01" not in client.get(URL).content.decode()
    assert client.post(f"/volunteers/{member.pk}/duty/", {"on_duty": "1"}).status_code == 404


def test_officers_and_volunteers_have_no_volunteers_page(client, officer, member):
    for user in (officer, member.user):
        client.force_login(user)
        assert client.get(URL).status_code == 403


def test_a_bad_range_is_400_with_a_message(client, users, member):
    client.force_login(users.street_staff)
    response = client.get(URL + "?from=2026-03-05&to=2026-03-01")
    assert response.status_code == 400


def test_the_station_view_lists_police_units_not_its_volunteers(client, users, district):
    team = volunteer_team_create(
        actor=None, code="sa", name="A所义警队", station=district.station_a
    )
    volunteer_member_create(actor=None, team_id=team.pk, name="赵六", phone="13600002222")
    client.force_login(users.chief_a)
    page = client.get("/station/").content.decode()
    assert "A-01" in page and "YJ-sa-01" not in page
