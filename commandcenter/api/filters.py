"""Filters shared by the API's filter sets."""

import django_filters
from django_filters.fields import IsoDateTimeField

from commandcenter.timeparse import utc_normalised


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, normalised to UTC before it reaches SQL."""

    def to_python(self, value):
        moment = super().to_python(value)
        return None if moment is None else utc_normalised(moment)


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
