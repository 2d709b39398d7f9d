"""Small builders for engine tests: facts with one bill, policies by preset name."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from policy_engine.facts import AccountFacts, BillFact, NoticeFact
from policy_engine.policy import Policy, policy_build


def money(value: str | int) -> Decimal:
    return Decimal(str(value))


def pol(*presets: str, **overrides) -> Policy:
    """A policy from presets; keyword overrides use __ for dots (late_fee__pct="0.015")."""
    return policy_build(
        presets=list(presets) or ["DEFAULT"],
        overrides={k.replace("__", "."): v for k, v in overrides.items()},
    )


def one_bill(
    due: date, amount: str | int = "100.00", *, bill_date: date | None = None, paid: str | int = "0", **extra
) -> AccountFacts:
    """An account owing one unpaid bill due on `due` (billed 20 days earlier unless given)."""
    billed = bill_date or date.fromordinal(due.toordinal() - 20)
    bill = BillFact(billed, due, money(amount), money(paid))
    return AccountFacts(bills=(bill,), balance=bill.unpaid, **extra)


def with_notices(facts: AccountFacts, *notices: tuple[str, date] | NoticeFact) -> AccountFacts:
    built = tuple(n if isinstance(n, NoticeFact) else NoticeFact(n[0], n[1]) for n in notices)
    return replace(facts, notices=facts.notices + built)


def codes(decision) -> dict[str, list]:
    """code -> outcomes, to assert a check is present without depending on order."""
    found: dict[str, list] = {}
    for check in decision.checks:
        found.setdefault(check.code, []).append(check.outcome)
    return found


def check(decision, code: str, preset: str | None = None):
    matches = [c for c in decision.checks if c.code == code and (preset is None or c.preset == preset)]
    assert matches, f"no {code} check among {[c.code for c in decision.checks]}"
    return matches[-1]
