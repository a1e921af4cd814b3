"""The one filter set of incidents: the API's list and export, and the search page."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commandcenter.api.filters import UtcIsoDateTimeFilter
from incidents.choices import IncidentStatus, Tier
from incidents.models import Incident
from incidents.selectors import phone_normalised


class IncidentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Number, phone, caller or address"),
        help_text="Part of the number, the caller's phone or name, or the address.",
    )
    number = django_filters.CharFilter(label=_("Number"))
    phone = django_filters.CharFilter(method="filter_phone", label=_("Caller phone"))
    caller = django_filters.CharFilter(
        field_name="caller_name", lookup_expr="icontains", label=_("Caller name")
    )
    address = django_filters.CharFilter(lookup_expr="icontains", label=_("Address"))
    status = django_filters.MultipleChoiceFilter(choices=IncidentStatus.choices, label=_("Status"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("Tier"))
    station = django_filters.CharFilter(field_name="station__code", label=_("Station"))
    post = django_filters.CharFilter(field_name="post__code", label=_("Post"))
    street = django_filters.CharFilter(field_name="street__code", label=_("Street"))
    category = django_filters.CharFilter(field_name="category__code", label=_("Category"))
    received_after = UtcIsoDateTimeFilter(
        field_name="received_at", lookup_expr="gte", label=_("Received from")
    )
    received_before = UtcIsoDateTimeFilter(
        field_name="received_at", lookup_expr="lt", label=_("Received before")
    )

    class Meta:
        model = Incident
        fields = [
            "q",
            "number",
            "phone",
            "caller",
            "address",
            "status",
            "tier",
            "station",
            "post",
            "street",
            "category",
            "priority",
            "out_of_jurisdiction",
            "received_after",
            "received_before",
        ]

    def filter_phone(self, queryset, name, value):
        return queryset.filter(caller_phone=phone_normalised(value))

    def filter_text(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(number__icontains=text)
            | Q(caller_phone__contains=phone_normalised(text))
            | Q(caller_name__icontains=text)
            | Q(address__icontains=text)
        )
