"""The web server as `make run` starts it (gunicorn, `config.wsgi`, WEB_WORKERS workers), for the
benchmarks that time requests over HTTP, and a signed-in session for a bench user.

`server(url)` yields the base URL: the given one (a running `make run`), or a gunicorn started
here on a free port with scripts/run.sh's arguments and stopped afterwards.
"""

import http.client
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    workers: int, log_dir: Path = ROOT / "var" / "log", src: Path = ROOT
) -> tuple[subprocess.Popen, str]:  # type: ignore[type-arg]
    """gunicorn with scripts/run.sh's arguments on a free port, serving `src` (another checkout
    of the same schema, to compare commits); returns the process and its base URL."""
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--access-logfile", str(log_dir / "bench-access.log"),
        "--error-logfile", "-",
    ]  # fmt: skip
    errlog = open(log_dir / "bench-gunicorn.log", "ab")  # noqa: SIM115 (lives as long as the server)
    proc = subprocess.Popen(cmd, cwd=src, stdout=errlog, stderr=errlog)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return proc, url
        except OSError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}); see var/log/bench-gunicorn.log")
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("gunicorn did not answer within 30 s")


@contextmanager
def server(url: str | None = None, workers: int | None = None) -> Iterator[str]:
    if url:
        yield url.rstrip("/")
        return
    proc, base = start_gunicorn(workers or int(os.environ.get("WEB_WORKERS", "3")))
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def session_cookie(username: str, group: str) -> str:
    """A signed-in session for a bench user in `group` (made here, as the login view would)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(username=username)
    user.groups.set([Group.objects.get(name=group)])
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class Http:
    """One keep-alive connection, as a browser tab holds one."""

    def __init__(self, base: str, cookie: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.headers = {"Cookie": f"sessionid={cookie}", "Host": "localhost"}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def get(self, path: str, **headers: str) -> tuple[int, bytes]:
        self.conn.request("GET", path, headers={**self.headers, **headers})
        response = self.conn.getresponse()
        return response.status, response.read()
