"""Reads of the shared core: the organisation as a user may see it."""

from django.db.models import QuerySet

from commandcenter.access import visible
from commandcenter.models import PartnerDepartment, Station, Street


def station_list(*, user) -> QuerySet[Station]:
    return visible(Station.objects.all(), user).order_by("name")


def street_list(*, user) -> QuerySet[Street]:
    """The streets the user works in or beside (a station: those its zones cross)."""
    return visible(Street.objects.all(), user).order_by("name")


def partner_department_list(*, user) -> QuerySet[PartnerDepartment]:
    return visible(PartnerDepartment.objects.all(), user).order_by("name")
