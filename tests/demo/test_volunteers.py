"""The demo's volunteers: teams seeded through the services, and the simulator's hook."""

import random
from datetime import timedelta

from django.contrib.auth import authenticate
from django.utils import timezone

from commandcenter.choices import Role
from community.volunteer_models import VolunteerMember, VolunteerTeam
from community.volunteer_services import volunteer_session_start
from demo.seed import DEMO_PASSWORD
from demo.simulation import Simulator
from demo.volunteers import DEMO_VOLUNTEER_USERNAME, VolunteerPatrols, demo_volunteers, id_number
from dispatch.models import Assignment
from dispatch.services import incident_dispatch
from incidents.models import Incident
from incidents.services import incident_accept
from patrol.choices import UnitStatus, UnitType
from patrol.models import PositionFix, Unit


def test_id_numbers_carry_the_gb_11643_check_character():
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for seed in range(20):
        number = id_number(random.Random(seed))
        total = sum(int(d) * w for d, w in zip(number[:17], weights, strict=True))
        assert number[:6] == "330102" and number[17] == "10X98765432"[total % 11]


def test_demo_volunteers_seeds_teams_of_five_to_eight_with_accounts_and_units(district):
    (account,) = demo_volunteers(rng=random.Random(1))
    teams = list(VolunteerTeam.objects.order_by("code"))
    assert [t.code for t in teams] == ["station-a-yj", "street-1-yj", "street-2-yj"]
    street_1 = next(t for t in teams if t.code == "street-1-yj")
    assert street_1.street == district.street_1 and street_1.station == district.station_a
    for team in teams:
        members = VolunteerMember.objects.filter(team=team)
        assert 5 <= members.count() <= 8
        assert team.leader in members
        assert all(
            m.user.role == Role.VOLUNTEER and m.unit.unit_type == "volunteer" for m in members
        )
    assert (
        not Unit.objects.filter(unit_type=UnitType.VOLUNTEER)
        .exclude(status=UnitStatus.OFF_DUTY)
        .exists()
    )
    assert account.username == DEMO_VOLUNTEER_USERNAME and account.role == Role.VOLUNTEER
    assert authenticate(username=DEMO_VOLUNTEER_USERNAME, password=DEMO_PASSWORD) is not None
    assert authenticate(username="vol-street-1-yj-02", password=DEMO_PASSWORD) is None


def test_the_hook_keeps_about_half_on_duty_and_walks_them(district):
    demo_volunteers(rng=random.Random(1))
    patrols = VolunteerPatrols(rng=random.Random(2), speed=50)
    now = timezone.now()
    for tick in range(15):
        patrols.tick(2.0, now=now + timedelta(seconds=2 * tick))
    members = VolunteerMember.objects.exclude(user__username=DEMO_VOLUNTEER_USERNAME)
    on_duty = members.exclude(unit__status=UnitStatus.OFF_DUTY)
    assert round(members.count() * 0.5) - 1 <= on_duty.count() <= round(members.count() * 0.5)
    assert PositionFix.objects.filter(unit__volunteer__in=on_duty).count() >= on_duty.count()
    demo = VolunteerMember.objects.get(user__username=DEMO_VOLUNTEER_USERNAME)
    assert demo.unit.status == UnitStatus.OFF_DUTY  # the person's, not the simulator's


def test_the_hook_works_a_street_job_and_the_simulator_settles_it(district, call, users):
    demo_volunteers(rng=random.Random(1))
    patrols = VolunteerPatrols(rng=random.Random(2), speed=50, on_scene_for=(1, 1))
    member = (
        VolunteerMember.objects.filter(team__street=district.street_1)
        .exclude(user__username=DEMO_VOLUNTEER_USERNAME)
        .first()
    )
    volunteer_session_start(actor=member.user, member_id=member.pk)  # as its phone would
    patrols.tick(2.0)
    unit = member.unit
    created = call(category="assistance", description="老人迷路", lat=30.015, lng=120.005).json()
    incident_accept(actor=users.street_staff, incident_id=created["id"])
    (sent,) = incident_dispatch(
        actor=users.street_staff, incident_id=created["id"], unit_ids=[unit.pk]
    )
    patrols.walkers[member.pk].lat, patrols.walkers[member.pk].lng = 30.0151, 120.0051
    simulator = Simulator(calls_per_minute=0, speed=50)
    now = timezone.now()
    for tick in range(1, 200):
        at = now + timedelta(seconds=2 * tick)
        patrols.tick(2.0, now=at)
        simulator.tick(2.0)
        if Assignment.objects.get(pk=sent.pk).status == "cleared":
            break
    assert Assignment.objects.get(pk=sent.pk).on_scene_at is not None
    assert Assignment.objects.get(pk=sent.pk).status == "cleared"
    # The street's job, with no unit left on it: the simulator settles it once its time is up.
    simulator.scene_until[created["id"]] = timezone.now() - timedelta(seconds=1)
    simulator.tick(2.0)
    assert Incident.objects.get(pk=created["id"]).status in ("resolved", "closed")


def test_the_street_sends_the_nearest_volunteer_to_some_help_jobs(district, call, users):
    demo_volunteers(rng=random.Random(1))
    simulator = Simulator(calls_per_minute=0)  # its desk is the one that sends
    member = (
        VolunteerMember.objects.filter(team__street=district.street_1)
        .exclude(user__username=DEMO_VOLUNTEER_USERNAME)
        .first()
    )
    volunteer_session_start(actor=member.user, member_id=member.pk)
    patrols = VolunteerPatrols(rng=random.Random(2), send_share=1.0)
    patrols.tick(2.0)
    patrols.walkers[member.pk].lat, patrols.walkers[member.pk].lng = 30.0151, 120.0051
    patrols.tick(2.0)  # its phone reports it there
    created = call(category="assistance", description="老人迷路", lat=30.015, lng=120.005).json()
    incident_accept(actor=users.street_staff, incident_id=created["id"])
    patrols.tick(2.0, now=timezone.now() + timedelta(seconds=11))
    (sent,) = Assignment.objects.filter(incident_id=created["id"])
    assert sent.unit == member.unit and sent.dispatched_by == simulator.actor
