"""Declaring POST actions that call one service each, with their schema."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response


def service_action(
    *,
    name: str,
    service,
    request=None,
    response=None,
    summary: str = "",
    attribute: str | None = None,
    **fixed,
):
    """A `POST /{resource}/{id}/{name}/` action: validate `request`, call
    `service(actor=…, <object>_id=…, **validated, **fixed)`, answer with the
    view's `action_response(obj)`. `attribute` is the name it is bound to in
    the class when that can't be `name` (`dispatch` is taken by Django views).
    """

    def handler(self, request_, pk=None):
        obj = self.get_object()  # out of scope: 404
        data = {}
        if request is not None:
            serializer = request(data=request_.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        service(actor=request_.user, **{self.service_id_argument: obj.pk}, **data, **fixed)
        return self.action_response(obj.pk)

    # The name must be set before @action records it in the method mapping.
    handler.__name__ = attribute or name.replace("-", "_")
    handler = action(detail=True, methods=["post"], url_path=name, url_name=name)(handler)
    return extend_schema(request=request, responses=response, summary=summary)(handler)


def action_response_for(serializer_class):
    """Re-read the object through the scoped queryset and serialise it."""

    def action_response(self, pk) -> Response:
        obj = self.get_queryset().get(pk=pk)
        return Response(serializer_class(obj, context=self.get_serializer_context()).data)

    return action_response
