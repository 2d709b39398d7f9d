"""Write-offs: the nightly small-balance statement (both signs, once per date, the balance
invariant), uncollectible requests and approvals by role, recovery of written-off debt."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Account, EntryKind, LedgerEntry
from accounts.services.ledger import ledger_sum
from accounts.tests.factories import AccountFactory, charge, fund, pay
from collections_app.models import (
    AgencyReferral,
    BankruptcyCase,
    BatchRun,
    CollectionAgency,
    ContactAttempt,
    Notice,
    RunKind,
    WriteOff,
    WriteOffKind,
    WriteOffStatus,
)
from collections_app.models.recovery import WriteOffRecovery
from collections_app.services.write_offs import small_balance_run, write_off_decide, write_off_request
from common.exceptions import DomainError
from common.models import AuditEvent
from payments.services.returns import tender_return
from payments.services.voids import transaction_void
from payments.tests.factories import cash, check, open_session, post

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PAST = TODAY - timedelta(days=40)


def final(**kw) -> Account:  # type: ignore[no-untyped-def]
    """A final-billed account whose service has ended (the customer moved out)."""
    return AccountFactory(status="final", water__ended_on=TODAY - timedelta(days=200), **kw)


def unreachable(account: Account, by) -> None:  # type: ignore[no-untyped-def]
    """The evidence "debtor not found" needs: contact attempts that reached no one."""
    for days in (40, 30):
        ContactAttempt.objects.create(
            account=account,
            at=timezone.now() - timedelta(days=days),
            method="phone",
            reached=False,
            made_by=by,
        )


def assert_invariant(*accounts: Account) -> None:
    for a in accounts:
        a.refresh_from_db()
        assert a.balance == ledger_sum(a.pk), a.number


@pytest.fixture
def officer(make_user):
    return make_user("olga", "Collections officer")


@pytest.fixture
def supervisor(make_user):
    return make_user("sam", "Supervisor")


def test_small_balances_of_both_signs_are_written_off_once_per_date():
    owes = final()
    charge(owes, "2.50", due=PAST)
    split = AccountFactory(status="closed")
    charge(split, "1.00", due=PAST)
    charge(split, "1.50", due=PAST - timedelta(days=30), code="FEE")
    in_credit = final()
    charge(in_credit, "10.00", due=PAST)
    pay(in_credit, "11.75", on=PAST)  # the payment entry itself sits on WTR; the credit is the pool
    too_big = final()
    charge(too_big, "3.01", due=PAST)
    active = AccountFactory()
    charge(active, "2.00", due=PAST)
    not_due = final()
    charge(not_due, "2.00", due=TODAY + timedelta(days=10), billed=TODAY)
    untouched = [too_big, active, not_due]

    run = small_balance_run(business_date=TODAY)

    assert run.status == "finished" and run.total == 3
    assert run.counts["debit_accounts"] == 2 and run.counts["debit_written_off"] == "5.00"
    assert run.counts["credit_accounts"] == 1 and run.counts["credit_written_off"] == "1.75"
    for a in (owes, split, in_credit):
        a.refresh_from_db()
        assert a.balance == 0
    assert_invariant(owes, split, in_credit, *untouched)
    for a in untouched:
        balance = a.balance
        a.refresh_from_db()
        assert a.balance == balance and not WriteOff.objects.filter(account=a).exists()
    # debit balances: credited fund by fund as the open items stand
    parts = dict(
        LedgerEntry.objects.filter(account=split, kind=EntryKind.WRITE_OFF).values_list(
            "fund__code", "amount"
        )
    )
    assert parts == {"WTR": Decimal("-1.00"), "FEE": Decimal("-1.50")}
    # a credit balance is kept by the utility: one debit adjustment on the customer-credit fund
    kept = LedgerEntry.objects.get(account=in_credit, reference__startswith="WO-")
    assert (kept.kind, kept.fund.code, kept.amount, kept.is_debit) == (
        "adjustment",
        "CR",
        Decimal("1.75"),
        True,
    )
    rows = WriteOff.objects.filter(batch=run).order_by("account_id")
    assert {(w.kind, w.status) for w in rows} == {(WriteOffKind.SMALL_BALANCE, WriteOffStatus.POSTED)}
    assert sorted(w.amount for w in rows) == [Decimal("-1.75"), Decimal("2.50"), Decimal("2.50")]
    assert AuditEvent.objects.filter(verb="write_off.small_balance").count() == 3

    entries = LedgerEntry.objects.count()
    again = small_balance_run(business_date=TODAY)
    assert again.pk == run.pk and LedgerEntry.objects.count() == entries
    assert WriteOff.objects.count() == 3
    tomorrow = small_balance_run(business_date=TODAY + timedelta(days=1))
    assert tomorrow.total == 0 and LedgerEntry.objects.count() == entries
    assert BatchRun.objects.filter(kind=RunKind.WRITE_OFF).count() == 2


def test_small_balance_run_is_a_fixed_number_of_queries(django_assert_max_num_queries):
    for n in range(30):
        a = final()
        charge(a, f"{1 + n % 2}.25", due=PAST)
    with django_assert_max_num_queries(20):
        run = small_balance_run(business_date=TODAY)
    assert run.total == 30


@pytest.fixture
def uncollectible(make_user):
    account = final(number="0000440001")
    charge(account, "180.00", due=TODAY - timedelta(days=150))
    charge(account, "20.00", due=TODAY - timedelta(days=120), code="FEE")
    unreachable(account, make_user("tracer", "Collections officer"))
    return account


def test_uncollectible_write_off_is_requested_then_approved_by_a_supervisor(
    uncollectible, officer, supervisor
):
    key = uuid4()
    request = write_off_request(
        account_id=uncollectible.pk,
        criteria="debtor_not_found",
        reason="Mail returned, phone disconnected, skip trace found nothing.",
        actor=officer,
        idempotency_key=key,
    )
    assert request.status == WriteOffStatus.PENDING and request.amount == Decimal("200.00")
    assert (
        write_off_request(
            account_id=uncollectible.pk,
            criteria="debtor_not_found",
            reason="x",
            actor=officer,
            idempotency_key=key,
        ).pk
        == request.pk
    )
    assert not LedgerEntry.objects.filter(kind=EntryKind.WRITE_OFF).exists()
    with pytest.raises(DomainError, match="Only a supervisor"):
        write_off_decide(write_off_id=request.pk, approve=True, note="", actor=officer)

    posted = write_off_decide(
        write_off_id=request.pk, approve=True, note="Skip trace attached", actor=supervisor
    )

    assert (
        posted.status == WriteOffStatus.POSTED
        and posted.decided_by == supervisor
        and posted.posted_on == TODAY
    )
    parts = dict(
        LedgerEntry.objects.filter(account=uncollectible, kind=EntryKind.WRITE_OFF).values_list(
            "fund__code", "amount"
        )
    )
    assert parts == {"WTR": Decimal("-180.00"), "FEE": Decimal("-20.00")}
    assert_invariant(uncollectible)
    assert uncollectible.balance == 0
    assert AuditEvent.objects.filter(verb="write_off.approve", account_id=uncollectible.pk).exists()
    with pytest.raises(DomainError, match="already decided"):
        write_off_decide(write_off_id=request.pk, approve=False, note="no", actor=supervisor)


def test_rejection_needs_a_note_and_posts_nothing(uncollectible, officer, supervisor):
    AgencyReferral.objects.create(
        account=uncollectible,
        agency=CollectionAgency.objects.create(name="Desert Recovery"),
        referred_on=TODAY - timedelta(days=400),
        principal=Decimal("200.00"),
    )
    request = write_off_request(
        account_id=uncollectible.pk,
        criteria="not_cost_effective",
        reason="Small",
        actor=officer,
        idempotency_key=uuid4(),
    )
    with pytest.raises(DomainError, match="why"):
        write_off_decide(write_off_id=request.pk, approve=False, note=" ", actor=supervisor)
    rejected = write_off_decide(
        write_off_id=request.pk, approve=False, note="Try the agency first", actor=supervisor
    )
    assert rejected.status == WriteOffStatus.REJECTED
    uncollectible.refresh_from_db()
    assert (
        uncollectible.balance == Decimal("200.00")
        and not LedgerEntry.objects.filter(kind="write_off").exists()
    )


def test_a_supervisor_cannot_approve_her_own_request(uncollectible, supervisor):
    request = write_off_request(
        account_id=uncollectible.pk,
        criteria="deceased_no_estate",
        reason="Probate closed",
        actor=supervisor,
        idempotency_key=uuid4(),
        document="death_certificate_probate",
    )
    with pytest.raises(DomainError, match="second person"):
        write_off_decide(write_off_id=request.pk, approve=True, note="", actor=supervisor)


@pytest.mark.parametrize(
    ("criteria", "reason", "message"),
    [("", "x", "Choose why"), ("debtor_not_found", " ", "Explain"), ("bogus", "x", "Choose why")],
)
def test_bad_requests_are_explained(uncollectible, officer, criteria, reason, message):
    with pytest.raises(DomainError, match=message):
        write_off_request(
            account_id=uncollectible.pk,
            criteria=criteria,
            reason=reason,
            actor=officer,
            idempotency_key=uuid4(),
        )
    assert not WriteOff.objects.exists()


def test_an_account_not_yet_uncollectible_is_refused_by_the_policy(officer):
    recent = final()
    charge(recent, "90.00", due=TODAY - timedelta(days=20))
    with pytest.raises(DomainError, match="Not eligible"):
        write_off_request(
            account_id=recent.pk,
            criteria="debtor_not_found",
            reason="Gone",
            actor=officer,
            idempotency_key=uuid4(),
        )
    assert not WriteOff.objects.exists()


def _written_off(account, officer, supervisor) -> WriteOff:  # type: ignore[no-untyped-def]
    request = write_off_request(
        account_id=account.pk,
        criteria="debtor_not_found",
        reason="Gone",
        actor=officer,
        idempotency_key=uuid4(),
    )
    return write_off_decide(write_off_id=request.pk, approve=True, note="", actor=supervisor)


def test_a_payment_later_re_establishes_and_pays_the_written_off_debt(
    uncollectible, officer, supervisor, make_user
):
    write_off = _written_off(uncollectible, officer, supervisor)
    cashier = make_user("cass", "Cashier")
    session = open_session(cashier)

    post(session, cashier, (uncollectible, "150.00"), tenders=[check("150.00")])

    write_off.refresh_from_db()
    assert write_off.recovered_amount == Decimal("150.00")
    assert_invariant(uncollectible)
    assert uncollectible.balance == 0  # the debt came back and was paid: nothing owed, no credit
    funds = dict(
        LedgerEntry.objects.filter(account=uncollectible)
        .values("fund__code")
        .annotate(s=Sum("amount"))
        .values_list("fund__code", "s")
    )
    # every fund nets to zero: re-established and paid on water, the customer-credit fund emptied
    assert funds == {"WTR": 0, "FEE": 0, "CR": 0}
    moves = list(
        LedgerEntry.objects.filter(account=uncollectible, reference__startswith="WO recovery")
        .order_by("id")
        .values_list("kind", "fund__code", "amount")
    )
    assert moves == [
        ("adjustment", "WTR", Decimal("150.00")),  # the written-off debt re-established ...
        ("transfer", "WTR", Decimal("-150.00")),  # ... and paid
        ("transfer", "CR", Decimal("150.00")),  # with the payment's credit
    ]

    # the second payment recovers the last 50 (30 water, 20 fees) and leaves 20 as credit
    txn = post(session, cashier, (uncollectible, "70.00"), tenders=[check("70.00", number="1002")])
    write_off.refresh_from_db()
    assert write_off.recovered_amount == Decimal("200.00")
    assert_invariant(uncollectible)
    assert uncollectible.balance == Decimal("-20.00")

    # that check bounces: its recovery is undone and the write-off stands for 50 again
    tender_return(
        tender_id=txn.tenders.get().pk,
        returned_on=TODAY,
        reason="NSF",
        actor=cashier,
        idempotency_key=uuid4(),
    )
    write_off.refresh_from_db()
    assert write_off.recovered_amount == Decimal("150.00")
    assert WriteOffRecovery.objects.filter(reversed=True).count() == 1
    assert_invariant(uncollectible)
    fee = LedgerEntry.objects.get(account=uncollectible, kind=EntryKind.FEE, reference__startswith="NSF")
    assert uncollectible.balance == fee.amount  # only the NSF fee is owed; the 50 stays written off


def test_a_returned_check_beside_cash_undoes_only_its_part_of_the_recovery(
    uncollectible, officer, supervisor, make_user
):
    write_off = _written_off(uncollectible, officer, supervisor)
    cashier = make_user("cass", "Cashier")
    txn = post(
        open_session(cashier), cashier, (uncollectible, "150.00"), tenders=[check("100.00"), cash("50.00")]
    )
    write_off.refresh_from_db()
    assert write_off.recovered_amount == Decimal("150.00")
    tender_return(
        tender_id=txn.tenders.get(kind="check").pk,
        returned_on=TODAY,
        reason="NSF",
        actor=cashier,
        idempotency_key=uuid4(),
    )
    write_off.refresh_from_db()
    uncollectible.refresh_from_db()
    # the cash still recovers its 50; the check's 100 is written off again
    assert write_off.recovered_amount == Decimal("50.00")
    standing = WriteOffRecovery.objects.get(reversed=False)
    assert standing.amount == Decimal("50.00") and WriteOffRecovery.objects.filter(reversed=True).count() == 1
    assert_invariant(uncollectible)
    fee = LedgerEntry.objects.get(account=uncollectible, kind=EntryKind.FEE, reference__startswith="NSF")
    assert uncollectible.balance == fee.amount  # only the fee is owed; no stray credit or debt


def test_written_off_account_is_flagged_on_the_account_page(uncollectible, officer, supervisor, client):
    _written_off(uncollectible, officer, supervisor)
    client.force_login(officer)
    page = client.get(f"/accounts/{uncollectible.number}/").content.decode()
    assert "Written off $200.00 — balance kept for re-application" in page


def test_charges_after_the_write_off_are_paid_first_not_recovered(
    uncollectible, officer, supervisor, make_user
):
    write_off = _written_off(uncollectible, officer, supervisor)
    charge(uncollectible, "25.00", due=TODAY, code="FEE")
    cashier = make_user("cass", "Cashier")
    post(open_session(cashier), cashier, (uncollectible, "25.00"), tenders=[check("25.00")])
    write_off.refresh_from_db()
    assert write_off.recovered_amount == 0
    assert_invariant(uncollectible)
    assert uncollectible.balance == 0 and fund("CR").pk not in set(
        LedgerEntry.objects.filter(account=uncollectible, kind=EntryKind.TRANSFER).values_list(
            "fund_id", flat=True
        )
    )


OFFICER, SUPERVISOR = "Collections officer", "Supervisor"


@pytest.mark.parametrize(
    ("path", "allowed", "method", "ok"),
    [
        ("/collections/recovery/", {OFFICER, SUPERVISOR}, "get", 200),
        ("/collections/recovery/write-offs/", {OFFICER, SUPERVISOR}, "get", 200),
        ("/collections/accounts/0000440001/write-off/", {OFFICER, SUPERVISOR}, "get", 200),
        ("/collections/recovery/write-offs/run", {OFFICER, SUPERVISOR}, "post", 302),
    ],
)
def test_write_off_pages_by_role(role_clients, uncollectible, path, allowed, method, ok):
    from conftest import assert_access

    assert_access(role_clients, path, allowed, method=method, ok=ok)


def test_only_a_supervisor_may_post_a_decision(role_clients, uncollectible, officer):
    from conftest import assert_access

    request = write_off_request(
        account_id=uncollectible.pk,
        criteria="debtor_not_found",
        reason="Gone",
        actor=officer,
        idempotency_key=uuid4(),
    )
    assert_access(
        role_clients,
        f"/collections/recovery/write-offs/{request.pk}/decide",
        {SUPERVISOR},
        method="post",
        ok=302,
    )


def test_collections_home_links_to_recovery(role_clients):
    page = role_clients[OFFICER].get("/collections/").content.decode()
    for link in (
        "",
        "write-offs/",
        "referrals/",
        "bankruptcies/",
        "small-claims/",
        "reports/discontinuations/",
    ):
        assert f'href="/collections/recovery/{link}"' in page


def test_the_queue_page_approves_with_a_button(role_clients, uncollectible, officer):
    write_off_request(
        account_id=uncollectible.pk,
        criteria="debtor_not_found",
        reason="Gone",
        actor=officer,
        idempotency_key=uuid4(),
    )
    boss = role_clients[SUPERVISOR]
    page = boss.get("/collections/recovery/write-offs/").content.decode()
    assert "0000440001" in page and "Approve" in page
    assert "Approve" not in role_clients[OFFICER].get("/collections/recovery/write-offs/").content.decode()
    pk = WriteOff.objects.get().pk
    page = boss.post(f"/collections/recovery/write-offs/{pk}/decide", {"decision": "approve"}, follow=True)
    assert "Write-off approved: $200.00 posted." in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_payment_racing_the_approval_leaves_the_same_debt_written_off(make_user):
    """Either order, the account's lock serializes them: approved first, the payment is a
    recovery; paid first, less is written off. Both end at zero with 150.00 written off."""
    import threading

    from django.db import connection

    officer, supervisor, cashier = (
        make_user("olga", "Collections officer"),
        make_user("sam", "Supervisor"),
        make_user("cass", "Cashier"),
    )
    account = final(number="0000440009")
    charge(account, "200.00", due=TODAY - timedelta(days=150))
    unreachable(account, officer)
    request = write_off_request(
        account_id=account.pk,
        criteria="debtor_not_found",
        reason="Gone",
        actor=officer,
        idempotency_key=uuid4(),
    )
    session = open_session(cashier)
    barrier, errors = threading.Barrier(2), []

    def work(i: int) -> None:
        try:
            barrier.wait()
            if i == 0:
                write_off_decide(write_off_id=request.pk, approve=True, note="", actor=supervisor)
            else:
                post(session, cashier, (account, "50.00"), tenders=[check("50.00")])
        except BaseException as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    request.refresh_from_db()
    assert request.amount - request.recovered_amount == Decimal("150.00")
    assert_invariant(account)
    assert account.balance == 0


# --- the policy decides an uncollectible write-off (issue 11: "accepted on an active account
# with service on, never sent a disconnection notice, including a current bill not yet due")


def _ask(account, officer, criteria="procedures_exhausted", **kw):  # type: ignore[no-untyped-def]
    return write_off_request(
        account_id=account.pk,
        criteria=criteria,
        reason="Tried everything",
        actor=officer,
        idempotency_key=uuid4(),
        **kw,
    )


def _notice_sent(account, days_ago: int = 100) -> None:  # type: ignore[no-untyped-def]
    Notice.objects.create(
        account=account,
        kind="shutoff",
        addressee="X",
        sent_on=TODAY - timedelta(days=days_ago),
        idempotency_key=f"wo-notice:{account.pk}",
    )


def _referred(account, days_ago: int = 60) -> None:  # type: ignore[no-untyped-def]
    AgencyReferral.objects.create(
        account=account,
        agency=CollectionAgency.objects.get_or_create(name="Desert Recovery")[0],
        referred_on=TODAY - timedelta(days=days_ago),
        principal=account.balance,
    )


def test_an_active_account_with_service_on_and_no_notice_is_refused_with_the_reasons(officer):
    active = AccountFactory(number="0000440020")  # water on, never sent a disconnection notice
    charge(active, "180.00", due=TODAY - timedelta(days=150))
    charge(active, "60.00", due=TODAY + timedelta(days=12), billed=TODAY - timedelta(days=3))  # not yet due
    with pytest.raises(DomainError) as refused:
        _ask(active, officer)
    message = refused.value.message
    assert message.startswith("Not eligible for write-off:")
    assert "The account is active" in message and "no disconnection notice was sent" in message
    assert not WriteOff.objects.exists() and not AuditEvent.objects.filter(verb="write_off.request").exists()


def test_only_what_is_past_due_long_enough_is_written_off_the_current_bill_stays(officer, supervisor):
    account = final(number="0000440021")
    charge(account, "180.00", due=TODAY - timedelta(days=150))
    charge(account, "80.00", due=TODAY + timedelta(days=10), billed=TODAY - timedelta(days=5), code="FEE")
    _notice_sent(account)
    _referred(account)
    request = _ask(account, officer)
    assert request.amount == Decimal("180.00")  # not the 260.00 owed
    checks = {c["code"]: c["outcome"] for c in request.evidence["request"]["checks"]}
    assert (
        checks["UNCOLLECTIBLE_AGE"]
        == checks["WRITE_OFF_EVIDENCE"]
        == checks["WRITE_OFF_FINAL"]
        == "satisfied"
    )
    posted = write_off_decide(write_off_id=request.pk, approve=True, note="", actor=supervisor)
    assert posted.amount == Decimal("180.00") and "approval" in posted.evidence
    account.refresh_from_db()
    assert account.balance == Decimal("80.00")  # the bill not yet due is still owed
    assert_invariant(account)
    parts = dict(
        LedgerEntry.objects.filter(account=account, kind=EntryKind.WRITE_OFF).values_list(
            "fund__code", "amount"
        )
    )
    assert parts == {"WTR": Decimal("-180.00")}


def test_each_criterion_needs_its_collection_steps_recorded(officer, make_user):
    account = final(number="0000440022")
    charge(account, "300.00", due=TODAY - timedelta(days=150))
    with pytest.raises(DomainError, match="no disconnection notice was sent"):
        _ask(account, officer)
    _notice_sent(account)
    with pytest.raises(DomainError, match="neither referred to a collection agency nor disconnected"):
        _ask(account, officer)
    with pytest.raises(DomainError, match="0 contact attempt"):
        _ask(account, officer, "debtor_not_found")
    with pytest.raises(DomainError, match="no discharged bankruptcy case"):
        _ask(account, officer, "bankruptcy_discharge")
    with pytest.raises(DomainError, match="name the document seen"):
        _ask(account, officer, "deceased_no_estate")
    with pytest.raises(DomainError, match="never referred"):
        _ask(account, officer, "not_cost_effective")
    with pytest.raises(DomainError, match="Choose the document"):
        _ask(account, officer, "deceased_no_estate", document="a rumour")
    assert not WriteOff.objects.exists()
    _referred(account)
    assert _ask(account, officer).amount == Decimal("300.00")


def test_a_discharged_case_backs_the_bankruptcy_criterion(officer):
    account = final(number="0000440023")
    charge(account, "120.00", due=TODAY - timedelta(days=150))
    BankruptcyCase.objects.create(
        account=account,
        chapter=7,
        case_number="25-bk-1",
        petition_date=TODAY - timedelta(days=300),
        assurance_deadline=TODAY - timedelta(days=280),
        status="discharged",
        closed_on=TODAY - timedelta(days=30),
        recorded_by=officer,
    )
    assert _ask(account, officer, "bankruptcy_discharge").amount == Decimal("120.00")


def test_the_approval_decides_again_and_refuses_what_is_no_longer_eligible(
    uncollectible, officer, supervisor
):
    request = _ask(uncollectible, officer, "debtor_not_found")
    # the customer turns up (reached by phone) and moves back in before the supervisor decides
    ContactAttempt.objects.create(
        account=uncollectible, at=timezone.now(), method="phone", reached=True, made_by=officer
    )
    with pytest.raises(DomainError, match="The policy no longer allows this write-off") as refused:
        write_off_decide(write_off_id=request.pk, approve=True, note="", actor=supervisor)
    assert "Reject it with a note" in refused.value.message
    request.refresh_from_db()
    assert request.status == WriteOffStatus.PENDING
    assert not LedgerEntry.objects.filter(kind=EntryKind.WRITE_OFF).exists()


def test_the_request_form_shows_the_rules_checked_and_says_why_it_refuses(role_clients):
    active = AccountFactory(number="0000440024")
    charge(active, "180.00", due=TODAY - timedelta(days=150))
    client = role_clients[OFFICER]
    page = client.get("/collections/accounts/0000440024/write-off/").content.decode()
    assert 'data-testid="writeoff-checks"' in page and "WRITE_OFF_FINAL" in page
    assert "The account is active" in page and "Nothing can be written off" not in page
    assert "no disconnection notice was sent" in page  # the evidence table, before choosing
    response = client.post(
        "/collections/accounts/0000440024/write-off/",
        {
            "idempotency_key": str(uuid4()),
            "criteria": "procedures_exhausted",
            "reason": "Tried",
            "document": "",
        },
    )
    assert response.status_code == 200
    refusal = response.content.decode()
    assert refusal.count("Not eligible for write-off") == 1  # said once, above the form
    assert "The account is active" in refusal
    assert not WriteOff.objects.exists()


def test_a_voided_recovery_payment_puts_the_write_off_back_whole(
    uncollectible, officer, supervisor, make_user
):
    """Found by the money model: a void reversed the payment but left its recovery standing, so the
    re-established debt stayed on the account with nothing paying it."""
    write_off = _written_off(uncollectible, officer, supervisor)
    cashier = make_user("cass", "Cashier")
    txn = post(open_session(cashier), cashier, (uncollectible, "150.00"), tenders=[cash("150.00")])
    write_off.refresh_from_db()
    assert write_off.recovered_amount == Decimal("150.00")
    transaction_void(transaction_id=txn.pk, reason="wrong customer", actor=cashier)
    write_off.refresh_from_db()
    uncollectible.refresh_from_db()
    assert write_off.recovered_amount == 0
    assert WriteOffRecovery.objects.get().reversed
    assert_invariant(uncollectible)
    assert uncollectible.balance == 0  # written off again, nothing owed, no stray credit
