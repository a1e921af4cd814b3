"""PostgreSQL (psycopg2) with a per-process pool of warm connections.

Django under ASGI runs each request's synchronous code in a fresh thread, so
its thread-local persistent connections (CONN_MAX_AGE) are never reused: every
request would start a new PostgreSQL backend and warm its catalog caches
again, which costs more than the request's own queries. With this engine,
Django's "close" at the end of a request hands a clean, idle connection back
to the pool, and the next request's thread takes it.

Use it only in processes that do not fork after connecting (the Uvicorn web
workers): settings select it when DATABASE_POOL_SIZE is above zero.
"""

import os
import queue
import threading

from django.db.backends.postgresql import base
from psycopg2 import extensions

_pools: dict[tuple, "Pool"] = {}
_pools_lock = threading.Lock()


class Pool:
    def __init__(self, size: int) -> None:
        self.size = size
        self.pid = os.getpid()
        self.idle: queue.LifoQueue = queue.LifoQueue()

    def take(self):
        while True:
            try:
                connection = self.idle.get_nowait()
            except queue.Empty:
                return None
            if connection.closed == 0:
                return connection

    def give_back(self, connection) -> bool:
        """Keep a connection for reuse if it is open, idle and there is room."""
        if connection.closed or self.idle.qsize() >= self.size:
            return False
        status = connection.get_transaction_status()
        if status in (extensions.TRANSACTION_STATUS_INTRANS, extensions.TRANSACTION_STATUS_INERROR):
            connection.rollback()
        elif status != extensions.TRANSACTION_STATUS_IDLE:
            return False
        self.idle.put(connection)
        return True

    def drain(self) -> None:
        while (connection := self.take()) is not None:
            connection.close()


def _pool_for(conn_params: dict, size: int) -> Pool:
    key = tuple(sorted((name, str(value)) for name, value in conn_params.items()))
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None or pool.pid != os.getpid():
            # A forked child must not touch its parent's sockets: start afresh.
            pool = _pools[key] = Pool(size)
        return pool


def pools_drain() -> None:
    """Close every idle pooled connection of this process (tests, shutdown)."""
    with _pools_lock:
        pools = list(_pools.values())
    for pool in pools:
        if pool.pid == os.getpid():
            pool.drain()


class DatabaseWrapper(base.DatabaseWrapper):
    def _pool(self, conn_params: dict) -> Pool:
        return _pool_for(conn_params, int(self.settings_dict.get("POOL_SIZE", 10)))

    def get_new_connection(self, conn_params):
        self._pool_key_params = conn_params
        connection = self._pool(conn_params).take()
        if connection is not None:
            return connection
        return super().get_new_connection(conn_params)

    def _close(self):
        params = getattr(self, "_pool_key_params", None)
        if self.connection is not None and params is not None:
            with self.wrap_database_errors:
                if self._pool(params).give_back(self.connection):
                    return None
        return super()._close()
