"""Intake by keyboard: Enter in the category takes the suggestion, never sends half a call."""

import pytest
from playwright.sync_api import expect

from incidents.models import Incident
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def open_dispatch(page, base_url: str, username: str) -> None:
    log_in(page, base_url, username, "/dispatch/")


def test_enter_in_the_category_takes_the_callers_word_and_moves_on(
    live_stack, browser_page, district, users
):
    page = browser_page
    open_dispatch(page, live_stack, users.dispatcher.username)
    category = page.locator("#id_category")
    category.fill("电瓶车")
    category.press("Enter")
    expect(category).to_have_value("电动车被盗")
    expect(page.locator("#id_caller_phone")).to_be_focused()
    assert Incident.objects.count() == 0


def test_enter_on_a_word_that_fits_several_says_so_and_sends_nothing(
    live_stack, browser_page, district, users
):
    page = browser_page
    open_dispatch(page, live_stack, users.dispatcher.username)
    category = page.locator("#id_category")
    category.fill("案件")
    category.press("Enter")
    expect(page.locator("#id_category-hint")).to_contain_text("刑事案件")
    expect(category).to_be_focused()
    assert Incident.objects.count() == 0


def test_the_address_offers_standard_addresses_and_enter_takes_one_with_its_point(
    live_stack, browser_page, district, users
):
    from community.choices import AddressElement as E
    from tests.community.conftest import add

    root = add(None, E.DISTRICT, "上城区", lat=30.005, lng=120.005)
    compound = add(add(add(root, E.STREET, "湖滨街道"), E.COMMUNITY, "东坡路社区", lat=30.004,
                       lng=120.004), E.COMPOUND, "翠苑一区", lat=30.004, lng=120.004)  # fmt: skip
    add(add(compound, E.BUILDING, "3幢", lat=30.0041, lng=120.0042), E.ROOM, "301室")
    page = browser_page
    open_dispatch(page, live_stack, users.dispatcher.username)
    address = page.locator("#id_address")
    address.click()
    address.press_sequentially("翠苑 3-", delay=30)
    address.press_sequentially("1-301", delay=30)
    expect(page.locator("#address-options [role=option]").first).to_contain_text("3幢301室")
    address.press("Enter")
    expect(address).to_have_value("上城区湖滨街道东坡路社区翠苑一区3幢301室")
    expect(page.locator("#id_lat")).to_have_value("30.004100")
    expect(page.locator("#id_lng")).to_have_value("120.004200")
    expect(page.locator("#address-options")).to_be_hidden()
    assert Incident.objects.count() == 0  # Enter took the address; it sent no call
