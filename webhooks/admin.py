"""Webhooks in the Django admin: an administrator subscribes any account (the secret
shown once, in a message), disables, enables, rotates; deliveries with their
attempts, and the dead letters' replay as actions."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from commandcenter.exceptions import DomainError
from webhooks.choices import DEAD_LETTERS, DisabledReason
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import (
    delivery_replay,
    endpoint_create,
    endpoint_disable,
    endpoint_enable,
    endpoint_secret_rotate,
    subscription_check,
)


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    event_types = forms.CharField(
        label=_("Event types"),
        help_text=_("Comma-separated kinds or families: referral.*, incident.closed"),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["owner", "url", "description"]

    def clean_event_types(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["event_types"].split(",") if t.strip()]

    def clean(self):
        data = super().clean()
        if not self.errors:
            # The service's own checks, as field errors here (it runs them again).
            try:
                data["event_types"] = subscription_check(
                    owner=data["owner"], url=data["url"], event_types=data["event_types"]
                )
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages_)
        return data


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Made here through the service (for any account: that is the administrator's
    allowance); changed only by the actions, never edited in place."""

    form = EndpointForm
    list_display = ["url", "owner", "disabled_at", "disabled_reason", "failing_since", "created_at"]
    list_filter = ["disabled_reason"]
    search_fields = ["url", "owner__username", "description"]
    actions = ["disable_endpoints", "enable_endpoints", "rotate_secrets"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            endpoint, secret = endpoint_create(
                actor=request.user,
                owner=data["owner"],
                url=data["url"],
                description=data["description"],
                event_types=data["event_types"],
            )
        except (ValidationError, DomainError) as error:
            # The form is past its validation here: say why, and save nothing.
            self.message_user(
                request, _("Not subscribed: %(error)s") % {"error": error}, messages.ERROR
            )
            obj.pk = None
            return
        for field in WebhookEndpoint._meta.concrete_fields:
            setattr(obj, field.attname, getattr(endpoint, field.attname))
        obj._state.adding = False
        self.message_user(
            request,
            _("Signing secret of %(url)s: %(secret)s — copy it now, it is shown only this once.")
            % {"url": endpoint.url, "secret": secret},
            messages.WARNING,
        )

    @admin.action(description=_("Disable the selected endpoints"))
    def disable_endpoints(self, request, queryset):
        done = 0
        for endpoint in queryset.filter(disabled_at=None):
            endpoint_disable(
                actor=request.user, endpoint_id=endpoint.pk, reason=DisabledReason.ADMINISTRATOR
            )
            done += 1
        self.message_user(request, _("%(count)d endpoint(s) disabled.") % {"count": done})

    @admin.action(description=_("Enable the selected endpoints"))
    def enable_endpoints(self, request, queryset):
        done = 0
        for endpoint in queryset.exclude(disabled_at=None):
            try:
                endpoint_enable(actor=request.user, endpoint_id=endpoint.pk)
            except ValidationError as error:
                self.message_user(request, f"{endpoint.url}: {error}", messages.ERROR)
                continue
            done += 1
        self.message_user(request, _("%(count)d endpoint(s) enabled.") % {"count": done})

    @admin.action(description=_("Rotate the signing secrets of the selected endpoints"))
    def rotate_secrets(self, request, queryset):
        for endpoint in queryset:
            _endpoint, secret = endpoint_secret_rotate(actor=request.user, endpoint_id=endpoint.pk)
            self.message_user(
                request,
                _("New secret of %(url)s: %(secret)s — shown only this once.")
                % {"url": endpoint.url, "secret": secret},
                messages.WARNING,
            )


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "status_code", "error", "latency_ms", "response_snippet"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class DeadLetterFilter(admin.SimpleListFilter):
    title = _("dead letters")
    parameter_name = "dead"

    def lookups(self, request, model_admin):
        return [("yes", _("Dead letters only"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status__in=DEAD_LETTERS)
        return queryset


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Read-only; select dead letters (or filter a time range with the date
    hierarchy) and replay them with the action."""

    list_display = [
        "webhook_id",
        "endpoint",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = [DeadLetterFilter, "status", "event_type"]
    search_fields = ["webhook_id", "endpoint__url"]
    date_hierarchy = "created_at"
    list_select_related = ["endpoint"]
    inlines = [AttemptInline]
    actions = ["replay_deliveries"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in WebhookDelivery._meta.concrete_fields]

    @admin.action(description=_("Replay the selected dead letters"))
    def replay_deliveries(self, request, queryset):
        done, refused = 0, 0
        for delivery in queryset.filter(status__in=DEAD_LETTERS):
            try:
                delivery_replay(actor=request.user, delivery_id=delivery.pk)
            except DomainError:
                refused += 1
                continue
            done += 1
        self.message_user(
            request,
            _("%(done)d delivery(ies) replayed, %(refused)d refused (endpoint disabled).")
            % {"done": done, "refused": refused},
        )
