"""Load a synthetic city (customers, premises, accounts, services, bills, ledger) set-based.

Every statement is an INSERT ... SELECT over a per-account plan with explicit ids; no Python loop
touches an account. The work is a list of jobs (load a chunk, build an index, check a foreign
key...) with the jobs each one must wait for.

- One worker (small cities, and tests): all jobs in list order in one transaction on the
  caller's connection. It TRUNCATEs first, so with `wal_level=minimal` PostgreSQL writes the new
  rows without WAL, and a failure leaves the previous city as it was.
- Two workers (a million accounts): each a thread with its own connection, one transaction per
  job, taking the first job that is ready. The inserts pay for WAL then, but both cores work.
  A job is also held back while another one has a table it would block on (an index build and a
  foreign-key check of the same table): the ledger's checks, one after another, are the longest
  chain, so they start as soon as the ledger is in and the other worker does everything else.
  The stripped schema is recorded first (demo_city_schema), so a failure is repaired.
"""

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection, connections, transaction

from accounts.demo_city_money import accounts_sql, bills_sql, ledger_sql, months_sql, services_sql, slots_sql
from accounts.demo_city_people import holders_sql, landlords_sql, premises_sql
from accounts.demo_city_schema import (
    MARKER,
    SCRATCH,
    TABLES,
    Schema,
    marker_restore,
    marker_save,
    schema_capture,
    schema_strip,
)
from accounts.demo_city_sql import FUND_CODES, MAX_MONTHS, City, plan_sql
from accounts.models import Fund

Progress = Callable[[str, int, float], None]
CHUNK = 100_000  # accounts per statement: a job of a few seconds to a minute at full size
SESSION = (
    "SET {local} synchronous_commit = off",
    "SET {local} jit = off",  # compiling these wide expressions costs a second a statement, saves nothing
    "SET {local} work_mem = '256MB'",
    # also the hash memory of a foreign-key check: the ledger's against 20M bills fits in 2GB
    "SET {local} maintenance_work_mem = '2GB'",
    # the search dictionary is refreshed once after the load, not per statement from two sessions
    "SET {local} accounts.search_words = 'off'",
)
COUNTED = ("customers", "premises", "accounts", "services", "bills", "ledger")
LEDGER = "accounts_ledgerentry"


@dataclass(frozen=True)
class Job:
    name: str
    label: str  # progress line; rows are summed per label
    statements: tuple[str, ...]
    after: frozenset[str] = frozenset()  # names of the jobs that must be done first
    locks: frozenset[tuple[str, bool]] = frozenset()  # (table, shared): only shared ones coexist


def demo_city_load(
    *, accounts: int, months: int, seed: int, today: date, workers: int = 1, progress: Progress | None = None
) -> dict[str, int]:
    """Replace the demo city; returns rows written per table. Same (seed, today): same rows."""
    if accounts < 1 or not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"need accounts >= 1 and 1 <= months <= {MAX_MONTHS}")
    if not re.fullmatch(r"[A-Za-z0-9_/+-]+", settings.TIME_ZONE):
        raise ValueError(f"unexpected time zone name {settings.TIME_ZONE!r}")
    fund_ids = dict(Fund.objects.filter(code__in=FUND_CODES).values_list("code", "id"))
    if missing := set(FUND_CODES) - set(fund_ids):
        raise ValueError(f"funds missing (migrations not run?): {sorted(missing)}")
    city = City(accounts=accounts, months=months, seed=seed, today=today, time_zone=settings.TIME_ZONE)
    run = _Run(progress or (lambda label, rows, seconds: None), workers)
    with transaction.atomic():
        marker_restore()  # an earlier parallel load died half way: its schema first
    if workers <= 1:
        with transaction.atomic():
            run.execute(_jobs(city, _prepare(city, fund_ids, parallel=False)))
    else:
        with transaction.atomic():
            schema = _prepare(city, fund_ids, parallel=True)
        try:
            run.execute(_jobs(city, schema))
        except BaseException:
            with transaction.atomic():
                marker_restore()
            raise
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT accounts_search_words_refresh()")
    return {("ledger_entries" if label == "ledger" else label): run.counts[label] for label in COUNTED}


