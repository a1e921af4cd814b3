"""Base viewsets: every queryset passes through the one permission policy."""

from rest_framework import viewsets

from commandcenter.access import visible


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only endpoint whose rows are restricted to what the caller may see.

    Subclasses set `queryset` with the select_related they need; a row out of
    scope answers 404, as if it did not exist.
    """

    def get_queryset(self):
        return visible(super().get_queryset(), self.request.user)
