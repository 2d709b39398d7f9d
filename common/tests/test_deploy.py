"""deploy/: the systemd units for web, worker and beat restart on failure, read the production
settings from one environment file, and run commands that exist in a checkout."""

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = {
    "utility-web.service": ".venv/bin/gunicorn config.wsgi",
    "utility-worker.service": ".venv/bin/celery -A config worker",
    "utility-beat.service": ".venv/bin/celery -A config beat",
}
ENV_FILE = "/etc/utility/utility.env"


def _unit(name: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  (systemd keys are case-sensitive)
    parser.read(DEPLOY / name)
    return parser["Service"]


@pytest.mark.parametrize(("name", "command"), UNITS.items())
def test_each_unit_restarts_reads_the_env_file_and_runs_a_real_command(name, command):
    service = _unit(name)
    assert service["Restart"] == "always"
    assert service["EnvironmentFile"] == ENV_FILE
    assert service["WorkingDirectory"] == "/srv/utility" and service["User"] == "utility"
    exec_start = service["ExecStart"]
    assert exec_start.startswith(f"/srv/utility/{command}"), exec_start
    program = ROOT / exec_start.split()[0].removeprefix("/srv/utility/")
    assert program.exists(), f"{program} is what `make run` installs"
    assert (ROOT / "config" / ("wsgi.py" if "gunicorn" in command else "celery.py")).exists()


def test_the_env_file_example_sets_what_production_needs_and_settings_read_it():
    env = dict(
        line.split("=", 1)
        for line in (DEPLOY / "utility.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    for key in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "DJANGO_HTTPS"):
        assert key in env, key
    assert env["DJANGO_HTTPS"] == "true" and env["DJANGO_DEBUG"] == "false"
    settings_text = (ROOT / "config" / "settings.py").read_text()
    for key in env:
        assert re.search(rf'env(\.\w+)?\("{key}"', settings_text), f"{key} is not read by config/settings.py"


def test_only_one_unit_runs_beat():
    beats = [p.name for p in DEPLOY.glob("*.service") if " beat" in _unit(p.name)["ExecStart"]]
    assert beats == ["utility-beat.service"]


def test_systemd_accepts_the_units(tmp_path):
    """systemd's own parser on the units, pointed at this checkout (it checks each ExecStart is
    executable); any warning, such as an unknown key, fails the test too."""
    env = tmp_path / "utility.env"
    shutil.copy(DEPLOY / "utility.env.example", env)
    for name in UNITS:
        text = (DEPLOY / name).read_text().replace("/srv/utility", str(ROOT)).replace(ENV_FILE, str(env))
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *[f"./{n}" for n in UNITS]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
