"""Posting many one-account, one-tender payments at once (lockbox, agency and remittance files).

Each item posts exactly as `posting._transaction_post` would post it alone: the same receipt,
idempotency key and request hash, ledger entries (keyed `txn:<key>:<account>:<n>`), fund
distribution (`credit_distribution`'s rule over the same open items), tender allocation, audit
row and payment hooks; the balance moves by exactly the entries' sum. What differs is how: the
accounts are locked once, in id order, and each table is written with one statement per round
(a round holds each account at most once, in the items' order, so an account paid twice in a file
sees its first payment before the second is distributed, as it would one posting after another).

Inside the caller's transaction (an import is all or nothing). No per-key advisory lock, unlike a
single posting: a file's 100,000 keys would exhaust PostgreSQL's lock table. Two imports posting
the same key for the same account wait for each other on the account's row lock and the second
finds the first; for different accounts, the unique key fails the second import as a whole.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from accounts.models import Account, EntryKind, LedgerEntry
from accounts.selectors.open_items import open_items_many
from accounts.services.ledger import accounts_lock, credit_fund_id, distribution_plan
from common.audit import audit_record_many
from common.exceptions import DomainError
from common.money import to_money
from payments.models import CounterTransaction, Payment, PaymentDistribution, Tender, TenderAllocation
from payments.models.payments import PERSONAL_CHECK_TENDERS
from payments.services.hooks import payment_posted_accounts, payment_posted_hooks, payment_posted_many
from payments.services.posting import Line, TenderSpec, _written_off, request_fingerprint


@dataclass(frozen=True)
class BulkItem:
    ref: int  # the caller's name for the item (a file's line number): errors are keyed by it
    account_id: int
    amount: Decimal
    tender: TenderSpec  # one non-cash tender of exactly `amount`
    idempotency_key: str
    business_date: date
    payer_name: str = ""
    received_at: datetime | None = None


def transactions_post_many(
    *,
    items: list[BulkItem],
    actor,
    progress: Callable[[int], None] | None = None,  # type: ignore[no-untyped-def]
) -> tuple[dict[int, CounterTransaction], list[tuple[int, str]]]:
    """Post the items; returns (transaction by ref, errors as (ref, message)). A replayed key
    answers with its first transaction (flagged `replayed`), as a single posting does. The
    caller rolls back on any error: nothing is skipped silently."""
    locked = accounts_lock(i.account_id for i in items)
    keys = {f"txn:{i.idempotency_key}": i for i in items}
    posted: dict[int, CounterTransaction] = {}
    errors: list[tuple[int, str]] = []
    fingerprints = {i.ref: _fingerprint(i) for i in items}
    for done in CounterTransaction.objects.filter(idempotency_key__in=list(keys)):
        item = keys[done.idempotency_key]
        if done.request_hash and done.request_hash != fingerprints[item.ref]:
            errors.append(
                (
                    item.ref,
                    f"This key was already posted as receipt {done.receipt_number} for a different request "
                    "(accounts, amounts or tenders differ); nothing was posted again.",
                )
            )
        else:
            done.replayed = True  # type: ignore[attr-defined]
            posted[item.ref] = done
    todo = []
    for item in items:
        if item.ref in posted or any(ref == item.ref for ref, _ in errors):
            continue
        try:
            _check(item, locked[item.account_id])
        except DomainError as exc:
            errors.append((item.ref, exc.message))
            continue
        todo.append(item)
    if errors:
        return posted, errors
    seen: Counter[int] = Counter()
    rounds: list[list[BulkItem]] = []
    for item in todo:  # the n-th payment of an account goes to round n
        n = seen[item.account_id]
        seen[item.account_id] += 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append(item)
    done_count = len(posted)
    for batch in rounds:
        for start in range(0, len(batch), CHUNK):
            chunk = batch[start : start + CHUNK]
            posted.update(_post_round(chunk, locked, fingerprints, actor))
            done_count += len(chunk)
            if progress:
                progress(done_count)
    return posted, errors


CHUNK = 5000  # items per round of statements


def _fingerprint(item: BulkItem) -> str:
    return request_fingerprint(
        lines=[Line(item.account_id, item.amount)],
        tenders=[item.tender],
        session_id=None,
        payer_name=item.payer_name,
        business_date=item.business_date,
        received_at=item.received_at,
    )


def _check(item: BulkItem, account: Account) -> None:
    """`_transaction_post`'s refusals that can apply to a one-tender, sessionless payment."""
    amount = to_money(item.amount)
    if amount <= 0 or to_money(item.tender.amount) != amount:
        raise DomainError("payment.amount", "Each account's amount must be more than zero.")
    if item.tender.kind == "cash":
        raise DomainError("tender.kind", "A bulk posting takes no cash.")
    today, received_at = item.business_date, item.received_at
    if received_at is not None:
        if timezone.is_naive(received_at):
            raise DomainError("payment.received_at", "Give the time received with its time zone.")
        if received_at > timezone.now() or timezone.localtime(received_at).date() != today:
            raise DomainError(
                "payment.received_at",
                f"The time received must be on the payment date {today:%b %d, %Y}, and not in the future.",
            )
    if (
        account.cash_only_until
        and account.cash_only_until >= today
        and item.tender.kind in PERSONAL_CHECK_TENDERS
    ):
        raise DomainError(
            "payment.cash_only",
            f"Account {account.number} takes certified funds only until "
            f"{account.cash_only_until:%b %d, %Y} (returned payments): accept cash, card, money "
            "order or cashier's check — not a personal check.",
        )


