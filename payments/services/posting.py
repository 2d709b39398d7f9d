"""Posting payments: one customer, one or more accounts, one or more tenders, exactly once."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.db import connection, transaction
from django.db.models import BigIntegerField, CharField, Func, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.models import Account, EntryKind, Fund, LedgerEntry
from accounts.selectors.open_items import open_items_for
from accounts.services.ledger import CREDIT_FUND_CODE, accounts_lock, credit_distribution, distribution_plan
from common.audit import audit_record_many
from common.exceptions import DomainError
from common.locking import rows_insert, rows_lock
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
from payments.services.hooks import payment_posted_accounts, payment_posted_hooks


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


def _written_off_query(account_ids: list[int]) -> QuerySet[LedgerEntry, int]:
    return LedgerEntry.objects.filter(
        account_id__in=account_ids, kind=EntryKind.WRITE_OFF, reversals__isnull=True
    ).values_list("account_id", flat=True)


def _written_off(account_ids: list[int]) -> set[int]:
    return set(_written_off_query(account_ids))


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
        session = rows_lock(DrawerSession, [session_id]).get(session_id)
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
    # the key's earlier posting, if any, is read by the same statement as the rest (under the locks)
    reads = _reads_under_lock(list(locked), idempotency_key=key)
    if reads.done_id is not None:
        done = CounterTransaction.objects.get(pk=reads.done_id)
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
    open_by_account = open_items_for([ln.account_id for ln in lines], as_of=today)
    cash_tendered = sum((to_money(t.amount) for t in tenders if t.kind == TenderKind.CASH), Decimal(0))
    cash_applied = sum((a for t, a in applied if t.kind == TenderKind.CASH), Decimal(0))
    txn = CounterTransaction.objects.create(
        session=session,
        receipt_number=_receipt_number_sql(today),  # read back by the INSERT's RETURNING
        idempotency_key=key,
        request_hash=fingerprint,
        total=total,
        business_date=today,
        change_due=cash_tendered - cash_applied,
        payer_name=payer_name.strip()[:120],
        created_by=actor,
    )
    receipt = txn.receipt_number
    # each table in one INSERT whose SQL is written once per model (common.locking.rows_insert)
    tender_rows = rows_insert(
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
    ordered = sorted(lines, key=lambda ln: ln.account_id)
    payments = rows_insert(
        [
            Payment(
                transaction=txn,
                account=locked[line.account_id],
                amount=line.amount,
                tender_kind=main_kind,
                is_recovery=line.account_id in reads.recoveries,
                business_date=today,
                received_at=received_at,
            )
            for line in ordered
        ]
    )
    # Every line's entries, distribution rows and tender pieces, accounts in id order. Each fund's
    # part is split by the tenders that paid it, one ledger entry per piece: a returned check then
    # reverses whole entries, exactly its own, and nothing else.
    pool = TenderPool([(t, t.kind, t.amount) for t in tender_rows])
    entries: list[LedgerEntry] = []
    pieces: list[tuple[Payment, Tender]] = []
    for line, payment in zip(ordered, payments, strict=True):
        plan = distribution_plan(open_by_account[line.account_id], line.amount, reads.credit_fund)
        n = 0
        for fund_id, part in plan:
            for tender, amt in pool.take(part):
                if to_money(amt) == 0:
                    continue
                entries.append(
                    LedgerEntry(
                        account=payment.account,
                        fund_id=fund_id,
                        kind=EntryKind.PAYMENT,
                        amount=-to_money(amt),
                        is_debit=False,
                        effective_date=today,
                        reference=receipt[:60],
                        created_by=actor,
                        idempotency_key=f"{key}:{line.account_id}:{n}",
                    )
                )
                pieces.append((payment, tender))
                n += 1
    rows_insert(entries)
    _balances_move(locked, entries)
    rows = rows_insert(
        [
            PaymentDistribution(payment=payment, fund_id=e.fund_id, amount=-e.amount, entry=e)
            for e, (payment, _) in zip(entries, pieces, strict=True)
        ]
    )
    rows_insert(
        [
            TenderAllocation(tender=tender, distribution=row, amount=row.amount)
            for row, (_, tender) in zip(rows, pieces, strict=True)
        ]
    )
    for payment in payments:
        payment.transaction = txn
        payment.posted_distribution = [r for r in rows if r.payment is payment]  # type: ignore[attr-defined]
    for verb, recovery in (("payment.post", False), ("payment.recovery", True)):
        audit_record_many(
            actor=actor,
            verb=verb,
            items=[
                (p, p.account_id, {"amount": str(p.amount), "receipt": receipt, "tender": main_kind})
                for p in payments
                if p.is_recovery == recovery
            ],
        )
    for hook in payment_posted_hooks:  # in registration order; each payment in account id order
        wanted = reads.interested.get(hook)
        for payment in payments:
            if wanted is None or payment.account_id in wanted:
                hook(payment=payment)
    txn.posted_payments = payments  # type: ignore[attr-defined]  (the caller's receipt, not re-read)
    return txn


def _receipt_number_sql(business_date: date) -> Concat:
    """R<yymmdd>-<next of payments_receipt_seq>, drawn by the transaction's own INSERT."""
    seq = Func(Value("payments_receipt_seq"), function="nextval", output_field=BigIntegerField())
    return Concat(Value(f"R{business_date:%y%m%d}-"), Cast(seq, CharField()), output_field=CharField())


