"""Shared helpers: money rounding, delinquency status (rules.md §1.1), low-income tests.

`to_money` is a copy of `common.money.to_money` (the project's one rounding helper): that module
imports django.db for MoneyField, and this package must stay free of Django. Same name, same
rule (half-up to the cent), so the two can never disagree.
"""

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .facts import ZERO, AccountFacts, BillFact
from .policy import Layer, Policy

CENT = Decimal("0.01")


def to_money(value: Decimal | int | str) -> Decimal:
    """Round to the cent, half up (copy of common.money.to_money; see module docstring)."""
    if isinstance(value, float):
        raise TypeError("money is never a float; pass a Decimal, int or str")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_money(value: Decimal) -> str:
    return f"${to_money(value):,.2f}"


def fmt_date(d: date | None) -> str:
    return d.strftime("%a %Y-%m-%d") if d else "—"


CURRENT, PAST_DUE, DELINQUENT = "current", "past_due", "delinquent"


@dataclass(frozen=True)
class Delinquency:
    status: str  # current | past_due | delinquent
    days_delinquent: int  # as_of - clock start, calendar days (0 when current)
    past_due: Decimal  # unpaid amount of bills whose (effective) due date has passed
    clock_start: date | None  # due date (or bill date) of the oldest unpaid past-due bill
    oldest_bill: BillFact | None = None
    oldest_due: date | None = None  # its effective due date


@dataclass(frozen=True)
class NoticePlan:
    kind: str  # reminder, shutoff, occupant, final, posted
    send_on: date  # from when (never before the evaluation date)
    earliest_action: date | None  # earliest disconnection this notice enables (if the others follow)
    occupant_required: bool  # occupants of a landlord-owned premise must be notified too
    reason: str
    citation: str
    preset: str = ""


def effective_due(layer: Layer, policy: Policy, bill: BillFact) -> date:
    """The due date the rules recognise: never earlier than bill date + bill_pay_days (PUC 779.1,
    16 TAC 24.165(b)); a weekend/holiday due date rolls to the next business day when the policy
    says so (16 TAC 24.165(b))."""
    due = bill.due_date
    pay_days = layer.p("delinquency.bill_pay_days")
    if pay_days is not None:
        due = max(due, bill.bill_date + timedelta(days=pay_days))
    if layer.p("delinquency.due_date_rolls_to_business_day"):
        due = policy.calendar.next_business_day(due)
    return due


def paid_after_cutoff(layer: Layer, policy: Policy, facts: AccountFacts, bill: BillFact) -> Decimal:
    """What of the bill's paid amount arrived on its (effective) due date after the payment cutoff:
    paid, but late (16 TAC 24.165(b): delinquent if not received by 5:00 p.m. on the due date). A
    payment with no time of day is on time for its day. Payments are not matched to bills, so a
    late payment counts against the bill due that day (the oldest charges are settled first)."""
    cutoff = layer.p("delinquency.payment_cutoff_time")
    if cutoff is None or bill.paid_amount <= ZERO:
        return ZERO
    due, limit = effective_due(layer, policy, bill), time.fromisoformat(cutoff)
    after = [p for p in facts.payments if p.paid_on == due and p.at is not None and p.at > limit]
    late = sum((p.amount for p in after if not p.returned), ZERO)
    return min(late, bill.paid_amount)


def bankruptcy_open(facts: AccountFacts, as_of: date) -> bool:
    """A case is open on `as_of` if the petition was filed by then and not dismissed by then. Judged
    on the evaluation date, not today: a decision replayed for a past date (what-if, a stored
    decision) must see the case as it stood then."""
    bk = facts.bankruptcy
    return (
        bk is not None and bk.petition_date <= as_of and (bk.dismissed_on is None or bk.dismissed_on > as_of)
    )


def bills_in_scope(facts: AccountFacts, as_of: date) -> tuple[BillFact, ...]:
    """Bills the delinquency clock looks at. In an open bankruptcy only post-petition bills count:
    pre-petition debt alone never justifies action (11 U.S.C. 366(a))."""
    bk = facts.bankruptcy
    if bk is not None and bankruptcy_open(facts, as_of):
        return tuple(b for b in facts.bills if b.bill_date >= bk.petition_date)
    return facts.bills


