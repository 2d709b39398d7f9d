"""Counseling's stored policy decisions (accounts.PolicyDecision): arrangement eligibility and
terms, and program eligibility, kept with the policy version that decided and every rule checked.

An allowed decision is recorded inside the service's transaction, after the change, so it exists
if and only if the arrangement or enrollment does. A refusal raises `PolicyRefused` (a
DomainError): the refused write rolls back, and the service's caller-facing wrapper stores the
refusal in its own transaction (`refusal_record`) before re-raising it, so staff and auditors see
that the policy said no, and why, while nothing of the refused request remains."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.models import DecisionKind, DecisionOutcome, PolicyDecision
from accounts.services.decisions import decision_record
from accounts.services.ledger import accounts_lock
from common.exceptions import DomainError
from counseling.services.arrangement_terms import ENGINE_CODES, SKIPPED
from policy_engine.amounts_plans import ArrangementLimits
from policy_engine.decision import Outcome

# Counseling's own checks (not the engine's), as stored rule codes.
OWN_CODES = {"balance": "ARRANGEMENT_BALANCE", "one_open": "ARRANGEMENT_ONE_OPEN"}
_ENGINE_BY_NAME = {name: code for code, name in ENGINE_CODES.items()}


class PolicyRefused(DomainError):
    """The policy said no to what staff asked. `decision` holds decision_record's arguments; the
    service's wrapper stores it after the refused transaction rolled back (`refusal_record`).
    `replayable`: the subject is the request's idempotency key, so a replay stores nothing new."""

    def __init__(
        self, code: str, message: str, *, decision: dict[str, Any], replayable: bool = False
    ) -> None:
        super().__init__(code, message)
        self.decision_args = decision
        self.replayable = replayable
        self.decision: PolicyDecision | None = None


@transaction.atomic(durable=True)
def refusal_record(exc: PolicyRefused) -> PolicyDecision:
    """Store a refusal; a replayed request (same key, same rule, same reason) adds no second row.
    The account row lock orders it with the account's other writes."""
    args = exc.decision_args
    accounts_lock([args["account_id"]])
    if exc.replayable:
        same = PolicyDecision.objects.filter(
            account_id=args["account_id"],
            kind=args["kind"],
            outcome=DecisionOutcome.REFUSED,
            subject=args["subject"][:40],
            code=args["code"],
            reason=args["reason"],
        ).first()
        if same is not None:
            return same
    return decision_record(outcome=DecisionOutcome.REFUSED, **args)


def stored_code(code: str) -> str:
    """Counseling's check name as the rule code stored with a decision (the engine's own code)."""
    return OWN_CODES.get(code) or _ENGINE_BY_NAME.get(code) or code.upper()


def arrangement_check_rows(own: Iterable[Any], limits: ArrangementLimits) -> list[dict[str, Any]]:
    """Counseling's own checks, then every engine check (with its rule set), as stored rows."""
    rows: list[dict[str, Any]] = [
        {
            "code": OWN_CODES[c.code],
            "outcome": Outcome.SATISFIED.value if c.passed else Outcome.BLOCKED.value,
            "reason": c.reason,
            "citation": c.citation,
        }
        for c in own
        if c.code in OWN_CODES
    ]
    return rows + [c for c in limits.checks if c.code not in SKIPPED]  # type: ignore[misc]


def _check(limits: ArrangementLimits, code: str) -> Any:
    return next((c for c in limits.checks if c.code == code), None)


