"""A returned item belongs to a tender: on a split tender only the check comes back.

The defect (demo city): one $65.51 check in a receipt paid with $120 cash + the check across two
accounts could be returned on *both* account lines, reversing $165.51 (cash included), charging two
fees, and the letter named the line's amount instead of the check's; the day's GL then disagreed
with the bank."""

import importlib
from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.apps import apps
from django.utils import timezone

from accounts.models import EntryKind, LedgerEntry
from accounts.selectors.aging import aging_for_account
from accounts.services.ledger import ledger_sum
from accounts.tests.factories import AccountFactory, charge, fund
from common.exceptions import DomainError
from conftest import ROLE_NAMES, pdf_text
from payments.models import (
    CounterTransaction,
    DrawerSession,
    PaymentDistribution,
    PaymentStatus,
    ReturnedItem,
    TenderAllocation,
)
from payments.pdf import nsf_letter_pdf
from payments.selectors import gl_journal
from payments.services.deposits import deposit_prepare
from payments.services.posting import TenderSpec
from payments.services.returns import tender_return
from payments.services.sessions import session_close, session_expected
from payments.services.voids import transaction_void
from payments.tests.factories import cash, check, open_session, post

pytestmark = pytest.mark.django_db
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES
TODAY = timezone.localdate()
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def cashier(make_user):
    return make_user("dale", "Cashier")


def _split_receipt(cashier, session=None, on=None):  # type: ignore[no-untyped-def]
    """Account A owes $40.00 (water 30 + sewer 10), B owes $145.51; the customer pays both with
    $120 cash (entered first) and check no. 1234 for $65.51."""
    a, b = AccountFactory(), AccountFactory()
    charge(a, "30.00", due=TODAY - timedelta(days=50))
    charge(a, "10.00", due=TODAY - timedelta(days=50), code="SWR")
    charge(b, "100.00", due=TODAY - timedelta(days=20))
    charge(b, "45.51", due=TODAY - timedelta(days=20), code="SWR")
    session = session or open_session(cashier)
    if on is not None:
        DrawerSession.objects.filter(pk=session.pk).update(business_date=on)
    txn = post(
        session, cashier, (a, "40.00"), (b, "145.51"), tenders=[cash("120.00"), check("65.51", "1234")]
    )
    return a, b, txn, txn.tenders.get(kind="check"), txn.tenders.get(kind="cash")


def _return(tender, actor, key=None, on=None):  # type: ignore[no-untyped-def]
    return tender_return(
        tender_id=tender.pk,
        returned_on=on or TODAY,
        reason="NSF",
        actor=actor,
        idempotency_key=key or uuid4(),
    )


def _allocated(tender) -> dict[tuple[str, str], Decimal]:  # type: ignore[no-untyped-def]
    return {
        (a.distribution.payment.account.number, a.distribution.fund.code): a.amount
        for a in TenderAllocation.objects.filter(tender=tender).select_related(
            "distribution__payment__account", "distribution__fund"
        )
    }


def test_posting_stores_which_tender_paid_which_line_and_fund(cashier):
    a, b, txn, chk, cash_tender = _split_receipt(cashier)
    # non-cash first, though entered second; within a line its fund distribution, oldest first
    assert _allocated(chk) == {
        (a.number, "WTR"): Decimal("30.00"),
        (a.number, "SWR"): Decimal("10.00"),
        (b.number, "WTR"): Decimal("25.51"),
    }
    assert _allocated(cash_tender) == {
        (b.number, "WTR"): Decimal("74.49"),
        (b.number, "SWR"): Decimal("45.51"),
    }
    # the sum invariants: per tender = its amount; per distribution row = its amount
    for tender in txn.tenders.all():
        assert sum(x.amount for x in tender.allocations.all()) == tender.amount
    for row in PaymentDistribution.objects.filter(payment__transaction=txn):
        assert sum(x.amount for x in row.allocations.all()) == row.amount
    assert sum(r.amount for r in PaymentDistribution.objects.filter(payment__transaction=txn)) == Decimal(
        "185.51"
    )


