from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import EntryKind, LedgerEntry
from accounts.selectors.open_items import open_items
from accounts.services.ledger import EntrySpec, credit_distribution, ledger_sum
from accounts.tests.factories import AccountFactory, charge, fund
from accounts.tests.factories import post as ledger_post
from common.exceptions import DomainError
from common.models import AuditEvent
from payments.models import CounterTransaction, Payment, PaymentDistribution, TenderKind
from payments.services.posting import Line, TenderSpec, distribution_preview, transaction_post
from payments.tests.factories import cash, check, open_session, post

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _by_fund(payment: Payment) -> list[tuple[str, Decimal]]:
    """The payment's distribution per fund, in the order the funds were settled."""
    out: dict[str, Decimal] = {}
    for d in payment.distribution.select_related("fund").order_by("id"):
        out[d.fund.code] = out.get(d.fund.code, Decimal(0)) + d.amount
    return list(out.items())


@pytest.fixture
def cashier(make_user):
    return make_user("dale", "Cashier")


def test_split_tender_for_two_accounts_distributes_oldest_first(cashier):
    a, b = AccountFactory(), AccountFactory()
    charge(a, "50.00", due=TODAY - timedelta(days=40), code="SWR")
    charge(a, "30.00", due=TODAY - timedelta(days=10), code="WTR")
    charge(b, "25.00", due=TODAY + timedelta(days=5), code="SLW")
    session = open_session(cashier)
    preview = distribution_preview(
        lines=[Line(a.pk, Decimal("70.00")), Line(b.pk, Decimal("40.00"))], as_of=TODAY
    )
    txn = post(session, cashier, (a, "70.00"), (b, "40.00"), tenders=[check("60.00"), cash("60.00")])
    assert txn.total == Decimal("110.00") and txn.change_due == Decimal("10.00")
    tenders = {t.kind: (t.amount, t.tendered) for t in txn.tenders.all()}
    assert tenders == {
        "check": (Decimal("60.00"), Decimal("60.00")),
        "cash": (Decimal("50.00"), Decimal("60.00")),
    }
    pa = Payment.objects.get(transaction=txn, account=a)
    assert _by_fund(pa) == [("SWR", Decimal("50.00")), ("WTR", Decimal("20.00"))]
    # each fund's part is stored per tender that paid it: the check first, cash after
    assert [
        (d.fund.code, d.amount, d.allocations.get().tender.kind) for d in pa.distribution.order_by("id")
    ] == [
        ("SWR", Decimal("50.00"), "check"),
        ("WTR", Decimal("10.00"), "check"),
        ("WTR", Decimal("10.00"), "cash"),
    ]
    pb = Payment.objects.get(transaction=txn, account=b)
    assert sorted(_by_fund(pb)) == [
        ("CR", Decimal("15.00")),
        ("SLW", Decimal("25.00")),
    ], "overpayment stays as a credit"
    assert [(f.code, x) for f, x in preview[0].parts] == _by_fund(pa)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.balance, b.balance) == (Decimal("10.00"), Decimal("-15.00"))
    assert a.balance == ledger_sum(a.pk) and b.balance == ledger_sum(b.pk)
    assert AuditEvent.objects.filter(verb="payment.post").count() == 2


def test_a_replayed_submission_posts_once(cashier):
    account = AccountFactory()
    session = open_session(cashier)
    key = uuid4()
    first = post(session, cashier, (account, "20.00"), tenders=[cash("20.00")], key=key)
    again = post(session, cashier, (account, "20.00"), tenders=[cash("20.00")], key=key)
    assert first == again and CounterTransaction.objects.count() == 1
    account.refresh_from_db()
    assert account.balance == Decimal("-20.00")


def test_cash_only_account_refuses_a_check_with_a_clear_message(cashier):
    account = AccountFactory(cash_only_until=TODAY + timedelta(days=30))
    session = open_session(cashier)
    with pytest.raises(DomainError, match="certified funds only until"):
        post(session, cashier, (account, "20.00"), tenders=[check("20.00")])
    post(
        session,
        cashier,
        (account, "20.00"),
        tenders=[TenderSpec(kind="money_order", amount=Decimal("20.00"), reference="MO-1")],
    )
    assert Payment.objects.count() == 1


def test_payment_on_a_written_off_account_is_a_recovery(cashier):
    account = AccountFactory()
    charge(account, "40.00", due=TODAY - timedelta(days=400))
    ledger_post(
        account,
        EntrySpec(
            fund_id=fund("WTR").pk,
            kind=EntryKind.WRITE_OFF,
            amount=Decimal("-40.00"),
            effective_date=TODAY - timedelta(days=30),
        ),
    )
    txn = post(open_session(cashier), cashier, (account, "15.00"), tenders=[cash("15.00")])
    assert txn.payments.get().is_recovery and AuditEvent.objects.filter(verb="payment.recovery").exists()