def arrangement_terms_refusal(
    limits: ArrangementLimits, *, installments: int, down_payment: Decimal
) -> tuple[str, str, str, str] | None:
    """(error code, message, rule code, citation) when the proposal is outside the policy's terms,
    as the engine states them; None when within them."""
    term = _check(limits, "ARRANGEMENT_TERM")
    term_cite = term.citation if term else ""
    if limits.fixed_months is not None and (installments != limits.fixed_months or down_payment != 0):
        return (
            "arrangement.fixed_months",
            f"Policy splits the whole balance over exactly {limits.fixed_months} monthly installments, "
            "with no down payment.",
            "ARRANGEMENT_TERM",
            term_cite,
        )
    if installments > limits.max_months:
        return (
            "arrangement.max_months",
            f"Policy allows at most {limits.max_months} monthly installments.",
            "ARRANGEMENT_TERM",
            term_cite,
        )
    if limits.down_payment_cap is not None and down_payment > limits.down_payment_cap:
        cap = _check(limits, "DOWN_PAYMENT_CAP")
        return (
            "arrangement.down_cap",
            f"Policy caps the down payment at ${limits.down_payment_cap:,.2f}.",
            "DOWN_PAYMENT_CAP",
            cap.citation if cap else "",
        )
    if down_payment < limits.down_payment_min:
        return (
            "arrangement.down_min",
            f"Policy requires a down payment of at least ${limits.down_payment_min:,.2f}.",
            "DOWN_PAYMENT_MIN",
            term_cite,
        )
    return None


def arrangement_allowed_reason(
    limits: ArrangementLimits, *, total: Decimal, down_payment: Decimal, installments: int
) -> tuple[str, str]:
    """(reason, citation) of an allowed arrangement: the terms the policy allows, then what was agreed."""
    term, cap = _check(limits, "ARRANGEMENT_TERM"), _check(limits, "DOWN_PAYMENT_CAP")
    parts = ["Eligible.", term.reason if term else f"Term: up to {limits.max_months} months."]
    if cap is not None:
        parts.append(cap.reason)
    parts.append(f"Agreed: ${total:,.2f}, ${down_payment:,.2f} down and {installments} installments.")
    return " ".join(parts), term.citation if term else ""


def program_decision(
    *,
    policy: Any,  # policy_engine.policy.Policy
    program: str,
    program_label: str,
    interview: Any,  # counseling.models.HardshipInterview | None
    certified_on: date,
    recert_due: date,
) -> tuple[bool, str, str, str, list[dict[str, Any]]]:
    """(eligible, rule code, reason, citation, checks) for a program enrollment under `policy`:
    the low-income discount needs a hardship interview that found low-income status (rules.md
    §1.10, `low_income.fpl_pct` or a qualifying benefit); every program recertifies after
    `low_income.recert_months`."""
    layer = policy.layers[0]
    months = layer.p("low_income.recert_months")
    recert = {
        "code": "PROGRAM_RECERT",
        "outcome": Outcome.SATISFIED.value,
        "reason": f"Certified {certified_on:%b %d, %Y}; recertify every {months} months: "
        f"by {recert_due:%b %d, %Y}.",
        "citation": layer.cite("low_income.recert_months"),
        "preset": layer.preset,
    }
    if program != "low_income":
        reason = f"{program_label}: no income test in the policy. {recert['reason']}"
        return True, "PROGRAM_RECERT", reason, recert["citation"], [recert]
    threshold, cite = layer.p("low_income.fpl_pct"), layer.cite("low_income.fpl_pct")
    if interview is None:
        found = "No hardship interview on the account."
    else:
        benefits = ", ".join(interview.benefits) or "none"
        found = (
            f"Hardship interview of {interview.conducted_at:%b %d, %Y}: household income "
            f"{interview.fpl_percent}% of the poverty line (low income below {threshold}%), "
            f"benefit programs: {benefits}; low-income status "
            f"{'found' if interview.low_income else 'not found'}."
        )
    eligible = interview is not None and interview.low_income
    status = {
        "code": "LOW_INCOME_STATUS",
        "outcome": (Outcome.SATISFIED if eligible else Outcome.BLOCKED).value,
        "reason": found,
        "citation": cite,
        "preset": layer.preset,
    }
    if eligible:
        return True, "LOW_INCOME_STATUS", f"{found} {recert['reason']}", cite, [status, recert]
    reason = (
        f"{found} A hardship interview showing low-income status is needed to enroll in the "
        "low-income discount."
    )
    return False, "LOW_INCOME_STATUS", reason, cite, [status]


def subject_for(prefix: str, key: object) -> str:
    return f"{prefix}:{key}"[:40]


ARRANGEMENT = DecisionKind.ARRANGEMENT
PROGRAM = DecisionKind.PROGRAM
