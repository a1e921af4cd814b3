"""Forms of the console pages: call intake, a unit's steps on a job, orders,
reports and the sites page's filters.

They only parse what the browser sent; the services decide what is allowed
and raise the errors the pages show. The intake form also checks ranges and
the category itself, so a call-taker sees every mistake of a call at once.
The job actions' forms are validated with their API serializers (the
registry in dispatch/actions.py).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from commandcenter.access import FilingRight
from commandcenter.directory import directory
from commandcenter.models import Street
from community.choices import SiteGrade, SiteKind
from dispatch.choices import AssignmentStatus
from incidents.categories import categories_matching, category_linkage
from incidents.choices import Priority, Source
from incidents.models import IncidentCategory

# Django's own wording ("确保该变量包含不超过 …") is not the call-taker's.
TOO_LONG = _("At most %(limit_value)d characters (now %(show_value)d).")

# What a call-taker records by hand; partner systems and street transfers
# come in through the API.
INTAKE_SOURCES = [
    (value, label)
    for value, label in Source.choices
    if value not in (Source.PARTNER_API, Source.STREET_TRANSFER)
]


class IntakeForm(forms.Form):
    """110 接警: what the call-taker types while the caller talks."""

    category = forms.CharField(
        label=_("Category"),
        max_length=60,
        error_messages={"max_length": TOO_LONG},
        widget=forms.TextInput(
            attrs={
                "list": "category-options",
                "autofocus": True,
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": _("Type to search…"),
            }
        ),
    )
    caller_phone = forms.RegexField(
        label=_("Caller phone"),
        regex=r"^\+?[0-9\- ]{0,20}$",
        max_length=20,
        required=False,
        error_messages={
            "invalid": _("Digits, spaces, dashes and a leading + only."),
            "max_length": TOO_LONG,
        },
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    caller_name = forms.CharField(
        label=_("Caller name"),
        max_length=50,
        required=False,
        error_messages={"max_length": TOO_LONG},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=200,
        required=False,
        error_messages={"max_length": TOO_LONG},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        error_messages={
            "min_value": _("Latitude must be between -90 and 90."),
            "max_value": _("Latitude must be between -90 and 90."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    lng = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        error_messages={
            "min_value": _("Longitude must be between -180 and 180."),
            "max_value": _("Longitude must be between -180 and 180."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("From category"))] + list(Priority.choices),
        coerce=int,
        empty_value=None,
        required=False,
    )
    source = forms.ChoiceField(label=_("Source"), choices=INTAKE_SOURCES, initial=Source.PHONE_110)
    linkage_notified = forms.BooleanField(
        label=_("Handed to 119 / 120 (联动)"),
        required=False,
        help_text=_("Fire and medical calls go to 119 / 120 at once; tick when done."),
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=2000,
        error_messages={"required": _("Say what happened."), "max_length": TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, categories: list[IncidentCategory], right: FilingRight, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = categories
        # What the user's role may file (commandcenter.access.filing_right): a station
        # files walk-in calls and leaves the priority to the category.
        if right.sources is not None:
            source = self.fields["source"]
            source.choices = [(v, label) for v, label in Source.choices if v in right.sources]
            source.initial = right.default_source
        if not right.sets_priority:
            del self.fields["priority"]

    def clean_category(self) -> str:
        """The category's code, from its code, name or a synonym (电瓶车 → 电动车被盗),
        or a part of one that fits only one category."""
        typed = self.cleaned_data["category"].strip()
        fitting = categories_matching(typed, self.categories)
        if len(fitting) == 1:
            return fitting[0].code
        if fitting:
            raise ValidationError(
                _("“%(typed)s” fits several categories: %(names)s."),
                params={"typed": typed, "names": "、".join(c.name for c in fitting)},
                code="ambiguous",
            )
        raise ValidationError(
            _("Unknown incident category “%(code)s”."), params={"code": typed}, code="unknown"
        )

    def clean(self):
        """The linkage the call was handed to, from its category's branch (none if
        the category has none, whatever was ticked)."""
        data = super().clean()
        category = directory.by_code(IncidentCategory, data.get("category") or "")
        ticked = data.pop("linkage_notified", False)
        data["linkage"] = category_linkage(category) if ticked and category else ""
        return data

    def clean_description(self) -> str:
        description = self.cleaned_data["description"].strip()
        if not description:
            raise ValidationError(_("Say what happened."), code="required")
        return description


class AdvanceForm(forms.Form):
    """A unit's next step (签收, 出发, 到场, 清场), clicked for it in the job panel."""

    assignment = forms.IntegerField()
    target = forms.ChoiceField(
        choices=[(v, label) for v, label in AssignmentStatus.choices if v != "dispatched"]
    )


class OrderIssueForm(forms.Form):
    """下达指令: whom to, what, and by when (default: the end of today, 日清日结).

    The recipient select's values are `type:code` (`station:station-a`,
    `unit:A-01`); the form splits them for `order_issue`, which decides.
    """

    recipient = forms.CharField(label=_("Recipient"), max_length=80)
    content = forms.CharField(label=_("Order"), max_length=2000, required=False)
    deadline = forms.DateTimeField(label=_("Deadline"), required=False)

    def clean_recipient(self) -> tuple[str, str]:
        recipient_type, _sep, code = self.cleaned_data["recipient"].partition(":")
        if not code:
            raise ValidationError(_("Choose a recipient."))
        return recipient_type, code


class ReportForm(forms.Form):
    """An ad-hoc report (专项报表): local days from–to, the district or a station.

    Dates are typed as text (YYYY-MM-DD): a browser's date picker shows its own
    locale's order. A station chief's report is its own station's whatever it
    sends (analytics.reports.report_station_for decides).
    """

    start = forms.DateField(
        label=_("From"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
        widget=forms.DateInput(
            format="%Y-%m-%d",
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "pattern": r"\d{4}-\d{1,2}-\d{1,2}",
                "placeholder": _("YYYY-MM-DD"),
            },
        ),
    )
    end = forms.DateField(
        label=_("To (inclusive)"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
        widget=forms.DateInput(
            format="%Y-%m-%d",
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "pattern": r"\d{4}-\d{1,2}-\d{1,2}",
                "placeholder": _("YYYY-MM-DD"),
            },
        ),
    )
    station = forms.ChoiceField(label=_("Scope"), required=False)

    def __init__(self, *args, stations: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        # The user's choices: the district ("") and the stations it reads.
        self.fields["station"].choices = stations


class SiteFilterForm(forms.Form):
    """The filters of the sites page (智安小区): kind, grade, street and a search.

    An unknown value is a form error shown above the list, never a 500; the
    streets offered are the user's (`street_list`), by code.
    """

    q = forms.CharField(label=_("Name, code or address"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any"))] + list(SiteKind.choices), required=False
    )
    grade = forms.TypedChoiceField(
        label=_("Grade"),
        choices=[("", _("Any"))] + list(SiteGrade.choices),
        coerce=int,
        empty_value=None,
        required=False,
    )
    street = forms.ModelChoiceField(
        label=_("Street"),
        queryset=Street.objects.none(),
        to_field_name="code",
        empty_label=_("Any"),
        required=False,
    )

    def __init__(self, *args, streets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets
