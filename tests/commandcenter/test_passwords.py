"""Django's four password validators."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from commandcenter.choices import Role
from tests import factories as f


@pytest.mark.parametrize("password", ["12345678", "password", "123456789012", "qwertyuiop123"])
def test_weak_passwords_are_refused(db, password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_password_like_the_username_is_refused(db):
    user = f.UserFactory(username="zhangwei-dispatch", role=Role.DISPATCHER)
    with pytest.raises(ValidationError):
        validate_password("zhangwei-dispatch1", user=user)


def test_a_long_uncommon_password_is_accepted(db):
    validate_password("蓝色-river-lamp-2931")
