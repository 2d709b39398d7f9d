"""What every benchmark reports the same way: percentiles, PASS/FAIL against its target, the load
average it ran under, and a JSON record (git SHA, PostgreSQL settings, CPU) for `make bench`.

A workload's figures go through `Results.add(...)`; `Results.write(path)` stores them. Targets
are the issue's (bench/README.md, "Targets"): a figure without a target is reported, not judged.
"""

import json
import os
import platform
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_SETTINGS = ("shared_buffers", "work_mem", "effective_cache_size", "jit", "max_parallel_workers_per_gather")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


@dataclass
class Figure:
    workload: str
    unit: str
    median: float
    p95: float | None = None
    n: int = 1
    target: str = ""  # "p95 <= 150", "median <= 60", ">= 100"...
    passed: bool | None = None
    floor: float | None = None
    ratio: float | None = None
    extra: dict = field(default_factory=dict)  # type: ignore[type-arg]


def judge(target: str, median: float, p95: float | None, ratio: float | None) -> bool | None:
    """'p95 <= 150', 'median <= 60', 'median >= 100', 'ratio <= 1.5' (several joined by ' and ')."""
    if not target:
        return None
    values = {"median": median, "p95": p95, "ratio": ratio}
    for clause in target.split(" and "):
        name, op, limit = clause.split()
        value = values[name]
        if value is None or not (value <= float(limit) if op == "<=" else value >= float(limit)):
            return False
    return True


class Results:
    def __init__(self, bench: str) -> None:
        self.bench = bench
        self.figures: list[Figure] = []
        self.notes: dict[str, object] = {}
        self.load_before = load_average()
        self.started = time.time()

    def add(
        self,
        workload: str,
        values: list[float],
        *,
        unit: str = "ms",
        target: str = "",
        floor: float | None = None,
        extra: dict | None = None,  # type: ignore[type-arg]
    ) -> Figure:
        median = round(statistics.median(values), 3)
        p95 = round(pct(values, 95), 3) if len(values) > 1 else None
        ratio = round(median / floor, 2) if floor else None
        figure = Figure(
            workload, unit, median, p95, len(values), target, judge(target, median, p95, ratio),
            round(floor, 2) if floor is not None else None, ratio, extra or {},
        )  # fmt: skip
        self.figures.append(figure)
        verdict = {True: "PASS", False: "FAIL", None: ""}[figure.passed]
        digits = 3 if unit == "share" else 1
        spread = f"p95 {p95:>9.{digits}f}" if p95 is not None else " " * 13
        beside = f"  floor {floor:.1f} ratio {ratio:.2f}" if floor else ""
        print(
            f"{workload:<44} n={len(values):<5} median {median:>9.{digits}f} {spread} {unit:<5}"
            f"{beside}  {target:<22} {verdict}",
            flush=True,
        )
        return figure

    def add_summary(
        self, workload: str, median: float, p95: float | None, n: int, *, unit: str = "ms", target: str = ""
    ) -> Figure:
        """A figure whose samples were summarised elsewhere (another process)."""
        figure = Figure(workload, unit, median, p95, n, target, judge(target, median, p95, None))
        self.figures.append(figure)
        verdict = {True: "PASS", False: "FAIL", None: ""}[figure.passed]
        spread = f"p95 {p95:>9.1f}" if p95 is not None else " " * 13
        print(f"{workload:<44} n={n:<5} median {median:>9.1f} {spread} {unit:<5}  {target:<22} {verdict}")
        return figure

    def write(self, path: str | None) -> None:
        if not path:
            return
        record = {
            "bench": self.bench,
            "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "seconds": round(time.time() - self.started, 1),
            "git_sha": _git_sha(),
            "load_average_before": self.load_before,
            "load_average_after": load_average(),
            "cpu": _cpu(),
            "postgresql": _pg_settings(),
            "notes": self.notes,
            "figures": [asdict(f) for f in self.figures],
        }
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(record, indent=2, default=str) + "\n")
        print(f"results: {path}")


def _git_sha() -> str:
    try:
        sha = _git("rev-parse", "--short", "HEAD")
        return sha + ("+dirty" if _git("status", "--porcelain", "-uno") else "")
    except OSError:
        return "unknown"


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def _cpu() -> dict[str, object]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    return {"model": model, "count": os.cpu_count()}


def _pg_settings() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s)", [list(PG_SETTINGS)]
        )
        settings = {name: f"{setting}{unit or ''}" for name, setting, unit in cursor.fetchall()}
        cursor.execute("SHOW server_version")
        settings["server_version"] = cursor.fetchone()[0]
    return settings
