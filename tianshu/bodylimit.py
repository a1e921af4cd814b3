"""A cap on the size of request bodies, enforced while the body is read.

Django's ASGI handler reads the whole body (to a spooled temporary file)
before any middleware or authentication runs, so a limit inside Django comes
too late: an anonymous 100 MB POST would be read in full. This wraps the HTTP
application: a Content-Length above the cap is answered 413 before a byte of
the body is read; a body without one (chunked) is counted as its
`http.request` messages arrive, and answered 413 the moment it passes the cap.
Either way the application is told the client went away, so it never sees the
body, and the server closes the connection instead of reading the rest.
"""

import json

from django.conf import settings
from django.utils.translation import gettext, override


class RequestBodyLimit:
    def __init__(self, app, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = _content_length(scope)
        if declared == "invalid":
            with override(settings.LANGUAGE_CODE):
                detail = gettext("Content-Length is not a number.")
            return await _answer(send, 400, detail)
        if declared is not None and declared > self.max_bytes:
            return await _answer(send, 413, self._too_large())

        state = {"received": 0, "refused": False}

        async def limited_receive():
            if state["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > self.max_bytes:
                    state["refused"] = True
                    await _answer(send, 413, self._too_large())
                    # Django's handler takes this as the client leaving: it
                    # drops what it read and answers nothing more.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            if not state["refused"]:
                await send(message)

        return await self.app(scope, limited_receive, guarded_send)

    def _too_large(self) -> str:
        with override(settings.LANGUAGE_CODE):
            return gettext("The request body is larger than %(limit)d bytes.") % {
                "limit": self.max_bytes
            }


def _content_length(scope) -> int | None | str:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else "invalid"
    return None


async def _answer(send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
