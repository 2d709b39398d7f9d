"""Demo city SQL for the money: accounts, services, bills and the ledger.

Charges are a pure function of (seed, account, month, fund), so the bills' totals and the
ledger's charge lines are computed by the same expression in two statements and always agree.
Payments mirror charges one to one (a payment distributed across the bill's funds):

- good payers pay each bill in full before it is due;
- late payers pay 18-87 days after the bill, and some months pay half and the rest with the
  next bill's payment (so they are 30-90 days behind at times);
- delinquent payers stopped paying 3-8 months ago (balances in the hundreds, some services
  disconnected or on a low-flow device);
- credit accounts pay on the bill date and once paid more than was owed (a credit balance);
- final-billed accounts left their last 1-3 bills unpaid; closed accounts paid everything.
"""

# ruff: noqa: S608 -- SQL assembled from this code's own constants and integers, never from input

from accounts.demo_city_sql import FUND_CODES, UTILITIES, City, bill_date_sql

LEDGER_IDS_PER_MONTH = 16  # 7 funds x (charge, payment), spare room for more funds
# A month's charge per fund, in dollars: (base + amp * (1 + seasonal * season) * (low + spread * u))
# times the account's size (or its bin count for flat fees). `season` is +1 in July (the Phoenix
# summer peak of water and electricity), -1 in January (the gas peak); u is the month's usage draw.
TARIFF = (  # slot: base, amp, seasonal, low, spread, flat
    (19.5, 38, 0.45, 0.6, 0.8, False),  # water
    (16, 24, 0, 0.7, 0.6, False),  # sewer (winter-averaged, so not seasonal)
    (28.5, 0, 0, 0, 0, True),  # solid waste, per container
    (15, 110, 0.6, 0.6, 0.8, False),  # electric
    (11, 45, -0.6, 0.6, 0.8, False),  # gas
    (4.25, 0, 0, 0, 0, True),  # stormwater
    (8, 40, 0.8, 0.5, 1.0, False),  # irrigation
)


def slots_sql(fund_ids: dict[str, int]) -> str:
    """`demo_city_slot`: for each services mask (a bit per fund), the ledger lines of a month: a
    charge per fund, and a payment per fund when the month is paid."""
    funds = ",".join(f"({slot}, {fund_ids[code]})" for slot, code in enumerate(FUND_CODES))
    return f"""CREATE UNLOGGED TABLE demo_city_slot AS
SELECT svc, f.slot, f.fund_id, p.pay, p.kind::varchar(20), p.reference::varchar(60)
FROM generate_series(1, {2 ** len(TARIFF) - 1}) svc CROSS JOIN (VALUES {funds}) f(slot, fund_id)
CROSS JOIN (VALUES (0, 'charge', ''), (1, 'payment', 'DEMO-PAY')) p(pay, kind, reference)
WHERE svc & (1 << slot) <> 0"""


def _cents(c: City, slot: int, month: str, season: str) -> str:
    """The charge in cents for fund `slot` in account month `month` (integer cents: float to
    numeric rounding would cost a microsecond a row at this volume)."""
    base, amp, seasonal, low, spread, flat = TARIFF[slot]
    size = "s.flat" if flat else "s.scale"
    if not amp:
        return f"(100 * {base} * {size})::bigint"
    v = c.rnd(f"((s.a * 256 + {month}) * 8 + {slot})", "usage")
    return (
        f"(100 * ({base} + {amp} * (1 + {seasonal} * {season}) * ({low} + {spread} * {v})) * {size})::bigint"
    )


def months_sql(c: City) -> str:
    """`demo_city_month`: per bill cycle and account month, the bill's dates and season. Every
    account of a cycle shares them, so they are computed 20 x months times, not per bill."""
    local = f"AT TIME ZONE '{c.time_zone}'"
    return f"""CREATE UNLOGGED TABLE demo_city_month AS
SELECT cy AS cycle, m, bd, bd + 21 AS due, (bd + time '06:00') {local} AS billed_at,
    (bd + time '12:00') {local} AS noon_at, mi / 12 * 100 + mi % 12 + 1 AS yyyymm,
    cos(pi() / 6 * (mi % 12 - 6)) AS season, cos(pi() / 6 * ((mi + 11) % 12 - 6)) AS season_prev
FROM generate_series(1, 20) cy CROSS JOIN generate_series(0, {c.months - 1}) m
CROSS JOIN LATERAL (SELECT {c.today_month} - (CASE WHEN {c.today.day} >= cy THEN 0 ELSE 1 END)
                           - {c.months - 1} + m AS mi) x
CROSS JOIN LATERAL (SELECT {bill_date_sql("mi", "cy")} AS bd) y;
CREATE INDEX ON demo_city_month (cycle, m)"""


