"""Posting payments: one customer, one or more accounts, one or more tenders, exactly once."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account, EntryKind, Fund, LedgerEntry
from accounts.services.ledger import EntrySpec, _post, accounts_lock, credit_distribution
from common.audit import audit_record
from common.exceptions import DomainError
from common.money import to_money
from payments.allocation import TenderPool
from payments.models import (
    CounterTransaction,
    DrawerSession,
    Payment,
    PaymentDistribution,
    SessionStatus,
    Tender,
    TenderAllocation,
    TenderKind,
)
from payments.models.payments import PERSONAL_CHECK_TENDERS
from payments.services.hooks import payment_posted_hooks


@dataclass(frozen=True)
class TenderSpec:
    kind: str
    amount: Decimal  # handed over; for cash it may exceed what is owed (change is given)
    check_number: str = ""
    bank_name: str = ""
    card_last4: str = ""
    auth_code: str = ""
    reference: str = ""


@dataclass(frozen=True)
class Line:
    account_id: int
    amount: Decimal


@dataclass
class Preview:
    account: Account
    amount: Decimal
    parts: list[tuple[Fund, Decimal]] = field(default_factory=list)


def _next_receipt_number(business_date: date) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('payments_receipt_seq')")
        return f"R{business_date:%y%m%d}-{cursor.fetchone()[0]}"


def distribution_preview(*, lines: list[Line], as_of: date) -> list[Preview]:
    """What the cashier confirms: how each account's money settles its funds (no writes)."""
    accounts = {
        a.pk: a
        for a in Account.objects.filter(pk__in=[ln.account_id for ln in lines]).select_related("customer")
    }
    funds = {f.pk: f for f in Fund.objects.all()}
    out = []
    for line in lines:
        plan = credit_distribution(account_id=line.account_id, amount=line.amount, as_of=as_of)
        out.append(
            Preview(accounts[line.account_id], to_money(line.amount), [(funds[f], a) for f, a in plan])
        )
    return out


def _check_tenders(tenders: list[TenderSpec], total: Decimal) -> list[tuple[TenderSpec, Decimal]]:
    """Validate tenders and split each into (spec, applied amount); only cash gives change."""
    if not tenders:
        raise DomainError("tender.none", "Add at least one tender.")
    non_cash = Decimal(0)
    for t in tenders:
        if t.kind not in TenderKind.values:
            raise DomainError("tender.kind", f"Unknown tender {t.kind}.")
        if to_money(t.amount) <= 0:
            raise DomainError("tender.amount", "Each tender must be more than zero.")
        if t.kind == TenderKind.CHECK and not t.check_number.strip():
            raise DomainError("tender.check_number", "Enter the check number.")
        if t.kind == TenderKind.CARD:
            if not (len(t.card_last4) == 4 and t.card_last4.isdigit()):
                raise DomainError("tender.card_last4", "Enter only the last 4 digits of the card.")
            if not t.auth_code.strip():
                raise DomainError("tender.auth_code", "Enter the card authorization code.")
        if t.kind != TenderKind.CASH:
            non_cash += to_money(t.amount)
    cash = sum((to_money(t.amount) for t in tenders if t.kind == TenderKind.CASH), Decimal(0))
    if non_cash > total:
        raise DomainError(
            "tender.over",
            f"Checks and cards total ${non_cash:,.2f}, more than the ${total:,.2f} "
            "being paid; only cash gives change.",
        )
    if non_cash + cash < total:
        raise DomainError(
            "tender.short", f"Tendered ${non_cash + cash:,.2f} is less than the ${total:,.2f} being paid."
        )
    cash_needed = total - non_cash
    applied = []
    for t in tenders:
        if t.kind == TenderKind.CASH:
            take = min(to_money(t.amount), cash_needed)
            cash_needed -= take
            if take > 0:
                applied.append((t, take))
        else:
            applied.append((t, to_money(t.amount)))
    return applied


