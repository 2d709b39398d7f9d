"""What other areas want the cashier and the customer to know about an account at the counter.

Payments sits below counseling and collections and must not import them. They register providers
here in AppConfig.ready(): one for the preview (before posting: "service is off, this payment
orders a reconnection, its fee will be...") and one for the receipt (what the payment set in
motion). Each provider is called once per page with every account of the form (batched: the
preview's query count must not grow with the number of accounts) and returns notes by account id
(preview) or payment id (receipt)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class CounterNote:
    code: str  # stable, for tests and styling: "service_off", "reconnect_ordered"...
    level: str  # Bootstrap contextual class: danger, warning, info
    title: str
    text: str


preview_note_providers: list[Callable[..., dict[int, list[CounterNote]]]] = []
receipt_note_providers: list[Callable[..., dict[int, list[CounterNote]]]] = []


def on_payment_preview(fn: Callable[..., dict[int, list[CounterNote]]]) -> Callable[..., Any]:
    """fn(*, lines: list[tuple[account_id, amount]], as_of: date) -> {account_id: [notes]}"""
    if fn not in preview_note_providers:
        preview_note_providers.append(fn)
    return fn


def on_payment_receipt(fn: Callable[..., dict[int, list[CounterNote]]]) -> Callable[..., Any]:
    """fn(*, payments: list[Payment], at: datetime) -> {payment_id: [notes]}; `at` is when the
    transaction was posted (a reprint says what was so then)."""
    if fn not in receipt_note_providers:
        receipt_note_providers.append(fn)
    return fn


def preview_notes(*, lines: Iterable[tuple[int, Decimal]], as_of: date) -> dict[int, list[CounterNote]]:
    lines = list(lines)
    out: dict[int, list[CounterNote]] = {}
    for provider in preview_note_providers:
        for account_id, notes in provider(lines=lines, as_of=as_of).items():
            out.setdefault(account_id, []).extend(notes)
    return out


def receipt_notes(*, payments: list, at: datetime) -> dict[int, list[CounterNote]]:  # type: ignore[type-arg]
    out: dict[int, list[CounterNote]] = {}
    for provider in receipt_note_providers:
        for payment_id, notes in provider(payments=payments, at=at).items():
            out.setdefault(payment_id, []).extend(notes)
    return out