def demo_city_loaded() -> bool:
    """Whether a city is in place (not an empty one, nor one a parallel load left half done)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NULL AND EXISTS (SELECT 1 FROM accounts_account)", [MARKER])
        return cursor.fetchone()[0]


def _prepare(city: City, fund_ids: dict[str, int], *, parallel: bool) -> Schema:
    """Empty the tables, strip their indexes and keys, write the plan. Inside the caller's
    transaction: for one worker the whole load's, for two its own."""
    with connection.cursor() as cursor:
        for sql in SESSION:
            cursor.execute(sql.format(local="LOCAL"))
        schema = schema_capture(cursor)
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        schema_strip(cursor, schema)
        if parallel:
            marker_save(cursor, schema)
            for sql in schema.autovacuum_pause():
                cursor.execute(sql)
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(SCRATCH)}")
        for sql in (
            plan_sql(city),
            "CREATE INDEX ON demo_city_plan (a)",
            "ANALYZE demo_city_plan",
            months_sql(city),
            "ANALYZE demo_city_month",
            slots_sql(fund_ids),
            "ANALYZE demo_city_slot",
        ):
            cursor.execute(sql)
    return schema


def _jobs(city: City, schema: Schema) -> list[Job]:
    """Every job, in the order a free worker should prefer them. The ledger is the long pole: its
    chunks first, then its foreign-key checks (one after another, each a scan of 100M rows) as
    soon as it is in, while the other worker loads the rest; the primary keys those checks need
    come right after their tables. The ledger's own indexes wait for its checks (each would block
    the other), its self-reference for its key."""
    chunks = [(lo, min(lo + CHUNK - 1, city.accounts)) for lo in range(1, city.accounts + 1, CHUNK)]
    loaders = {
        LEDGER: ("ledger", ledger_sql),
        "accounts_bill": ("bills", bills_sql),
        "accounts_customer": ("customers", holders_sql),
        "accounts_premise": ("premises", premises_sql),
        "accounts_service": ("services", services_sql),
    }
    load = {
        t: [Job(f"{t}#{lo}", label, (sql(city, lo, hi),)) for lo, hi in chunks]
        for t, (label, sql) in loaders.items()
    }
    load["accounts_customer"].append(Job("landlords", "customers", (landlords_sql(city),)))
    loaded = {t: frozenset(j.name for j in chunk_jobs) for t, chunk_jobs in load.items()}
    loaded["accounts_account"] = frozenset({"accounts"})
    # A balance is the sum of the account's entries: one aggregate, then the accounts in one go.
    balances = "CREATE UNLOGGED TABLE demo_city_balance AS SELECT account_id, sum(amount) AS balance"
    accounts = [
        Job("balances", "balances", (f"{balances} FROM {LEDGER} GROUP BY account_id",), loaded[LEDGER]),
        Job(
            "accounts",
            "accounts",
            (accounts_sql(city), "DROP TABLE demo_city_balance"),
            frozenset({"balances"}),
        ),
    ]
    indexes = [
        Job(f"index {i.name}", f"index {i.name}", (i.create,), loaded[i.table], frozenset({(i.table, True)}))
        for i in schema.indexes
    ]
    pkey = {i.table: f"index {i.name}" for i in schema.indexes if i.primary}
    checks = {}
    for fk in schema.fks:
        if fk.table in TABLES:
            needs = loaded[fk.table] | loaded.get(fk.references, frozenset())
            needs |= {pkey[fk.references]} if fk.references in pkey else frozenset()
            locks = frozenset({(fk.table, False), (fk.references, False)})
            steps = (fk.add_unchecked, fk.validate or "SELECT 1")
            checks[fk.name] = Job(f"fk {fk.name}", f"check {fk.table}", steps, needs, locks)
    into = [fk for fk in schema.fks if fk.table not in TABLES]  # other apps' tables, emptied by CASCADE
    steps = tuple(fk.add_unchecked for fk in into) + tuple(fk.validate for fk in into if fk.validate)
    into_job = Job(
        "fks into",
        "foreign keys",
        steps,
        frozenset(pkey.values()),
        frozenset((fk.references, False) for fk in into),
    )
    chain = [
        checks[fk.name]
        for fk in sorted(
            (fk for fk in schema.fks if fk.table == LEDGER and fk.references != LEDGER),
            key=lambda fk: (fk.references == "accounts_account", fk.references == "accounts_bill"),
        )
    ]
    on_ledger = [j for j in indexes if (LEDGER, True) in j.locks]
    jobs = [*load[LEDGER], *chain, *load["accounts_bill"]]
    jobs += [j for j in indexes if j.name in pkey.values() and j not in on_ledger]
    jobs += [*accounts, *load["accounts_customer"], *load["accounts_premise"], *load["accounts_service"]]
    jobs += [j for j in indexes if j.name not in pkey.values() and j not in on_ledger]
    jobs += [*on_ledger, *(j for j in checks.values() if j not in chain), into_job]
    for t in TABLES:  # statistics last: ANALYZE would block (and be blocked by) the builds and checks
        after = frozenset(
            j.name for j in [*indexes, *checks.values(), into_job] if {(t, True), (t, False)} & j.locks
        )
        jobs.append(Job(f"analyze {t}", "analyze", (f"ANALYZE {t}",), after, frozenset({(t, False)})))
    top = "(SELECT COALESCE(max(id), 0) + 1 FROM {})"
    sequences = tuple(
        f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), {top.format(t)}, false)" for t in TABLES
    )
    cleanup = (
        *sequences,
        *schema.autovacuum_restore(),
        f"DROP TABLE IF EXISTS {', '.join(SCRATCH)}, {MARKER}",
    )
    jobs.append(Job("finish", "finish", cleanup, frozenset(j.name for j in jobs)))
    return jobs


