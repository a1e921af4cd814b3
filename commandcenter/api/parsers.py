"""The JSON parser of the API: malformed, too deep or not Unicode is a 400.

The standard library's decoder recurses once per level of nesting and raises
RecursionError (a 500) on a body such as 50,000 opening brackets; code that
walks the parsed value later (serializers, error messages) recurses as well.
A body nested deeper than MAX_JSON_DEPTH is refused outright, and so is one
holding a lone surrogate (\\ud800), which is valid JSON but cannot be
encoded as UTF-8 for the database.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Our deepest request body is three levels ({"fixes": [{…}]}).
MAX_JSON_DEPTH = 32


class GuardedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON nested too deeply.")) from None
        json_value_check(data)
        return data


def json_value_check(data) -> None:
    """Refuse nesting past MAX_JSON_DEPTH and lone surrogates, without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            _text_check(value)
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise ParseError(
                _("JSON nested too deeply (at most %(depth)d levels).") % {"depth": MAX_JSON_DEPTH}
            )
        if isinstance(value, dict):
            for key, item in value.items():
                _text_check(key)
                stack.append((item, depth + 1))
        else:
            stack.extend((item, depth + 1) for item in value)


def _text_check(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError(_("JSON strings must be valid Unicode (no lone surrogates).")) from None