def _receipts(items: list[BulkItem]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('payments_receipt_seq') FROM generate_series(1, %s)", [len(items)])
        numbers = [n for (n,) in cursor.fetchall()]
    return [f"R{i.business_date:%y%m%d}-{n}" for i, n in zip(items, numbers, strict=True)]


def _post_round(items, locked, fingerprints, actor) -> dict[int, CounterTransaction]:  # type: ignore[no-untyped-def]
    """Items on distinct accounts: one statement per table."""
    recoveries = _written_off([i.account_id for i in items])  # per round: a hook may recover one
    receipts = _receipts(items)
    txns = CounterTransaction.objects.bulk_create(
        [
            CounterTransaction(
                session=None,
                receipt_number=receipt,
                idempotency_key=f"txn:{i.idempotency_key}",
                request_hash=fingerprints[i.ref],
                total=to_money(i.amount),
                business_date=i.business_date,
                change_due=Decimal(0),
                payer_name=i.payer_name.strip()[:120],
                created_by=actor,
            )
            for i, receipt in zip(items, receipts, strict=True)
        ]
    )
    tenders = Tender.objects.bulk_create(
        [
            Tender(
                transaction=txn,
                kind=i.tender.kind,
                amount=to_money(i.amount),
                tendered=to_money(i.tender.amount),
                check_number=i.tender.check_number.strip(),
                bank_name=i.tender.bank_name.strip(),
                card_last4=i.tender.card_last4,
                auth_code=i.tender.auth_code.strip(),
                reference=i.tender.reference.strip(),
            )
            for i, txn in zip(items, txns, strict=True)
        ]
    )
    payments = Payment.objects.bulk_create(
        [
            Payment(
                transaction=txn,
                account=locked[i.account_id],
                amount=to_money(i.amount),
                tender_kind=i.tender.kind,
                is_recovery=i.account_id in recoveries,
                business_date=i.business_date,
                received_at=i.received_at,
            )
            for i, txn in zip(items, txns, strict=True)
        ]
    )
    open_by_account = open_items_many([(i.account_id, i.business_date) for i in items])
    cr: list[int] = []

    def credit_fund() -> int:
        if not cr:
            cr.append(credit_fund_id())
        return cr[0]

    entries, owners = [], []
    for i, txn, payment in zip(items, txns, payments, strict=True):
        plan = distribution_plan(open_by_account[i.account_id], i.amount, credit_fund)
        n = 0
        for fund_id, part in plan:
            if to_money(part) == 0:
                continue
            entries.append(
                LedgerEntry(
                    account_id=i.account_id,
                    fund_id=fund_id,
                    kind=EntryKind.PAYMENT,
                    amount=-to_money(part),
                    is_debit=False,
                    effective_date=i.business_date,
                    reference=txn.receipt_number[:60],
                    created_by=actor,
                    idempotency_key=f"{txn.idempotency_key}:{i.account_id}:{n}",
                )
            )
            owners.append(payment)
            n += 1
    entries = LedgerEntry.objects.bulk_create(entries)
    rows = PaymentDistribution.objects.bulk_create(
        [
            PaymentDistribution(payment=p, fund_id=e.fund_id, amount=-e.amount, entry=e)
            for e, p in zip(entries, owners, strict=True)
        ]
    )
    tender_of = {p.pk: t for p, t in zip(payments, tenders, strict=True)}
    TenderAllocation.objects.bulk_create(
        [TenderAllocation(tender=tender_of[r.payment.pk], distribution=r, amount=r.amount) for r in rows]
    )
    # the balances: one statement; each account is once in a round and locked above
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_account a SET balance = a.balance + v.delta "
            "FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, delta) WHERE a.id = v.id",
            [[i.account_id for i in items], [-to_money(i.amount) for i in items]],
        )
    for i in items:  # the in-memory rows the hooks read, as a single posting leaves them
        account = locked[i.account_id]
        account.balance = to_money(account.balance - to_money(i.amount))
    for verb, recovery in (("payment.post", False), ("payment.recovery", True)):
        audit_record_many(
            actor=actor,
            verb=verb,
            items=[
                (
                    p,
                    p.account_id,
                    {"amount": str(p.amount), "receipt": t.receipt_number, "tender": p.tender_kind},
                )
                for p, t in zip(payments, txns, strict=True)
                if p.is_recovery == recovery
            ],
        )
    for payment, txn in zip(payments, txns, strict=True):
        payment.transaction = txn
    ids = [p.account_id for p in payments]
    for hook in payment_posted_hooks:  # in registration order, as a single posting runs them
        interested = payment_posted_accounts.get(hook)
        wanted = set(interested(ids)) if interested else set(ids)
        mine = [p for p in payments if p.account_id in wanted]
        if hook in payment_posted_many:
            payment_posted_many[hook](payments=mine)
            continue
        for payment in mine:
            hook(payment=payment)
    return {i.ref: txn for i, txn in zip(items, txns, strict=True)}
