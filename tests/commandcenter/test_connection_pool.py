"""The pooled PostgreSQL engine hands warm connections from thread to thread."""

import threading

import pytest
from django.db import connection
from psycopg2 import extensions

from tianshu.db.postgresql_pool.base import DatabaseWrapper, pools_drain


@pytest.fixture
def make_wrapper(db):
    settings = {
        **connection.settings_dict,
        "ENGINE": "tianshu.db.postgresql_pool",
        "POOL_SIZE": 2,
    }
    wrappers = []

    def make() -> DatabaseWrapper:
        wrapper = DatabaseWrapper(settings, alias=f"pooled-{len(wrappers)}")
        wrappers.append(wrapper)
        return wrapper

    yield make
    for wrapper in wrappers:
        if wrapper.connection is not None:  # the ones a test left open, in this thread
            wrapper.close()
    pools_drain()


def backend_pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def in_thread(function):
    result = []
    thread = threading.Thread(target=lambda: result.append(function()))
    thread.start()
    thread.join()
    return result[0]


def test_a_closed_connection_is_reused_by_the_next_thread(make_wrapper):
    def use_and_close():
        wrapper = make_wrapper()
        pid = backend_pid(wrapper)
        wrapper.close()
        return pid

    assert in_thread(use_and_close) == in_thread(use_and_close)


def test_a_connection_closed_inside_a_transaction_is_rolled_back_first(make_wrapper):
    first = make_wrapper()
    first.set_autocommit(False)
    with first.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE scratch (id int)")
    raw = first.connection
    first.close()
    assert raw.get_transaction_status() == extensions.TRANSACTION_STATUS_IDLE
    second = make_wrapper()
    with second.cursor() as cursor:
        cursor.execute("SELECT to_regclass('pg_temp.scratch') IS NULL")
        assert cursor.fetchone()[0] is True
    assert second.get_autocommit() is True


def test_the_pool_keeps_no_more_than_its_size(make_wrapper):
    wrappers = [make_wrapper() for _ in range(4)]
    pids = {backend_pid(w) for w in wrappers}
    assert len(pids) == 4
    for wrapper in wrappers:
        wrapper.close()
    reused = {backend_pid(make_wrapper()) for _ in range(4)}
    assert len(reused & pids) == 2
