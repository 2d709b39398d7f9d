"""A real Celery worker PROCESS for the fault tests: started on the test database and this
checkout's Redis, SIGKILLed mid-run, and a fresh one started, as a machine losing its worker."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 90  # seconds: the most one fault test may take, workers started and killed included


def _database_url() -> str:
    """The test database pytest-django created (test_utility), not the one in DATABASE_URL."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """Worker subprocesses started by one test; every one is killed when the test ends."""

    def __init__(self, log_dir: Path, **env: str) -> None:
        self.log_dir, self.env, self.procs = log_dir, env, []  # type: list[subprocess.Popen[bytes]]
        self.started = time.monotonic()

    def start(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "common.tests.killed_worker", "worker", "--pool=solo",
             "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "-l", "INFO"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": _database_url(), **self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the kill reaches all of it, nothing else
        )  # fmt: skip
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL: no shutdown, no acknowledgement, no rollback message; the OS just ends it."""
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def kill_all(self) -> None:
        for proc in self.procs:
            with suppress(ProcessLookupError, subprocess.TimeoutExpired):
                self.kill(proc)

    def wait_until(self, what: str, ready: Callable[[], bool], *, every: float = 0.05) -> None:
        """Poll until `ready()`; fails once the test's DEADLINE is spent (it never hangs)."""
        while not ready():
            if time.monotonic() - self.started > DEADLINE:
                raise AssertionError(f"{what}: not within {DEADLINE} s; logs in {self.log_dir}")
            for proc in self.procs:
                if proc.returncode is None and proc.poll() is not None:
                    raise AssertionError(f"a worker exited by itself; logs in {self.log_dir}")
            time.sleep(every)


@contextmanager
def worker_processes(log_dir: Path, **env: str) -> Iterator[Workers]:
    from config.celery import app

    app.control.purge()  # leftovers of an earlier, interrupted run must not run here
    workers = Workers(log_dir, **env)
    try:
        yield workers
    finally:
        workers.kill_all()
        # what the dead worker held would come back after the visibility timeout, into whatever
        # test runs then (ids restart with each test database): this Redis database is the test's
        app.control.purge()
        redis.Redis.from_url(os.environ["REDIS_URL"]).delete("unacked", "unacked_index")
