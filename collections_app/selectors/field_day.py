"""The field day a shutoff list is for: the first day, on or after the night it is computed, on
which the policy lets a crew disconnect anyone.

A list computed for a blackout day (a Sunday under DEFAULT) decides every account "not yet:
blackout" and lists none, which tells an officer planning Monday nothing. So the nightly run (and
*Run now*) prepares the list for the next field day, and the engine decides each account as of
that day. Which days are field days is the engine's own blackout rule (`rules_calendar.blackout`:
blackout weekdays, Fridays, holidays from the policy app's calendar, the day before a holiday),
asked of every rule set of the policy: a day is a field day when at least one rule set permits
disconnection on it (accounts under a stricter rule set are then "not yet" on that list and come
on a later one).
"""

from datetime import date, timedelta
from typing import Any

from policy_engine.calendar import Calendar
from policy_engine.policy import Layer, Policy
from policy_engine.rules_calendar import blackout

# A policy that forbids every day of the week has no field day; the run then keeps the night's
# own date (every account "not yet: blackout", as the engine says) rather than search forever.
HORIZON_DAYS = 31


class _DayRules:
    """What `blackout()` reads of an evaluation context: one layer's parameters and the calendar.
    Asking the engine's function (rather than re-stating its rule here) keeps the run's idea of a
    field day and the engine's "moved to <date>" the same rule."""

    def __init__(self, layer: Layer, calendar: Calendar) -> None:
        self.layer, self.cal = layer, calendar

    def p(self, path: str) -> Any:
        return self.layer.p(path)


def is_field_day(policy: Policy, day: date) -> bool:
    layers = (*policy.layers, policy.fallback)
    return any(blackout(_DayRules(layer, policy.calendar), day) is None for layer in layers)  # type: ignore[arg-type]


def next_field_day(policy: Policy, on: date) -> date:
    """The first field day on or after `on` (`on` itself when no day within a month is one)."""
    for offset in range(HORIZON_DAYS + 1):
        day = on + timedelta(days=offset)
        if is_field_day(policy, day):
            return day
    return on


def shutoff_business_date(*, today: date) -> date:
    """The business date of the shutoff list computed on `today`: the next field day under the
    current policy. A run is unique per business date, so Saturday's and Sunday's nights both
    prepare Monday's list and the second finds it already there."""
    from policy.selectors import current_policy

    policy, _ = current_policy()
    return next_field_day(policy, today)
