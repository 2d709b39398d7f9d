"""Nightly late fees (rules.md §1.2): one set-based pass per business date.

Three statements in one transaction:
1. find the accounts that owe a late fee tonight (the policy's statement, `late_fee_sql.build`);
2. row-lock those accounts in id order (FOR NO KEY UPDATE), exactly as `accounts_lock` does;
3. recompute the fees for the locked accounts only, INSERT ... SELECT the ledger entries,
   UPDATE ... FROM the accounts' balances by the inserted sums, and INSERT ... SELECT one stored
   PolicyDecision per inserted fee (`late_fee_reasons.decisions_cte`: the engine's reason and
   citation, the run's policy version), in one statement.

Why concurrent postings are safe: every writer of the ledger (payments, adjustments, transfers,
bill import, fees) takes the same account row lock before it reads or posts, in id order. Once
step 2 holds the locks nobody else can post to these accounts until we commit, and step 3 is a
new statement, so under READ COMMITTED it sees every payment committed while we waited: the fee
is computed from the balance it is added to, and `balance == sum(entries)` holds for both. A
payment that arrives later waits for our commit and then reads the balance with the fee in it.
Locking in id order, like everyone else, means no deadlock with multi-account payments. An
account that becomes due between steps 1 and 3 is simply caught the next night (its bill stays
in the window, unassessed).

Idempotent per business date (the BatchRun row is locked and a finished run is returned as is)
and per bill (the entry's idempotency key; ON CONFLICT DO NOTHING as the last line of defence).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Bill, EntryKind, LedgerEntry
from collections_app.models import BatchRun, RunKind, RunStatus
from collections_app.services import late_fee_sql
from collections_app.services.charges import FEE_FUND, fund_id
from collections_app.services.late_fee_reasons import decisions_cte
from common.audit import audit_record, audit_record_many
from policy.models import WeatherDay
from policy.selectors import current_policy
from policy_engine.facts import WeatherFact

# The accounts owing a fee tonight go to a temporary table the next two statements join (a
# 200,000-element array parameter would be parsed and planned as a literal).
FIND = (
    "DROP TABLE IF EXISTS late_fee_accounts",
    "CREATE TEMP TABLE late_fee_accounts ON COMMIT DROP AS {sql} SELECT DISTINCT account_id FROM calc",
    "ANALYZE late_fee_accounts",
)
LOCK = """SELECT a.id FROM accounts_account a WHERE a.id IN (SELECT account_id FROM late_fee_accounts)
ORDER BY a.id FOR NO KEY UPDATE OF a"""
APPLY = """,
ins AS (
    INSERT INTO accounts_ledgerentry
        (account_id, fund_id, kind, amount, is_debit, effective_date, due_date, bill_id, reference,
         created_by_id, created_at, idempotency_key)
    SELECT account_id, %(fund)s, 'late_fee', fee, true, %(as_of)s, %(as_of)s, bill_id,
           'LATE FEE BILL ' || number, %(actor)s, now(), 'late_fee:bill:' || bill_id || ':0'
    FROM calc WHERE fee > 0
    ORDER BY account_id, bill_id
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id, account_id, amount, bill_id
),
moved AS (
    -- in account id order: the rows and their index entries are visited in the order they lie
    UPDATE accounts_account a SET balance = a.balance + s.total
    FROM (SELECT account_id, SUM(amount) AS total FROM ins GROUP BY account_id ORDER BY account_id) s
    WHERE a.id = s.account_id
    RETURNING a.id
){decisions}
-- No join of ins with calc here: both are CTEs the planner guesses at one row each, so it nested-
-- looped them (12,532 x 12,532 comparisons, 20 s at a million accounts). The bill's number and
-- past-due amount come back once per bill and are matched to the fees in Python.
SELECT 'fee', ins.id, ins.account_id, ins.amount, ins.bill_id, NULL, NULL FROM ins
UNION ALL
SELECT CASE WHEN waived THEN 'waived' ELSE 'bill' END, NULL, account_id, NULL, bill_id, number, past_due
FROM calc
"""
ACCOUNT_FILTER = "AND b.account_id IN (SELECT account_id FROM late_fee_accounts)"
# A nightly batch over a month of bills: sort in memory, and skip JIT (it compiles for ~1 s to
# save nothing on a plan that is mostly scans and one sort).
SESSION_SETTINGS = ("SET LOCAL work_mem = '256MB'", "SET LOCAL jit = off")


def _weather(business_date: date) -> list[WeatherFact]:
    window = (
        business_date - timedelta(days=late_fee_sql.LOOKBACK_DAYS + 40),
        business_date + timedelta(days=5),
    )
    rows = WeatherDay.objects.filter(date__range=window).values_list(
        "date", "high_f", "low_f", "heat_advisory", "winter_advisory"
    )
    return [WeatherFact(d, hi, lo, heat, winter) for d, hi, lo, heat, winter in rows]


def _rows(sql: str, params: dict) -> list[tuple]:  # type: ignore[type-arg]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _execute(sql: str, params: dict) -> None:  # type: ignore[type-arg]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _rows_none(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


@transaction.atomic(durable=True)
def late_fees_run(*, business_date: date | None = None, actor=None) -> BatchRun:  # type: ignore[no-untyped-def]
    day = business_date or timezone.localdate()
    policy, version = current_policy()
    run, _ = BatchRun.objects.select_for_update().get_or_create(
        kind=RunKind.LATE_FEES,
        business_date=day,
        defaults={
            "policy_version": version,
            "started_by": actor if actor and actor.is_authenticated else None,
        },
    )
    if run.status == RunStatus.FINISHED:
        return run  # a second run for the date changes nothing
    plan = late_fee_sql.build(policy, as_of=day, weather=_weather(day))
    counts: dict[str, object] = {"fees": 0, "amount": "0.00", "waived": 0, "accounts": 0}
    if plan.suspended_today:
        counts["suspended"] = "A moratorium suspends late fees today (weather.late_fees_during_moratorium)."
    else:
        params = {
            **plan.params,
            "fund": fund_id(FEE_FUND),
            "actor": getattr(actor, "pk", None),
            "version": version.pk,
        }
        for setting in SESSION_SETTINGS:
            _rows_none(setting)
        drop, create, analyze = FIND
        _rows_none(drop)
        _execute(create.format(sql=plan.sql.replace("{account_filter}", "")), params)
        _rows_none(analyze)
        ids = [r[0] for r in _rows(LOCK, params)]
        if ids:
            apply = APPLY.replace("{decisions}", decisions_cte(policy, plan.layer_fees, day))
            rows = applied_rows(_rows(plan.sql.replace("{account_filter}", ACCOUNT_FILTER) + apply, params))
            _audit(rows, actor=actor, day=day)
            fees = [r for r in rows if r[0] == "fee"]
            counts.update(
                fees=len(fees),
                amount=str(sum((r[3] for r in fees), Decimal("0.00"))),
                waived=sum(1 for r in rows if r[0] == "waived"),
                accounts=len({r[2] for r in fees}),
            )
        run.total = run.done = len(ids)
    if plan.suspended_days:
        counts["bills_skipped_moratorium_days"] = [d.isoformat() for d in plan.suspended_days]
    run.counts, run.status, run.finished_at = counts, RunStatus.FINISHED, timezone.now()
    run.policy_version = version
    run.save()
    audit_record(
        actor=actor,
        verb="late_fees.run",
        target=run,
        data={k: v for k, v in counts.items() if k != "suspended"},
    )
    return run


def applied_rows(rows: list[tuple]) -> list[tuple]:  # type: ignore[type-arg]
    """APPLY's rows as (kind, entry id, account, amount, bill, bill number, past due), kind 'fee'
    or 'waived': each fee gets its bill's number and past-due amount from the bill's own row."""
    bills = {r[4]: r[5:] for r in rows if r[0] != "fee"}
    return [r[:5] + bills[r[4]] if r[0] == "fee" else r for r in rows if r[0] != "bill"]


def _audit(rows: list[tuple], *, actor, day: date) -> None:  # type: ignore[no-untyped-def,type-arg]
    """One audit row per fee and per waiver used, in bulk INSERTs."""
    fees = [
        (
            LedgerEntry(pk=entry_id, kind=EntryKind.LATE_FEE, amount=amount, effective_date=day),
            account_id,
            {"amount": str(amount), "bill": number, "past_due": str(past_due)},
        )
        for kind, entry_id, account_id, amount, _bill_id, number, past_due in rows
        if kind == "fee"
    ]
    audit_record_many(actor=actor, verb="charge.late_fee", items=fees)
    # the SB 998 waiver is once every N months: its audit row is the record the next run reads
    waived = [
        (Bill(pk=bill_id, number=number), account_id, {"on": day.isoformat(), "past_due": str(past_due)})
        for kind, _e, account_id, _a, bill_id, number, past_due in rows
        if kind == "waived"
    ]
    audit_record_many(actor=actor, verb="late_fee.waived", items=waived)
