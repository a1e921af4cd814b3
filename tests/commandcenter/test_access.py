"""The one permission policy: which rows each role reaches."""

import pytest
from django.core.exceptions import ValidationError

from commandcenter.access import can_view, scope_of, visible
from commandcenter.choices import Role
from commandcenter.models import GovernanceCenter, PartnerDepartment, Post, Station, Street
from patrol.models import PatrolZone, Team, Unit
from tests.factories import UserFactory


def codes(model, user, field="code"):
    return sorted(visible(model.objects.all(), user).values_list(field, flat=True))


def test_district_roles_see_every_station_and_unit(users):
    for user in (users.dispatcher, users.supervisor, users.administrator):
        assert codes(Station, user) == ["station-a", "station-b"]
        assert codes(Unit, user, "call_sign") == ["A-01", "B-01", "P-01", "S1-01"]


def test_station_chief_sees_only_its_station_posts_zones_units_and_teams(users):
    chief = users.chief_a
    assert codes(Station, chief) == ["station-a"]
    assert codes(Post, chief) == ["post-p"]
    assert codes(PatrolZone, chief) == ["zone-nw", "zone-sw"]
    assert codes(Unit, chief, "call_sign") == ["A-01", "P-01"]
    assert codes(Team, chief) == ["team-a"]
    assert codes(Street, chief) == ["street-1"]


def test_post_officer_sees_its_post_and_the_station_backing_it(users):
    officer = users.post_officer
    assert codes(Post, officer) == ["post-p"]
    assert codes(Station, officer) == ["station-a"]
    assert codes(PatrolZone, officer) == ["zone-sw"]
    assert codes(Unit, officer, "call_sign") == ["P-01"]


def test_street_staff_sees_its_street_center_zones_and_street_force(users):
    staff = users.street_staff
    assert codes(Street, staff) == ["street-1"]
    assert codes(GovernanceCenter, staff) == ["center-1"]
    assert codes(PatrolZone, staff) == ["zone-nw", "zone-sw"]
    assert codes(Unit, staff, "call_sign") == ["S1-01"]
    assert codes(Station, staff) == ["station-a"]
    assert codes(Team, staff) == []


def test_partner_sees_the_directory_but_no_zones_or_units(users):
    partner = users.partner
    assert codes(Station, partner) == ["station-a", "station-b"]
    assert codes(GovernanceCenter, partner) == ["center-1", "center-2"]
    assert codes(PartnerDepartment, partner) == ["chengguan"]
    assert codes(PatrolZone, partner) == []
    assert codes(Unit, partner, "call_sign") == []


def test_visible_never_repeats_rows_through_to_many_conditions(users):
    # Station A has two zones in street 1: a join would list street 1 twice.
    assert visible(Street.objects.all(), users.chief_a).count() == 1


def test_can_view_answers_for_one_object(users, district):
    assert can_view(users.chief_a, district.units.a)
    assert not can_view(users.chief_a, district.units.b)
    assert not can_view(users.street_staff, district.zones.se)


def test_inactive_or_anonymous_user_sees_nothing(users):
    users.dispatcher.is_active = False
    assert codes(Station, users.dispatcher) == []
    assert scope_of(None).role == ""


def test_station_chief_without_station_is_invalid(db):
    user = UserFactory.build(username="nobody", role=Role.STATION_CHIEF)
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "station" in error.value.message_dict


def test_dispatcher_scoped_to_a_station_is_invalid(district):
    user = UserFactory.build(username="odd", role=Role.DISPATCHER, station=district.station_a)
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "station" in error.value.message_dict