def test_returning_the_check_of_a_split_tender_reverses_exactly_the_check(cashier, monkeypatch):
    heard = []
    monkeypatch.setattr("payments.services.returns.payment_returned_hooks", [lambda **kw: heard.append(kw)])
    a, b, txn, chk, _ = _split_receipt(cashier)
    key = uuid4()
    item = _return(chk, cashier, key=key)
    assert _return(chk, cashier, key=key) == item, "a replayed request changes nothing"

    reversals = LedgerEntry.objects.filter(account__in=[a, b], kind=EntryKind.PAYMENT_REVERSAL)
    assert sum(e.amount for e in reversals) == Decimal("65.51") == item.amount, "the check, not the cash"
    assert {(e.account_id, e.fund.code, e.amount) for e in reversals.select_related("fund")} == {
        (a.pk, "WTR", Decimal("30.00")),
        (a.pk, "SWR", Decimal("10.00")),
        (b.pk, "WTR", Decimal("25.51")),
    }
    assert all(e.reversal_of.amount == -e.amount for e in reversals), "each points at the entry it reverses"
    fees = LedgerEntry.objects.filter(account__in=[a, b], kind=EntryKind.FEE)
    assert [(f.account_id, f.amount) for f in fees] == [(a.pk, Decimal("25.00"))], "one fee, on A (paid most)"
    assert item.fee_account == a and item.fee == Decimal("25.00")

    pa, pb = txn.payments.get(account=a), txn.payments.get(account=b)
    assert (pa.status, pa.returned_amount) == (PaymentStatus.RETURNED, Decimal("40.00"))
    assert (pb.status, pb.returned_amount) == (PaymentStatus.PART_RETURNED, Decimal("25.51"))
    assert {(ln.payment_id, ln.amount) for ln in item.lines.all()} == {
        (pa.pk, Decimal("40.00")),
        (pb.pk, Decimal("25.51")),
    }
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.balance == Decimal("65.00") == ledger_sum(a.pk)  # 40 owed again + the fee
    assert b.balance == Decimal("25.51") == ledger_sum(b.pk)  # the cash still pays 120.00 of B
    assert aging_for_account(account_id=b.pk, as_of=TODAY).d1_30 == Decimal("25.51"), "at its real age"
    assert [(h["payment"], h["amount"]) for h in heard] == [(pa, Decimal("40.00")), (pb, Decimal("25.51"))]
    assert heard[0]["funds"] == {fund("WTR").pk: Decimal("30.00"), fund("SWR").pk: Decimal("10.00")}
    assert heard[1]["funds"] == {fund("WTR").pk: Decimal("25.51")}


def test_the_letter_names_the_check_its_amount_the_fee_and_the_accounts(cashier):
    a, b, _, chk, _ = _split_receipt(cashier)
    letter = pdf_text(nsf_letter_pdf(_return(chk, cashier)))
    assert "check no. 1234 for $65.51" in letter
    assert "$165.51" not in letter and "$40.00 received" not in letter
    assert a.number in letter and b.number in letter and "$25.51" in letter
    assert f"fee of $25.00 has been added to account {a.number}" in letter
    assert "cash $120.00" in letter and "stands" in letter


def test_cash_and_card_tenders_cannot_be_returned(cashier):
    _, _, txn, _, cash_tender = _split_receipt(cashier)
    with pytest.raises(DomainError, match="Cash cannot come back as a returned item"):
        _return(cash_tender, cashier)
    account = AccountFactory()
    card = post(
        txn.session,
        cashier,
        (account, "20.00"),
        tenders=[TenderSpec(kind="card", amount=Decimal("20.00"), card_last4="4242", auth_code="A1")],
    ).tenders.get()
    with pytest.raises(DomainError, match=r"Card cannot come back.*chargeback"):
        _return(card, cashier)
    assert not ReturnedItem.objects.exists()
    assert not LedgerEntry.objects.filter(kind__in=[EntryKind.PAYMENT_REVERSAL, EntryKind.FEE]).exists()


def test_two_checks_on_one_line_come_back_one_at_a_time(cashier):
    account = AccountFactory()
    charge(account, "100.00", due=TODAY - timedelta(days=10))
    txn = post(
        open_session(cashier),
        cashier,
        (account, "100.00"),
        tenders=[check("60.00", "1"), check("40.00", "2")],
    )
    first, second = txn.tenders.order_by("id")
    one = _return(first, cashier)
    payment = txn.payments.get()
    assert (payment.status, payment.returned_amount) == (PaymentStatus.PART_RETURNED, Decimal("60.00"))
    with pytest.raises(DomainError, match="already recorded as returned"):
        _return(first, cashier)
    two = _return(second, cashier)
    payment.refresh_from_db()
    account.refresh_from_db()
    assert (payment.status, payment.returned_amount) == (PaymentStatus.RETURNED, Decimal("100.00"))
    assert (one.fee, two.fee, two.nth_in_window) == (Decimal("25.00"), Decimal("35.00"), 2)
    assert account.cash_only_until == two.cash_only_until is not None
    assert account.balance == Decimal("160.00") == ledger_sum(account.pk)


