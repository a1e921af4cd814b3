"""Open311 GeoReport v2: what a partner sends (query parameters and form fields,
checked here) and the shapes of the answers (for the OpenAPI document; the
rows themselves come from partners.open311_selectors).

An empty parameter is the same as an absent one (the spec's rule), so every
field takes a blank value and reads it as missing.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework import serializers

from partners import open311_catalogue as catalogue

MAX_IDS = 200


def _blank(**kwargs):
    return serializers.CharField(required=False, allow_blank=True, **kwargs)


def w3c_parse(value: str, *, field: str, end_of_day: bool = False) -> datetime:
    """A W3C datetime (2026-01-15T08:00:00+08:00, …Z) or a date; without a time zone
    it is the district's time."""
    value = value.strip()
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)) is not None:
            moment = datetime.combine(day, time.max if end_of_day else time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise serializers.ValidationError(
            {field: _("A W3C datetime, e.g. 2026-01-15T08:00:00+08:00.")}
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _window(start: datetime | None, end: datetime | None, days: int) -> tuple[datetime, datetime]:
    """The spec's window: both given at most `days` apart; one given, `days` from it;
    none, the last `days`."""
    span = timedelta(days=days)
    try:
        if start is None and end is None:
            end = timezone.now()
            start = end - span
        elif start is None:
            start = end - span
        elif end is None:
            end = start + span
    except OverflowError:
        raise serializers.ValidationError({"start_date": _("The date is out of range.")}) from None
    if end < start:
        raise serializers.ValidationError({"end_date": _("end_date is before start_date.")})
    if end - start > span:
        raise serializers.ValidationError(
            {
                "end_date": _("start_date and end_date are at most %(days)d days apart.")
                % {"days": days}
            }
        )
    return start, end


def _positive(value: str, field: str, *, default: int, maximum: int | None = None) -> int:
    if not value:
        return default
    if not value.isdigit() or int(value) < 1 or len(value) > 9:
        raise serializers.ValidationError({field: _("A whole number from 1.")})
    number = int(value)
    if maximum is not None and number > maximum:
        raise serializers.ValidationError({field: _("At most %(maximum)d.") % {"maximum": maximum}})
    return number


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class PageQuery(serializers.Serializer):
    page = _blank(help_text="Page number, from 1 (the page/page_size extension).")
    page_size = _blank(
        help_text=f"Rows per page, at most {catalogue.MAX_PAGE_SIZE} "
        f"(default {catalogue.DEFAULT_LIMIT})."
    )

    def validate(self, attrs):
        attrs = dict(attrs)
        attrs["page"] = _positive(attrs.get("page", ""), "page", default=1)
        attrs["page_size"] = _positive(
            attrs.get("page_size", ""),
            "page_size",
            default=catalogue.DEFAULT_LIMIT,
            maximum=catalogue.MAX_PAGE_SIZE,
        )
        return attrs


class RequestListQuery(PageQuery):
    """GET requests: the spec's filters; service_request_id overrides the others."""

    service_request_id = _blank(help_text="Ids, comma separated; overrides every other filter.")
    service_code = _blank(help_text="Service codes, comma separated.")
    start_date = _blank(help_text="W3C datetime; requested_datetime from (default: 90 days ago).")
    end_date = _blank(help_text="W3C datetime; requested_datetime up to, at most 90 days later.")
    status = _blank(help_text="open, closed, or both comma separated.")
    jurisdiction_id = _blank(help_text="Ignored: one jurisdiction.")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        ids = _comma_list(attrs.get("service_request_id", ""))
        if len(ids) > MAX_IDS or not all(i.isdigit() and len(i) <= 18 for i in ids):
            raise serializers.ValidationError(
                {"service_request_id": _("At most %(n)d ids, comma separated.") % {"n": MAX_IDS}}
            )
        statuses = _comma_list(attrs.get("status", ""))
        if any(s not in ("open", "closed") for s in statuses):
            raise serializers.ValidationError({"status": _("open or closed.")})
        start = attrs.get("start_date") or None
        end = attrs.get("end_date") or None
        start = w3c_parse(start, field="start_date") if start else None
        end = w3c_parse(end, field="end_date", end_of_day=True) if end else None
        start, end = _window(start, end, catalogue.WINDOW_DAYS)
        return {
            "ids": tuple(int(i) for i in ids),
            "service_codes": tuple(_comma_list(attrs.get("service_code", ""))),
            "statuses": tuple(statuses),
            "start": start,
            "end": end,
            "page": attrs["page"],
            "page_size": attrs["page_size"],
        }


class UpdateListQuery(PageQuery):
    """GET servicerequestupdates: every status change between the two dates."""

    start_date = _blank(help_text="W3C datetime (default: 90 days before end_date).")
    end_date = _blank(help_text="W3C datetime (default: now), at most 90 days after start_date.")
    jurisdiction_id = _blank(help_text="Ignored: one jurisdiction.")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        start = attrs.get("start_date") or None
        end = attrs.get("end_date") or None
        start = w3c_parse(start, field="start_date") if start else None
        end = w3c_parse(end, field="end_date", end_of_day=True) if end else None
        start, end = _window(start, end, catalogue.WINDOW_DAYS)
        return {"start": start, "end": end, "page": attrs["page"], "page_size": attrs["page_size"]}


class _CoordinateField(serializers.FloatField):
    """An empty value is absent (the spec's rule)."""

    def validate_empty_values(self, data):
        if data == "":
            return (True, None)
        return super().validate_empty_values(data)


class RequestCreate(serializers.Serializer):
    """POST requests, form-encoded. A place: lat and long, or address_string, or
    address_id (a standard address code). Attributes as attribute[code]=value."""

    api_key = _blank(help_text="The partner's machine key (tsk_…).")
    jurisdiction_id = _blank(help_text="Ignored: one jurisdiction.")
    service_code = serializers.CharField(max_length=40)
    lat = _CoordinateField(required=False, allow_null=True)
    long = _CoordinateField(required=False, allow_null=True)
    address_string = _blank(max_length=300)
    address_id = _blank(max_length=40, help_text="A standard address code (一标三实).")
    description = _blank(
        max_length=catalogue.DESCRIPTION_MAX,
        help_text=f"At most {catalogue.DESCRIPTION_MAX} characters (the job keeps 2,000).",
    )
    email = _blank(max_length=254)
    device_id = _blank(max_length=100)
    account_id = _blank(max_length=100)
    first_name = _blank(max_length=50)
    last_name = _blank(max_length=50)
    phone = _blank(max_length=20)
    media_url = _blank(max_length=500)

    def validate(self, attrs):
        has_point = attrs.get("lat") is not None or attrs.get("long") is not None
        if has_point and (attrs.get("lat") is None or attrs.get("long") is None):
            raise serializers.ValidationError({"long": _("Give lat and long together.")})
        if not has_point and not attrs.get("address_string") and not attrs.get("address_id"):
            raise serializers.ValidationError(
                {"lat": _("Give lat and long, or address_string, or address_id.")}
            )
        return attrs


class UpdateCreate(serializers.Serializer):
    """POST servicerequestupdates, form-encoded (FixMyStreet's fields)."""

    api_key = _blank(help_text="The partner's machine key (tsk_…).")
    jurisdiction_id = _blank(help_text="Ignored: one jurisdiction.")
    update_id = serializers.CharField(max_length=64, help_text="The partner's own id of it.")
    service_request_id = serializers.RegexField(r"^[0-9]{1,18}$", max_length=18)
    status = serializers.CharField(max_length=40, help_text="IN_PROGRESS, FIXED, …")
    updated_datetime = _blank(help_text="W3C datetime of the update (default: now).")
    description = _blank(max_length=catalogue.DESCRIPTION_MAX)
    media_url = _blank(max_length=500)
    email = _blank(max_length=254)
    first_name = _blank(max_length=50)
    last_name = _blank(max_length=50)
    account_id = _blank(max_length=100)

    def validate(self, attrs):
        attrs = dict(attrs)
        given = attrs.get("updated_datetime") or ""
        attrs["at"] = w3c_parse(given, field="updated_datetime") if given else timezone.now()
        attrs["status"] = attrs["status"].strip().upper()
        return attrs


# --- Answers (documentation) -----------------------------------------------------------------


class DiscoveryEndpoint(serializers.Serializer):
    specification = serializers.CharField()
    url = serializers.CharField()
    changeset = serializers.CharField()
    type = serializers.CharField()
    formats = serializers.ListField(child=serializers.CharField())


class Discovery(serializers.Serializer):
    changeset = serializers.CharField()
    contact = serializers.CharField()
    key_service = serializers.CharField()
    endpoints = DiscoveryEndpoint(many=True)


class Service(serializers.Serializer):
    service_code = serializers.CharField()
    service_name = serializers.CharField()
    description = serializers.CharField()
    metadata = serializers.BooleanField()
    type = serializers.CharField()
    keywords = serializers.CharField()
    group = serializers.CharField()


class AttributeValue(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class ServiceAttribute(serializers.Serializer):
    variable = serializers.BooleanField()
    code = serializers.CharField()
    datatype = serializers.CharField()
    required = serializers.BooleanField()
    datatype_description = serializers.CharField(allow_blank=True)
    order = serializers.IntegerField()
    description = serializers.CharField()
    values = AttributeValue(many=True)


class ServiceDefinition(serializers.Serializer):
    service_code = serializers.CharField()
    attributes = ServiceAttribute(many=True)


class ServiceRequest(serializers.Serializer):
    service_request_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["open", "closed"])
    status_notes = serializers.CharField(allow_blank=True)
    service_name = serializers.CharField()
    service_code = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    agency_responsible = serializers.CharField()
    service_notice = serializers.CharField(allow_blank=True)
    requested_datetime = serializers.CharField()
    updated_datetime = serializers.CharField()
    expected_datetime = serializers.CharField(allow_null=True)
    address = serializers.CharField(allow_blank=True)
    address_id = serializers.CharField(allow_null=True)
    zipcode = serializers.CharField(allow_null=True)
    lat = serializers.FloatField()
    long = serializers.FloatField()
    media_url = serializers.CharField(allow_null=True)


class ServiceRequestCreated(serializers.Serializer):
    service_request_id = serializers.CharField()
    service_notice = serializers.CharField(allow_blank=True)
    account_id = serializers.CharField(allow_null=True)


class ServiceRequestUpdate(serializers.Serializer):
    update_id = serializers.CharField(help_text="Increasing with every update (digits).")
    service_request_id = serializers.CharField()
    status = serializers.CharField(
        help_text="OPEN, CLOSED, IN_PROGRESS, FIXED, NOT_RESPONSIBLE, INTERNAL_REFERRAL"
    )
    updated_datetime = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    media_url = serializers.CharField(allow_null=True)


class ServiceRequestUpdateReceived(serializers.Serializer):
    update_id = serializers.CharField(
        help_text="Our id of the update (the feed's update_id), or received-<n> for one "
        "that arrived late and wrote nothing."
    )
    service_request_id = serializers.CharField()
    service_notice = serializers.CharField(allow_blank=True)
