"""PostgreSQL (psycopg2) with a per-process pool of warm connections.

Django under ASGI runs each request's synchronous code in a fresh thread, so
its thread-local persistent connections (CONN_MAX_AGE) are never reused: every
request would start a new PostgreSQL backend and warm its catalog caches
again, which costs more than the request's own queries. With this engine,
Django's "close" at the end of a request hands a clean, idle connection back
to the pool, and the next request's thread takes it.

Use it only in processes that do not fork after connecting (the Uvicorn web
workers): settings select it when DATABASE_POOL_SIZE is above zero.

A pooled connection may have died while it waited (PostgreSQL restarted, an
administrator ended it). It heals in two steps, so that the first requests
after the database is back succeed instead of each finding a dead connection:
- taking one from the pool reads what the server sent meanwhile (no round
  trip): one whose server ended it is dropped, and the next is taken;
- should the first statement on a connection from the pool still find it
  gone, the connection is replaced by a new one and that statement sent once
  more: nothing had reached the server on the old one, and a transaction is
  only begun by that statement. Later statements are never retried: a
  transaction that lost its connection half-way has to fail.
"""

import logging
import os
import queue
import threading

import psycopg2
from django.db import InterfaceError, OperationalError
from django.db.backends.postgresql import base
from django.db.backends.utils import CursorWrapper
from psycopg2 import extensions

logger = logging.getLogger(__name__)

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
            if _alive(connection):
                return connection
            connection.close()

    def give_back(self, connection) -> bool:
        """Keep a connection for reuse if it is open, idle and there is room."""
        if connection.closed or self.idle.qsize() >= self.size:
            return False
        status = connection.get_transaction_status()
        if status in (extensions.TRANSACTION_STATUS_INTRANS, extensions.TRANSACTION_STATUS_INERROR):
            try:
                connection.rollback()
            except psycopg2.Error:  # the server went away: Django closes it instead
                return False
        elif status != extensions.TRANSACTION_STATUS_IDLE:
            return False
        self.idle.put(connection)
        return True

    def drain(self) -> None:
        while (connection := self.take()) is not None:
            connection.close()


def _alive(connection) -> bool:
    """Whether an idle connection is still open at the server's end too.

    poll() only reads what is already on the socket: a server that ended the
    session (a restart, pg_terminate_backend) left its farewell and the end of
    the stream there, and reading them fails. No query is sent.
    """
    if connection.closed:
        return False
    try:
        connection.poll()
    except psycopg2.Error:
        return False
    return connection.closed == 0 and (
        connection.get_transaction_status() == extensions.TRANSACTION_STATUS_IDLE
    )


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


# Statements that change nothing if the server ran them before the connection broke.
_READ_ONLY_STATEMENTS = ("SELECT", "SAVEPOINT", "SET", "SHOW")


class _Healing:
    """The first statement on a pooled connection that turns out dead is sent again
    on a new connection (see the module's docstring); any other error stands."""

    def _execute(self, sql, params, *ignored_wrapper_args):
        if not self.db.pooled_unproven:
            return super()._execute(sql, params, *ignored_wrapper_args)
        try:
            return super()._execute(sql, params, *ignored_wrapper_args)
        except (OperationalError, InterfaceError):
            if not self.db.may_heal(sql):
                raise
        finally:
            self.db.pooled_unproven = False
        self.cursor = self.db.connection_replace(name=getattr(self.cursor, "name", None))
        return super()._execute(sql, params, *ignored_wrapper_args)


class HealingCursorWrapper(_Healing, CursorWrapper):
    pass


class HealingCursorDebugWrapper(_Healing, base.CursorDebugWrapper):
    pass


class DatabaseWrapper(base.DatabaseWrapper):
    # True while the connection came from the pool and no statement has run on it.
    pooled_unproven = False

    def _pool(self, conn_params: dict) -> Pool:
        return _pool_for(conn_params, int(self.settings_dict.get("POOL_SIZE", 10)))

    def get_new_connection(self, conn_params):
        self._pool_key_params = conn_params
        connection = self._pool(conn_params).take()
        self.pooled_unproven = connection is not None
        if connection is not None:
            return connection
        return super().get_new_connection(conn_params)

    def may_heal(self, sql: str) -> bool:
        """After the first statement on a pooled connection failed: whether the
        connection is gone and sending the statement again cannot do anything twice
        (inside a transaction the lost one was rolled back with its connection)."""
        if self.connection is None or self.connection.closed == 0:
            return False
        return not self.get_autocommit() or sql.lstrip().upper().startswith(_READ_ONLY_STATEMENTS)

    def connection_replace(self, *, name: str | None):
        """A new connection (never a pooled one: they may be as dead) in the state
        the lost one was in; returns a new raw cursor on it."""
        logger.warning("a pooled database connection was gone: replaced, statement sent again")
        with self.wrap_database_errors:
            connection = super().get_new_connection(self._pool_key_params)
            connection.autocommit = self.autocommit
            if self._configure_connection(connection) and not self.autocommit:
                connection.commit()
        self.connection.close()
        self.connection = connection
        self.errors_occurred = False
        return self.create_cursor(name)

    def make_cursor(self, cursor):
        return HealingCursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor):
        return HealingCursorDebugWrapper(cursor, self)

    def _close(self):
        params = getattr(self, "_pool_key_params", None)
        if self.connection is not None and params is not None:
            with self.wrap_database_errors:
                if self._pool(params).give_back(self.connection):
                    return None
        return super()._close()
