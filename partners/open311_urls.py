"""Routes of Open311 GeoReport v2 under /open311/v2/: each resource with the
spec's suffix, `.json` and `.xml`. Only the `.json` routes are in the OpenAPI
document (the XML answers mirror them element for element), so the schema's
clients and the API fuzz test read JSON."""

from django.urls import re_path

from partners import open311
from partners.open311_renderers import Open311XMLRenderer

# A path part is anything up to the suffix ("", "0.5", ".exe" too): the view answers
# 404 in the spec's error list rather than Django's page.
RESOURCES = [
    (r"discovery", open311.DiscoveryView, "open311-discovery"),
    (r"services", open311.ServiceListView, "open311-services"),
    (r"services/(?P<service_code>[^/]*)", open311.ServiceDefinitionView, "open311-service"),
    (r"requests", open311.RequestListView, "open311-requests"),
    (r"requests/(?P<service_request_id>[^/]*)", open311.RequestDetailView, "open311-request"),
    (r"servicerequestupdates", open311.UpdateListView, "open311-updates"),
]


def _undocumented(view: type) -> type:
    return type(
        f"{view.__name__}XML",
        (view,),
        {"schema": None, "renderer_classes": [Open311XMLRenderer], "__doc__": view.__doc__},
    )


urlpatterns = []
for pattern, view, name in RESOURCES:
    urlpatterns += [
        re_path(rf"^{pattern}\.json$", view.as_view(), {"format": "json"}, name=f"{name}-json"),
        re_path(
            rf"^{pattern}\.xml$",
            _undocumented(view).as_view(),
            {"format": "xml"},
            name=f"{name}-xml",
        ),
    ]
