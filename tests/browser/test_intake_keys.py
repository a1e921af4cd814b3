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
