"""Late-fee decisions stored by the nightly statement, explained in the engine's words.

`reason_expression`/`citation_expression` are `amounts._formula(...).reason/.citation` in SQL (a
test proves them equal over random amounts); `decisions_cte` is a data-modifying CTE that stores
one accounts.PolicyDecision per fee the statement's `ins` CTE inserted, in the same statement and
transaction as the fee (no Python loop over accounts: a 1M-account city charges ~12k fees a
night). A rolled-back run leaves neither fee nor decision.
"""

from datetime import date

from collections_app.services import late_fee_cutoff as cut
from collections_app.services.late_fee_sql import _applies, _num, fee_expression
from policy_engine.core import fmt_money, fmt_pct
from policy_engine.policy import Layer, Policy


def _text(value: str) -> str:
    """Engine text (reasons, citations, preset names) as an SQL literal. The statements always run
    with parameters, so a literal `%` is written `%%`."""
    return "'" + value.replace("'", "''").replace("%", "%%") + "'"


def _money(expr: str) -> str:
    """`core.fmt_money` in SQL: `$1,234.50`."""
    return f"('$' || to_char(ROUND({expr}, 2), 'FM999,999,999,990.00'))"


def reason_expression(layer: Layer, past_due: str = "past_due", bill_amount: str = "bill_amount") -> str:
    """`amounts._formula(...).reason` for one rule set, in SQL: the same words and numbers, so a
    late-fee decision stored by the nightly statement reads exactly as the engine would explain it."""
    formula = layer.p("late_fee.formula")
    if formula == "NONE":
        return _text("No late fee under this rule set.")
    on_bill = layer.p("late_fee.base") == "BILL"
    base = bill_amount if on_bill else past_due
    basis = f"({_text('the bill of ' if on_bill else 'the past-due balance of ')} || {_money(base)})"
    fee = fee_expression(layer, past_due, bill_amount)
    pct = fmt_pct(layer.p("late_fee.pct"))
    if formula == "MAX_PCT_FLOOR":
        share = _money(f"({base}) * {_num(layer.p('late_fee.pct'))}")
        floor = fmt_money(layer.p("late_fee.floor"))
        tail = _text(f", {floor})")
        head = f"({_text('max(' + pct + ' of ')} || {basis} || ' = ' || {share} || {tail})"
    elif formula == "PCT":
        head = f"({_text(pct + ' of ')} || {basis})"
    elif formula == "FLAT":
        head = _text("one-time flat late fee")
    else:
        head = f"({_text('10% of the first $10 plus 3% of the rest of ')} || {basis} || ' (minimum $0.15)')"
    minimum = layer.p("late_fee.min_balance")
    below = _text(f", under the {fmt_money(minimum)} minimum: no late fee.")
    under = f"({_text('Owing ')} || {_money(past_due)} || {below})"
    return (
        f"(CASE WHEN ({past_due}) <= 0 THEN {_text('Nothing is past due.')} "
        f"WHEN ({past_due}) < {_num(minimum)} THEN {under} "
        f"ELSE {head} || ' = ' || {_money(fee)} || '.' END)"
    )


def citation_expression(layer: Layer, past_due: str = "past_due") -> str:
    """`amounts._formula(...).citation` for one rule set, in SQL."""
    cite = _text(layer.cite("late_fee.formula"))
    if layer.p("late_fee.formula") == "NONE":
        return cite
    minimum = _num(layer.p("late_fee.min_balance"))
    return (
        f"(CASE WHEN ({past_due}) > 0 AND ({past_due}) < {minimum} "
        f"THEN {_text(layer.cite('late_fee.min_balance'))} ELSE {cite} END)"
    )


def decisions_cte(policy: Policy, layer_fees: tuple[str, ...], as_of: date) -> str:
    """A data-modifying CTE storing one accounts.PolicyDecision per fee the `ins` CTE inserted, in
    the same statement (no loop over accounts). The reason and citation are the engine's
    (`amounts.late_fee` -> `per_layer` -> `lowest`): the first governing rule set with the lowest
    fee explains it, tagged `[PRESET]` when several govern; the fallback when none does. Only the
    charged fees' bills are explained, so the text is built for those rows alone."""
    layers, fees = list(policy.layers), layer_fees
    applies = [f"({_applies(layer, as_of)})" for layer in layers]
    pick = " ".join(f"WHEN {applies[n]} AND {fees[n]} = ins.amount THEN {n}" for n in range(len(layers)))
    multi = " + ".join(f"({a})::int" for a in applies)
    every = [*layers, policy.fallback]
    cuts = cut.cutoffs(every)
    reason, citation = [], []
    for n, layer in enumerate(every):
        base, _owed = cut.owed(layer, cuts)
        # a payment after the due date's cutoff: the engine's sentence, before the preset tag
        late = cut.late_text(layer, cuts, _money)
        tag = ""
        if n < len(layers):
            tag = f" || CASE WHEN c.multi THEN {_text(f' [{layer.preset}]')} ELSE '' END"
        reason.append(f"WHEN {n} THEN {reason_expression(layer, base, 'c.total')}{late}{tag}")
        citation.append(f"WHEN {n} THEN {citation_expression(layer, base)}")
    return f""",
dec AS (
    INSERT INTO accounts_policydecision
        (account_id, kind, outcome, amount, code, reason, citation, checks, subject, as_of,
         policy_version_id, made_by_id, made_at)
    SELECT account_id, 'late_fee', 'charged', amount, 'LATE_FEE', reason, citation,
           jsonb_build_array(jsonb_build_object('code', 'LATE_FEE', 'outcome', 'satisfied',
                                                'reason', reason, 'citation', citation)),
           'bill:' || bill_id, %(as_of)s, %(version)s, %(actor)s, now()
    FROM (
        SELECT c.account_id, c.amount, c.bill_id,
               CASE c.rule_n {" ".join(reason)} END AS reason,
               LEFT(CASE c.rule_n {" ".join(citation)} END, 200) AS citation
        FROM (
            SELECT c.*, ins.amount, CASE {pick} ELSE {len(layers)} END AS rule_n,
                   ({multi}) > 1 AS multi
            FROM ins JOIN c ON c.bill_id = ins.bill_id
        ) c
    ) w
    ORDER BY account_id, bill_id
)"""  # noqa: S608
