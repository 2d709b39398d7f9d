"""Payment-arrangement limits (rules.md §1.5) and returned payments (§1.7).

Across layers the customer gets the most protective answer: eligible for an arrangement if any
rule set grants it, the longest term and lowest down-payment cap, the lowest NSF fee, the
shortest cash-only period, the longest time to redeem, and immediate disconnection only if
every rule set allows it."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from .calendar import add_months
from .core import fmt_date, fmt_money, to_money
from .decision import Amount, Outcome, RuleCheck
from .facts import ZERO, AccountFacts, PaymentFact
from .policy import Layer, Policy
from .rules_nsf import redeem_window
from .rules_protect import applicable_layers

S, B, NA = Outcome.SATISFIED, Outcome.BLOCKED, Outcome.NOT_APPLICABLE


@dataclass(frozen=True)
class ArrangementLimits:
    eligible: bool
    max_months: int
    min_months: int
    down_payment_cap: Decimal | None  # None: no cap
    down_payment_min: Decimal
    checks: tuple[RuleCheck, ...] = ()
    fixed_months: int | None = None  # Phoenix: the balance split over exactly this many months
    late_fees_continue: bool = True
    checks_accepted: bool = True  # St. George: no checks for arrangement payments
    next_allowed_on: date | None = None  # per-year limit: the first date another is allowed
    average_monthly_bill: Decimal = ZERO
    installments: tuple[Decimal, ...] = ()  # fixed split (Phoenix: balance / 3), else empty


def split_installments(arrears: Decimal, months: int) -> tuple[Decimal, ...]:
    """Equal monthly parts rounded down to the cent, the last absorbing the remainder so the parts
    sum to the arrears exactly (as counseling's schedule() does: $100 / 3 = 33.33, 33.33, 33.34)."""
    if months < 1 or arrears <= ZERO:
        return ()
    part = (arrears / months).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    return (*([part] * (months - 1)), arrears - part * (months - 1))


def _hardship_months(layer: Layer, facts: AccountFacts, months: int, why: str) -> tuple[int, str, bool]:
    """SB 998 (HSC 116910(b)): a plan ordinarily repays within 12 months; a longer period is
    allowed when needed to avoid undue hardship, up to the utility's `hardship_max_months`."""
    longer = layer.p("arrangements.hardship_max_months")
    if not facts.hardship or longer is None or longer <= months:
        return months, why, False
    return longer, f"documented hardship: up to {longer} months (ordinarily {months})", True


def _max_months(layer: Layer, facts: AccountFacts) -> tuple[int, str]:
    tiers = layer.p("arrangements.max_months_by_fpl")
    if tiers is None or facts.poverty_pct is None:
        note = " (income unknown: tiers need household income)" if tiers else ""
        return layer.p("arrangements.max_months"), f"up to {layer.p('arrangements.max_months')} months{note}"
    legacy = layer.p("arrangements.pa_legacy_two_year")
    for cap, months in tiers:
        if cap is None or facts.poverty_pct <= cap:
            if legacy and cap == 250:
                months = min(months, 24)
            label = f"≤ {cap}%" if cap is not None else "above the top tier"
            return months, f"income {facts.poverty_pct}% FPL ({label}): up to {months} months"
    return layer.p("arrangements.max_months"), "income above every tier"


def _limits_layer(layer: Layer, facts: AccountFacts, as_of: date, arrears: Decimal) -> ArrangementLimits:
    def rc(code: str, outcome: Outcome, reason: str, path: str) -> RuleCheck:
        return RuleCheck(code, outcome, reason, layer.cite(path), 2, None, layer.preset)

    checks, next_allowed = [], None
    max_m, why = _max_months(layer, facts)
    fixed = layer.p("arrangements.fixed_months")
    parts = split_installments(arrears, fixed) if fixed is not None else ()
    if fixed is not None:
        shown = ", ".join(fmt_money(p) for p in parts)
        max_m, why = fixed, f"the balance {fmt_money(arrears)} split over {fixed} months ({shown})"
    hardship = False
    if fixed is None:
        max_m, why, hardship = _hardship_months(layer, facts, max_m, why)
    min_m = min(layer.p("arrangements.min_months_if_requested"), max_m)
    term_path = "arrangements.max_months"
    if hardship:
        term_path = "arrangements.hardship_max_months"
    elif layer.p("arrangements.max_months_by_fpl"):
        term_path = "arrangements.max_months_by_fpl"
    checks.append(
        rc("ARRANGEMENT_TERM", S, f"Term: {why}; at least {min_m} months if the customer asks.", term_path)
    )
    bills = [b.amount for b in facts.bills if 0 <= (as_of - b.bill_date).days <= 366]
    avg = to_money(sum(bills, ZERO) / len(bills)) if bills else ZERO
    caps = []
    if (frac := layer.p("arrangements.down_payment_cap_arrears_fraction")) is not None:
        caps.append((to_money(arrears * frac), f"{frac} × arrears {fmt_money(arrears)}"))
    if (k := layer.p("arrangements.down_payment_cap_avg_bills")) is not None:
        caps.append((to_money(avg * k), f"{k} × average monthly bill {fmt_money(avg)}"))
    cap = min(caps)[0] if caps else None
    if caps:
        checks.append(
            rc(
                "DOWN_PAYMENT_CAP",
                S,
                f"Down payment at most {fmt_money(cap)} = min({', '.join(t for _, t in caps)}).",
                "arrangements.down_payment_cap_arrears_fraction",
            )
        )
    dmin_frac = layer.p("arrangements.down_payment_min_fraction")
    dmin = to_money(arrears * dmin_frac) if dmin_frac is not None else ZERO
    if cap is not None:
        dmin = min(dmin, cap)

    def exclude(code: str, reason: str, path: str) -> None:
        checks.append(rc(code, B, reason, path))

    arrs = facts.arrangements
    if any(a.status == "active" for a in arrs):
        exclude(
            "ARRANGEMENT_ACTIVE",
            "An arrangement is already active: renegotiate it instead.",
            "arrangements.max_months",
        )
    if (limit := layer.p("arrangements.per_year_limit")) is not None:
        window = layer.p("arrangements.per_year_window_months")
        since = add_months(as_of, -window)
        recent = sorted(
            a.created_on for a in arrs if a.created_on > since and a.status in ("active", "kept", "broken")
        )
        if len(recent) >= limit:
            next_allowed = add_months(recent[-limit], window)
            exclude(
                "ARRANGEMENT_PER_YEAR",
                f"{len(recent)} arrangement(s) in the last {window} months (limit "
                f"{limit}); the next is allowed from {fmt_date(next_allowed)}.",
                "arrangements.per_year_limit",
            )
    if (lookback := layer.p("arrangements.broken_lookback_months")) is not None:
        since = add_months(as_of, -lookback)
        broken = [
            a.ended_on or a.created_on
            for a in arrs
            if a.status == "broken" and (a.ended_on or a.created_on) > since
        ]
        if broken:
            exclude(
                "ARRANGEMENT_BROKEN_RECENTLY",
                f"An arrangement was broken on {fmt_date(max(broken))}, within {lookback} months.",
                "arrangements.broken_lookback_months",
            )
    last = max(facts.payments, key=lambda p: p.paid_on, default=None)
    if layer.p("arrangements.exclude_if_last_payment_returned") and last is not None and last.returned:
        exclude(
            "ARRANGEMENT_LAST_PAYMENT_RETURNED",
            f"The last payment ({fmt_date(last.paid_on)}) was returned.",
            "arrangements.exclude_if_last_payment_returned",
        )
    if layer.p("arrangements.exclude_if_final_billed") and facts.final_billed_on is not None:
        exclude(
            "ARRANGEMENT_FINAL_BILLED",
            f"Final bill issued {fmt_date(facts.final_billed_on)}.",
            "arrangements.exclude_if_final_billed",
        )
    if layer.p("arrangements.exclude_if_in_disconnection") and (
        facts.disconnect_scheduled or facts.service_state != "connected"
    ):
        exclude(
            "ARRANGEMENT_IN_DISCONNECTION",
            "The account is already in the disconnection process.",
            "arrangements.exclude_if_in_disconnection",
        )
    if layer.p("arrangements.exclude_if_unauthorized_use") and facts.unauthorized_use:
        exclude(
            "ARRANGEMENT_UNAUTHORIZED_USE",
            "Unauthorized-use fees are on the account.",
            "arrangements.exclude_if_unauthorized_use",
        )
    return ArrangementLimits(
        eligible=not any(c.outcome == B for c in checks),
        max_months=max_m,
        min_months=min_m,
        down_payment_cap=cap,
        down_payment_min=dmin,
        checks=tuple(checks),
        fixed_months=fixed,
        late_fees_continue=layer.p("arrangements.late_fees_accrue_during_plan"),
        checks_accepted=layer.p("arrangements.checks_accepted"),
        next_allowed_on=next_allowed,
        average_monthly_bill=avg,
        installments=parts,
    )


def arrangement_limits(
    policy: Policy, facts: AccountFacts, as_of: date, *, arrears: Decimal
) -> ArrangementLimits:
    layers, _ = applicable_layers(policy, facts, as_of)
    results = [_limits_layer(layer, facts, as_of, to_money(arrears)) for layer in layers]
    if len(results) == 1:
        return results[0]
    caps = [r.down_payment_cap for r in results if r.down_payment_cap is not None]
    fixed = {r.fixed_months for r in results}
    one_split = len(fixed) == 1  # every rule set splits the same way (or none does)
    return ArrangementLimits(
        eligible=any(r.eligible for r in results),
        max_months=max(r.max_months for r in results),
        min_months=min(r.min_months for r in results),
        down_payment_cap=min(caps) if caps else None,
        down_payment_min=min(r.down_payment_min for r in results),
        checks=tuple(c for r in results for c in r.checks),
        fixed_months=fixed.pop() if one_split else None,
        late_fees_continue=all(r.late_fees_continue for r in results),
        checks_accepted=any(r.checks_accepted for r in results),
        next_allowed_on=None
        if any(r.eligible for r in results)
        else min((r.next_allowed_on for r in results if r.next_allowed_on), default=None),
        average_monthly_bill=results[0].average_monthly_bill,
        installments=results[0].installments if one_split else (),
    )


@dataclass(frozen=True)
class NsfOutcome:
    fee: Amount
    cash_only_until: date | None
    redeem_by: date | None
    immediate_disconnect: bool
    checks: tuple[RuleCheck, ...] = ()
    voids_arrangement: bool = False


def _returned_on(p: PaymentFact) -> date:
    return p.returned_on or p.paid_on


def _nsf_layer(layer: Layer, facts: AccountFacts, as_of: date, returned: PaymentFact) -> NsfOutcome:
    day = returned.returned_on or as_of
    # the return being decided is not an "earlier" one: drop it once if the facts hold it (two
    # returns of equal checks on one day are equal facts; comparing by value dropped both)
    rest = list(facts.payments)
    if returned in rest:
        rest.remove(returned)
    others = [p for p in rest if p.returned and _returned_on(p) <= day]
    window = layer.p("nsf.subsequent_window_months")
    prior = [p for p in others if window is None or _returned_on(p) > add_months(day, -window)]
    key = "nsf.fee_subsequent" if prior else "nsf.fee_first"
    fee = Amount(
        "NSF_FEE",
        to_money(layer.p(key)),
        f"{'Subsequent' if prior else 'First'} returned payment "
        f"({len(others)} earlier): {fmt_money(layer.p(key))}.",
        layer.cite(key),
    )
    checks = []
    count, months = layer.p("nsf.cash_only_count"), layer.p("nsf.cash_only_window_months")
    in_window = [p for p in others if _returned_on(p) > add_months(day, -months)]
    cash_until = None
    if len(in_window) + 1 >= count:
        cash_until = add_months(day, layer.p("nsf.cash_only_months"))
        checks.append(
            RuleCheck(
                "NSF_CASH_ONLY",
                B,
                f"{len(in_window) + 1} returned payments within {months} months "
                f"(threshold {count}): cash or certified funds only until {fmt_date(cash_until)}.",
                layer.cite("nsf.cash_only_count"),
                0,
                cash_until,
                layer.preset,
            )
        )
    redeem_by, text, path = redeem_window(layer, returned, day)
    checks.append(
        RuleCheck(
            "NSF_REDEEM",
            S,
            f"Redeem in certified funds within {text}: by {fmt_date(redeem_by)}.",
            layer.cite(path),
            0,
            redeem_by,
            layer.preset,
        )
    )
    immediate = (
        returned.to_avoid_disconnect and layer.p("nsf.on_disconnect_avoidance") == "IMMEDIATE_DISCONNECT"
    )
    if immediate:
        checks.append(
            RuleCheck(
                "NSF_IMMEDIATE_DISCONNECT",
                S,
                "The returned payment was made to avoid disconnection: service may be discontinued "
                f"without a new notice as soon as the redemption window ends ({fmt_date(redeem_by)}).",
                layer.cite("nsf.on_disconnect_avoidance"),
                0,
                redeem_by,
                layer.preset,
            )
        )
    return NsfOutcome(fee, cash_until, redeem_by, immediate, tuple(checks), layer.p("nsf.voids_arrangement"))


def nsf_outcome(policy: Policy, facts: AccountFacts, as_of: date, *, returned: PaymentFact) -> NsfOutcome:
    layers, _ = applicable_layers(policy, facts, as_of)
    results = [_nsf_layer(layer, facts, as_of, returned) for layer in layers]
    if len(results) == 1:
        return results[0]
    cash = [r.cash_only_until for r in results]
    return NsfOutcome(
        fee=min((r.fee for r in results), key=lambda a: a.amount),
        cash_only_until=None if None in cash else min(c for c in cash if c is not None),
        redeem_by=max(r.redeem_by for r in results if r.redeem_by is not None),
        immediate_disconnect=all(r.immediate_disconnect for r in results),
        checks=tuple(c for r in results for c in r.checks),
        voids_arrangement=all(r.voids_arrangement for r in results),
    )
