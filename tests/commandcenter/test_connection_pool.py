"""The pooled PostgreSQL engine hands warm connections from thread to thread."""

import threading

import pytest
from django.db import OperationalError, connection
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


# --- After a PostgreSQL restart (a cluster of the test run's own) ----------------------


@pytest.fixture
def make_private_wrapper(private_postgres, django_db_blocker):
    settings = {
        **private_postgres.settings_dict(connection.settings_dict),
        "ENGINE": "tianshu.db.postgresql_pool",
        "POOL_SIZE": 4,
    }
    with django_db_blocker.unblock():
        yield lambda: DatabaseWrapper(settings, alias="pooled-private")
        pools_drain()


def request_like(make_wrapper, work) -> None:
    """One request's use of the database, in a thread of its own: take, work, hand back."""

    def run():
        wrapper = make_wrapper()
        try:
            return work(wrapper)
        finally:
            wrapper.close()

    return in_thread(run)


def fill_the_pool(make_wrapper, count: int) -> set[int]:
    wrappers = [make_wrapper() for _ in range(count)]
    pids = {backend_pid(wrapper) for wrapper in wrappers}
    for wrapper in wrappers:
        wrapper.close()
    return pids


def test_every_request_after_a_postgresql_restart_succeeds(make_private_wrapper, private_postgres):
    before = fill_the_pool(make_private_wrapper, 4)
    private_postgres.restart()
    after = [request_like(make_private_wrapper, backend_pid) for _ in range(6)]
    assert not set(after) & before  # none of the dead connections was used


def test_a_dead_pooled_connection_missed_at_take_is_replaced_at_its_first_statement(
    make_private_wrapper, private_postgres, monkeypatch
):
    before = fill_the_pool(make_private_wrapper, 2)
    private_postgres.restart()
    # As if the server's farewell had not reached the socket yet when it was taken.
    monkeypatch.setattr("tianshu.db.postgresql_pool.base._alive", lambda c: c.closed == 0)

    def in_a_transaction(wrapper):
        wrapper.set_autocommit(False)
        pid = backend_pid(wrapper)
        wrapper.commit()
        wrapper.set_autocommit(True)
        return pid

    assert request_like(make_private_wrapper, backend_pid) not in before
    assert request_like(make_private_wrapper, in_a_transaction) not in before


def test_a_write_outside_a_transaction_on_a_dead_connection_is_not_sent_twice(
    make_private_wrapper, private_postgres, monkeypatch
):
    fill_the_pool(make_private_wrapper, 1)
    private_postgres.restart()
    monkeypatch.setattr("tianshu.db.postgresql_pool.base._alive", lambda c: c.closed == 0)

    def write(wrapper):
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE scratch (id int)")

    wrapper = make_private_wrapper()
    with pytest.raises(OperationalError):
        write(wrapper)
    wrapper.close()
    assert request_like(make_private_wrapper, backend_pid) > 0
