"""The engine's answers. Every answer explains itself: each rule checked carries a code, an
outcome, a plain-language reason and the citation from rules.md."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Outcome(StrEnum):
    SATISFIED = "satisfied"  # the rule allows action
    BLOCKED = "blocked"  # a protection forbids action (until `until`, if known)
    DEFERRED = "deferred"  # a timing or calendar gate: action allowed from `until`
    NOT_APPLICABLE = "not_applicable"  # the rule does not apply to this account / policy


class Status(StrEnum):
    ELIGIBLE = "eligible"  # action allowed on the evaluation date
    DEFERRED = "deferred"  # action allowed later, from earliest_date
    BLOCKED = "blocked"  # a protection holds the account
    NOT_DELINQUENT = "not_delinquent"  # nothing to collect


@dataclass(frozen=True)
class RuleCheck:
    code: str  # stable identifier, e.g. "PLEDGE_PENDING", "NOTICE_LEAD"
    outcome: Outcome
    reason: str  # plain language, with the numbers used
    citation: str  # e.g. "Cal. Health & Safety Code 116908(a)(1)(A)"
    step: int = 0  # pipeline step of rules.md §0 (1 applicability ... 4 calendar)
    until: date | None = None  # blocked until / deferred to
    preset: str = ""  # which preset's rule set produced it
    action_needed: str = ""  # what staff must do to satisfy it (e.g. "send the shutoff notice")


@dataclass(frozen=True)
class Amount:
    code: str  # e.g. "LATE_FEE", "RECONNECT_FEE", "DEPOSIT"
    amount: Decimal
    reason: str
    citation: str = ""


@dataclass(frozen=True)
class Decision:
    as_of: date
    status: Status
    earliest_date: date | None  # earliest permissible action date; None when blocked indefinitely
    action: str  # "disconnect" or "low_flow"
    checks: tuple[RuleCheck, ...]
    deciding: RuleCheck | None  # the rule that decides (first blocking, else the latest deferral)
    policy_name: str = ""
    policy_version: int = 0
    days_delinquent: int = 0
    past_due: Decimal = Decimal("0.00")
    amounts: tuple[Amount, ...] = field(default=())

    @property
    def eligible(self) -> bool:
        return self.status == Status.ELIGIBLE
