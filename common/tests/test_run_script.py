"""`make run` keeps its processes alive: a killed worker is restarted (with back-off, logged) and
the rest keeps running. Drives scripts/supervise.sh, which scripts/run.sh uses, with stand-in
processes (run.sh itself installs and seeds, far too heavy for a test)."""

import os
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

DRIVER = """
set -euo pipefail
source scripts/supervise.sh
SUPERVISE_LOG={tmp}/supervise.log
trap 'supervise_stop; exit 0' TERM
supervise worker {tmp}/worker.log sleep 300
supervise web {tmp}/web.log sleep 300
supervise flaky {tmp}/flaky.log false
echo "${{SUP_PID[worker]}} ${{SUP_PID[web]}}" > {tmp}/pids
supervise_loop
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def _wait_for(predicate, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_run_sh_supervises_instead_of_exiting_when_a_process_dies():
    text = (ROOT / "scripts/run.sh").read_text()
    assert "source scripts/supervise.sh" in text and text.rstrip().endswith("supervise_loop")
    for name in ("web", "worker", "beat"):
        assert f"supervise {name} " in text
    assert "wait -n" not in text, "run.sh no longer exits when any one process exits"


def test_a_killed_worker_is_restarted_and_the_rest_keeps_running(tmp_path):
    driver = subprocess.Popen(["bash", "-c", DRIVER.format(tmp=tmp_path)], cwd=ROOT, start_new_session=True)
    try:
        assert _wait_for(lambda: (tmp_path / "pids").exists() and (tmp_path / "pids").read_text().strip())
        worker, web = map(int, (tmp_path / "pids").read_text().split())
        os.kill(worker, signal.SIGKILL)  # as the Celery worker was killed mid-run
        log = tmp_path / "supervise.log"
        assert _wait_for(lambda: log.exists() and "worker restarted" in log.read_text())
        text = log.read_text()
        assert f"worker (pid {worker}) exited with status 137" in text
        assert _alive(web), "the web server was not touched"
        assert "web (pid" not in text
        # a process that dies at once is restarted with a growing pause, not in a tight loop
        assert _wait_for(lambda: "restarting in 4s" in log.read_text(), 12), log.read_text()
        pauses = [line.split("restarting in ")[1].split("s")[0] for line in log.read_text().splitlines()
                  if line.split("==> ")[1].startswith("flaky (pid")]  # fmt: skip
        assert pauses[:3] == ["1", "2", "4"]
    finally:
        driver.send_signal(signal.SIGTERM)
        driver.wait(timeout=20)
    assert not _alive(web), "stopping stops every supervised process"
