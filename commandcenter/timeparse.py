"""Days and times as people type them and machines send them, read without surprises.

Every reader here either returns a value the database can store and compare or
raises Django's ValidationError with a message for the field; nothing else
escapes (a well-formed but impossible date such as 2026-02-30 raises
ValueError in the standard library, an offset of ±24 h or more too). Times
come back in UTC: PostgreSQL refuses offsets of ±16:00 and more, which
Python accepts, so no offset reaches SQL.
"""

from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

# The days a user may ask about: wide enough for any record, narrow enough
# that the start and end of a local day never leave the calendar.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def day_parse(text: str) -> date:
    """A local day typed as YYYY-MM-DD, between FIRST_DAY and LAST_DAY."""
    try:
        day = parse_date(text.strip())
    except ValueError:  # well formed, but no such day (2026-02-30)
        day = None
    if day is None:
        raise ValidationError(_("Use a real day as YYYY-MM-DD."), code="invalid")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            _("Use a day between %(first)s and %(last)s.")
            % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
            code="out_of_range",
        )
    return day


def utc_normalised(moment: datetime) -> datetime:
    """An aware time in UTC; ValidationError when UTC would leave the calendar
    (0001-01-01T00:00+01:00 is a day before year 1 there)."""
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValidationError(_("The time is out of range."), code="out_of_range") from None


def aware_time_parse(text: str) -> datetime:
    """An ISO 8601 date-time with its time zone, in UTC."""
    try:
        moment = parse_datetime(text.strip())
    except ValueError:  # well formed, but no such time or offset (+24:00)
        moment = None
    if moment is None:
        raise ValidationError(
            _("An ISO 8601 date-time with time zone is required."), code="invalid"
        )
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(_("The time needs a time zone (e.g. +08:00 or Z)."), code="naive")
    return utc_normalised(moment)
