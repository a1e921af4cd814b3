"""Open311's two formats. JSON is the data as it is; XML names each element as the
spec does: a list is a root element (`services`, `service_requests`, `errors` …)
holding one element per row (`service`, `request`, `error` …), and the lists
inside a row (`attributes`, `values`, `endpoints`, `formats`) hold `attribute`,
`value`, `endpoint`, `format`. The view names its root (`open311_root`); an
error answer is always `errors/error`.
"""

import re
from xml.etree import ElementTree

from rest_framework.renderers import BaseRenderer, JSONRenderer

# A list's element name → the name of each element in it.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry at all (control characters but tab and line breaks).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class Open311JSONRenderer(JSONRenderer):
    format = "json"
    ensure_ascii = False


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("\ufffd", str(value))


def _fill(element: ElementTree.Element, value) -> None:
    if isinstance(value, dict):
        for name, inner in value.items():
            _fill(ElementTree.SubElement(element, name), inner)
    elif isinstance(value, list | tuple):
        item = ITEM_NAMES.get(element.tag, "item")
        for inner in value:
            _fill(ElementTree.SubElement(element, item), inner)
    else:
        element.text = _text(value)


class Open311XMLRenderer(BaseRenderer):
    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        view = context.get("view")
        if response is not None and response.status_code >= 400:
            root_name = "errors"
        else:
            root_name = getattr(view, "open311_root", None) or "response"
        if isinstance(data, dict) and root_name not in ITEM_NAMES:
            # One object (discovery, service_definition): its fields under the root.
            root = ElementTree.Element(root_name)
            _fill(root, data)
        else:
            root = ElementTree.Element(root_name)
            _fill(root, data if isinstance(data, list) else [data])
        return b'<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(
            root, encoding="unicode"
        ).encode("utf-8")
