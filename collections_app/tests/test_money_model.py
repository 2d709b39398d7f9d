"""A model of the money flows, checked against the real services step by step.

Hypothesis drives random sequences of what the counter, the back office and the nightly jobs do
to a handful of accounts (open and close drawers, split payments with mixed tenders, voids,
returned checks, adjustments with and without approval, misapplied payments moved, write-offs
and recoveries, late fees). A plain-Python model predicts every account's balance; after each
step the invariants an auditor checks must hold:

- balance = sum of entries on every account, and both equal the model's balance;
- every open drawer's expected cash = float + cash taken (net of change) - cash voided;
- the day's GL by fund = payments less reversals, taken from the ledger itself;
- a returned check moves exactly its own amount (plus one fee);
- no ledger entry without an audit row on its account;
- a refused action (DomainError) changes nothing at all.

`make test` runs a short version; `bench/money_model.py` runs it long.
"""

import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.models import (
    Account,
    Adjustment,
    AdjustmentStatus,
    EntryKind,
    Fund,
    LedgerEntry,
    ReasonCode,
    Service,
)
from accounts.services.adjustments import adjustment_decide, adjustment_request
from accounts.services.ledger import ledger_sum
from accounts.services.transfers import payment_transfer
from accounts.tests.factories import AccountFactory
from collections_app.models import (
    OrderKind,
    OrderStatus,
    RefundStatus,
    ServiceOrder,
    WriteOff,
)
from collections_app.models.recovery import WriteOffRecovery
from collections_app.services.late_fees import late_fees_run
from collections_app.services.orders import order_complete, order_dispatch
from collections_app.services.refunds import refund_decide, refund_issue, refund_request
from collections_app.services.write_offs import small_balance_run
from collections_app.tests.billing import bill
from common.exceptions import DomainError
from common.models import AuditEvent
from payments.models import CounterTransaction, DrawerSession, Payment, PaymentStatus, SessionStatus
from payments.selectors import gl_journal
from payments.services.posting import Line, TenderSpec, transaction_post
from payments.services.returns import tender_return
from payments.services.sessions import session_close, session_expected, session_open
from payments.services.voids import transaction_void
from payments.tests.factories import drawer

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")
EXAMPLES = int(os.environ.get("MONEY_MODEL_EXAMPLES", "30"))
STEPS = int(os.environ.get("MONEY_MODEL_STEPS", "40"))

SEEN: Counter[str] = Counter()  # which paths the run took, so a quiet run cannot pass unseen
amounts = st.integers(min_value=1, max_value=40000).map(lambda c: Decimal(c) / 100)


@dataclass
class Receipt:
    txn_id: int
    session_id: int
    lines: dict[int, Decimal]  # account id -> amount
    cash: Decimal  # cash applied (net of change)
    tenders: list[tuple[int, str, Decimal]] = field(default_factory=list)  # id, kind, applied
    live: bool = True  # not voided
    returned: set[int] = field(default_factory=set)  # tender ids the bank sent back
    moved: bool = False  # a line was moved to another account
    void_pending: bool = False  # a void awaits a supervisor


def allocate(
    lines: dict[int, Decimal], tenders: list[tuple[int, str, Decimal]]
) -> dict[int, dict[int, Decimal]]:
    """The model's own reading of the allocation rule: non-cash tenders in the order entered, then
    cash (only cash gives change), filling the account lines in account id order."""
    order = [t for t in tenders if t[1] != "cash"] + [t for t in tenders if t[1] == "cash"]
    left = dict(sorted(lines.items()))
    out: dict[int, dict[int, Decimal]] = {}
    for tender_id, _kind, amount in order:
        share: dict[int, Decimal] = {}
        for account_id in left:
            take = min(amount, left[account_id])
            if take > 0:
                share[account_id] = take
                left[account_id] -= take
                amount -= take
        out[tender_id] = share
    return out


