"""What the policy in force allows for an arrangement: the engine's `arrangement_limits` on the
account's facts (rules.md §1.5), so the counseling screen, the propose service and the evaluate
API answer the same (Phoenix: the balance over exactly 3 months; SB 998: up to 12)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from common.money import to_money
from policy.facts import account_facts
from policy.selectors import current_policy
from policy_engine import amounts
from policy_engine.amounts_plans import ArrangementLimits
from policy_engine.decision import Outcome
from policy_engine.policy import Policy


def arrangement_limits_for(
    *,
    account_id: int,
    today: date,
    arrears: Decimal,
    poverty_pct: Decimal | None = None,
    hardship: bool | None = None,
    policy: Policy | None = None,
) -> ArrangementLimits:
    """The engine's limits for this account today. `poverty_pct`, `hardship`: a household income
    and a documented hardship just recorded (an interview being saved), which the stored facts do
    not hold yet. `policy`: the one the caller already read, when it stores the decision under
    that version."""
    if policy is None:
        policy, _ = current_policy()
    facts = account_facts(account_id, as_of=today)
    if poverty_pct is not None:
        facts = replace(facts, poverty_pct=poverty_pct)
    if hardship is not None:
        facts = replace(facts, hardship=hardship)
    return amounts.arrangement_limits(policy, facts, today, arrears=to_money(max(arrears, Decimal(0))))


# The engine's exclusion codes, as counseling has always named them (error codes, test ids).
ENGINE_CODES = {
    "ARRANGEMENT_TERM": "term",
    "DOWN_PAYMENT_CAP": "down_payment_cap",
    "ARRANGEMENT_PER_YEAR": "per_year",
    "ARRANGEMENT_BROKEN_RECENTLY": "broken_recently",
    "ARRANGEMENT_LAST_PAYMENT_RETURNED": "last_payment_returned",
    "ARRANGEMENT_FINAL_BILLED": "final_bill",
    "ARRANGEMENT_IN_DISCONNECTION": "in_disconnection",
    "ARRANGEMENT_UNAUTHORIZED_USE": "unauthorized_use",
}
# Counseling checks "one open arrangement" itself (pending approval counts too).
SKIPPED = {"ARRANGEMENT_ACTIVE"}


def engine_checks(limits: ArrangementLimits) -> list[tuple[str, bool, str, str]]:
    """(code, passed, reason, citation) per engine check. Under several rule sets the customer
    is eligible if any grants it (rules.md §0), so a block of one set does not fail then."""
    rows, seen = [], set()
    for check in limits.checks:
        if check.code in SKIPPED:
            continue
        code = ENGINE_CODES.get(check.code, check.code.lower())
        key = (code, check.reason)
        if key in seen:
            continue
        seen.add(key)
        passed = check.outcome != Outcome.BLOCKED or limits.eligible
        rows.append((code, passed, check.reason, check.citation))
    return rows
