"""Upward notifications. Payments sits below counseling and collections and must not import them;
they register here (in AppConfig.ready) to hear of payments posted and returned. Hooks run inside
the posting transaction, so what they change commits or rolls back with the payment.

Posted hooks are called as `hook(payment=)`. A hook registered with `accounts=` is called only for
payments on the accounts it names: `accounts(account_ids)` returns those of the given accounts it
may act on, best as a query of account ids (a values_list, not run: a single posting asks every
hook at once, in the one statement that also reads the recoveries, `posting._reads_under_lock`).
The filters are read before any hook of the posting runs, so a hook must never make an account
interesting to another hook (none does: each only settles what it acts on, and a hook called for
an account that no longer needs it finds nothing to do).

Returned hooks are called once per account line a returned tender paid, as
`hook(payment=, returned=, amount=, funds=)`: `amount` is what the return took back from that
payment (all of it, or the check's part of a split tender) and `funds` is that amount by fund id,
from the stored tender allocation. Voided hooks are called
once per payment a void reverses, as `hook(payment=, amount=, funds=, on=)`: a void takes all of
the payment back, so whatever the payment had satisfied (installments, pledges, a write-off
recovery, a deposit) must be undone as for a returned item."""

from collections.abc import Callable, Iterable
from typing import Any

payment_posted_hooks: list[Callable[..., Any]] = []
# hook -> `accounts(account_ids) -> ids (a query of them, or a set)`: of these accounts, those the
# hook may act on. Postings call the hook only for payments on them (a 100,000-line lockbox file,
# or one payment at the counter); a hook registered without it is called for every payment.
payment_posted_accounts: dict[Callable[..., Any], Callable[[list[int]], Iterable[int]]] = {}
# hook -> `many(payments=)`: the hook's set-based form for a bulk posting's round (payments on
# distinct accounts), called once with the round's payments it may act on instead of once each.
payment_posted_many: dict[Callable[..., Any], Callable[..., Any]] = {}
payment_returned_hooks: list[Callable[..., Any]] = []
payment_voided_hooks: list[Callable[..., Any]] = []


def on_payment_posted(
    fn: Callable[..., Any],
    *,
    accounts: Callable[[list[int]], Iterable[int]] | None = None,
    many: Callable[..., Any] | None = None,
) -> Callable[..., Any]:
    if fn not in payment_posted_hooks:
        payment_posted_hooks.append(fn)
    if accounts is not None:
        payment_posted_accounts[fn] = accounts
    if many is not None:
        payment_posted_many[fn] = many
    return fn


def on_payment_returned(fn: Callable[..., Any]) -> Callable[..., Any]:
    if fn not in payment_returned_hooks:
        payment_returned_hooks.append(fn)
    return fn


def on_payment_voided(fn: Callable[..., Any]) -> Callable[..., Any]:
    if fn not in payment_voided_hooks:
        payment_voided_hooks.append(fn)
    return fn
