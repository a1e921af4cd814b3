"""Fixtures of the authentication tests: a clock to move, a superuser, codes."""

from datetime import timedelta

import django.utils.timezone
import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from commandcenter.choices import Role
from tests import factories as f


class Clock:
    def __init__(self, now):
        self.now = now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """django.utils.timezone.now, moved by the test instead of sleeping."""
    moving = Clock(django.utils.timezone.now())
    monkeypatch.setattr(django.utils.timezone, "now", lambda: moving.now)
    return moving


@pytest.fixture
def superuser(district):
    return f.UserFactory(username="root", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


def current_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


@pytest.fixture
def authenticator():
    """A confirmed authenticator for a user (set up without the page)."""

    def make(user) -> TOTPDevice:
        return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)

    return make
