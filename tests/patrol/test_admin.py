"""The admin changes duty only through the service, and never a unit's status."""

from django.test import Client

from commandcenter.models import Event
from patrol.choices import UnitStatus
from patrol.models import Team, Unit


def _admin_client(users) -> Client:
    administrator = users.administrator
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client = Client()
    client.force_login(administrator)
    return client


def test_ending_a_shift_in_the_admin_goes_through_the_service(users, district):
    team = district.teams.a
    response = _admin_client(users).post(
        "/admin/patrol/team/",
        {"action": "end_shift", "_selected_action": [team.pk]},
    )
    assert response.status_code == 302
    assert Team.objects.get(pk=team.pk).on_duty is False
    assert set(Unit.objects.filter(team=team).values_list("status", flat=True)) == {
        UnitStatus.OFF_DUTY
    }
    assert Event.objects.filter(kind="team.off_duty", subject_id=str(team.pk)).count() == 1


def test_the_admin_cannot_type_in_a_duty_or_a_unit_status(users, district):
    client = _admin_client(users)
    team_form = client.get(f"/admin/patrol/team/{district.teams.a.pk}/change/").content.decode()
    unit_form = client.get(f"/admin/patrol/unit/{district.units.a.pk}/change/").content.decode()
    assert 'name="on_duty"' not in team_form
    assert 'name="status"' not in unit_form
    assert 'name="lat"' not in unit_form
