"""The statements behind `facts_for_accounts`: one per kind of fact, each over `account_id =
ANY(ids)` and dated as of the evaluation date (see facts.py)."""

# Which live service a disconnection acts on, in order of preference (water first: a city water
# utility's shutoff is the water meter; sewer and solid waste follow it).
UTILITY_ORDER = ("water", "electric", "gas", "sewer", "solid_waste", "irrigation", "stormwater")
# What a field crew can actually turn off or restrict. Sewer, solid waste and stormwater are billed
# but not shut off at the premises (a sewer lateral has no valve; trash pickup is a health
# service), fire service never is, and a hydrant meter is a construction rental, not a household
# service. An account whose water is already off is not put on the list again to "disconnect"
# its sewer: there is nothing left for a crew to do there.
DISCONNECTABLE = ("water", "electric", "gas", "irrigation")
SERVICE_STATES = ("connected", "low_flow", "disconnected")
SERVICE_PARAMS = {
    "disconnectable": list(DISCONNECTABLE),
    "service_states": list(SERVICE_STATES),
    "utility_order": list(UTILITY_ORDER),
}
# facts._service in SQL, for statements over many accounts (`a` is the account): `{col}` is
# SERVICE_UTILITY or SERVICE_STATE. Unknown states and utilities sort last (NULL positions).
SERVICE_PICK_SQL = """(SELECT {col} FROM accounts_service s WHERE s.account_id = a.id AND s.ended_on IS NULL
    ORDER BY s.utility = ANY(%(disconnectable)s::varchar[]) DESC,
             CASE WHEN s.utility = ANY(%(disconnectable)s::varchar[])
                  THEN array_position(%(service_states)s::varchar[], s.status::varchar) END,
             array_position(%(disconnectable)s::varchar[], s.utility::varchar),
             array_position(%(utility_order)s::varchar[], s.utility::varchar), s.id
    LIMIT 1)"""
SERVICE_UTILITY = "s.utility"
SERVICE_STATE = (
    "CASE WHEN s.utility = ANY(%(disconnectable)s::varchar[]) THEN s.status ELSE 'not_disconnectable' END"
)

ACCOUNTS_SQL = """
SELECT a.id, a.number, a.account_class, a.status, a.occupancy, a.customer_id, c.life_support,
       p.owner_id,
       p.parent_id IS NOT NULL, EXISTS (SELECT 1 FROM accounts_premise u WHERE u.parent_id = p.id),
       CASE WHEN a.status <> 'active' THEN COALESCE(
           (SELECT max(b.bill_date) FROM accounts_bill b
             WHERE b.account_id = a.id AND b.is_final AND b.bill_date <= %(as_of)s),
           a.final_bill_requested_on, a.closed_on,
           (SELECT max(b.bill_date) FROM accounts_bill b WHERE b.account_id = a.id), a.opened_on) END,
       ARRAY(SELECT s.utility || ':' || s.status FROM accounts_service s
              WHERE s.account_id = a.id AND s.ended_on IS NULL ORDER BY s.id),
       a.opened_on,
       (SELECT max(r.referred_on) FROM collections_app_agencyreferral r
         WHERE r.account_id = a.id AND r.status = 'referred' AND r.referred_on <= %(as_of)s)
FROM accounts_account a
JOIN accounts_customer c ON c.id = a.customer_id
JOIN accounts_premise p ON p.id = a.premise_id
WHERE a.id = ANY(%(ids)s::bigint[])
"""