def _months(c: City) -> str:
    """One row per billed month of account `s`: its dates, its charge per fund in cents (c0..c6,
    NULL for funds the account lacks) and in dollars (n0..n6), and when (and whether) it was
    paid. Bills sum the c's, the ledger writes the n's: one expression, so a bill's total is the
    sum of its lines. Converting to numeric once a month, not once a line, saves a third of the
    ledger's CPU."""
    key = "(s.a * 256 + mo.m)"
    lag = f"(s.lag_base + {c.rint(key, 'lag jitter', 's.lag_jit')}::int)"
    part = f"s.beh = 'late' AND {c.rint(key, 'partial', 100)} < 25"
    part_prev = f"s.beh = 'late' AND mo.m > s.m_first AND {c.rint(f'({key} - 1)', 'partial', 100)} < 25"
    slots = range(len(TARIFF))
    charges = ", ".join(
        f"CASE WHEN s.svc & {1 << i} <> 0 THEN {_cents(c, i, 'mo.m', 'mo.season')} END AS c{i}" for i in slots
    )
    # the previous month's charges, only where a half-paid month is carried into this payment
    carried = ", ".join(
        f"CASE WHEN s.svc & {1 << i} <> 0 AND {part_prev} "
        f"THEN {_cents(c, i, '(mo.m - 1)', 'mo.season_prev')} END AS p{i}"
        for i in slots
    )
    return f"""SELECT y.*, {", ".join(f"y.c{i} * 0.01 AS n{i}" for i in slots)},
        NOT y.part AND NOT y.part_prev AND y.m <> s.m_credit AS plain
    FROM (
        SELECT mo.m, mo.bd, mo.due, mo.billed_at, mo.yyyymm, {charges}, {carried},
            mo.bd + {lag} AS paid_on, mo.noon_at + {lag} * interval '1 day' AS paid_at,
            mo.m <= s.m_paid_last AND mo.bd + {lag} <= '{c.today}'::date AS paid,
            {part} AS part, {part_prev} AS part_prev
        FROM demo_city_month mo WHERE mo.cycle = s.cycle AND mo.m BETWEEN s.m_first AND s.m_end
        OFFSET 0) y
    OFFSET 0"""


def _pick(prefix: str) -> str:
    return "CASE sl.slot " + " ".join(f"WHEN {i} THEN mm.{prefix}{i}" for i in range(len(TARIFF))) + " END"


def bills_sql(c: City, lo: int, hi: int) -> str:
    total = " + ".join(f"COALESCE(mm.c{slot}, 0)" for slot in range(len(TARIFF)))
    return f"""INSERT INTO accounts_bill
    (id, number, period_start, period_end, bill_date, due_date, total, is_final, account_id, bill_import_id)
SELECT (s.a - 1) * {c.months} + mm.m + 1, 'B' || s.a || mm.yyyymm,
    GREATEST(s.opened_on, (mm.bd - interval '1 month')::date), mm.bd - 1, mm.bd, mm.due, ({total}) * 0.01,
    s.status = 'final' AND mm.m = s.m_end, s.a, NULL
FROM demo_city_plan s CROSS JOIN LATERAL ({_months(c)}) mm
WHERE s.a BETWEEN {lo} AND {hi}"""


