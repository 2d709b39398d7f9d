"""Due-date payment cutoffs in the nightly late-fee statement (rules.md §1.1 table; TX water:
delinquent if not received by 5:00 p.m. on the due date, 16 TAC 24.165(b)).

`core.paid_after_cutoff` in SQL: what of a bill's paid amount arrived on its effective due date
after the cutoff (not returned; capped at what was paid of the bill) counts as unpaid at the due
date, so it is added back into the bill's unpaid part and into the past due the fee formula uses,
and the stored reason says so in the engine's words (`amounts._late_fee_layer`).

A payment's time is the one the engine's facts read (selectors/facts_sql.PAYMENTS_SQL): when it
was received, else when it was posted, in local time to the second, and only when that falls on
the payment's business date (otherwise it is on time for its day). Payments the demo loader wrote
straight to the ledger carry no time: on time. The due date is the statement's effective due date
(the latest across rule sets, as the statement's delinquency is).

Every piece here is generated only when some rule set sets `delinquency.payment_cutoff_time`:
without one the statement reads no payments at all.
"""

from datetime import time

from policy_engine.policy import Layer


def cutoffs(layers: list[Layer]) -> list[str]:
    """The distinct cutoffs the rule sets set, earliest first (index `k` names the columns)."""
    found = {layer.p("delinquency.payment_cutoff_time") for layer in layers}
    return sorted((c for c in found if c is not None), key=time.fromisoformat)


def _k(layer: Layer, cuts: list[str]) -> int | None:
    cutoff = layer.p("delinquency.payment_cutoff_time")
    return None if cutoff is None else cuts.index(cutoff)


def _time(cutoff: str) -> str:
    """A validated hh:mm cutoff as an SQL time literal (never user text: parsed first)."""
    return f"'{time.fromisoformat(cutoff).isoformat()}'::time"


def owed(layer: Layer, cuts: list[str]) -> tuple[str, str]:
    """(the fee formula's base, the bill's unpaid part at its due date's cutoff) for one rule set,
    over the statement's `c`. Once per bill (TX, NY) the base is the bill's own unpaid part; else
    the account's past due, plus what every delinquent bill of the account was paid late."""
    k = _k(layer, cuts)
    bill = "c.bill_unpaid" if k is None else f"(c.bill_unpaid + c.late_{k})"
    if layer.p("late_fee.once_per_bill"):
        return bill, bill
    return ("c.past_due" if k is None else f"(c.past_due + c.late_acct_{k})"), bill


def late_text(layer: Layer, cuts: list[str], money) -> str:  # type: ignore[no-untyped-def]
    """The engine's sentence on a late payment, appended to a charged fee's reason: `amounts.
    _late_fee_layer` names what the account's delinquent bills were paid after the cutoff."""
    k = _k(layer, cuts)
    if k is None:
        return ""
    cutoff = layer.p("delinquency.payment_cutoff_time")
    cite = layer.cite("delinquency.payment_cutoff_time").replace("'", "''").replace("%", "%%")
    tail = f"' was received on the due date after the {cutoff} cutoff: late ({cite}).'"
    return f" || CASE WHEN c.late_acct_{k} > 0 THEN ' ' || {money(f'c.late_acct_{k}')} || {tail} ELSE '' END"


def payments_cte(cuts: list[str]) -> str:
    """Per delinquent bill (`d`), the good payments received on its effective due date after each
    cutoff. One index range over a month of payments (business date), filtered to the evening."""
    if not cuts:
        return ""
    sums = ",\n           ".join(
        f"COALESCE(SUM(pay.amount) FILTER (WHERE pay.at::time > {_time(c)}), 0) AS raw_{k}"
        for k, c in enumerate(cuts)
    )
    return f"""
late_pay AS MATERIALIZED (
    SELECT d.id AS bill_id,
           {sums}
    FROM d
    JOIN (SELECT p.account_id, p.business_date, p.amount - p.returned_amount AS amount,
                 date_trunc('second', COALESCE(p.received_at, p.created_at) AT TIME ZONE %(tz)s) AS at
          FROM payments_payment p
          WHERE p.business_date >= %(window_from)s AND p.business_date < %(as_of)s
            AND p.status IN ('posted', 'part_returned') AND p.amount > p.returned_amount) pay
      ON pay.account_id = d.account_id AND pay.business_date = d.eff_due
    WHERE pay.at::date = pay.business_date AND pay.at::time > {_time(cuts[0])}
    GROUP BY d.id
),"""  # noqa: S608 (validated policy values only)


def x_join(cuts: list[str]) -> str:
    return "LEFT JOIN late_pay lp ON lp.bill_id = d.id" if cuts else ""


def x_cols(cuts: list[str]) -> str:
    return "".join(f",\n           COALESCE(lp.raw_{k}, 0) AS late_raw_{k}" for k in range(len(cuts)))


def owing(cuts: list[str], balance: str, late_raw: str) -> str:
    """`balance > 0`, or, with a cutoff, a bill paid after it (a paid-up account still owes that
    fee; the earliest cutoff finds every late payment any later one does)."""
    return f"({balance} > 0 OR {late_raw} > 0)" if cuts else f"{balance} > 0"


def c_from(cuts: list[str], inner: str) -> str:
    """`c`'s source: `inner` (x with past_due and bill_unpaid) plus, per cutoff, the bill's late
    part (capped at what was paid of it, like core.paid_after_cutoff) and the account's sum."""
    if not cuts:
        return inner
    late = ", ".join(f"LEAST(x.late_raw_{k}, x.total - x.bill_unpaid) AS late_{k}" for k in range(len(cuts)))
    acct = ", ".join(
        f"SUM(x.late_{k}) OVER (PARTITION BY x.account_id) AS late_acct_{k}" for k in range(len(cuts))
    )
    return f"(SELECT x.*, {acct} FROM (SELECT x.*, {late} FROM {inner} x) x) x"  # noqa: S608
