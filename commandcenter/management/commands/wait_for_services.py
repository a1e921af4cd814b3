"""Wait until the configured database (and Redis, when set) answer, or say which doesn't."""

import time

import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.utils import OperationalError


class Command(BaseCommand):
    help = "Wait for the database and Redis; fail with a clear message if they stay down."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args, timeout: float, **options):
        deadline = time.monotonic() + timeout
        checks = [("database", self._database, self._describe_database())]
        if settings.REDIS_URL:
            checks.append(("Redis", self._redis, settings.REDIS_URL))
        for name, check, where in checks:
            while True:
                try:
                    check()
                    break
                except Exception as error:  # any failure means "not up yet"
                    if time.monotonic() >= deadline:
                        raise CommandError(
                            f"{name} is unreachable at {where}: {error}. "
                            f"Start it, or point {self._variable(name)} at a running one."
                        ) from None
                    time.sleep(0.5)
            self.stdout.write(f"{name} is up ({where}).")

    @staticmethod
    def _variable(name: str) -> str:
        return "DATABASE_URL" if name == "database" else "REDIS_URL"

    @staticmethod
    def _describe_database() -> str:
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3"):
            return f"SQLite {db['NAME']}"
        return f"{db.get('HOST') or 'socket'}:{db.get('PORT') or 5432}/{db['NAME']}"

    @staticmethod
    def _database() -> None:
        try:
            connection.ensure_connection()
        except OperationalError as error:
            if "does not exist" not in str(error):
                raise
            _create_postgres_database()
        connection.close()

    @staticmethod
    def _redis() -> None:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1)
        try:
            client.ping()
        finally:
            client.close()


def _create_postgres_database() -> None:
    """A fresh machine has the server but not our database: create it once."""
    import psycopg2
    from psycopg2 import sql

    db = settings.DATABASES["default"]
    admin = psycopg2.connect(
        dbname="postgres",
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
    finally:
        admin.close()