# One row per account (bill columns null when nothing qualifies) or per (account, due date).
# The ledger is read one account at a time through its (account, date) index (LATERAL): given a
# list of ids, the planner's row estimate for `account_id = ANY(...)` on a 100M-row table is far
# too high and it would rather scan the whole table.
# History older than `since` (the 400 days a decision looks back) is folded before the windows
# run, which is most of what they cost: its days become one balance-forward row of the running
# balance (`byday`; the 12-month late count starts after it), and its bills drop out of the
# open-items replay when the account's credits cover them all (`old`), the credits they took
# subtracted from the pool. Bills are settled oldest first, so the rest then replay exactly as
# over the whole ledger; an account whose credits do not cover its old bills keeps them all.
LEDGER_SQL = """
WITH e AS MATERIALIZED (
    SELECT le.account_id, le.fund_id, le.kind, le.amount, le.is_debit, le.effective_date,
           CASE WHEN le.is_debit THEN COALESCE(le.due_date, le.effective_date) ELSE le.effective_date END AS d
    FROM unnest(%(ids)s::bigint[]) AS x(id)
    CROSS JOIN LATERAL (
        SELECT * FROM accounts_ledgerentry l WHERE l.account_id = x.id AND l.effective_date <= %(as_of)s
    ) le
),
pool AS (SELECT account_id, -SUM(amount) AS credit FROM e WHERE NOT is_debit GROUP BY account_id),
debits AS (
    SELECT account_id, fund_id, d, SUM(amount) AS amt, MIN(effective_date) AS billed
    FROM e WHERE is_debit GROUP BY account_id, fund_id, d HAVING SUM(amount) > 0
),
old AS (
    SELECT d.account_id, SUM(d.amt) AS settled FROM debits d LEFT JOIN pool p ON p.account_id = d.account_id
    WHERE d.d <= %(since)s GROUP BY d.account_id, p.credit HAVING SUM(d.amt) <= COALESCE(p.credit, 0)
),
ordered AS (
    SELECT d.account_id, d.d, d.amt, d.billed, COALESCE(p.credit, 0) - COALESCE(o.settled, 0) AS credit,
           SUM(d.amt) OVER (PARTITION BY d.account_id ORDER BY d.d, f.priority, d.fund_id
                            ROWS UNBOUNDED PRECEDING) AS cum
    FROM debits d JOIN accounts_fund f ON f.id = d.fund_id
    LEFT JOIN pool p ON p.account_id = d.account_id
    LEFT JOIN old o ON o.account_id = d.account_id
    WHERE d.d > %(since)s OR o.account_id IS NULL
),
items AS (
    SELECT account_id, d, SUM(amt) AS amount, MIN(billed) AS billed,
           SUM(GREATEST(LEAST(amt, cum - credit), 0)) AS unpaid
    FROM ordered GROUP BY account_id, d
),
byday AS (
    SELECT account_id, d, SUM(amount) AS amt, bool_or(is_debit AND kind = 'charge') AS charge_due
    FROM e WHERE d > %(since)s GROUP BY 1, 2
    UNION ALL
    SELECT account_id, %(since)s, SUM(amount), false FROM e WHERE d <= %(since)s GROUP BY 1
),
run AS (
    SELECT account_id, d, charge_due, amt, SUM(amt) OVER (PARTITION BY account_id ORDER BY d) AS owed
    FROM byday
),
acct AS (
    SELECT account_id, SUM(amt) AS balance,
           COUNT(*) FILTER (WHERE charge_due AND owed > 0 AND d < %(as_of)s AND d >= %(year_ago)s) AS late_12m
    FROM run GROUP BY account_id
),
fees AS (
    SELECT account_id, array_agg(effective_date ORDER BY effective_date) AS late_fee_dates
    FROM e WHERE kind = 'late_fee' AND amount > 0 GROUP BY account_id
),
bl AS (
    SELECT account_id, due_date, MIN(bill_date) AS bill_date, bool_or(is_final) AS is_final
    FROM accounts_bill WHERE account_id = ANY(%(ids)s::bigint[]) AND bill_date <= %(as_of)s
    GROUP BY account_id, due_date
)
SELECT acct.account_id, acct.balance, acct.late_12m, fees.late_fee_dates,
       i.d, i.amount, i.unpaid, COALESCE(bl.bill_date, i.billed), COALESCE(bl.is_final, false)
FROM acct
LEFT JOIN fees ON fees.account_id = acct.account_id
LEFT JOIN items i ON i.account_id = acct.account_id AND (i.unpaid > 0 OR i.d > %(since)s)
LEFT JOIN bl ON bl.account_id = i.account_id AND bl.due_date = i.d
ORDER BY acct.account_id, i.d
"""

# Payments taken through cashiering, and the ledger-only payment history the demo loader writes
# without payment rows, one per account, day and reference. A payment a returned item took back
# (all of it, or a split tender's check) is one returned fact per return for the part it took,
# and one paid fact for what still stands. A payment's time of day (due-date cutoffs: TX 5 p.m.)
# is when it was received (the API's or the lockbox file's time), else when it was posted, and only
# if that falls on its business date: a file posted the day after its paid_on is on time for its day.
PAYMENTS_SQL = """
SELECT p.account_id, p.business_date, p.amount - p.returned_amount, NULL::date, p.created_at, p.id,
       CASE WHEN (COALESCE(p.received_at, p.created_at) AT TIME ZONE %(tz)s)::date = p.business_date
            THEN date_trunc('second', COALESCE(p.received_at, p.created_at) AT TIME ZONE %(tz)s)::time END
FROM payments_payment p
WHERE p.account_id = ANY(%(ids)s::bigint[]) AND p.status IN ('posted', 'part_returned')
  AND p.amount > p.returned_amount AND p.business_date BETWEEN %(since)s AND %(as_of)s
UNION ALL
SELECT p.account_id, p.business_date, rl.amount, r.returned_on, p.created_at, p.id,
       CASE WHEN (COALESCE(p.received_at, p.created_at) AT TIME ZONE %(tz)s)::date = p.business_date
            THEN date_trunc('second', COALESCE(p.received_at, p.created_at) AT TIME ZONE %(tz)s)::time END
FROM payments_payment p
JOIN payments_returnedline rl ON rl.payment_id = p.id
JOIN payments_returneditem r ON r.id = rl.item_id
WHERE p.account_id = ANY(%(ids)s::bigint[]) AND p.status IN ('returned', 'part_returned')
  AND p.business_date BETWEEN %(since)s AND %(as_of)s
UNION ALL
SELECT le.account_id, le.effective_date, -SUM(le.amount), NULL, NULL, NULL, NULL
FROM unnest(%(ids)s::bigint[]) AS x(id)
CROSS JOIN LATERAL (
    SELECT * FROM accounts_ledgerentry l
    WHERE l.account_id = x.id AND l.effective_date BETWEEN %(since)s AND %(as_of)s
) le
WHERE le.kind = 'payment'
  AND NOT EXISTS (SELECT 1 FROM payments_paymentdistribution pd WHERE pd.entry_id = le.id)
GROUP BY le.account_id, le.effective_date, le.reference
-- the order they were received: two payments of one day stay in order (the later one is the one
-- that restored service), whatever order the union's parts come back in
ORDER BY 1, 2, 5 NULLS FIRST, 6 NULLS FIRST
"""