def request_fingerprint(
    *,
    lines: list[Line],
    tenders: list[TenderSpec],
    session_id: int | None,
    payer_name: str,
    business_date: date | None,
    received_at: datetime | None = None,
) -> str:
    """sha256 of the request in canonical form (amounts to the cent, lines and tenders sorted): what an
    idempotency key is bound to, so a replay with other accounts, amounts or tenders is told apart."""
    canonical = {
        "lines": sorted([ln.account_id, str(to_money(ln.amount))] for ln in lines),
        "tenders": sorted(_tender_canonical(t) for t in tenders),
        "session": session_id,
        "payer": payer_name.strip()[:120],
        "date": business_date.isoformat() if business_date else None,
    }
    if received_at is not None:  # only when given: hashes of requests without it are unchanged
        canonical["received"] = received_at.isoformat()
    return hashlib.sha256(json.dumps(canonical, separators=(",", ":")).encode()).hexdigest()


def _tender_canonical(t: TenderSpec) -> list[str]:
    return [
        t.kind,
        str(to_money(t.amount)),
        t.check_number.strip(),
        t.bank_name.strip(),
        t.card_last4,
        t.auth_code.strip(),
        t.reference.strip(),
    ]


def _key_lock(key: str) -> None:
    """Serialise first uses of one key: two requests with the same key but different accounts lock
    different rows, and both would pass the lookup and collide on the unique key (a 500)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def _written_off(account_ids: list[int]) -> set[int]:
    return set(
        LedgerEntry.objects.filter(
            account_id__in=account_ids, kind=EntryKind.WRITE_OFF, reversals__isnull=True
        ).values_list("account_id", flat=True)
    )


@transaction.atomic(durable=True)
def transaction_post(
    *,
    lines: list[Line],
    tenders: list[TenderSpec],
    actor,
    idempotency_key: UUID | str,  # type: ignore[no-untyped-def]
    session_id: int | None = None,
    payer_name: str = "",
    business_date: date | None = None,
    received_at: datetime | None = None,
) -> CounterTransaction:
    """Post a counter transaction (or, with no session, an IVR/web payment).

    Locks the key, the drawer session, then the accounts in id order; the idempotency key is checked
    under those locks, so a double click or a retried request returns the first posting (flagged
    `replayed`), and the same key with a different request is refused. A caller's key is its own:
    it is stored scoped to the actor, so another caller's key never answers with their receipt."""
    return _transaction_post(
        lines=lines,
        tenders=tenders,
        actor=actor,
        idempotency_key=f"u{actor.pk}:{idempotency_key}",
        session_id=session_id,
        payer_name=payer_name,
        business_date=business_date,
        received_at=received_at,
    )


