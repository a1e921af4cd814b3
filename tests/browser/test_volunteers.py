"""Volunteers (义警) in a real browser: the terminal in volunteer mode at phone size (duty
on, a help job walked and left), and the volunteers page, both free of serious
accessibility violations."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commandcenter.choices import Role
from community.volunteer_services import (
    volunteer_member_create,
    volunteer_session_start,
    volunteer_team_create,
)
from dispatch.models import Assignment
from dispatch.services import incident_dispatch
from incidents.services import incident_accept, incident_create
from patrol.services import FixInput, positions_record
from tests import factories as f
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_terminal import PHONE, assert_big_button, assert_fits_a_phone

pytestmark = pytest.mark.django_db(transaction=True)


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
    )


def test_a_volunteer_comes_on_duty_and_walks_a_help_job(
    live_stack, browser_page, district, users, member
):
    page = browser_page
    page.set_viewport_size(PHONE)
    log_in(page, live_stack, "vol_wang", "/terminal/")
    assert serious_violations(page) == []
    assert page.locator("#position-toggle").count() == 0
    assert_big_button(page, "#terminal-on-duty")
    page.click("#terminal-on-duty")
    expect(page.locator("#terminal-off-duty")).to_be_visible()
    expect(page.locator("#position-toggle")).to_be_visible()
    incident = incident_create(
        actor=users.dispatcher,
        category="assistance",
        description="老人迷路",
        caller_phone="13800138000",
        address="测试路1号",
        lat=30.015,
        lng=120.005,
    )
    incident_accept(actor=users.street_staff, incident_id=incident.pk)
    (assignment,) = incident_dispatch(
        actor=users.street_staff, incident_id=incident.pk, unit_ids=[member.unit_id]
    )
    # No live stream for a volunteer: the job region is read every 10 s.
    expect(page.locator("#terminal-next")).to_be_visible(timeout=15_000)
    for target in ("acknowledged", "en_route", "on_scene"):
        page.click("#terminal-next")
        expect(page.locator("#terminal-assignment")).to_have_attribute("data-status", target)
    assert page.locator("#terminal-report").count() == 0
    assert_big_button(page, "#terminal-leave")
    assert_fits_a_phone(page)
    page.click("#terminal-leave")
    expect(page.locator("#terminal-idle")).to_be_visible()
    assert Assignment.objects.get(pk=assignment.pk).status == "cleared"


def test_the_volunteers_page_has_no_serious_accessibility_violation(
    live_stack, browser_page, users, member
):
    page = browser_page
    log_in(page, live_stack, users.street_staff.username, "/volunteers/")
    page.wait_for_load_state("networkidle")
    expect(page.locator(f'[data-volunteer="{member.pk}"]')).to_contain_text("王**")
    assert serious_violations(page) == []


def test_a_volunteer_on_duty_is_a_round_marker_on_the_map(live_stack, browser_page, users, member):
    volunteer_session_start(actor=member.user, member_id=member.pk)
    positions_record(
        actor=member.user,
        fixes=[FixInput(unit=member.unit_id, recorded_at=timezone.now(), lat=30.012, lng=120.004)],
    )
    page = browser_page
    log_in(page, live_stack, users.dispatcher.username, "/")
    marker = page.locator('.unit-marker[data-type="volunteer"]')
    expect(marker).to_have_count(1, timeout=10_000)
    radius = marker.locator(".unit-glyph").evaluate("e => getComputedStyle(e).borderRadius")
    assert radius == "50%"
