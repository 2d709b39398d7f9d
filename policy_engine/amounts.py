"""Amounts the policy computes (rules.md §1.2, §1.3, §1.6-§1.9). Fees live here; deposits,
arrangements and NSF in `amounts_credit`, recovery and bankruptcy in `amounts_recovery`; all are
re-exported so callers use `amounts.<function>`.

Every result explains itself (reason with the numbers, citation). Money is Decimal, rounded half
up to the cent at each fee computation (`core.to_money`). With several layers the customer gets
the most protective figure: the lowest fee or cap, the highest interest credited to them, the
longest term (see each function).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .amounts_credit import RefundCheck, deposit_interest, deposit_refund_check, deposit_required
from .amounts_plans import ArrangementLimits, NsfOutcome, arrangement_limits, nsf_outcome
from .amounts_recovery import agency_fee, bankruptcy_deadline, referral_due, referral_interest
from .amounts_write_off import CRITERIA as WRITE_OFF_CRITERIA
from .amounts_write_off import WriteOffCheck, steps_from_facts, write_off_check, write_off_evidence
from .calendar import add_months
from .citations import UTILITY_POLICY
from .context import Ctx
from .core import (
    bankruptcy_open,
    bills_in_scope,
    delinquency_for,
    effective_due,
    fmt_date,
    fmt_money,
    fmt_pct,
    is_low_income,
    paid_after_cutoff,
    to_money,
)
from .decision import Amount
from .facts import ZERO, AccountFacts
from .policy import Layer, Policy
from .rules_calendar import weather_block
from .rules_protect import applicable_layers

__all__ = [
    "WRITE_OFF_CRITERIA",
    "ArrangementLimits",
    "NsfOutcome",
    "RefundCheck",
    "RestorationTerms",
    "WriteOffCheck",
    "agency_fee",
    "arrangement_limits",
    "bankruptcy_deadline",
    "deposit_interest",
    "deposit_refund_check",
    "deposit_required",
    "late_fee",
    "late_fee_for",
    "notice_fee",
    "nsf_outcome",
    "reconnect_fee",
    "referral_due",
    "referral_interest",
    "restoration_terms",
    "steps_from_facts",
    "trip_fee",
    "write_off_check",
    "write_off_evidence",
]


def lowest(results: Iterable[Amount]) -> Amount:
    """Min of fees and caps across layers (rules.md §0); the first layer wins ties."""
    return min(results, key=lambda a: a.amount)


def _tag(amount: Amount, layer: Layer, multi: bool) -> Amount:
    if not multi:
        return amount
    return Amount(amount.code, amount.amount, f"{amount.reason} [{layer.preset}]", amount.citation)


def per_layer(layers: list[Layer], fn: Callable[[Layer], Amount], pick=lowest) -> Amount:
    multi = len(layers) > 1
    return pick(_tag(fn(layer), layer, multi) for layer in layers)


def _formula(layer: Layer, past_due: Decimal, bill_amount: Decimal | None) -> Amount:
    formula, cite = layer.p("late_fee.formula"), layer.cite("late_fee.formula")
    minimum = layer.p("late_fee.min_balance")
    if formula == "NONE":
        return Amount("LATE_FEE", ZERO, "No late fee under this rule set.", cite)
    if past_due <= ZERO:
        return Amount("LATE_FEE", ZERO, "Nothing is past due.", cite)
    if past_due < minimum:
        return Amount(
            "LATE_FEE",
            ZERO,
            f"Owing {fmt_money(past_due)}, under the {fmt_money(minimum)} minimum: no late fee.",
            layer.cite("late_fee.min_balance"),
        )
    on_bill = layer.p("late_fee.base") == "BILL" and bill_amount is not None
    base = bill_amount if on_bill and bill_amount is not None else past_due
    basis = f"the bill of {fmt_money(base)}" if on_bill else f"the past-due balance of {fmt_money(base)}"
    pct = layer.p("late_fee.pct")
    if formula == "MAX_PCT_FLOOR":
        share = to_money(base * pct)
        fee = max(share, to_money(layer.p("late_fee.floor")))
        reason = (
            f"max({fmt_pct(pct)} of {basis} = {fmt_money(share)}, {fmt_money(layer.p('late_fee.floor'))})"
        )
    elif formula == "PCT":
        fee = to_money(base * pct)
        reason = f"{fmt_pct(pct)} of {basis}"
    elif formula == "FLAT":
        fee = to_money(layer.p("late_fee.flat"))
        reason = "one-time flat late fee"
    else:  # NY_MUNI_GAS: at most 10% of the first $10 plus 3% of the excess, at least 15 cents
        first = min(base, Decimal(10))
        fee = max(to_money(first * Decimal("0.10") + (base - first) * Decimal("0.03")), Decimal("0.15"))
        reason = f"10% of the first $10 plus 3% of the rest of {basis} (minimum $0.15)"
    return Amount("LATE_FEE", fee, f"{reason} = {fmt_money(fee)}.", cite)


def late_fee_for(policy: Policy, past_due: Decimal, *, bill_amount: Decimal | None = None) -> Amount:
    """The late fee formula alone (no account circumstances), lowest across layers."""
    return per_layer(list(policy.layers), lambda layer: _formula(layer, past_due, bill_amount))


def _late_fee_layer(layer: Layer, policy: Policy, facts: AccountFacts, as_of: date) -> Amount:
    dq = delinquency_for(layer, policy, facts, as_of, bills_in_scope(facts, as_of))
    ctx, cite = Ctx(layer, policy, facts, as_of, dq), layer.cite

    def none(reason: str, path: str) -> Amount:
        return Amount("LATE_FEE", ZERO, reason, cite(path))

    scoped = bills_in_scope(facts, as_of)
    overdue = [
        (b, b.unpaid + paid_after_cutoff(layer, policy, facts, b))
        for b in scoped
        if effective_due(layer, policy, b) < as_of
    ]
    overdue = [(b, owed) for b, owed in overdue if owed > ZERO]  # unpaid at the due date's cutoff
    late_paid = to_money(sum((owed - b.unpaid for b, owed in overdue), ZERO))
    if dq.past_due <= ZERO and late_paid <= ZERO:
        if bankruptcy_open(facts, as_of) and any(b.unpaid > ZERO for b in facts.bills):
            return none(
                "Only pre-petition debt is unpaid: no late fees on it during the bankruptcy.",
                "bankruptcy.assurance_days",
            )
        return none("Nothing is past due.", "late_fee.formula")
    if (
        layer.p("late_fee.stop_on_low_flow_or_shutoff")
        and facts.residential
        and facts.single_family
        and facts.service_state in ("low_flow", "disconnected")
    ):
        return none(
            f"Service is on {facts.service_state.replace('_', '-')}: late fees stop for single-family homes.",
            "late_fee.stop_on_low_flow_or_shutoff",
        )
    if not layer.p("weather.late_fees_during_moratorium") and (found := weather_block(ctx, as_of)):
        return none(
            f"No late fees during the moratorium ({found[1]}).", "weather.late_fees_during_moratorium"
        )
    if not layer.p("arrangements.late_fees_accrue_during_plan") and any(
        a.status == "active" for a in facts.arrangements
    ):
        return none(
            "No late fees while on a payment arrangement.", "arrangements.late_fees_accrue_during_plan"
        )
    waive = layer.p("late_fee.waive_fpl_pct")
    if waive is not None and facts.poverty_pct is not None and facts.poverty_pct <= waive:
        return none(
            f"Household at {facts.poverty_pct}% of the poverty line (≤ {waive}%): late charges waived.",
            "late_fee.waive_fpl_pct",
        )
    months, last = layer.p("late_fee.low_income_interest_waiver_months"), facts.last_late_fee_waiver_on
    if interest_waiver_available(layer, facts, as_of):
        since = f" (last waived {fmt_date(last)})" if last else ""
        return none(
            f"Low-income household: the late charge is waived once every {months} months{since}; record "
            "this waiver.",
            "late_fee.low_income_interest_waiver_months",
        )
    past_due, bill_amount = dq.past_due + late_paid, sum((b.amount for b, _ in overdue), ZERO)
    if layer.p("late_fee.once_per_bill"):
        fresh = [(b, owed) for b, owed in overdue if not b.late_fee_assessed]
        if not fresh:
            return none(
                "A late fee was already charged on every past-due bill; never twice on one bill.",
                "late_fee.once_per_bill",
            )
        past_due, bill_amount = (
            to_money(sum((owed for _, owed in fresh), ZERO)),
            sum((b.amount for b, _ in fresh), ZERO),
        )
    fee = _formula(layer, past_due, bill_amount)
    if late_paid > ZERO and fee.amount > ZERO:
        cutoff = layer.p("delinquency.payment_cutoff_time")
        late = (
            f" {fmt_money(late_paid)} was received on the due date after the {cutoff} cutoff: late "
            f"({layer.cite('delinquency.payment_cutoff_time')})."
        )
        fee = Amount(fee.code, fee.amount, fee.reason + late, fee.citation)
    return fee


def interest_waiver_next(layer: Layer, facts: AccountFacts) -> date | None:
    """HSC 116914(a)(2): the first day the low-income late-charge waiver may be used again (the
    day it was last used + the period; None: never used, or no such waiver under this layer)."""
    months, last = layer.p("late_fee.low_income_interest_waiver_months"), facts.last_late_fee_waiver_on
    return add_months(last, months) if months is not None and last is not None else None


def interest_waiver_available(layer: Layer, facts: AccountFacts, as_of: date) -> bool:
    """A low-income household's late charge is waived today (once per the layer's period)."""
    if layer.p("late_fee.low_income_interest_waiver_months") is None or not is_low_income(layer, facts):
        return False
    following = interest_waiver_next(layer, facts)
    return following is None or as_of >= following


def late_fee(policy: Policy, facts: AccountFacts, as_of: date) -> Amount:
    """The late fee to charge today, after every circumstance that suspends or waives it."""
    layers, _ = applicable_layers(policy, facts, as_of)
    return per_layer(layers, lambda layer: _late_fee_layer(layer, policy, facts, as_of))


def notice_fee(policy: Policy) -> Amount:
    return per_layer(
        list(policy.layers),
        lambda layer: Amount(
            "NOTICE_FEE",
            to_money(layer.p("fees.notice")),
            f"Disconnection notice charge {fmt_money(layer.p('fees.notice'))}.",
            layer.cite("fees.notice"),
        ),
    )


def trip_fee(policy: Policy) -> Amount:
    return per_layer(
        list(policy.layers),
        lambda layer: Amount(
            "TRIP_FEE",
            to_money(layer.p("fees.trip")),
            f"Field visit charge {fmt_money(layer.p('fees.trip'))}.",
            layer.cite("fees.trip"),
        ),
    )


def reconnect_cap(
    layer: Layer, facts: AccountFacts, after_hours: bool, on: date, actual: Decimal | None
) -> Decimal | None:
    """HSC 116914(a)(1): a low-income household's reconnection fee cap (CPI-adjusted from 2021,
    never above the actual cost when the rule says so); None when no cap applies."""
    if not (layer.p("reconnect.low_income_caps") and is_low_income(layer, facts)):
        return None
    cap_key = "reconnect.low_income_cap_after_hours" if after_hours else "reconnect.low_income_cap_normal"
    cap = layer.p(cap_key)
    if layer.p("reconnect.cpi_adjust") and on >= date(2021, 1, 1):
        cap = cap * layer.p("reconnect.cpi_factor")
    cap = to_money(cap)
    if actual is not None and layer.p("reconnect.cap_at_actual_cost"):
        cap = min(cap, to_money(actual))
    return cap


def _reconnect_layer(
    layer: Layer, facts: AccountFacts, after_hours: bool, on: date, actual: Decimal | None
) -> Amount:
    key = "reconnect.fee_after_hours" if after_hours else "reconnect.fee_normal"
    when = "after hours" if after_hours else "during normal hours"
    fee = to_money(layer.p(key))
    reason, cite = f"Reconnection {when}: {fmt_money(fee)}", layer.cite(key)
    if (cap := reconnect_cap(layer, facts, after_hours, on, actual)) is not None:
        cap_key = "reconnect.low_income_cap_after_hours" if after_hours else "reconnect.low_income_cap_normal"
        if cap < fee:
            fee, cite = cap, layer.cite(cap_key)
            reason += (
                f"; low-income cap {fmt_money(cap)} (CPI factor {layer.p('reconnect.cpi_factor')}"
                + (f", actual cost {fmt_money(actual)}" if actual is not None else "")
                + ")"
            )
    return Amount("RECONNECT_FEE", fee, reason + f" = {fmt_money(fee)}.", cite)


def reconnect_fee(
    policy: Policy, facts: AccountFacts, *, after_hours: bool, on: date, actual_cost: Decimal | None = None
) -> Amount:
    layers, _ = applicable_layers(policy, facts, on)
    return per_layer(layers, lambda layer: _reconnect_layer(layer, facts, after_hours, on, actual_cost))


@dataclass(frozen=True)
class RestorationTerms:
    pay_now: Decimal  # to be paid before restoration (besides the reconnection fee)
    remaining_months: int  # the rest may be spread over this many months (0 = nothing left)
    reason: str
    citation: str


def restoration_terms(
    policy: Policy, facts: AccountFacts, as_of: date, *, balance: Decimal
) -> RestorationTerms:
    """What must be paid to restore service (66 Pa.C.S. 1407(c)(2) tiers; otherwise the past-due
    balance). The most lenient layer wins."""
    layers, _ = applicable_layers(policy, facts, as_of)
    options = []
    for layer in layers:
        if layer.p("reconnect.restoration_rule") == "PA_1407":
            cite = layer.cite("reconnect.restoration_rule")
            defaults = sum(1 for a in facts.arrangements if a.status == "broken")
            if (facts.poverty_pct is None or facts.poverty_pct > 300) or defaults >= 2:
                why = (
                    f"{defaults} defaulted arrangements"
                    if defaults >= 2
                    else "income above 300% FPL or unknown"
                )
                options.append(
                    RestorationTerms(
                        to_money(balance),
                        0,
                        f"{why}: full balance {fmt_money(balance)} plus "
                        "reconnection fees before restoration.",
                        cite,
                    )
                )
            else:
                options.append(
                    RestorationTerms(
                        ZERO,
                        12,
                        f"Income {facts.poverty_pct}% FPL (≤ 300%): reconnection fee "
                        "in full, balance over 12 months [≤ 150% tier: confirm with counsel].",
                        cite,
                    )
                )
        else:
            due = delinquency_for(layer, policy, facts, as_of).past_due
            options.append(
                RestorationTerms(
                    due,
                    0,
                    f"Pay the past-due balance {fmt_money(due)} and the reconnection fee.",
                    UTILITY_POLICY,  # rules.md §1.8: no preset sets restoration terms
                )
            )
    return min(options, key=lambda t: (t.pay_now, -t.remaining_months))
