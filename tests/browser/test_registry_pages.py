"""一标三实 and 走失人员 in the browser: a plate scanned by the area's officer, unmasked
after a purpose and recorded; a missing person's search area on the one map."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commandcenter.models import AccessRecord
from community.choices import AddressElement as E
from community.missing import MissingInput, missing_report
from community.registry import plate_token
from tests.browser.conftest import log_in
from tests.community.conftest import add, resident_make

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_area_s_officer_scans_a_plate_chooses_a_purpose_and_the_read_is_recorded(
    live_stack, browser_page, district, users
):
    root = add(None, E.DISTRICT, "上城区", lat=30.005, lng=120.005)
    compound = add(add(add(root, E.STREET, "湖滨街道"), E.COMMUNITY, "东坡路社区", lat=30.004,
                       lng=120.004), E.COMPOUND, "翠苑一区", lat=30.004, lng=120.004)  # fmt: skip
    room = add(add(compound, E.BUILDING, "3幢", lat=30.004, lng=120.004), E.ROOM, "301室")
    resident_make(room, "33010219500101002", "王秀英")
    page = browser_page
    log_in(page, live_stack, users.post_officer.username, "/registry/")
    page.goto(f"{live_stack}/p/{plate_token(room)}/")
    expect(page.locator(".plate-card h1")).to_have_text("上城区湖滨街道东坡路社区翠苑一区3幢301室")
    expect(page.locator(".resident-row")).to_contain_text("王**")
    assert AccessRecord.objects.count() == 0
    page.select_option("#plate-purpose", "visit")
    page.locator("form[data-position-form] button[type=submit]").click()
    expect(page.locator(".resident-row")).to_contain_text("王秀英")
    assert AccessRecord.objects.filter(actor=users.post_officer).count() == 2  # person, household


def test_a_missing_person_s_search_area_is_on_the_map(live_stack, browser_page, district, users):
    case = missing_report(
        actor=users.dispatcher,
        data=MissingInput(
            name="王秀英", description="蓝色外套", last_seen_at=timezone.now() - timedelta(hours=1),
            last_seen_place="东门", last_seen_lat=30.004, last_seen_lng=120.004,
            contact_name="李明", contact_phone="13912345678", age=78, condition="dementia",
        ),
    )  # fmt: skip
    page = browser_page
    log_in(page, live_stack, users.dispatcher.username, "/")
    expect(page.locator("#console.is-missing-loaded")).to_have_count(1, timeout=15_000)
    # The layer holds the case (drawn on the map's canvas: a circle and its marker).
    expect(page.locator('[data-layer-count="missing"]')).to_have_text("1")
    assert page.evaluate("document.querySelector('[data-layer=missing]').checked")
    assert case.number
