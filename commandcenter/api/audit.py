"""The audit trails over the API, for administrators: who read personal data
unmasked (GET /api/v1/audit/access/) and the security log
(GET /api/v1/audit/security/). Read-only: nothing here writes."""

import django_filters
from rest_framework import mixins, permissions, serializers, viewsets

from commandcenter.choices import Role, SecurityEventKind, SecurityResult
from commandcenter.models import AccessRecord, SecurityEvent


class IsAdministrator(permissions.BasePermission):
    message = "Only administrators read the audit trails."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user.is_authenticated and (user.is_superuser or user.role == Role.ADMINISTRATOR)
        )


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor__username", help_text="Username")
    after = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    before = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")


class AccessRecordFilter(AuditFilter):
    object_type = django_filters.CharFilter(help_text="e.g. incidents.incident")
    object_id = django_filters.CharFilter()

    class Meta:
        model = AccessRecord
        fields = ["actor", "object_type", "object_id", "after", "before"]


class SecurityEventFilter(AuditFilter):
    kind = django_filters.MultipleChoiceFilter(choices=SecurityEventKind.choices)
    result = django_filters.ChoiceFilter(choices=SecurityResult.choices)
    username = django_filters.CharFilter(help_text="The username typed (failed logins too)")

    class Meta:
        model = SecurityEvent
        fields = ["actor", "kind", "result", "username", "after", "before"]


class AccessRecordSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True)

    class Meta:
        model = AccessRecord
        fields = [
            "id",
            "at",
            "actor",
            "object_type",
            "object_id",
            "fields",
            "purpose",
            "client_address",
            "path",
        ]


class SecurityEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True)

    class Meta:
        model = SecurityEvent
        fields = [
            "id",
            "at",
            "kind",
            "result",
            "actor",
            "username",
            "client_address",
            "path",
            "detail",
        ]


class AccessRecordViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """访问记录: every read that showed personal data unmasked, newest first."""

    queryset = AccessRecord.objects.select_related("actor").order_by("-at", "-id")
    serializer_class = AccessRecordSerializer
    filterset_class = AccessRecordFilter
    permission_classes = [IsAdministrator]


class SecurityEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """安全日志: logins, failures, lockouts, tokens, keys, two-factor, refusals, newest first."""

    queryset = SecurityEvent.objects.select_related("actor").order_by("-at", "-id")
    serializer_class = SecurityEventSerializer
    filterset_class = SecurityEventFilter
    permission_classes = [IsAdministrator]
