"""What the account page shows beyond the ledger, contributed by the apps above accounts.

Apps higher in the stack (counseling, collections...) must not be imported here; in their
AppConfig.ready() they register providers. Each provider gets the page's already-loaded context
and returns flags, timeline items or quick actions; a provider may run at most one query.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Flag:
    code: str
    label: str
    meaning: str  # what it means for the person at the desk
    tone: str = "warning"  # bootstrap colour: danger, warning, info, secondary, success


@dataclass(frozen=True)
class TimelineItem:
    when: date | datetime
    kind: str  # bill, payment, adjustment, notice, contact, order ...
    title: str
    detail: str = ""
    amount: Any = None
    url: str = ""


@dataclass(frozen=True)
class QuickAction:
    label: str
    url: str
    permission: str
    order: int = 100


FlagProvider = Callable[[dict[str, Any]], list[Flag]]
TimelineProvider = Callable[[dict[str, Any]], list[TimelineItem]]
ActionProvider = Callable[[dict[str, Any]], list[QuickAction]]

flag_providers: list[FlagProvider] = []
timeline_providers: list[TimelineProvider] = []
action_providers: list[ActionProvider] = []


def register(
    *,
    flags: FlagProvider | None = None,
    timeline: TimelineProvider | None = None,
    actions: ActionProvider | None = None,
) -> None:
    for registry, provider in (
        (flag_providers, flags),
        (timeline_providers, timeline),
        (action_providers, actions),
    ):
        if provider is not None and provider not in registry:
            registry.append(provider)
