"""Personal data of the registry: validation, lookup digests and masks.

ID numbers and phones are stored encrypted (encrypted_fields, Fernet keyed from
SECRET_KEY and FIELD_ENCRYPTION_SALT); beside each the model keeps a keyed
digest (HMAC-SHA256 of the normalised value) to find a record by its exact
value without decrypting anything, and the masked form every list shows.
The digest key is derived from SECRET_KEY: rotating SECRET_KEY needs
`manage.py registry_rehash` (with the old key in SECRET_KEY_FALLBACKS).
"""

import hashlib
import hmac
import re
from datetime import date
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The masks every list shows are the ones the calls use (330102********123X, 138****5678, 张**).
from incidents.permissions import mask_id_number as mask_id  # noqa: F401
from incidents.permissions import mask_name, mask_phone  # noqa: F401

# GB 11643-1999 check digit weights and the check characters by remainder.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_FORM = re.compile(r"^\d{17}[\dX]$")
_PHONE_FORM = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}\d{7,8})$")
# GB 32100-2015: the 31 characters of a unified social credit code and its weights.
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_FORM = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def id_normalise(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_validate(value: str) -> str:
    """The normalised 18-character 公民身份号码, or ValidationError."""
    number = id_normalise(value)
    if not _ID_FORM.match(number):
        raise ValidationError(_("An ID number is 17 digits and a check digit or X."))
    if id_birth_date(number) is None:
        raise ValidationError(_("The ID number's birth date is not a date."))
    if id_check_char(number[:17]) != number[17]:
        raise ValidationError(_("The ID number's check digit is wrong."))
    return number


def phone_normalise(value: str) -> str:
    return re.sub(r"[\s\-+()]", "", value or "").removeprefix("86")


def phone_validate(value: str) -> str:
    phone = phone_normalise(value)
    if not _PHONE_FORM.match(phone):
        raise ValidationError(_("A phone is an 11-digit mobile or a landline with its area code."))
    return phone


def credit_check_char(first17: str) -> str:
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def credit_code_validate(value: str) -> str:
    """The 18-character 统一社会信用代码 (GB 32100), or ValidationError."""
    code = (value or "").strip().upper()
    if not _CREDIT_FORM.match(code):
        raise ValidationError(_("A unified social credit code is 18 characters."))
    if credit_check_char(code[:17]) != code[17]:
        raise ValidationError(_("The credit code's check character is wrong."))
    return code


@cache
def _digest_key() -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode(), b"tianshu.registry.lookup", hashlib.sha256
    ).digest()


def digest(value: str) -> str:
    """The keyed lookup digest of a normalised value ("" for none)."""
    if not value:
        return ""
    return hmac.new(_digest_key(), value.encode(), hashlib.sha256).hexdigest()