@pytest.mark.parametrize(
    ("tenders", "message"),
    [
        ([], "at least one tender"),
        ([cash("10.00")], "less than"),
        ([check("30.00")], "only cash gives change"),
        ([TenderSpec(kind="check", amount=Decimal("20.00"))], "check number"),
        (
            [TenderSpec(kind="card", amount=Decimal("20.00"), card_last4="4111111111111111", auth_code="A1")],
            "last 4",
        ),
        ([TenderSpec(kind="card", amount=Decimal("20.00"), card_last4="1111")], "authorization code"),
    ],
)
def test_bad_tenders_are_refused_and_nothing_is_saved(cashier, tenders, message):
    account = AccountFactory()
    session = open_session(cashier)
    with pytest.raises(DomainError, match=message):
        post(session, cashier, (account, "20.00"), tenders=tenders)
    assert not CounterTransaction.objects.exists() and not LedgerEntry.objects.exists()


def test_nothing_posts_without_the_cashiers_own_open_session(cashier, make_user):
    account = AccountFactory()
    other = make_user("eve", "Cashier")
    session = open_session(other, code="T02")
    with pytest.raises(DomainError, match="belongs to another cashier"):
        post(session, cashier, (account, "5.00"), tenders=[cash("5.00")])
    session.status = "closed"
    session.save()
    with pytest.raises(DomainError, match="Open a drawer session"):
        post(session, other, (account, "5.00"), tenders=[cash("5.00")])


def test_a_payment_without_a_session_is_an_integration_payment(make_user):
    ivr = make_user("ivr", "Cashier")
    account = AccountFactory()
    txn = transaction_post(
        lines=[Line(account.pk, Decimal("9.99"))],
        actor=ivr,
        idempotency_key=uuid4(),
        tenders=[TenderSpec(kind=TenderKind.ELECTRONIC, amount=Decimal("9.99"), reference="IVR-1")],
    )
    assert txn.session is None and txn.payments.get().amount == Decimal("9.99")


charges = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("300"), places=2),
        st.integers(-120, 30),
        st.sampled_from(["WTR", "SWR", "SLW", "FEE"]),
    ),
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=charges, amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("900"), places=2))
def test_distribution_sums_to_the_payment_and_never_over_applies(items, amount):
    from django.db import transaction

    with transaction.atomic():
        account = AccountFactory()
        for value, offset, code in items:
            charge(account, str(value), due=TODAY + timedelta(days=offset), code=code)
        open_by_fund: dict[int, Decimal] = {}
        for item in open_items(account_id=account.pk, as_of=TODAY):
            open_by_fund[item.fund_id] = open_by_fund.get(item.fund_id, Decimal(0)) + item.unpaid
        plan = credit_distribution(account_id=account.pk, amount=amount, as_of=TODAY)
        assert sum(part for _, part in plan) == amount
        assert all(part > 0 for _, part in plan)
        credit = fund("CR").pk
        for fund_id, part in plan:
            if fund_id != credit:
                assert part <= open_by_fund[fund_id], "a charge is never over-applied"
        overflow = dict(plan).get(credit, Decimal(0))
        assert overflow == max(amount - sum(open_by_fund.values(), Decimal(0)), Decimal(0))
        transaction.set_rollback(True)


def test_distribution_rows_tie_to_the_ledger(cashier):
    account = AccountFactory()
    charge(account, "33.33", due=TODAY)
    txn = post(open_session(cashier), cashier, (account, "33.33"), tenders=[cash("40")])
    rows = PaymentDistribution.objects.filter(payment__transaction=txn)
    assert all(r.entry.amount == -r.amount and r.entry.fund_id == r.fund_id for r in rows)
    assert txn.change_due == Decimal("6.67")


def test_a_posting_costs_the_same_few_statements_for_any_number_of_lines(
    cashier, django_assert_max_num_queries
):
    """The counter's hot path (bench/counter_http.py): each table is written with one statement for
    all the lines, and what posting reads under the locks (recoveries, the credit fund, the hooks'
    accounts, and whether the idempotency key was posted before) is one statement. 15 = savepoint,
    key lock, drawer lock, account locks, the reads with the key lookup, open items, transaction,
    tenders, payments, entries, balances, distribution, allocations, audit rows, release. It was 34
    for two accounts (17 per line more or less), then 16 with the key looked up apart."""
    accounts = [AccountFactory() for _ in range(3)]
    for n, account in enumerate(accounts):
        charge(account, "50.00", due=TODAY - timedelta(days=40 - n), code="SWR")
        charge(account, "30.00", due=TODAY - timedelta(days=10), code="WTR")
    session = open_session(cashier)
    post(session, cashier, (accounts[0], "1.00"), tenders=[cash("1.00")])  # warm per-process caches
    with django_assert_max_num_queries(15):
        txn = post(
            session,
            cashier,
            (accounts[0], "70.00"),
            (accounts[1], "90.00"),
            (accounts[2], "40.00"),
            tenders=[check("60.00"), cash("150.00")],
        )
    assert txn.payments.count() == 3
    for account in accounts:
        account.refresh_from_db()
        assert account.balance == ledger_sum(account.pk)