def test_a_receipt_with_a_returned_check_cannot_be_voided(cashier):
    _a, _b, txn, chk, _ = _split_receipt(cashier)
    _return(chk, cashier)
    with pytest.raises(DomainError, match="cannot be voided"):
        transaction_void(transaction_id=txn.pk, reason="customer changed mind", actor=cashier)
    assert not txn.payments.filter(status=PaymentStatus.VOIDED).exists()


def test_the_days_gl_equals_the_bank_deposit_and_the_return_reverses_only_the_check(cashier, make_user):
    session = open_session(cashier, float_="100.00")
    _a, _b, _txn, chk, _ = _split_receipt(cashier, session=session, on=YESTERDAY)
    cents = 22000  # the float and the cash taken
    session_close(
        session_id=session.pk,
        cashier=cashier,
        denominations={"20": cents // 2000},
        checks_total=Decimal("65.51"),
        check_count=1,
        cards_total=Decimal("0"),
        other_total=Decimal("0"),
    )
    deposit = deposit_prepare(session_ids=[session.pk], actor=make_user("grace", "Supervisor"))
    assert deposit.total == Decimal("185.51")

    def net(day):  # type: ignore[no-untyped-def]
        return {r.fund_code: (r.payments, r.reversals, r.net) for r in gl_journal(day=day)}

    paid_day = net(YESTERDAY)
    assert sum(v[2] for v in paid_day.values()) == deposit.total
    item = _return(chk, cashier)
    assert net(YESTERDAY) == paid_day, "a return never rewrites a journal already sent"
    # the return's day: exactly the check, by the funds it paid (what the bank debits back)
    assert net(TODAY) == {
        "WTR": (Decimal("0"), Decimal("55.51"), Decimal("-55.51")),
        "SWR": (Decimal("0"), Decimal("10.00"), Decimal("-10.00")),
    }
    assert -sum(v[2] for v in net(TODAY).values()) == item.amount == chk.amount
    # and GL = payments less reversals over both days = what the bank kept: cash 120.00
    assert sum(v[2] for v in [*paid_day.values(), *net(TODAY).values()]) == deposit.total - chk.amount


def test_same_day_return_keeps_the_gl_tied_to_the_stored_distribution(cashier):
    _a, _b, _txn, chk, _ = _split_receipt(cashier)
    _return(chk, cashier)
    rows = {r.fund_code: r for r in gl_journal(day=TODAY)}
    assert (rows["WTR"].payments, rows["WTR"].reversals, rows["WTR"].net) == (
        Decimal("130.00"),
        Decimal("55.51"),
        Decimal("74.49"),
    )
    assert (rows["SWR"].payments, rows["SWR"].reversals, rows["SWR"].net) == (
        Decimal("55.51"),
        Decimal("10.00"),
        Decimal("45.51"),
    )
    assert sum(r.net for r in rows.values()) == Decimal("120.00"), "the cash stands, nothing else"


def test_the_migration_allocates_old_receipts_by_the_same_rule(cashier):
    _, _, _txn, _chk, _cash_tender = _split_receipt(cashier)
    stored = {(x.tender_id, x.distribution_id, x.amount) for x in TenderAllocation.objects.all()}
    TenderAllocation.objects.all().delete()
    migration = importlib.import_module("payments.migrations.0003_tender_allocations_and_returns")
    migration.allocations_forwards(apps, None)
    assert {(x.tender_id, x.distribution_id, x.amount) for x in TenderAllocation.objects.all()} == stored


# --- the receipt page ---------------------------------------------------------------------------


def test_receipt_page_offers_the_return_only_beside_the_check_and_records_it(role_clients, django_user_model):
    client = role_clients[CASHIER]
    cashier = django_user_model.objects.get(username="cashier")
    a, _b, txn, chk, cash_tender = _split_receipt(cashier)
    page = client.get(f"/cashier/receipts/{txn.receipt_number}/").content.decode()
    assert page.count("Returned by the bank") == 1
    assert f'action="/cashier/tenders/{chk.pk}/return/"' in page
    assert f"/cashier/tenders/{cash_tender.pk}/return/" not in page
    assert "Returned by the bank… ($65.51)" in page and "Void receipt" in page

    # the cash tender is refused on the server too, and nothing is saved
    key = str(uuid4())
    form = {"returned_on": TODAY.isoformat(), "reason": "NSF", "idempotency_key": key}
    refused = client.post(f"/cashier/tenders/{cash_tender.pk}/return/", form, follow=True)
    assert "Cash cannot come back" in refused.content.decode() and not ReturnedItem.objects.exists()

    done = client.post(
        f"/cashier/tenders/{chk.pk}/return/", {**form, "idempotency_key": str(uuid4())}, follow=True
    )
    text = done.content.decode()
    assert "Returned check no. 1234 recorded: $65.51 reversed" in text
    assert f"fee $25.00 charged to account {a.number}" in text
    assert "Returned by the bank" not in text and "Void receipt" not in text
    item = ReturnedItem.objects.get()
    assert f"/cashier/returns/{item.pk}/letter/" in text and "Partly returned (NSF)" in text
    letter = client.get(f"/cashier/returns/{item.pk}/letter/")
    assert letter["Content-Type"] == "application/pdf" and "$65.51" in pdf_text(letter.content)


def test_returns_keep_their_role_check(role_clients, django_user_model):
    cashier = django_user_model.objects.get(username="cashier")
    _, _, _, chk, _ = _split_receipt(cashier)
    form = {"returned_on": TODAY.isoformat(), "reason": "NSF", "idempotency_key": str(uuid4())}
    assert role_clients[COUNSELOR].post(f"/cashier/tenders/{chk.pk}/return/", form).status_code == 403
    assert not ReturnedItem.objects.exists()


def test_printing_is_a_post_and_viewing_the_receipt_writes_nothing(role_clients, django_user_model):
    client = role_clients[CASHIER]
    _, _, txn, _, _ = _split_receipt(django_user_model.objects.get(username="cashier"))
    client.get(f"/cashier/receipts/{txn.receipt_number}/")
    assert client.get(f"/cashier/receipts/{txn.receipt_number}/print/pdf/").status_code == 405
    assert client.get(f"/cashier/receipts/{txn.receipt_number}/print/80mm/").status_code == 405
    assert CounterTransaction.objects.get(pk=txn.pk).receipt_prints == 0
    original = client.post(f"/cashier/receipts/{txn.receipt_number}/print/80mm/").content.decode()
    copy = client.post(f"/cashier/receipts/{txn.receipt_number}/print/80mm/").content.decode()
    assert "*** COPY ***" not in original and "*** COPY ***" in copy
    # the 80 mm slip shows each account's funds once, though the tenders split the rows
    assert original.count("Water") == 2 and original.count("Sewer") == 2
    assert CounterTransaction.objects.get(pk=txn.pk).receipt_prints == 2


def test_a_returned_check_stays_in_the_drawers_expected_totals(cashier):
    """The drawer took the check and it went to the bank: the return changes neither."""
    _, _, txn, chk, _ = _split_receipt(cashier)
    session = txn.session
    _return(chk, cashier)
    expected = session_expected(session=DrawerSession.objects.get(pk=session.pk))
    assert (expected.cash, expected.checks, expected.check_count) == (Decimal("220.00"), Decimal("65.51"), 1)


def test_receipt_page_queries_do_not_grow_with_tenders_and_lines(role_clients, django_user_model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = role_clients[CASHIER]
    cashier = django_user_model.objects.get(username="cashier")
    _, _, small, _, _ = _split_receipt(cashier)
    accounts = [AccountFactory() for _ in range(4)]
    big = post(
        small.session,
        cashier,
        *[(x, "10.00") for x in accounts],
        tenders=[
            check("15.00", "7"),
            check("5.00", "8"),
            cash("20.00"),
            TenderSpec(kind="money_order", amount=Decimal("5.00"), reference="MO1"),
        ],
    )
    counts = []
    for txn in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/cashier/receipts/{txn.receipt_number}/").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def test_the_counter_lists_a_returned_payment_without_doubled_parentheses(role_clients, django_user_model):
    """Demo city: the counter's recent receipts read "0000012345 (returned (nsf))"."""
    cashier = django_user_model.objects.get(username="cashier")
    account = AccountFactory()
    charge(account, "50.00", due=TODAY - timedelta(days=20))
    session = open_session(cashier)
    txn = post(session, cashier, (account, "50.00"), tenders=[check("50.00", "4321")])
    _return(txn.tenders.get(), cashier)
    page = role_clients[CASHIER].get("/cashier/").content.decode()
    assert "((" not in page and "))" not in page.replace("}))", "")
    assert f"{account.number} (returned, NSF)" in page


def test_the_letter_addresses_a_customer_stored_in_capitals_by_a_readable_name(cashier):
    """Names come from the billing system in capitals (the demo city's MARIA NUÑEZ): a letter is
    addressed to "Maria Nuñez"."""
    a, _b, _, chk, _ = _split_receipt(cashier)
    a.customer.first_name, a.customer.last_name = "MARIA", "NUÑEZ"
    a.customer.save(update_fields=["first_name", "last_name"])
    letter = pdf_text(nsf_letter_pdf(_return(chk, cashier)))
    assert "Maria Nuñez" in letter and "MARIA NUÑEZ" not in letter
