"""One layer's evaluation context, shared by the rule modules: the layer's parameters, the facts,
the date, the (bankruptcy-scoped) delinquency, and what earlier steps found out that later ones
need (a defaulted plan, the notice that starts the clock)."""

from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil
from typing import Any

from .calendar import Calendar
from .core import Delinquency
from .decision import Outcome, RuleCheck
from .facts import AccountFacts, NoticeFact
from .policy import Layer, Policy


@dataclass
class Ctx:
    layer: Layer
    policy: Policy
    facts: AccountFacts
    as_of: date
    dq: Delinquency  # post-petition bills only while a bankruptcy case is open
    plan_default_on: date | None = None  # first day of non-compliance with a plan covering these arrears
    plan_next_day: bool = False  # St. George: default allows disconnection the next day, no notice
    shutoff_notice: NoticeFact | None = None
    notice_valid_through: date | None = None
    valid_notices: tuple[NoticeFact, ...] = ()  # qualifying disconnection notices still valid today

    @property
    def cal(self) -> Calendar:
        return self.policy.calendar

    @property
    def preset(self) -> str:
        return self.layer.preset

    def p(self, path: str) -> Any:
        return self.layer.p(path)

    def check(
        self,
        code: str,
        outcome: Outcome,
        reason: str,
        path: str,
        step: int,
        until: date | None = None,
        action: str = "",
        *,
        citation: str | None = None,
    ) -> RuleCheck:
        """A RuleCheck citing `path`'s source in this layer (or an explicit citation)."""
        return RuleCheck(
            code=code,
            outcome=outcome,
            reason=reason,
            citation=citation if citation is not None else self.layer.cite(path),
            step=step,
            until=until,
            preset=self.preset,
            action_needed=action,
        )

    def gate(self, code: str, allowed: date, met: str, path: str, action: str = "") -> RuleCheck:
        """A step-3 timing gate: SATISFIED once `allowed` has come (and nothing is left to do),
        else DEFERRED to `allowed`."""
        outcome = Outcome.SATISFIED if allowed <= self.as_of and not action else Outcome.DEFERRED
        return self.check(code, outcome, met, path, 3, allowed, action)


def hours_to_days(hours: int) -> int:
    """'At least 48 hours before' on a date scale: 2 calendar days (24 h = 1 day, 72 h = 3)."""
    return ceil(hours / 24)


def lead_unit_text(lead: dict) -> str:
    unit = "business days" if lead["unit"] == "BUSINESS_DAYS" else "calendar days"
    return f"{lead['value']} {unit}"


def after_lead(cal: Calendar, sent: date, lead: dict, lag_days: int = 0) -> date:
    """rules.md §0 'at least N days before X': X >= notice + N (calendar) or
    X >= add_business_days(notice, N) (business); a mailing lag delays the start (PUC 779.1)."""
    start = sent + timedelta(days=lag_days)
    if lead["unit"] == "BUSINESS_DAYS":
        return cal.add_business_days(start, lead["value"])
    return start + timedelta(days=lead["value"])


def before_lead(cal: Calendar, target: date, lead: dict, lag_days: int = 0) -> date:
    """The latest send date whose lead still ends on or before `target` (planning's inverse)."""
    if lead["unit"] == "BUSINESS_DAYS":
        sent = cal.add_business_days(cal.previous_business_day(target), -lead["value"])
    else:
        sent = target - timedelta(days=lead["value"])
    return sent - timedelta(days=lag_days)