NOTICES_SQL = """
SELECT account_id, kind, sent_on, method, earliest_action FROM collections_app_notice
WHERE account_id = ANY(%(ids)s::bigint[]) AND sent_on IS NOT NULL AND NOT voided
  AND sent_on BETWEEN %(since)s AND %(as_of)s
ORDER BY account_id, sent_on, id
"""

CONTACTS_SQL = """
SELECT account_id, (at AT TIME ZONE %(tz)s)::date, method, reached FROM collections_app_contactattempt
WHERE account_id = ANY(%(ids)s::bigint[]) AND at >= %(since_at)s AND at < %(until_at)s
ORDER BY account_id, at
"""

MEDICAL_SQL = """
SELECT account_id, received_on, valid_until, renewal, financially_unable, willing_to_plan
FROM collections_app_medicalcertificate
WHERE account_id = ANY(%(ids)s::bigint[]) AND received_on BETWEEN %(since)s AND %(as_of)s
ORDER BY account_id, received_on, id
"""

PLEDGES_SQL = """
SELECT account_id, amount, pledged_on, expected_by, status, paid_amount, period_start, period_end
FROM counseling_pledge
WHERE account_id = ANY(%(ids)s::bigint[]) AND pledged_on <= %(as_of)s
  AND (status = 'pending' OR pledged_on >= %(since)s)
ORDER BY account_id, pledged_on, id
"""

ARRANGEMENTS_SQL = """
SELECT a.account_id, a.id, (a.created_at AT TIME ZONE %(tz)s)::date, a.months, a.total, a.down_payment,
       a.status, a.ended_on, i.due_date, i.amount, i.paid_amount, i.paid_on
FROM counseling_arrangement a
LEFT JOIN counseling_installment i ON i.arrangement_id = a.id
WHERE a.account_id = ANY(%(ids)s::bigint[]) AND a.created_at < %(until_at)s
  AND (a.status IN ('active', 'pending_approval') OR a.created_at >= %(arr_since_at)s)
ORDER BY a.account_id, a.created_at, a.id, i.number
"""

BANKRUPTCY_SQL = """
SELECT account_id, chapter, petition_date, order_for_relief_date, assurance_received_on,
       assurance_amount, pre_petition_balance
FROM collections_app_bankruptcycase
WHERE account_id = ANY(%(ids)s::bigint[]) AND status = 'open' AND petition_date <= %(as_of)s
"""

APPEALS_SQL = """
SELECT DISTINCT account_id FROM collections_app_appeal
WHERE account_id = ANY(%(ids)s::bigint[]) AND opened_on <= %(as_of)s
  AND (resolved_on IS NULL OR resolved_on > %(as_of)s)
"""

# The latest interview's poverty percentage, benefits and documented undue hardship (HSC
# 116910(b): a longer plan), and active program enrollments.
HOUSEHOLD_SQL = """
SELECT account_id, fpl_percent, benefits, NULL, documented_hardship FROM (
    SELECT DISTINCT ON (account_id) account_id, fpl_percent, benefits, documented_hardship
    FROM counseling_hardshipinterview
    WHERE account_id = ANY(%(ids)s::bigint[]) AND conducted_at < %(until_at)s
    ORDER BY account_id, conducted_at DESC, id DESC
) latest
UNION ALL
SELECT account_id, NULL, NULL, program, NULL FROM counseling_programenrollment
WHERE account_id = ANY(%(ids)s::bigint[]) AND status = 'active' AND certified_on <= %(as_of)s
"""

WEATHER_SQL = """
SELECT date, high_f, low_f, heat_advisory, winter_advisory FROM collections_app_weatherday
WHERE date BETWEEN %(w_from)s AND %(w_to)s ORDER BY date
"""

DEPOSITS_SQL = """
SELECT account_id, held_amount, held_since, interest_through FROM collections_app_securitydeposit
WHERE account_id = ANY(%(ids)s::bigint[]) AND status = 'held' AND held_amount > 0
  AND held_since <= %(as_of)s
"""

# Disconnect and low-flow orders: completed ones count as disconnections, an open one means the
# account is in the disconnection process, and a payment made while one was open was made to
# avoid the disconnection (NSF escalation, rules.md 1.7). Reconnect orders name the payment that
# restored service (48 hours to redeem it if it comes back).
ORDERS_SQL = """
SELECT account_id, kind, status, created_at, completed_at, cancelled_at, payment_id
FROM collections_app_serviceorder
WHERE account_id = ANY(%(ids)s::bigint[]) AND created_at >= %(since_at)s AND created_at < %(until_at)s
"""
