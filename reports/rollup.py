"""The roll-up: each registered metric's facts, joined to account dimensions, into DailyFigure,
and those summed per account dimension into DailyTotal (what most pages read).

Set-based: one INSERT ... SELECT per metric (per day for snapshots), after a DELETE of that
metric's rows for the days recomputed, all in one transaction. Running it twice for the same
days leaves the same rows. Runs are serialized by an advisory lock: the 15-minute refresh of
today and the nightly run must not delete and insert the same day at once (each would insert
behind the other's delete and the day would be counted twice).
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from reports.dashboards import base
from reports.models import RollupRun

LOCK_KEY = 1_406_140  # pg_advisory_xact_lock key of the roll-up ("issue 14")

# Each account's dimensions as they are now: utilities it is served (all its services), class,
# service postal code, and an active low-income enrollment. Built once per run.
DIMS_SQL = """
CREATE TEMP TABLE reports_dims ON COMMIT DROP AS
SELECT a.id AS account_id, a.account_class, p.postal_code,
       COALESCE(u.utilities, '{}') AS utilities,
       EXISTS (SELECT 1 FROM counseling_programenrollment e
               WHERE e.account_id = a.id AND e.program = 'low_income' AND e.status = 'active') AS low_income
FROM accounts_account a
JOIN accounts_premise p ON p.id = a.premise_id
LEFT JOIN (SELECT account_id, array_agg(DISTINCT utility ORDER BY utility) AS utilities
           FROM accounts_service GROUP BY account_id) u ON u.account_id = a.id
"""

INSERT_SQL = """
INSERT INTO reports_dailyfigure
    (day, metric, key, utilities, account_class, postal_code, low_income, employee_id, count, amount)
SELECT f.day, %(metric)s, f.key, COALESCE(d.utilities, '{{}}'), COALESCE(d.account_class, ''),
       COALESCE(d.postal_code, ''), COALESCE(d.low_income, false), f.employee_id, SUM(f.n), SUM(f.amount)
FROM ({facts}) AS f(day, key, account_id, employee_id, n, amount)
LEFT JOIN reports_dims d ON d.account_id = f.account_id
WHERE d.account_id IS NOT NULL OR f.account_id IS NULL
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
"""
# A fact of a metric without an account (a drawer's count: account_id NULL) has no utility, class
# or ZIP code and is not a low-income household's: an account filter leaves it out, as
# Filters.base_q does for such a metric's records. A fact whose account has no dimensions row
# is dropped, as before.


SNAPSHOTS = ("all", "last", "none")

TOTALS_DELETE_SQL = "DELETE FROM reports_dailytotal WHERE metric = %s AND day BETWEEN %s AND %s"
TOTALS_SQL = """
INSERT INTO reports_dailytotal (day, metric, key, employee_id, dimension, value, count, amount)
SELECT f.day, f.metric, f.key, f.employee_id, d.dimension, d.value, SUM(f.count), SUM(f.amount)
FROM reports_dailyfigure f
CROSS JOIN LATERAL (
    SELECT '', '' UNION ALL SELECT 'class', f.account_class
    UNION ALL SELECT 'low_income', CASE WHEN f.low_income THEN 'true' ELSE 'false' END
    UNION ALL SELECT 'utility', u FROM unnest(f.utilities) AS u
) AS d(dimension, value)
WHERE f.metric = %s AND f.day BETWEEN %s AND %s
GROUP BY 1, 2, 3, 4, 5, 6
"""


def sum_totals(cursor, *, metric: str, first: date, last: date) -> None:
    """DailyTotal of one metric's days from its DailyFigure rows (after those were rewritten)."""
    cursor.execute(TOTALS_DELETE_SQL, [metric, first, last])
    cursor.execute(TOTALS_SQL, [metric, first, last])


@transaction.atomic(durable=True)
def rollup_days(*, first: date, last: date, snapshots: str = "all") -> RollupRun:
    """Recompute every metric for the days first..last (inclusive). A nightly snapshot metric
    (aging) is taken for every day ("all": a backfill), the last day only ("last": the nightly
    run; older days keep the snapshot taken on their night) or not at all ("none": the 15-minute
    refresh, which keeps the night's)."""
    assert snapshots in SNAPSHOTS, snapshots
    run = RollupRun.objects.create(first_day=first, last_day=last)
    params = {"first": first, "last": last, "tz": settings.TIME_ZONE}
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        # ON COMMIT DROP ends it in production; inside an outer transaction (tests, a caller's
        # atomic block) the durable block is a savepoint and the table would outlive it
        cursor.execute("DROP TABLE IF EXISTS pg_temp.reports_dims")
        cursor.execute(DIMS_SQL)
        cursor.execute("CREATE INDEX ON reports_dims (account_id)")
        cursor.execute("ANALYZE reports_dims")
        for metric in base.metrics():
            start = first
            if metric.nightly_snapshot and snapshots != "all":
                if snapshots == "none":
                    continue
                start = last
            cursor.execute(
                "DELETE FROM reports_dailyfigure WHERE metric = %s AND day BETWEEN %s AND %s",
                [metric.name, start, last],
            )
            sql = INSERT_SQL.format(facts=metric.facts_sql)
            days = [start + timedelta(days=i) for i in range((last - start).days + 1)]
            for day in days if metric.per_day else [None]:
                cursor.execute(sql, {**params, "metric": metric.name, "as_of": day})
                rows += cursor.rowcount
            sum_totals(cursor, metric=metric.name, first=start, last=last)
    run.rows, run.finished_at = rows, timezone.now()
    run.save(update_fields=["rows", "finished_at"])
    return run


def rollup_recent(*, days: int, today: date | None = None, snapshots: str = "all") -> RollupRun:
    today = today or timezone.localdate()
    return rollup_days(first=today - timedelta(days=days - 1), last=today, snapshots=snapshots)


def last_run() -> RollupRun | None:
    return RollupRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()


def rollup_backfill(*, first: date, last: date) -> list[RollupRun]:
    """Every day first..last with its aging snapshot, one transaction a month: a year's backfill
    does not hold the roll-up lock (and the 15-minute refresh behind it) for its whole length."""
    runs = []
    cursor = first
    while cursor <= last:
        end = min(cursor + timedelta(days=30), last)
        runs.append(rollup_days(first=cursor, last=end))
        cursor = end + timedelta(days=1)
    return runs
