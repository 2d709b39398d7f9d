"""Collections after service ends (rules.md §1.9) and the bankruptcy clock (§1.4.5).

Agency interest is simple interest per *whole calendar month* since referral (Yuma 193-71 "1.5%
per month"): a partial month accrues nothing, interest never compounds, and it is computed on
the balance as referred (the caller passes it). Write-off and referral follow the utility's
primary rule set (the first layer): they are internal collection practice, not customer
protections, except that an open bankruptcy stops referral (no dunning on pre-petition debt).
"""

from datetime import date, timedelta
from decimal import Decimal

from .calendar import months_between
from .citations import federal
from .core import bankruptcy_open, fmt_date, fmt_money, fmt_pct, to_money
from .decision import Amount, Outcome, RuleCheck
from .facts import AccountFacts, BankruptcyFact
from .policy import Policy

S, B, D, NA = Outcome.SATISFIED, Outcome.BLOCKED, Outcome.DEFERRED, Outcome.NOT_APPLICABLE
FED = "FED_BANKRUPTCY"


def agency_fee(policy: Policy, *, balance: Decimal, agency_pct: Decimal | None = None) -> Amount:
    """The collection fee added on referral: balance * pct (the agency's contract rate, else the
    policy's; the lowest policy rate across layers)."""
    if agency_pct is not None:
        pct, cite = Decimal(agency_pct), "agency contract"
    else:
        layer = min(policy.layers, key=lambda lay: lay.p("collections.collection_fee_pct"))
        pct, cite = layer.p("collections.collection_fee_pct"), layer.cite("collections.collection_fee_pct")
    fee = to_money(Decimal(balance) * pct)
    return Amount("AGENCY_FEE", fee, f"{fmt_pct(pct)} of {fmt_money(balance)} = {fmt_money(fee)}.", cite)


def referral_interest(policy: Policy, *, balance: Decimal, start: date, end: date) -> Amount:
    layer = min(policy.layers, key=lambda lay: lay.p("collections.interest_per_month_after_referral"))
    rate = layer.p("collections.interest_per_month_after_referral")
    months = months_between(start, end)
    value = to_money(Decimal(balance) * rate * months)
    return Amount(
        "REFERRAL_INTEREST",
        value,
        f"{fmt_pct(rate)} per month × {months} whole months since "
        f"{fmt_date(start)} on {fmt_money(balance)} (simple) = {fmt_money(value)}.",
        layer.cite("collections.interest_per_month_after_referral"),
    )


def _final_bill_date(facts: AccountFacts) -> date | None:
    finals = [b.bill_date for b in facts.bills if b.is_final]
    return max(finals) if finals else facts.final_billed_on


def referral_due(policy: Policy, facts: AccountFacts, as_of: date) -> RuleCheck:
    layer = policy.layers[0]
    path = "collections.referral_days_after_final_bill"
    cite, days = layer.cite(path), layer.p(path)
    final = _final_bill_date(facts)
    small = layer.p("collections.small_balance_write_off")

    def rc(outcome: Outcome, reason: str, until: date | None = None) -> RuleCheck:
        return RuleCheck("AGENCY_REFERRAL", outcome, reason, cite, 0, until, layer.preset)

    if final is None:
        return rc(NA, "Not final-billed: accounts go to an agency only after the final bill.")
    if facts.referred_on is not None:
        return rc(NA, f"Already referred on {fmt_date(facts.referred_on)}.")
    if facts.balance <= small:
        return rc(
            NA, f"Balance {fmt_money(facts.balance)} is not above the {fmt_money(small)} write-off threshold."
        )
    bk = facts.bankruptcy
    if bk is not None and bankruptcy_open(facts, as_of):
        return rc(B, f"Bankruptcy case (petition {fmt_date(bk.petition_date)}): no collection activity.")
    due = final + timedelta(days=days)
    if as_of >= due:
        return rc(
            S,
            f"Final bill {fmt_date(final)}; {days} days passed on {fmt_date(due)} with "
            f"{fmt_money(facts.balance)} unpaid: refer to the agency.",
            due,
        )
    return rc(
        D, f"Final bill {fmt_date(final)}: referral due {fmt_date(due)} ({days} days) if still unpaid.", due
    )


def bankruptcy_deadline(policy: Policy, bankruptcy: BankruptcyFact) -> RuleCheck:
    """The last day for adequate assurance (RuleCheck.until = that deadline; the utility may act
    from the next day if none arrived). 366(b): 20 days after the order for relief; ch. 11
    366(c)(2): the 30-day period beginning on the petition date (its last day is petition + 29).
    A deadline on a weekend or legal holiday runs to the next day that is neither (FRBP
    9006(a)(1)(C)). Every federal holiday is a legal holiday (9006(a)(6)) whether or not the
    utility closes that day, so they count even when the utility's calendar leaves one out; the
    utility's own closures count too, which can only lengthen the period."""
    layer = policy.bankruptcy
    if bankruptcy.chapter == 11:
        days = layer.p("bankruptcy.chapter11_days")
        start, raw = bankruptcy.petition_date, bankruptcy.petition_date + timedelta(days=days - 1)
        text, cite = (
            f"the {days}-day period beginning on the petition date {fmt_date(start)}",
            federal("11 U.S.C. 366(c)(2)"),
        )
    else:
        days = layer.p("bankruptcy.assurance_days")
        start = bankruptcy.order_for_relief_date or bankruptcy.petition_date
        raw = start + timedelta(days=days)
        text, cite = f"{days} days after the order for relief {fmt_date(start)}", federal("11 U.S.C. 366(b)")
    deadline = raw
    if layer.p("bankruptcy.roll_weekend_holiday"):
        deadline = policy.calendar.roll_forward(raw)
    rolled = (
        f" ({fmt_date(raw)} is a weekend or holiday: runs to {fmt_date(deadline)})" if deadline != raw else ""
    )
    if deadline != raw:
        cite += "; " + federal("Fed. R. Bankr. P. 9006(a)")
    if bankruptcy.assurance_received_on is not None:
        return RuleCheck(
            "BANKRUPTCY_ASSURANCE",
            S,
            f"Adequate assurance received {fmt_date(bankruptcy.assurance_received_on)} "
            f"({fmt_money(bankruptcy.assurance_amount)}); deadline was {fmt_date(deadline)}.",
            cite,
            2,
            deadline,
            FED,
        )
    return RuleCheck(
        "BANKRUPTCY_ASSURANCE_DEADLINE",
        B,
        f"Adequate assurance is due within {text}: by "
        f"{fmt_date(deadline)}{rolled}. Without it, post-petition arrears may be acted on from "
        f"{fmt_date(deadline + timedelta(days=1))}.",
        cite,
        2,
        deadline,
        FED,
    )
