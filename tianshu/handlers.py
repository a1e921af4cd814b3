"""Django's HTTP side under ASGI, each request run whole in one worker thread.

Django's own ASGIHandler runs the middleware chain in async mode: each
synchronous middleware hook and then the view hop to a thread and back, which
is sixteen hops for one API call here, and under load every hop waits for the
GIL. The hops cost more than the intake itself. This handler reads the body on
the event loop, runs request_started, the synchronous middleware chain, the
view and request_finished in one thread of a fixed pool, as a WSGI server
would, and sends the response from the loop. The pool's size bounds how many
requests of a process are inside Django at once; the rest wait their turn on
the event loop at no cost, so a request holding a row lock is not starved of
the GIL by dozens of runnable threads.

Websockets are not affected: they go to Channels (see asgi.py).
"""

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse
from django.urls import set_script_prefix


class ThreadedASGIHandler(ASGIHandler):
    def __init__(self, threads: int) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self.threads = threads
        self._executor: ThreadPoolExecutor | None = None

    def _executor_for(self, loop: asyncio.AbstractEventLoop) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                self.threads,
                thread_name_prefix="django-http",
                initializer=_adopt_loop,
                initargs=(loop,),
            )
        return self._executor

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django serves HTTP here, not {scope['type']}.")
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        loop = asyncio.get_running_loop()
        executor = self._executor_for(loop)
        # The thread owns the body file and closes it: if this coroutine is
        # cancelled (the client went away) the thread still runs to its end.
        response = await loop.run_in_executor(executor, self.respond, scope, body_file)
        try:
            await self.send_response(response, send)
        finally:
            if response.streaming:
                await loop.run_in_executor(executor, response.close)

    def respond(self, scope, body_file):
        """One request from start to end, in a worker thread."""
        try:
            set_script_prefix(get_script_prefix(scope))
            signals.request_started.send(sender=self.__class__, scope=scope)
            request, response = self.create_request(scope, body_file)
            if request is not None:
                response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
            # A streaming body is sent from the loop and closed afterwards;
            # any other is complete: request_finished (which tidies this
            # thread's database connection) runs here, in this thread.
            if not response.streaming:
                response.close()
            return response
        finally:
            body_file.close()


def _adopt_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Let async_to_sync in a worker thread run on the server's loop.

    This is what asgiref marks on the threads of its own SyncToAsync, so
    code such as a channel-layer send reuses the server's loop and its open
    Redis connection instead of starting a loop of its own.
    """
    SyncToAsync.threadlocal.main_event_loop = loop
    SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()
