"""ASGI entry point: HTTP through Django, websockets through Channels."""

import gc
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tianshu.settings")
django.setup(set_prefix=False)

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from tianshu.bodylimit import RequestBodyLimit  # noqa: E402
from tianshu.handlers import ThreadedASGIHandler  # noqa: E402
from tianshu.websockets import DatabaseDownGuard, websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # The body cap wraps Django: its handler reads the whole body before any middleware.
        "http": RequestBodyLimit(
            ThreadedASGIHandler(threads=settings.WEB_CONCURRENCY_LIMIT),
            max_bytes=settings.MAX_REQUEST_BODY_BYTES,
        ),
        "websocket": AllowedHostsOriginValidator(
            DatabaseDownGuard(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)

# Everything loaded so far lives as long as the process: keep it out of the
# collector's full passes, which otherwise stall a worker for tens of
# milliseconds every few seconds under load.
gc.freeze()

# The event loop hands each request to a pool thread and takes the answer
# back: with Python's default 5 ms switch interval each hand-over can wait
# that long for the GIL. With half a millisecond, paced intake at 300/s had a
# lower p95 in most paired runs (bench/intake.py); capacity did not change.
sys.setswitchinterval(0.0005)
