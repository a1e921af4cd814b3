"""A PostgreSQL 15 cluster of the test run's own, to stop and restart in fault tests.

The machine's shared PostgreSQL (5432) is never touched: this one lives in a
temporary directory on a free port (bench/harness.py's way: trust
authentication on 127.0.0.1, fsync off), is made once per run and removed at
its end. Tests that stop or restart it start it again when they are done.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg2

from bench.harness import PG_BIN, _as_postgres, free_port


class PrivatePostgres:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="tianshu-test-pg-"))
        if os.geteuid() == 0:  # initdb and the postmaster run as `postgres` then
            shutil.chown(self.root, "postgres", "postgres")
        self.data, self.log = self.root / "pg", self.root / "pg.log"
        self.port = free_port()
        subprocess.run(
            _as_postgres(
                [PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust"]
                + ["-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.running = False

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres([PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-w", *args]),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        if self.running:
            return
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-o", options, "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session (as a restart does); `immediate` is a crash."""
        if self.running:
            self._pg_ctl("-m", mode, "stop")
            self.running = False

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def settings_dict(self, base: dict) -> dict:
        """`base` (a connection's settings) pointed at this cluster's `postgres` database."""
        return {
            **base,
            "NAME": "postgres",
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
        }

    def connect(self):
        return psycopg2.connect(
            dbname="postgres", user="postgres", host="127.0.0.1", port=self.port
        )

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