def delinquency_for(
    layer: Layer, policy: Policy, facts: AccountFacts, as_of: date, bills=None
) -> Delinquency:
    bills = facts.bills if bills is None else bills  # callers pass bills_in_scope() for the clock
    overdue = [(effective_due(layer, policy, b), b) for b in bills if b.unpaid > ZERO]
    overdue = [(due, b) for due, b in overdue if due < as_of]
    if not overdue:
        return Delinquency(CURRENT, 0, ZERO, None, None, None)
    overdue.sort(key=lambda item: (item[0], item[1].bill_date))
    past_due = to_money(sum((b.unpaid for _, b in overdue), ZERO))
    due, oldest = overdue[0]
    clock = oldest.bill_date if layer.p("delinquency.clock_start") == "BILL_DATE" else due
    days = max((as_of - clock).days, 0)
    grace = layer.p("delinquency.past_due_grace_days")
    status = DELINQUENT if (as_of - due).days > grace else PAST_DUE
    return Delinquency(status, days, past_due, clock, oldest, due)


# A state's name for a federal benefit program, and the program it is (rules.md §1.10: SB 998's
# CalWORKs, CalFresh, Medi-Cal, SSI/SSP are California's TANF, SNAP, Medicaid and SSI): a household
# recorded as on SNAP is on CalFresh, whichever name the policy's list uses.
PROGRAM_ALIASES = {
    "CALFRESH": "SNAP",
    "MEDI-CAL": "MEDICAID",
    "MEDI_CAL": "MEDICAID",
    "CALWORKS": "TANF",
    "SSP": "SSI",
}


def canonical_program(name: str) -> str:
    """A benefit program's name as the engine compares it ("snap", "CalFresh" -> "SNAP")."""
    upper = name.strip().upper()
    return PROGRAM_ALIASES.get(upper, upper)


def deeming_programs(layer: Layer) -> frozenset[str]:
    """The benefit programs that deem a household low income under this layer
    (`low_income.programs`), by canonical name."""
    return frozenset(canonical_program(p) for p in layer.p("low_income.programs"))


def household_low_income(
    layer: Layer, *, poverty_pct: Decimal | None, programs, pct_param: str = "low_income.fpl_pct"
) -> bool:
    """Household below the layer's % of the poverty line, or on a program that deems it low income
    (`low_income.programs`; SB 998: HSC 116910(a)(2), 116914(b))."""
    if deeming_programs(layer) & {canonical_program(p) for p in programs}:
        return True
    limit = layer.p(pct_param)
    return poverty_pct is not None and limit is not None and poverty_pct < Decimal(limit)


def policy_low_income(policy: Policy, *, poverty_pct: Decimal | None, programs) -> bool:
    """Low income under any rule set of the policy (rules.md §0: the union of protections): what
    counseling records on a hardship interview."""
    return any(
        household_low_income(layer, poverty_pct=poverty_pct, programs=programs) for layer in policy.layers
    )


def is_low_income(layer: Layer, facts: AccountFacts, pct_param: str = "low_income.fpl_pct") -> bool:
    """The account's household is low income under this layer (see `household_low_income`)."""
    return household_low_income(
        layer, poverty_pct=facts.poverty_pct, programs=facts.benefit_programs, pct_param=pct_param
    )


def in_season(d: date, start: str, end: str) -> bool:
    """d within the yearly window start..end ("MM-DD"), which may wrap the new year (12-01..03-31)."""
    key = d.strftime("%m-%d")
    if start <= end:
        return start <= key <= end
    return key >= start or key <= end


def season_end(d: date, start: str, end: str) -> date:
    """The day after the window containing d ends."""
    month, day = (int(x) for x in end.split("-"))
    year = d.year if (start <= end or d.strftime("%m-%d") <= end) else d.year + 1
    return date(year, month, day) + timedelta(days=1)


def good_payments_since(facts: AccountFacts, since: date, until: date | None = None) -> list:
    return [
        p
        for p in facts.payments
        if not p.returned and p.paid_on >= since and (until is None or p.paid_on <= until)
    ]


def fmt_pct(rate: Decimal) -> str:
    """0.015 -> '1.5%'."""
    text = format(rate * 100, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"
