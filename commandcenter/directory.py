"""An in-process directory of small reference tables (stations, categories, rules …).

Lists and map layers name the station, post, street, zone, category … of
every row, and intake reads categories and routing rules on every call.
Joining a dozen small tables into each query costs PostgreSQL more to plan
than to run, and re-reading them costs a round trip each, so they are read
here instead. Each table is loaded whole on first use, reloaded when a
looked-up key is missing (a row added since) and at most `MAX_AGE_SECONDS`
after it was loaded (a rename, an edited rule). JSON columns (geometry) are
left out.
"""

import threading
import time

from django.db import models

MAX_AGE_SECONDS = 30.0


class _Table:
    def __init__(self, model) -> None:
        self.model = model
        self.rows: list = []
        self.by_pk: dict = {}
        self.by_code: dict = {}
        self.loaded_at = float("-inf")

    def load(self) -> None:
        heavy = [
            f.name for f in self.model._meta.concrete_fields if isinstance(f, models.JSONField)
        ]
        rows = list(self.model._default_manager.defer(*heavy))
        self.rows = rows
        self.by_pk = {row.pk: row for row in rows}
        self.by_code = {getattr(row, "code", None): row for row in rows}
        self.loaded_at = time.monotonic()

    def fresh(self) -> bool:
        return time.monotonic() - self.loaded_at <= MAX_AGE_SECONDS


class Directory:
    def __init__(self) -> None:
        self._tables: dict[type, _Table] = {}
        self._lock = threading.Lock()

    def _table(self, model, *, missing=None) -> _Table:
        table = self._tables.get(model)
        if table is None or not table.fresh() or (missing and missing(table)):
            with self._lock:
                table = self._tables.setdefault(model, _Table(model))
                if not table.fresh() or (missing and missing(table)):
                    table.load()
        return table

    def get(self, model, pk):
        """The row with this primary key, or None."""
        if pk is None:
            return None
        return self._table(model, missing=lambda t: pk not in t.by_pk).by_pk.get(pk)

    def by_code(self, model, code: str):
        """The row with this code, or None."""
        return self._table(model, missing=lambda t: code not in t.by_code).by_code.get(code)

    def rows(self, model) -> list:
        """Every row, in the model's default order."""
        return self._table(model).rows

    def clear(self) -> None:
        with self._lock:
            self._tables.clear()


directory = Directory()