@dataclass
class _Run:
    report: Progress
    workers: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))
    started: float = field(default_factory=time.monotonic)
    cond: threading.Condition = field(default_factory=threading.Condition)
    pending: list[Job] = field(default_factory=list)
    running: dict[str, Job] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)
    failure: BaseException | None = None
    pids: list[int] = field(default_factory=list)

    def execute(self, jobs: list[Job]) -> None:
        self.pending = list(jobs)
        if self.workers <= 1:
            self._work(own_connection=False)
            return
        threads = [
            threading.Thread(target=self._work, args=(True,), daemon=True) for _ in range(self.workers)
        ]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        except BaseException as exc:  # Ctrl-C: stop the workers before the caller repairs
            with self.cond:
                self.failure = self.failure or exc
                self.cond.notify_all()
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_cancel_backend(pid) FROM unnest(%s::int[]) pid", [self.pids])
            for thread in threads:
                thread.join()
            raise
        if self.failure:
            raise self.failure

    def _work(self, own_connection: bool) -> None:
        try:
            if own_connection:
                with connection.cursor() as cursor:
                    for sql in SESSION:
                        cursor.execute(sql.format(local=""))
                    cursor.execute("SELECT pg_backend_pid()")
                    self.pids.append(cursor.fetchone()[0])
            while job := self._next():
                self._run(job)
                with self.cond:
                    del self.running[job.name]
                    self.done.add(job.name)
                    self.cond.notify_all()
        except BaseException as exc:
            with self.cond:
                if self.failure is None:
                    self.failure = exc
                    self._cancel_others()
                self.cond.notify_all()
            if not own_connection:
                raise
        finally:
            if own_connection:
                connections.close_all()  # this thread's connection

    def _next(self) -> Job | None:
        with self.cond:
            while self.pending and self.failure is None:
                held = [lock for job in self.running.values() for lock in job.locks]
                for job in self.pending:
                    if job.after <= self.done and not any(
                        t == t2 and not (shared and shared2)
                        for t, shared in job.locks
                        for t2, shared2 in held
                    ):
                        self.pending.remove(job)
                        self.running[job.name] = job
                        return job
                if not self.running:
                    raise RuntimeError(f"demo city jobs wait on each other: {[j.name for j in self.pending]}")
                self.cond.wait()
            return None

    def _run(self, job: Job) -> None:
        rows = 0
        with connection.cursor() as cursor:
            for sql in job.statements:
                cursor.execute(sql)
                rows += max(cursor.rowcount, 0)
        with self.cond:
            if job.label in self.counts:
                self.counts[job.label] += rows
                rows = self.counts[job.label]
            else:
                rows = 0
            self.report(job.label, rows, time.monotonic() - self.started)

    def _cancel_others(self) -> None:
        """Stop what the other workers are running (this thread's connection still works: each
        job is its own transaction)."""
        if self.workers <= 1:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_cancel_backend(pid) FROM unnest(%s::int[]) pid WHERE pid <> pg_backend_pid()",
                [self.pids],
            )
