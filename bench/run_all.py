"""`make bench`: every workload on the benchmark city, one after another, judged against its target.

    .venv/bin/python bench/run_all.py [--accounts 1000000] [--only late_fees desk_latency ...]

1. The benchmark city: the project database must hold at least --accounts accounts; if it does
   not, `seed_city.py` builds it (timed: the build is a workload too).
2. Each workload runs as its own process (bench/<name>.py --json bench/results/<name>.json),
   each warming up and repeating inside, so one's cache and connections do not flatter another.
3. The figures are printed together (median, p95, floor, ratio, target, PASS/FAIL, the load
   average each ran under) and the table in bench/README.md between the `bench:results` markers
   is rewritten from bench/results/*.json (commit both).

Not part of `make test`: it takes most of an hour at a million accounts, and wants a quiet machine.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
README = ROOT / "bench" / "README.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"

# name -> (script, its arguments). Order: the long nightly work first (a cold start is its honest
# case), then the desks.
WORKLOADS: dict[str, tuple[str, list[str]]] = {
    "nightly_shutoff": ("nightly_shutoff", []),
    "nightly_shutoff_2_workers": ("nightly_shutoff", ["--workers", "2", "--repeat", "1"]),
    "late_fees": ("late_fees", []),
    "desk_latency": ("desk_latency", ["--skip-nightly"]),
    "counter": ("counter_http", []),
    "run_pages": ("run_pages", []),
}


CITY_SIZE = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.db import connection
with connection.cursor() as c:
    c.execute("SELECT to_regclass('accounts_account') IS NOT NULL")
    if c.fetchone()[0]:
        c.execute("SELECT count(*) FROM accounts_account")
        print(c.fetchone()[0])
    else:
        print(0)
"""


def city_accounts(env: dict[str, str]) -> int:
    out = subprocess.run(
        [sys.executable, "-c", CITY_SIZE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip().splitlines()[-1])


def table() -> str:
    """The README's table, from every stored result."""
    rows = [
        "| workload | median | p95 | floor | ratio | target | result | load | git | measured |",
        "|---|---:|---:|---:|---:|---|---|---:|---|---|",
    ]
    for path in sorted(RESULTS.glob("*.json")):
        record = json.loads(path.read_text())
        for f in record["figures"]:

            def fmt(v: float, unit: str = f["unit"]) -> str:
                return f"{v:.3f}" if unit == "share" else f"{v:,.1f} {unit}"

            rows.append(
                "| {w} | {m} | {p} | {fl} | {r} | {t} | {ok} | {load} | {sha} | {at} |".format(
                    w=f["workload"],
                    m=fmt(f["median"]),
                    p=fmt(f["p95"]) if f["p95"] is not None else "",
                    fl=fmt(f["floor"]) if f["floor"] is not None else "",
                    r=f"{f['ratio']:.2f}x" if f["ratio"] is not None else "",
                    t=f["target"].replace("<=", "≤").replace(">=", "≥"),
                    ok={True: "**PASS**", False: "**FAIL**", None: ""}[f["passed"]],
                    load=f"{record['load_average_before']:.1f}",
                    sha=record["git_sha"],
                    at=record["at"][:16].replace("T", " "),
                )
            )
    return "\n".join(rows)


def readme_refresh() -> None:
    text = README.read_text()
    if START not in text:
        text += f"\n## Latest `make bench`\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{table()}\n{END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=1_000_000, help="the benchmark city's size")
    parser.add_argument("--only", nargs="*", choices=list(WORKLOADS), help="run just these workloads")
    args = parser.parse_args()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_HTTPS": "false"}
    RESULTS.mkdir(exist_ok=True)
    have = city_accounts(env)
    print(f"benchmark city: {have:,} accounts in the project database (want {args.accounts:,})")
    if have < args.accounts:
        subprocess.run(
            [sys.executable, "bench/seed_city.py", "--accounts", str(args.accounts),
             "--json", str(RESULTS / "seed_city.json")],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
    failed = []
    for name in args.only or WORKLOADS:
        script_name, script_args = WORKLOADS[name]
        script = ROOT / "bench" / f"{script_name}.py"
        if not script.exists():
            print(f"\n=== {name}: no bench/{script_name}.py here; skipped")
            continue
        print(f"\n=== {name} (load average {os.getloadavg()[0]:.2f})", flush=True)
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, str(script), *script_args, "--json", str(RESULTS / f"{name}.json")],
            cwd=ROOT, env=env, check=False,
        )  # fmt: skip
        print(f"=== {name}: {time.monotonic() - started:.0f} s, exit {done.returncode}")
        if done.returncode:
            failed.append(name)
    readme_refresh()
    print("\n" + table())
    print(f"\nbench/README.md refreshed; results in {RESULTS.relative_to(ROOT)}/")
    if failed:
        raise SystemExit(f"workloads that did not finish: {', '.join(failed)}")


if __name__ == "__main__":
    main()