def ledger_sql(c: City, lo: int, hi: int) -> str:
    """Charges and payments, in (account, month) order so one account's entries sit together on
    disk. Each entry's id is fixed by its position (account, month, fund, charge or payment).
    Most payments are the month's charges, negated; the others are computed in cents."""
    cents = _pick("c")
    # A half-paid month is settled by the next month's payment: it carries the other half.
    paid = f"""(CASE WHEN mm.part THEN {cents} - {cents} / 2 ELSE {cents} END
        + COALESCE({_pick("p")} / 2, 0)
        + CASE WHEN sl.slot = 0 AND mm.m = s.m_credit THEN s.credit_cents ELSE 0 END)"""
    return f"""INSERT INTO accounts_ledgerentry
    (id, account_id, fund_id, kind, amount, is_debit, effective_date, due_date, bill_id, reference,
     created_at, idempotency_key, created_by_id, reversal_of_id)
SELECT ((s.a - 1) * {c.months} + mm.m) * {LEDGER_IDS_PER_MONTH} + sl.slot * 2 + sl.pay + 1, s.a, sl.fund_id,
    sl.kind,
    CASE WHEN sl.pay = 0 THEN {_pick("n")} WHEN mm.plain THEN -{_pick("n")} ELSE -{paid} * 0.01 END,
    sl.pay = 0,
    CASE WHEN sl.pay = 0 THEN mm.bd ELSE mm.paid_on END,
    CASE WHEN sl.pay = 0 THEN mm.due END,
    CASE WHEN sl.pay = 0 THEN (s.a - 1) * {c.months} + mm.m + 1 END,
    sl.reference,
    CASE WHEN sl.pay = 0 THEN mm.billed_at ELSE mm.paid_at END,
    NULL, NULL, NULL
FROM demo_city_plan s
CROSS JOIN LATERAL ({_months(c)}) mm
JOIN demo_city_slot sl ON sl.svc = s.svc AND (sl.pay = 0 OR mm.paid)
WHERE s.a BETWEEN {lo} AND {hi}"""


def services_sql(c: City, lo: int, hi: int) -> str:
    utilities = "ARRAY[" + ",".join(f"'{u}'" for u in UTILITIES) + "]"
    meter = "(ARRAY['W','','','E','G','','I'])"  # metered utilities carry a meter number
    return f"""INSERT INTO accounts_service
    (id, account_id, utility, status, started_on, ended_on, meter_number)
SELECT (s.a - 1) * 8 + f + 1, s.a, ({utilities})[f + 1],
    CASE WHEN s.status <> 'active' THEN 'final'
         WHEN f = 0 THEN s.water_state
         WHEN f IN (3, 4) AND s.water_state = 'disconnected' THEN 'disconnected'
         ELSE 'connected' END,
    s.opened_on, s.closed_on,
    CASE WHEN {meter}[f + 1] <> ''
         THEN {meter}[f + 1] || lpad({c.rint("(s.premise_id * 8 + f)", "meter", 100000000)}::text, 8, '0')
         ELSE '' END
FROM demo_city_plan s CROSS JOIN LATERAL unnest(s.slots) f
WHERE s.a BETWEEN {lo} AND {hi}"""


def accounts_sql(c: City) -> str:
    """Accounts go in last, each with the sum of its ledger entries (`demo_city_balance`) as its
    balance: no second version of every account row, as an UPDATE would leave."""
    r, ri = c.rnd, c.rint
    return f"""INSERT INTO accounts_account
    (id, number, customer_id, premise_id, account_class, status, bill_cycle, due_day, opened_on, closed_on,
     final_bill_requested_on, occupancy, cash_only_until, credit_rating, balance)
SELECT s.a, lpad(s.a::text, 10, '0'), s.cust_id, s.premise_id, s.klass, s.status, s.cycle, NULL,
    s.opened_on, s.closed_on,
    CASE WHEN s.closed_on IS NOT NULL
         THEN GREATEST(s.opened_on, s.closed_on - (3 + {ri("s.a", "final requested", 12)})::int) END,
    CASE WHEN s.master OR NOT s.rental THEN 'owner' ELSE 'tenant' END,
    CASE WHEN s.beh IN ('late', 'delinquent') AND {r("s.a", "cash only")} < 0.08
         THEN '{c.today}'::date + (30 + {ri("s.a", "cash only days", 330)})::int END,
    CASE WHEN s.opened_on > '{c.today}'::date - 365 THEN 'new'
         WHEN s.beh IN ('late', 'final') THEN 'fair' WHEN s.beh = 'delinquent' THEN 'poor' ELSE 'good' END,
    COALESCE(b.balance, 0)
FROM demo_city_plan s
LEFT JOIN demo_city_balance b ON b.account_id = s.a"""
