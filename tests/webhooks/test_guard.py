"""The SSRF guard: only allowed hosts, never loopback, link-local or this machine."""

import pytest
from django.core.exceptions import ValidationError

from webhooks.guard import DestinationRefused, destination_resolve, host_allowed, url_check
from webhooks.services import endpoint_create


@pytest.fixture(autouse=True)
def guard_on(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    settings.WEBHOOK_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "169.254.169.254", "*.example.cn",
                                      "0.0.0.0", "[::1]", "::1", "fe80::1"]  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_internal_addresses_are_refused_even_when_listed(url):
    with pytest.raises(DestinationRefused):
        url_check(url)


def test_a_name_that_resolves_to_loopback_is_refused_before_sending():
    with pytest.raises(DestinationRefused, match="loopback|回环"):
        destination_resolve("http://localhost/hook")


def test_a_host_not_allowed_is_refused(settings):
    with pytest.raises(DestinationRefused, match="WEBHOOK_ALLOWED_HOSTS"):
        url_check("https://hooks.elsewhere.com/tianshu")


def test_an_empty_list_allows_no_host(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with pytest.raises(DestinationRefused):
        url_check("https://hooks.example.cn/tianshu")


def test_a_suffix_pattern_takes_the_domain_and_its_subdomains():
    assert host_allowed("hooks.example.cn", ["*.example.cn"])
    assert host_allowed("example.cn", ["*.example.cn"])
    assert not host_allowed("badexample.cn", ["*.example.cn"])


def test_credentials_and_other_schemes_are_refused():
    for url in ("ftp://hooks.example.cn/", "https://user:pw@hooks.example.cn/"):
        with pytest.raises(DestinationRefused):
            url_check(url)


def test_the_test_switch_lets_loopback_through(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    assert destination_resolve("http://127.0.0.1:9/hook").address == "127.0.0.1"


@pytest.mark.django_db
def test_subscribing_a_refused_url_is_a_field_error(users):
    with pytest.raises(ValidationError) as error:
        endpoint_create(
            actor=users.partner, url="http://169.254.169.254/", event_types=["referral.*"]
        )
    assert "url" in error.value.message_dict
