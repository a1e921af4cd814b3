from axes.models import AccessAttempt
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from commandcenter.exceptions import DomainError
from commandcenter.lockout import account_unlock
from commandcenter.machine_keys import machine_key_create, machine_key_revoke
from commandcenter.models import (
    AccessRecord,
    Bureau,
    Event,
    GovernanceCenter,
    MachineKey,
    PartnerDepartment,
    Post,
    Sector,
    SecurityEvent,
    Station,
    Street,
    User,
)
from commandcenter.two_factor import otp_reset


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through services (events, incidents …)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Bureau)
class BureauAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district_name"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "bureau"]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sector", "phone"]
    list_filter = ["sector"]
    search_fields = ["code", "name"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "station"]
    list_filter = ["station"]
    search_fields = ["code", "name"]


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(GovernanceCenter)
class GovernanceCenterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "street", "phone"]
    search_fields = ["code", "name"]


@admin.register(PartnerDepartment)
class PartnerDepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "phone"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "role", "station", "post", "street", "is_active"]
    list_filter = ["role", "is_active", "station", "street"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("Role and scope"),
            {"fields": ["role", "station", "post", "street", "partner_department"]},
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (
            _("Role and scope"),
            {"fields": ["role", "station", "post", "street", "partner_department"]},
        ),
    )


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The event log is append-only, here as everywhere."""

    list_display = ["seq", "occurred_at", "kind", "subject_type", "subject_id", "actor"]
    list_filter = ["kind", "subject_type"]
    search_fields = ["subject_id", "kind"]


# --- Login lockout, two-factor, machine keys (issue 11) --------------------------


@admin.action(description=_("Unlock the selected accounts (lift a login lockout)"))
def unlock_accounts(modeladmin, request, queryset):
    usernames = {getattr(obj, "username", "") for obj in queryset}
    unlocked = 0
    for username in sorted(usernames):
        if account_unlock(actor=request.user, username=username, request=request):
            unlocked += 1
    modeladmin.message_user(
        request, _("%(count)d account(s) unlocked.") % {"count": unlocked}, messages.SUCCESS
    )


@admin.action(description=_("Reset two-factor login (a lost phone)"))
def reset_two_factor(modeladmin, request, queryset):
    for user in queryset:
        otp_reset(actor=request.user, user=user, request=request)
    modeladmin.message_user(request, _("Two-factor login reset."), messages.SUCCESS)


UserAdmin.actions = [unlock_accounts, reset_two_factor]


@admin.register(AccessAttempt)
class LockoutAdmin(ReadOnlyAdmin):
    """Failed logins per account (django-axes); locked ones are unlocked by the action."""

    list_display = ["username", "failures_since_start", "attempt_time", "ip_address", "path_info"]
    search_fields = ["username"]
    actions = [unlock_accounts]
    exclude = ["post_data", "get_data"]


class MachineKeyForm(forms.ModelForm):
    class Meta:
        model = MachineKey
        fields = ["name", "kind", "user", "units"]


@admin.register(MachineKey)
class MachineKeyAdmin(admin.ModelAdmin):
    """Keys are made here (the full key is shown once, in a message) and revoked
    by the action; a key is never edited or deleted."""

    form = MachineKeyForm
    list_display = ["name", "kind", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["kind", "revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    filter_horizontal = ["units"]
    readonly_fields = ["prefix", "created_at", "created_by", "revoked_at", "last_used_at"]
    actions = ["revoke_keys"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        key, plaintext = machine_key_create(
            actor=request.user,
            name=data["name"],
            kind=data["kind"],
            user=data["user"],
            unit_ids=[unit.pk for unit in data.get("units") or []],
            request=request,
        )
        for field in MachineKey._meta.concrete_fields:
            setattr(obj, field.attname, getattr(key, field.attname))
        obj._state.adding = False
        self.message_user(
            request,
            _("Key %(name)s: %(key)s — copy it now, it is shown only this once.")
            % {"name": key.name, "key": plaintext},
            messages.WARNING,
        )

    def save_related(self, request, form, formsets, change):
        """The service has set the units."""

    @admin.action(description=_("Revoke the selected keys"))
    def revoke_keys(self, request, queryset):
        revoked = 0
        for key in queryset.filter(revoked_at=None).select_related("user"):
            try:
                machine_key_revoke(actor=request.user, key=key, request=request)
            except DomainError:
                continue
            revoked += 1
        self.message_user(
            request, _("%(count)d key(s) revoked.") % {"count": revoked}, messages.SUCCESS
        )


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    """访问记录: who saw personal data unmasked; never changed or deleted."""

    list_display = [
        "at",
        "actor",
        "object_type",
        "object_id",
        "fields",
        "purpose",
        "client_address",
    ]
    list_filter = ["object_type", "at"]
    search_fields = ["actor__username", "object_id", "purpose", "client_address"]
    date_hierarchy = "at"


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    """安全日志: logins, failures, lockouts, tokens, keys, two-factor, refusals."""

    list_display = ["at", "kind", "result", "actor", "username", "client_address", "path"]
    list_filter = ["kind", "result", "at"]
    search_fields = ["username", "actor__username", "client_address", "path"]
    date_hierarchy = "at"
