"""Real faults for the outage tests: stop and restart this checkout's own Redis and PostgreSQL
(the ones scripts/services.sh started on REDIS_PORT / PG_PORT), never anything else."""

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import redis

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"


def _redis_port() -> int:
    return urlparse(os.environ["REDIS_URL"]).port or 6379


def redis_is_up() -> bool:
    try:
        return bool(redis.Redis(port=_redis_port(), socket_connect_timeout=0.5).ping())
    except redis.exceptions.ConnectionError:
        return False


def redis_stop() -> None:
    subprocess.run(["redis-cli", "-p", str(_redis_port()), "shutdown"], check=False, capture_output=True)
    for _ in range(50):
        if not redis_is_up():
            return
        time.sleep(0.1)
    raise RuntimeError("Redis did not stop")


def redis_start() -> None:
    """The same command line as scripts/services.sh (append-only file in var/redis)."""
    if redis_is_up():
        return
    (VAR / "redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "redis-server", "--port", str(_redis_port()), "--bind", "127.0.0.1", "--daemonize", "yes",
            "--dir", str(VAR / "redis"), "--pidfile", str(VAR / "redis" / "redis.pid"),
            "--logfile", str(VAR / "log" / "redis.log"), "--appendonly", "yes", "--save", "",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    for _ in range(100):
        if redis_is_up():
            return
        time.sleep(0.1)
    raise RuntimeError("Redis did not come back")


@contextmanager
def redis_down() -> Iterator[None]:
    """Redis is really stopped inside the block and started again after it, whatever happens."""
    redis_stop()
    try:
        yield
    finally:
        redis_start()


def _pg_bin() -> Path:
    return sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]


def postgres_restart() -> None:
    """Restart this checkout's PostgreSQL cluster (var/pg/data): every connection is cut."""
    cmd = [str(_pg_bin() / "pg_ctl"), "-D", str(VAR / "pg" / "data"), "-m", "fast", "-w", "-t", "60"]
    cmd += ["-l", str(VAR / "log" / "postgres.log"), "restart"]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True)
