"""Deposits (rules.md §1.6): amount, waivers, interest and refund. Across layers the customer
gets the lowest deposit, the highest interest and the earliest refund."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .calendar import add_months, months_between
from .core import fmt_date, fmt_money, fmt_pct, to_money
from .decision import Amount, Outcome
from .facts import ZERO, AccountFacts, DepositFact
from .policy import Layer, Policy
from .rules_protect import applicable_layers

S, B, NA = Outcome.SATISFIED, Outcome.BLOCKED, Outcome.NOT_APPLICABLE


def _waiver(layer: Layer, facts: AccountFacts) -> Amount | None:
    f = facts
    if (
        layer.p("deposit.loc_waiver")
        and f.letter_of_credit
        and f.credit_history_months >= layer.p("deposit.loc_months")
        and f.late_payments_12m <= layer.p("deposit.loc_max_delinquencies")
        and f.disconnections_12m <= layer.p("deposit.loc_max_disconnects")
    ):
        return Amount(
            "DEPOSIT",
            ZERO,
            f"Waived: letter of credit showing {f.credit_history_months} months, "
            f"{f.late_payments_12m} delinquencies, {f.disconnections_12m} disconnections (limits "
            f"{layer.p('deposit.loc_months')} months, ≤ {layer.p('deposit.loc_max_delinquencies')}, "
            f"≤ {layer.p('deposit.loc_max_disconnects')}).",
            layer.cite("deposit.loc_waiver"),
        )
    months = layer.p("deposit.history_waiver_months")
    if (
        months is not None
        and f.credit_history_months >= months
        and f.disconnections_12m == 0
        and f.late_payments_12m <= layer.p("deposit.history_waiver_max_late")
    ):
        return Amount(
            "DEPOSIT",
            ZERO,
            f"Waived: {f.credit_history_months} months of satisfactory history, "
            f"{f.late_payments_12m} late payments in 12 months, no disconnection.",
            layer.cite("deposit.history_waiver_months"),
        )
    if layer.p("deposit.age_65_waiver") and f.age_65_plus and not f.owed_prior_balance_24m:
        return Amount(
            "DEPOSIT",
            ZERO,
            "Waived: customer 65 or older with no outstanding balance in 2 years.",
            layer.cite("deposit.age_65_waiver"),
        )
    return None


def _deposit_layer(layer: Layer, facts: AccountFacts, bills: list[Decimal], owner: bool) -> Amount:
    if (waived := _waiver(layer, facts)) is not None:
        return waived
    res = facts.residential
    path = "deposit.formula" if res else "deposit.non_residential_formula"
    formula, cite = layer.p(path), layer.cite(path)
    recent = bills[-layer.p("deposit.months") :] if bills else []
    if formula in ("PROHIBITED", "NONE"):
        return Amount(
            "DEPOSIT",
            ZERO,
            "No deposit may be required." if formula == "PROHIBITED" else "No deposit under this rule set.",
            cite,
        )
    if formula == "FLAT":
        key = (
            "deposit.flat_non_residential"
            if not res
            else "deposit.flat_owner"
            if owner
            else "deposit.flat_renter"
        )
        flat = layer.p(key)
        who = "non-residential" if not res else "owner" if owner else "renter"
        return Amount(
            "DEPOSIT",
            to_money(flat or ZERO),
            f"Flat {who} deposit {fmt_money(flat or ZERO)}.",
            layer.cite(key),
        )
    if not recent:
        return Amount(
            "DEPOSIT",
            ZERO,
            "No billing history to base a deposit on: estimate the monthly bill and "
            "pass it as monthly_bills.",
            cite,
        )
    # The average is a money figure the explanation shows, so it is rounded to the cent first
    # (rules.md §0: round half-up at each computation) and the deposit is computed from the
    # figure shown: staff and customer can redo "2 x $108.16 = $216.32" by hand. The unrounded
    # average (108.1566...) would give $216.31, an explanation that does not add up.
    average = to_money(sum(recent, ZERO) / len(recent))
    if formula == "ANNUAL_FRACTION":
        annual = average * 12
        share = layer.p("deposit.annual_fraction") or ZERO
        amount = to_money(annual * share)
        return Amount(
            "DEPOSIT",
            amount,
            f"{share} × estimated annual billing {fmt_money(annual)} (12 × average monthly bill "
            f"{fmt_money(average)}) = {fmt_money(amount)}.",
            layer.cite("deposit.annual_fraction"),
        )
    k = layer.p("deposit.multiple" if res else "deposit.non_residential_multiple")
    if formula == "MAX_MULTIPLE":
        base, what = max(recent), f"highest monthly bill of {len(recent)}"
    else:
        base, what = average, f"average monthly bill of {len(recent)}"
    amount = to_money(k * base)
    return Amount("DEPOSIT", amount, f"{k} × {what} ({fmt_money(base)}) = {fmt_money(amount)}.", cite)


def deposit_required(
    policy: Policy, facts: AccountFacts, *, as_of: date, monthly_bills: Sequence[Decimal], owner: bool
) -> Amount:
    """The deposit to require (monthly_bills oldest first; the last `deposit.months` count)."""
    layers, _ = applicable_layers(policy, facts, as_of)
    bills = [Decimal(b) for b in monthly_bills]
    return min((_deposit_layer(layer, facts, bills, owner) for layer in layers), key=lambda a: a.amount)


def deposit_bills_averaged(
    policy: Policy, facts: AccountFacts, *, as_of: date, monthly_bills: Sequence[Decimal], owner: bool
) -> list[Decimal]:
    """The bills the deposit of `deposit_required` was computed from (the last `deposit.months`
    of the layer that set it; [] for a flat, waived or prohibited deposit), so an explanation
    lists exactly the bills its average is of, not every bill of the year."""
    layers, _ = applicable_layers(policy, facts, as_of)
    bills = [Decimal(b) for b in monthly_bills]
    found = [(_deposit_layer(layer, facts, bills, owner), layer) for layer in layers]
    chosen, layer = min(found, key=lambda pair: pair[0].amount)  # the same layer min() picks above
    formula = layer.p("deposit.formula" if facts.residential else "deposit.non_residential_formula")
    if chosen.amount == 0 or formula not in ("AVG_MULTIPLE", "MAX_MULTIPLE", "ANNUAL_FRACTION"):
        return []
    return bills[-layer.p("deposit.months") :] if bills else []


def deposit_interest(policy: Policy, *, amount: Decimal, start: date, end: date) -> Amount:
    """Simple annual interest, amount * rate * days / 365, for the period start..end (the caller
    credits it annually, R14-2-403(B)(3)). The highest rate across layers."""
    results = []
    days = max((end - start).days, 0)
    for layer in policy.layers:
        rate = ZERO if layer.p("deposit.interest_method") == "NONE" else layer.p("deposit.interest_rate")
        value = to_money(Decimal(amount) * rate * days / 365)
        results.append(
            Amount(
                "DEPOSIT_INTEREST",
                value,
                f"{fmt_money(amount)} × {fmt_pct(rate)} × {days}/365 days "
                f"({fmt_date(start)} to {fmt_date(end)}) = {fmt_money(value)}.",
                layer.cite("deposit.interest_rate"),
            )
        )
    return max(results, key=lambda a: a.amount)


@dataclass(frozen=True)
class RefundCheck:
    eligible: bool
    due_on: date | None  # refund due by (eligible) or projected (only time is missing); None otherwise
    reason: str
    citation: str


def _refund_layer(layer: Layer, facts: AccountFacts, deposit: DepositFact, as_of: date) -> RefundCheck:
    months, within = layer.p("deposit.refund_after_months"), layer.p("deposit.refund_within_days")
    cite = layer.cite("deposit.refund_after_months")
    eligible_from = add_months(deposit.held_since, months)
    late, cuts = facts.late_payments_12m, facts.disconnections_12m
    max_late, max_cuts = (
        layer.p("deposit.refund_max_late_payments"),
        layer.p("deposit.refund_max_disconnects"),
    )
    problems = []
    if late > max_late:
        problems.append(f"{late} late payments in 12 months (at most {max_late})")
    if cuts > max_cuts:
        problems.append(f"{cuts} disconnections in 12 months (at most {max_cuts})")
    held = months_between(deposit.held_since, as_of)
    if problems:
        return RefundCheck(False, None, f"Held {held} months; not refundable: {'; '.join(problems)}.", cite)
    due = eligible_from + timedelta(days=within)
    if as_of < eligible_from:
        return RefundCheck(
            False,
            due,
            f"Held since {fmt_date(deposit.held_since)} ({held} months); refundable "
            f"after {months} months of good payment, by {fmt_date(due)} if that continues.",
            cite,
        )
    due = max(due, as_of) if as_of > due else due
    return RefundCheck(
        True,
        due,
        f"Held {held} months (≥ {months}) with {late} late payments and {cuts} "
        f"disconnections: refund (with interest) due within {within} days, by {fmt_date(due)}.",
        cite,
    )


def deposit_refund_check(
    policy: Policy, facts: AccountFacts, deposit: DepositFact, as_of: date
) -> RefundCheck:
    results = [_refund_layer(layer, facts, deposit, as_of) for layer in policy.layers]
    eligible = [r for r in results if r.eligible]
    if eligible:
        return min(eligible, key=lambda r: r.due_on or date.max)
    return min(results, key=lambda r: r.due_on or date.max)
