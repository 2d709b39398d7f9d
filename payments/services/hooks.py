"""Upward notifications. Payments sits below counseling and collections and must not import them;
they register here (in AppConfig.ready) to hear of payments posted and returned. Hooks run inside
the posting transaction, so what they change commits or rolls back with the payment."""

from collections.abc import Callable
from typing import Any

payment_posted_hooks: list[Callable[..., Any]] = []
payment_returned_hooks: list[Callable[..., Any]] = []


def on_payment_posted(fn: Callable[..., Any]) -> Callable[..., Any]:
    if fn not in payment_posted_hooks:
        payment_posted_hooks.append(fn)
    return fn


def on_payment_returned(fn: Callable[..., Any]) -> Callable[..., Any]:
    if fn not in payment_returned_hooks:
        payment_returned_hooks.append(fn)
    return fn
