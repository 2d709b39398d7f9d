"""Run the money model long: many random sequences of counter, back-office and nightly work
checked against the plain-Python model after every step (see README, Tests).

    .venv/bin/python bench/money_model.py [--examples 500] [--steps 60] [--no-shrink]

It runs the same test `make test` runs briefly, through `make test` (its own test database on the
project-local PostgreSQL and Redis), and prints which paths the run took. A failure prints the
shortest sequence of steps Hypothesis found that breaks an invariant."""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--no-shrink", action="store_true", help="report a failure as found, unshrunk")
    args = parser.parse_args()
    env = {
        **os.environ,
        "MONEY_MODEL_EXAMPLES": str(args.examples),
        "MONEY_MODEL_STEPS": str(args.steps),
        "MONEY_MODEL_SHRINK": "" if args.no_shrink else "1",
    }
    print(f"money model: {args.examples} sequences of up to {args.steps} steps; load {os.getloadavg()}")
    started = time.monotonic()
    result = subprocess.run(
        ["make", "test", "ARGS=collections_app/tests/test_money_model.py -x -s -q"], cwd=ROOT, env=env
    )
    outcome = "passed" if result.returncode == 0 else "FAILED"
    print(f"money model: {outcome} in {time.monotonic() - started:.0f} s")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