class MoneyModel(RuleBasedStateMachine):
    users: dict = {}

    def __init__(self) -> None:
        super().__init__()
        self._savepoint = transaction.savepoint()
        self.today = timezone.localdate()
        self.accounts: list[Account] = []
        self.balance: dict[int, Decimal] = {}
        self.session_of: dict[str, int] = {}  # cashier username -> open session id
        self.expected_cash: dict[int, Decimal] = {}  # session id -> float + cash - voided cash
        self.gl_net = Decimal(0)  # what the day's payments bring in, net of voids and returns
        self.returns_on: dict[int, int] = {}  # account id -> returned items so far
        self.receipts: list[Receipt] = []
        self.pending: list[tuple[int, int, Decimal]] = []  # adjustment id, account id, amount
        self.entry_mark = self.audit_mark = 0
        self.fees_run = self.small_run = False

    def teardown(self) -> None:
        transaction.savepoint_rollback(self._savepoint)

    # --- setup ------------------------------------------------------------------------------

    @initialize(charges=st.lists(st.lists(amounts, min_size=0, max_size=3), min_size=3, max_size=3))
    def city(self, charges: list[list[Decimal]]) -> None:
        for per_account in charges:
            account = AccountFactory()
            for n, amount in enumerate(per_account):
                bill(account, str(amount), due=self.today - timedelta(days=15 + 30 * n))
            account.refresh_from_db()
            self.accounts.append(account)
            self.balance[account.pk] = sum(per_account, Decimal(0))
        for n in (0, 1):
            self.open_drawer(n=n, opening=Decimal("100.00"))
        # the third account has had its final bill: small-balance write-offs and refunds apply to it
        Account.objects.filter(pk=self.accounts[2].pk).update(status="final")
        Service.objects.filter(account=self.accounts[2]).update(ended_on=self.today - timedelta(days=60))
        # the opening bills come from a test helper, not a service: the audit check starts here
        self.entry_mark, self.audit_mark = self._snapshot()[:2]

    # --- helpers ----------------------------------------------------------------------------

    def _snapshot(self) -> tuple:
        entries = LedgerEntry.objects.aggregate(n=Max("id"))["n"] or 0
        audits = AuditEvent.objects.aggregate(n=Max("id"))["n"] or 0
        balances = dict(Account.objects.filter(pk__in=self.balance).values_list("pk", "balance"))
        return entries, audits, balances

    def _refused(self, before: tuple) -> None:
        """A refusal must leave no trace: no entry, no audit row, no balance moved."""
        assert self._snapshot() == before

    def _cashier(self, n: int):  # type: ignore[no-untyped-def]
        return self.users["cashiers"][n % len(self.users["cashiers"])]

    # --- the counter ------------------------------------------------------------------------

    @precondition(lambda self: len(self.session_of) < 2)
    @rule(n=st.integers(0, 1), opening=st.integers(0, 30000).map(lambda c: Decimal(c) / 100))
    def open_drawer(self, n: int, opening: Decimal) -> None:
        cashier = self._cashier(n)
        if cashier.username in self.session_of:
            return
        session = session_open(drawer_id=drawer(f"M{n}").pk, cashier=cashier, opening_float=opening)
        self.session_of[cashier.username] = session.pk
        self.expected_cash[session.pk] = opening

    @precondition(lambda self: self.session_of)
    @rule(
        n=st.integers(0, 1),
        picks=st.lists(
            st.tuples(st.integers(0, 2), amounts), min_size=1, max_size=2, unique_by=lambda p: p[0]
        ),
        kinds=st.lists(st.sampled_from(["cash", "check", "card", "money_order"]), min_size=1, max_size=3),
        extra_cash=st.integers(0, 5000).map(lambda c: Decimal(c) / 100),
        data=st.data(),
    )
    def post(self, n: int, picks, kinds, extra_cash: Decimal, data) -> None:  # type: ignore[no-untyped-def]
        cashier = self._cashier(n)
        session_id = self.session_of.get(cashier.username)
        if session_id is None:
            cashier = self._cashier(n + 1)
            session_id = self.session_of[cashier.username]
        lines = {self.accounts[i].pk: amount for i, amount in picks}
        total = sum(lines.values(), Decimal(0))
        # non-cash tenders take random parts of the total; cash (if any) covers the rest
        non_cash = [k for k in kinds if k != "cash"]
        specs: list[TenderSpec] = []
        left = total
        for i, kind in enumerate(non_cash):
            last = i == len(non_cash) - 1 and "cash" not in kinds
            cents = int(left / CENT)
            if cents <= 0:
                break
            part = left if last else Decimal(data.draw(st.integers(1, cents))) / 100
            left -= part
            specs.append(_tender(kind, part, i))
        if left > 0:
            specs.append(TenderSpec(kind="cash", amount=left + extra_cash))
        before = self._snapshot()
        try:
            txn = transaction_post(
                lines=[Line(a, x) for a, x in lines.items()],
                tenders=specs,
                actor=cashier,
                session_id=session_id,
                idempotency_key=uuid4(),
            )
        except DomainError:
            self._refused(before)
            return
        cash = sum((t.amount for t in txn.tenders.all() if t.kind == "cash"), Decimal(0))
        assert txn.total == total and txn.change_due == (extra_cash if left > 0 else 0)
        for account_id, amount in lines.items():
            self.balance[account_id] -= amount
        self.expected_cash[session_id] += cash
        self.gl_net += total
        SEEN["posted"] += 1
        if txn.payments.filter(is_recovery=True).exists():
            SEEN["recovery on a written-off account"] += 1
        self.receipts.append(
            Receipt(
                txn_id=txn.pk,
                session_id=session_id,
                lines=lines,
                cash=cash,
                tenders=[(t.pk, t.kind, t.amount) for t in txn.tenders.order_by("pk")],
            )
        )

    # the counter is the busiest place: a second way in doubles how often payments are posted
    @precondition(lambda self: self.session_of)
    @rule(
        n=st.integers(0, 1),
        picks=st.lists(
            st.tuples(st.integers(0, 2), amounts), min_size=1, max_size=2, unique_by=lambda p: p[0]
        ),
        data=st.data(),
    )
    def post_with_a_check(self, n: int, picks, data) -> None:  # type: ignore[no-untyped-def]
        self.post(n=n, picks=picks, kinds=["check", "cash"], extra_cash=Decimal("0.00"), data=data)

    @precondition(lambda self: self.receipts)
    @rule(r=st.integers(0, 10**6))
    def void(self, r: int) -> None:
        receipt = self.receipts[r % len(self.receipts)]
        if not receipt.live:
            return
        txn = CounterTransaction.objects.get(pk=receipt.txn_id)
        before = self._snapshot()
        try:
            transaction_void(transaction_id=txn.pk, reason="customer changed mind", actor=txn.created_by)
        except DomainError:
            self._refused(before)
            return
        assert not receipt.returned and not receipt.moved, "a void after a return or a move reverses twice"
        statuses = set(Payment.objects.filter(transaction_id=txn.pk).values_list("status", flat=True))
        if statuses == {PaymentStatus.VOID_PENDING}:
            receipt.void_pending = True
            return  # awaits a supervisor: nothing moved yet
        assert statuses == {PaymentStatus.VOIDED}
        receipt.live = False
        SEEN["voided"] += 1
        for account_id, amount in receipt.lines.items():
            self.balance[account_id] += amount
        self.expected_cash[receipt.session_id] -= receipt.cash
        self.gl_net -= sum(receipt.lines.values(), Decimal(0))

    @precondition(lambda self: self.receipts)
    @rule(r=st.integers(0, 10**6), which=st.integers(0, 7))
    def return_item(self, r: int, which: int) -> None:
        """The bank sends back one item (or the cashier tries it on cash or a card)."""
        receipt = self.receipts[r % len(self.receipts)]
        # half the time the bank's item (a check or money order), half any tender (cash and cards
        # must be refused)
        returnable = [t for t in receipt.tenders if t[1] in ("check", "money_order")]
        pool = returnable if which % 2 == 0 and returnable else receipt.tenders
        tender_id, kind, amount = pool[which // 2 % len(pool)]
        before = self._snapshot()
        try:
            item = tender_return(
                tender_id=tender_id,
                returned_on=self.today,
                reason="NSF",
                actor=self.users["supervisor"],
                idempotency_key=uuid4(),
            )
        except DomainError:
            self._refused(before)
            # refused for cash and cards, a voided receipt, an item already returned, a moved line
            assert (
                kind in ("cash", "card")
                or not receipt.live
                or receipt.void_pending
                or tender_id in receipt.returned
                or receipt.moved
            ), f"a returnable {kind} was refused"
            return
        assert kind not in ("cash", "card") and receipt.live and tender_id not in receipt.returned
        after = self._snapshot()
        share = allocate(receipt.lines, receipt.tenders)[tender_id]
        # exactly this item's share comes back on each account it paid, and one fee on one of them
        assert item.amount == amount == sum(share.values(), Decimal(0))
        fee_at = item.fee_account_id
        for account_id in self.balance:
            moved = after[2][account_id] - before[2][account_id]
            expected = share.get(account_id, Decimal(0)) + (item.fee if account_id == fee_at else 0)
            assert moved == expected, (account_id, moved, expected)
            self.balance[account_id] += moved
        receipt.returned.add(tender_id)
        SEEN["returned an item"] += 1
        self.gl_net -= amount

    @rule(n=st.integers(0, 1))
    def close_drawer(self, n: int) -> None:
        cashier = self._cashier(n)
        session_id = self.session_of.get(cashier.username)
        if session_id is None:
            return
        session = DrawerSession.objects.get(pk=session_id)
        expected = session_expected(session=session)
        cents = int(expected.cash * 100)
        closed = session_close(
            session_id=session_id,
            cashier=cashier,
            denominations={"coin_0.01": cents},
            checks_total=expected.checks,
            check_count=expected.check_count,
            cards_total=expected.cards,
            other_total=expected.other,
        )
        assert closed.status == SessionStatus.CLOSED and closed.over_short == 0
        del self.session_of[cashier.username]

    # --- the back office --------------------------------------------------------------------

    @rule(
        i=st.integers(0, 2),
        cents=st.integers(-60000, 60000).filter(bool),
        who=st.sampled_from(["cashier", "supervisor"]),
    )
    def adjust(self, i: int, cents: int, who: str) -> None:
        account = self.accounts[i]
        actor = self.users["supervisor"] if who == "supervisor" else self._cashier(0)
        amount = Decimal(cents) / 100
        before = self._snapshot()
        try:
            adjustment = adjustment_request(
                account_id=account.pk,
                fund_id=Fund.objects.get(code="WTR").pk,
                amount=amount,
                reason_id=ReasonCode.objects.filter(kind="adjustment").first().pk,
                note="model",
                actor=actor,
                idempotency_key=uuid4(),
            )
        except DomainError:
            self._refused(before)
            return
        if adjustment.status == AdjustmentStatus.POSTED:
            self.balance[account.pk] += amount
        else:
            self.pending.append((adjustment.pk, account.pk, amount))

    @precondition(lambda self: self.pending)
    @rule(approve=st.booleans())
    def decide_adjustment(self, approve: bool) -> None:
        adjustment_id, account_id, amount = self.pending.pop(0)
        adjustment = Adjustment.objects.get(pk=adjustment_id)
        approver = (
            self.users["supervisor2"]
            if adjustment.requested_by == self.users["supervisor"]
            else self.users["supervisor"]
        )
        adjustment_decide(adjustment_id=adjustment_id, approve=approve, note="checked", actor=approver)
        if approve:
            self.balance[account_id] += amount

    @precondition(lambda self: self.receipts)
    @rule(r=st.integers(0, 10**6), to=st.integers(0, 2))
    def move_misapplied(self, r: int, to: int) -> None:
        receipt = self.receipts[r % len(self.receipts)]
        if not receipt.live:
            return
        account_id, amount = next(iter(receipt.lines.items()))
        # what a returned item took back has left the account already: only the rest moves
        shares = allocate(receipt.lines, receipt.tenders)
        amount -= sum((shares[t].get(account_id, Decimal(0)) for t in receipt.returned), Decimal(0))
        target = self.accounts[to]
        txn = CounterTransaction.objects.get(pk=receipt.txn_id)
        before = self._snapshot()
        try:
            payment_transfer(
                from_account_id=account_id,
                reference=txn.receipt_number,
                paid_on=txn.business_date,
                to_account_number=target.number,
                reason_id=ReasonCode.objects.filter(kind="transfer").first().pk,
                note="wrong account",
                actor=self.users["supervisor"],
                idempotency_key=uuid4(),
            )
        except DomainError:
            self._refused(before)
            return
        receipt.moved = True
        SEEN["moved a payment"] += 1
        self.balance[account_id] += amount
        self.balance[target.pk] -= amount

    # --- collections and refunds --------------------------------------------------------------

    @rule()
    def late_fees_tonight(self) -> None:
        """The nightly job; once per business date, so running it again charges nothing."""
        before = self._snapshot()
        late_fees_run(business_date=self.today)
        again, self.fees_run = self.fees_run, True
        fees = dict(
            LedgerEntry.objects.filter(id__gt=before[0], kind=EntryKind.LATE_FEE)
            .values("account_id")
            .annotate(s=Sum("amount"))
            .values_list("account_id", "s")
        )
        assert not (again and fees), "a second run on the same night charged again"
        for account_id, amount in fees.items():
            if account_id in self.balance:
                self.balance[account_id] += amount
                SEEN["late fee charged"] += 1
        # nothing but late fees moved
        after = self._snapshot()
        for account_id in self.balance:
            assert after[2][account_id] - before[2][account_id] == fees.get(account_id, 0)

    @precondition(lambda self: self.receipts)
    @rule(i=st.integers(0, 2))
    def crew_disconnects(self, i: int) -> None:
        """The field crew shut the water off (as a completed disconnect order leaves it)."""
        Service.objects.filter(account=self.accounts[i], ended_on__isnull=True).update(status="disconnected")

    @precondition(lambda self: self.session_of)
    @rule(i=st.integers(0, 1), data=st.data())
    def shut_off_then_paid_in_full(self, i: int, data) -> None:  # type: ignore[no-untyped-def]
        """The whole reconnection path in one step (random steps rarely line it up): the water is
        off, the customer pays everything at the counter, the crew restores it and the fee follows."""
        self.crew_disconnects(i=i)
        owed = Account.objects.get(pk=self.accounts[i].pk).balance
        if owed > 0:
            self.post(n=0, picks=[(i, owed)], kinds=["cash"], extra_cash=Decimal("0.00"), data=data)
        if ServiceOrder.objects.filter(
            account_id=self.accounts[i].pk, kind=OrderKind.RECONNECT, status=OrderStatus.OPEN
        ).exists():
            self.crew_reconnects()

    @precondition(
        lambda self: ServiceOrder.objects.filter(
            account_id__in=self.balance, kind=OrderKind.RECONNECT, status=OrderStatus.OPEN
        ).exists()
    )
    @rule()
    def crew_reconnects(self) -> None:
        """Every reconnection ordered is done: its fee is charged now, once, and only now."""
        for order in ServiceOrder.objects.filter(
            account_id__in=self.balance, kind=OrderKind.RECONNECT, status=OrderStatus.OPEN
        ):
            order_dispatch(order_ids=[order.pk], crew="Crew 1", actor=self.users["supervisor"])
            before = self._snapshot()
            result = order_complete(order_id=order.pk, outcome="done", actor=self.users["supervisor"])
            order.refresh_from_db()
            moved = self._snapshot()[2][order.account_id] - before[2][order.account_id]
            SEEN[f"reconnection {order.status}"] += 1
            if order.status == OrderStatus.COMPLETED:
                assert moved == order.fee_amount, (moved, order.fee_amount, result)
            else:
                assert moved == 0
            self.balance[order.account_id] += moved
            again = self._snapshot()
            order_complete(order_id=order.pk, outcome="done", actor=self.users["supervisor"])
            assert self._snapshot() == again, "a retried completion charges nothing"

    @precondition(lambda self: Account.objects.filter(pk__in=self.balance, balance__lt=0).exists())
    @rule(i=st.integers(0, 2), part=st.integers(1, 100), who=st.integers(0, 1))
    def refund_credit(self, i: int, part: int, who: int) -> None:
        """A credit is refunded by check: requested, approved by someone else above the limit, issued."""
        in_credit = list(Account.objects.filter(pk__in=self.balance, balance__lt=0).order_by("pk"))
        account = in_credit[i % len(in_credit)]
        credit = -account.balance
        amount = max(CENT, (credit * part / 100).quantize(CENT))
        requester = self._cashier(who)
        before = self._snapshot()
        try:
            refund = refund_request(
                account_id=account.pk,
                amount=amount,
                method="check",
                reason="overpaid",
                actor=requester,
                idempotency_key=uuid4(),
            )
        except DomainError:
            self._refused(before)
            return
        assert self._snapshot()[2] == before[2], "a request moves no money"
        if refund.status == RefundStatus.REQUESTED:
            refund_decide(refund_id=refund.pk, approve=True, note="ok", actor=self.users["supervisor"])
        before = self._snapshot()
        try:
            refund_issue(refund_id=refund.pk, check_number=f"R{refund.pk}", actor=self.users["supervisor"])
        except DomainError:
            self._refused(before)
            # left approved: a later request on this account is refused while it is open
            return
        moved = self._snapshot()[2][account.pk] - before[2][account.pk]
        assert moved == amount, (moved, amount)
        self.balance[account.pk] += amount
        SEEN["refunded a credit"] += 1

    @rule(i=st.integers(0, 2), cents=st.integers(-300, 300))
    def final_bill_left_small(self, i: int, cents: int) -> None:
        """An adjustment leaves a final account owing (or owed) a few cents to a few dollars."""
        account = Account.objects.get(pk=self.accounts[i].pk)
        if account.status != "final":
            return
        target = Decimal(cents) / 100
        delta = target - account.balance
        if delta == 0 or abs(delta) > Decimal("100.00"):
            return
        adjustment = adjustment_request(
            account_id=account.pk,
            fund_id=Fund.objects.get(code="WTR").pk,
            amount=delta,
            reason_id=ReasonCode.objects.filter(kind="adjustment").first().pk,
            note="final meter read",
            actor=self.users["supervisor"],
            idempotency_key=uuid4(),
        )
        if adjustment.status == AdjustmentStatus.POSTED:
            self.balance[account.pk] += delta
        else:
            self.pending.append((adjustment.pk, account.pk, delta))

    @precondition(lambda self: not self.small_run)
    @rule()
    def small_balances_tonight(self) -> None:
        before = self._snapshot()
        small_balance_run(business_date=self.today)
        self.small_run = True
        after = self._snapshot()
        for account_id in self.balance:
            moved = after[2][account_id] - before[2][account_id]
            if moved:
                # a small balance is written off whole: the account ends at zero
                assert after[2][account_id] == 0 and abs(before[2][account_id]) <= Decimal("3.00")
                self.balance[account_id] += moved
                SEEN["small balance written off"] += 1

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def balances_are_the_sum_of_entries_and_match_the_model(self) -> None:
        # Money paid on a written-off account first re-establishes the written-off debt it
        # recovers (README: Recovery), so the balance is the model's plus what stands recovered.
        recovered = dict(
            WriteOffRecovery.objects.filter(write_off__account_id__in=self.balance, reversed=False)
            .values("write_off__account_id")
            .annotate(s=Sum("amount"))
            .values_list("write_off__account_id", "s")
        )
        for account in Account.objects.filter(pk__in=self.balance):
            expected = self.balance[account.pk] + recovered.get(account.pk, 0)
            assert account.balance == ledger_sum(account.pk) == expected, account.number

    @invariant()
    def a_recovery_stands_only_on_money_that_stands(self) -> None:
        for r in WriteOffRecovery.objects.filter(
            write_off__account_id__in=self.balance, reversed=False
        ).select_related("payment", "write_off"):
            # a void awaiting approval has not taken the money back yet
            standing = (PaymentStatus.POSTED, PaymentStatus.PART_RETURNED, PaymentStatus.VOID_PENDING)
            assert r.payment.status in standing, r.payment.status
            assert r.amount <= r.payment.amount - r.payment.returned_amount
        for w in WriteOff.objects.filter(account_id__in=self.balance):
            standing = w.recoveries.filter(reversed=False).aggregate(s=Sum("amount"))["s"] or 0
            assert w.recovered_amount == standing

    @invariant()
    def drawers_hold_what_they_took(self) -> None:
        for session_id in self.session_of.values():
            session = DrawerSession.objects.get(pk=session_id)
            assert session_expected(session=session).cash == self.expected_cash[session_id]

    @invariant()
    def the_gl_is_payments_less_reversals_from_the_ledger(self) -> None:
        rows = gl_journal(day=self.today)
        assert sum((r.net for r in rows), Decimal(0)) == self.gl_net
        by_fund = dict(
            LedgerEntry.objects.filter(
                effective_date=self.today, kind__in=[EntryKind.PAYMENT, EntryKind.PAYMENT_REVERSAL]
            )
            .values("fund__code")
            .annotate(s=Sum("amount"))
            .values_list("fund__code", "s")
        )
        assert {r.fund_code: r.net for r in rows if r.net} == {f: -s for f, s in by_fund.items() if s}

    @invariant()
    def every_entry_has_an_audit_row_on_its_account(self) -> None:
        """Each entry written since the last step has an audit row, written since, on its account."""
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT e.id, e.kind FROM accounts_ledgerentry e WHERE e.id > %(e)s
                   AND NOT EXISTS (SELECT 1 FROM common_auditevent a
                                   WHERE a.id > %(a)s AND a.account_id = e.account_id)""",
                {"e": self.entry_mark, "a": self.audit_mark},
            )
            assert cursor.fetchall() == []
        self.entry_mark, self.audit_mark = self._snapshot()[:2]


def _tender(kind: str, amount: Decimal, i: int) -> TenderSpec:
    if kind == "check":
        return TenderSpec(kind="check", amount=amount, check_number=f"{1000 + i}", bank_name="Desert Bank")
    if kind == "card":
        return TenderSpec(kind="card", amount=amount, card_last4="4242", auth_code=f"A{i}")
    return TenderSpec(kind=kind, amount=amount, reference=f"MO{i}")


@pytest.fixture
def model_users(make_user):  # type: ignore[no-untyped-def]
    return {
        "cashiers": [make_user("m_cash0", "Cashier"), make_user("m_cash1", "Cashier")],
        "supervisor": make_user("m_sup", "Supervisor"),
        "supervisor2": make_user("m_sup2", "Supervisor"),
    }


def test_the_money_model_holds_on_every_path(model_users) -> None:  # type: ignore[no-untyped-def]
    MoneyModel.users = model_users
    SEEN.clear()
    run_state_machine_as_test(
        MoneyModel,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            # shrinking a long failing run takes many minutes: opt in when diagnosing
            phases=list(Phase) if os.environ.get("MONEY_MODEL_SHRINK") else [Phase.explicit, Phase.generate],
        ),
    )
    print(dict(SEEN))
    # the run must have walked the paths it claims to check
    if EXAMPLES >= 25:
        assert {
            "posted",
            "voided",
            "returned an item",
            "moved a payment",
            "refunded a credit",
            "reconnection completed",
            "late fee charged",
        } <= set(SEEN), SEEN
    # (small-balance write-offs need the final account to land within $3 first: the long run in
    # bench/money_model.py reaches them many times; the short one may not, so they are not required)
