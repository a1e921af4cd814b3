"""Filters shared by the API's filter sets."""

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField

from commandcenter.timeparse import utc_normalised


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, normalised to UTC before it reaches SQL."""

    def to_python(self, value):
        moment = super().to_python(value)
        return None if moment is None else utc_normalised(moment)


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class IdFilter(django_filters.NumberFilter):
    """Rows that refer to the object of this id, checked against nothing else.

    A choice filter over all objects (django-filter's default for a foreign
    key) answers 400 for an id that does not exist and filters for one that
    does, even one the caller may not see: that tells which ids exist outside
    the caller's area. This one filters by the id alone, inside the caller's
    rows, so an unknown id and another area's id both give an empty list.
    """

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)