def _transaction_post(
    *,
    lines: list[Line],
    tenders: list[TenderSpec],
    actor,
    idempotency_key: UUID | str,  # type: ignore[no-untyped-def]
    session_id: int | None,
    payer_name: str,
    business_date: date | None,
    received_at: datetime | None = None,
) -> CounterTransaction:
    """`received_at`: when the payer's money arrived, if the caller knows (API, lockbox file); it
    must fall on the business date. Without it the payment was received when posted."""
    key = f"txn:{idempotency_key}"
    _key_lock(key)
    fingerprint = request_fingerprint(
        lines=lines,
        tenders=tenders,
        session_id=session_id,
        payer_name=payer_name,
        business_date=business_date,
        received_at=received_at,
    )
    session = None
    if session_id is not None:
        session = DrawerSession.objects.select_for_update(no_key=True).filter(pk=session_id).first()
        if session is None or session.status != SessionStatus.OPEN:
            raise DomainError("session.closed", "Open a drawer session before taking payments.")
        if session.cashier_id != actor.pk:
            raise DomainError("session.not_yours", "This drawer session belongs to another cashier.")
    lines = [Line(ln.account_id, to_money(ln.amount)) for ln in lines]
    if not lines:
        raise DomainError("payment.no_lines", "Add at least one account to pay.")
    if any(ln.amount <= 0 for ln in lines):
        raise DomainError("payment.amount", "Each account's amount must be more than zero.")
    if len({ln.account_id for ln in lines}) != len(lines):
        raise DomainError("payment.duplicate_account", "An account appears twice; combine its amounts.")
    locked = accounts_lock(ln.account_id for ln in lines)
    if done := CounterTransaction.objects.filter(idempotency_key=key).first():
        if done.request_hash and done.request_hash != fingerprint:  # blank: posted before hashes were kept
            raise DomainError(
                "idempotency.mismatch",
                f"This key was already posted as receipt {done.receipt_number} for a different request "
                "(accounts, amounts or tenders differ); nothing was posted again. "
                "Use a new key for a new payment.",
            )
        done.replayed = True  # type: ignore[attr-defined]
        return done  # a replay of a posted request: same receipt, nothing posted again
    total = sum((ln.amount for ln in lines), Decimal(0))
    applied = _check_tenders(tenders, total)
    today = business_date or (session.business_date if session else timezone.localdate())
    if received_at is not None:
        if timezone.is_naive(received_at):
            raise DomainError("payment.received_at", "Give the time received with its time zone.")
        if received_at > timezone.now() or timezone.localtime(received_at).date() != today:
            raise DomainError(
                "payment.received_at",
                f"The time received must be on the payment date {today:%b %d, %Y}, and not in the future.",
            )
    kinds = {t.kind for t, _ in applied}
    for account in locked.values():
        if account.cash_only_until and account.cash_only_until >= today and kinds & PERSONAL_CHECK_TENDERS:
            raise DomainError(
                "payment.cash_only",
                f"Account {account.number} takes certified funds only until "
                f"{account.cash_only_until:%b %d, %Y} (returned payments): accept cash, card, money "
                "order or cashier's check — not a personal check.",
            )
    receipt = _next_receipt_number(today)
    cash_tendered = sum((to_money(t.amount) for t in tenders if t.kind == TenderKind.CASH), Decimal(0))
    cash_applied = sum((a for t, a in applied if t.kind == TenderKind.CASH), Decimal(0))
    txn = CounterTransaction.objects.create(
        session=session,
        receipt_number=receipt,
        idempotency_key=key,
        request_hash=fingerprint,
        total=total,
        business_date=today,
        change_due=cash_tendered - cash_applied,
        payer_name=payer_name.strip()[:120],
        created_by=actor,
    )
    tender_rows = Tender.objects.bulk_create(
        [
            Tender(
                transaction=txn,
                kind=t.kind,
                amount=a,
                tendered=to_money(t.amount),
                check_number=t.check_number.strip(),
                bank_name=t.bank_name.strip(),
                card_last4=t.card_last4,
                auth_code=t.auth_code.strip(),
                reference=t.reference.strip(),
            )
            for t, a in applied
        ]
    )
    main_kind = max(applied, key=lambda pair: pair[1])[0].kind
    recoveries = _written_off(list(locked))
    pool = TenderPool([(t, t.kind, t.amount) for t in tender_rows])
    for line in sorted(lines, key=lambda ln: ln.account_id):
        account = locked[line.account_id]
        payment = Payment.objects.create(
            transaction=txn,
            account=account,
            amount=line.amount,
            tender_kind=main_kind,
            is_recovery=account.pk in recoveries,
            business_date=today,
            received_at=received_at,
        )
        plan = credit_distribution(account_id=account.pk, amount=line.amount, as_of=today)
        # Each fund's part is split by the tenders that paid it, one ledger entry per piece: a
        # returned check then reverses whole entries, exactly its own, and nothing else.
        pieces = [(fund_id, tender, amt) for fund_id, part in plan for tender, amt in pool.take(part)]
        entries = _post(
            account=account,
            actor=actor,
            key_prefix=f"{key}:{account.pk}",
            specs=[
                EntrySpec(
                    fund_id=fund_id,
                    kind=EntryKind.PAYMENT,
                    amount=-amt,
                    effective_date=today,
                    reference=receipt,
                )
                for fund_id, _, amt in pieces
            ],
        )
        rows = PaymentDistribution.objects.bulk_create(
            [
                PaymentDistribution(payment=payment, fund_id=e.fund_id, amount=-e.amount, entry=e)
                for e in entries
            ]
        )
        TenderAllocation.objects.bulk_create(
            [
                TenderAllocation(tender=tender, distribution=row, amount=row.amount)
                for row, (_, tender, _) in zip(rows, pieces, strict=True)
            ]
        )
        audit_record(
            actor=actor,
            verb="payment.recovery" if payment.is_recovery else "payment.post",
            target=payment,
            account_id=account.pk,
            data={"amount": str(line.amount), "receipt": receipt, "tender": main_kind},
        )
        for hook in payment_posted_hooks:
            hook(payment=payment)
    return txn