def _balances_move(locked: dict[int, Account], entries: list[LedgerEntry]) -> None:
    """Each account's balance moves by exactly its new entries' sum, in one statement (the rows are
    locked by accounts_lock; the in-memory rows the hooks read are moved the same)."""
    delta: dict[int, Decimal] = {}
    for e in entries:
        delta[e.account_id] = delta.get(e.account_id, Decimal(0)) + e.amount
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_account a SET balance = a.balance + v.delta "
            "FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, delta) WHERE a.id = v.id",
            [list(delta), list(delta.values())],
        )
    for account_id, d in delta.items():
        locked[account_id].balance = to_money(locked[account_id].balance + d)


@dataclass
class _Reads:
    recoveries: set[int]  # accounts with a write-off standing: a payment on them is a recovery
    interested: dict[object, set[int]]  # hook -> the accounts it acts on (absent: every account)
    credit_fund_id: int | None
    done_id: int | None  # the transaction already posted under this idempotency key

    def credit_fund(self) -> int:
        if self.credit_fund_id is None:
            raise DomainError("fund.credit_missing", "The credit fund (CR) is missing.")
        return self.credit_fund_id


def _reads_under_lock(account_ids: list[int], *, idempotency_key: str) -> _Reads:
    """What posting needs to know of the locked accounts besides their open items, in one statement
    rather than one per question: the transaction already posted under the idempotency key, the
    accounts with a standing write-off, the credit fund, and for each posted hook with an account
    filter, the accounts it acts on. Read after the key's lock and the row locks (READ COMMITTED:
    a statement after the lock sees what the lock holder before us committed)."""
    hooks = tuple(
        (n, hook, payment_posted_accounts[hook])
        for n, hook in enumerate(payment_posted_hooks)
        if hook in payment_posted_accounts
    )
    key = (len(account_ids), hooks)
    if key not in _reads_statements:
        _reads_statements[key] = _reads_compile(len(account_ids), hooks)
    statement = _reads_statements[key]
    interested: dict[object, set[int]] = {}
    if statement is None:  # filters whose SQL is not the same for any ids: compiled at each call
        sql, params, answered = _reads_sql(account_ids, hooks)
    else:
        sql, template, slots, answered_by = statement
        params = [account_ids[slots[i]] if i in slots else p for i, p in enumerate(template)]
        answered = {hook: set(accounts(account_ids)) for hook, accounts in answered_by}
    done = f"SELECT 'k', t.id FROM {CounterTransaction._meta.db_table} t WHERE t.idempotency_key = %s"  # noqa: S608
    sql = f"{sql} UNION ALL {done}"
    by_tag: dict[str, set[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, idempotency_key])
        for tag, value in cursor.fetchall():
            by_tag.setdefault(tag, set()).add(value)
    for n, hook, _ in hooks:
        interested[hook] = answered[hook] if hook in answered else by_tag.get(f"h{n}", set())
    credit, done = by_tag.get("c"), by_tag.get("k")
    return _Reads(
        by_tag.get("w", set()), interested, min(credit) if credit else None, min(done) if done else None
    )


# `_reads_under_lock`'s statement per number of accounts, compiled once per process: building and
# compiling the seven querysets cost 3 ms of CPU a posting. It is compiled with stand-in ids (no
# account has a negative id), swapped for the real ones at each call. A filter depends on the ids
# alone (payments.services.hooks); two compilations with different stand-ins must agree on all else
# before the statement is kept.
_reads_statements: dict[tuple, tuple | None] = {}  # type: ignore[type-arg]
_STAND_IN = (-(2**62), -(2**61))


def _reads_compile(n: int, hooks: tuple) -> tuple | None:  # type: ignore[type-arg]
    compiled = []
    for base in _STAND_IN:
        ids = [base + k for k in range(n)]
        sql, params, answered = _reads_sql(ids, hooks, run_sets=False)
        slots = {i: ids.index(p) for i, p in enumerate(params) if type(p) is int and p in ids}
        rest = [p for i, p in enumerate(params) if i not in slots]
        compiled.append((sql, params, slots, rest, answered))
    (sql, params, slots, rest, answered), other = compiled
    if (sql, slots, rest) != other[:1] + other[2:4]:
        return None
    return sql, params, slots, [(hook, accounts) for _, hook, accounts in hooks if hook in answered]


def _reads_sql(account_ids: list[int], hooks: tuple, run_sets: bool = True) -> tuple:  # type: ignore[type-arg]
    """The statement and its parameters; `answered`: hooks whose filter is not a query (their
    answer, or with run_sets=False, None), asked apart."""
    parts: list[tuple[str, str, tuple[object, ...]]] = [
        ("w", *_sql(_written_off_query(account_ids))),
        ("c", *_sql(Fund.objects.filter(code=CREDIT_FUND_CODE).values_list("id", flat=True))),
    ]
    answered: dict[object, set[int] | None] = {}
    for n, hook, accounts in hooks:
        found = accounts(account_ids)
        if isinstance(found, QuerySet):
            parts.append((f"h{n}", *_sql(found)))
        else:  # a filter that answers by itself
            answered[hook] = set(found) if run_sets else None
    # compiled querysets; every value is a bound parameter
    sql = " UNION ALL ".join(f"SELECT %s, q.id FROM ({part}) AS q(id)" for _, part, _ in parts)  # noqa: S608
    params = [p for tag, _, ps in parts for p in (tag, *ps)]
    return sql, params, answered


def _sql(qs: QuerySet) -> tuple[str, tuple[object, ...]]:  # type: ignore[type-arg]
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)
