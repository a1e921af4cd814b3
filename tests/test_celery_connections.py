"""The worker keeps its database connection between tasks, and drops a broken one."""

from django.db import connection

from tianshu.celery import drop_broken_connections


def test_a_working_connection_is_kept(db):
    connection.ensure_connection()
    kept = connection.connection
    drop_broken_connections()
    assert connection.connection is kept


def test_a_connection_the_server_dropped_is_replaced(transactional_db):
    connection.ensure_connection()
    connection.connection.close()  # as if the server went away
    drop_broken_connections()
    assert connection.connection is None
    with connection.cursor() as cursor:  # the next task reconnects
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
