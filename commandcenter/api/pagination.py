"""Pagination for every list endpoint, and its GeoJSON variant for map layers."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class FeatureCollectionPagination(StandardPagination):
    """A page of features as a GeoJSON FeatureCollection.

    `count`, `next` and `previous` are foreign members, allowed by RFC 7946;
    a map layer asks with page_size large enough to take the district at once.
    """

    page_size = 500
    max_page_size = 2000

    def get_paginated_response(self, data):
        return Response(
            {
                "type": "FeatureCollection",
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "features": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "count": {"type": "integer"},
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
                "features": schema,
            },
        }
