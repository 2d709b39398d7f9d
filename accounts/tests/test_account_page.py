from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import ContactOutcome, ReasonCode
from accounts.services.contacts import contact_log
from accounts.tests.factories import AccountFactory, CustomerFactory, ServiceFactory, charge, pay
from conftest import ROLE_NAMES, assert_access

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES
DESK = {COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR}


@pytest.fixture
def account(make_user):
    account = AccountFactory(
        number="0000500001",
        customer=CustomerFactory(life_support=True),
        cash_only_until=TODAY + timedelta(days=90),
    )
    ServiceFactory(account=account, utility="sewer")
    charge(account, "120.00", due=TODAY - timedelta(days=75), code="WTR")
    charge(account, "40.00", due=TODAY - timedelta(days=75), code="SWR")
    charge(account, "55.00", due=TODAY + timedelta(days=10), code="WTR")
    pay(account, "60.00", on=TODAY - timedelta(days=20), reference="PAY-9")
    reason = ReasonCode.objects.filter(kind="contact").first()
    contact_log(
        account_id=account.pk,
        channel="call",
        inbound=True,
        reason_id=reason.pk,
        outcome=ContactOutcome.PROMISE_TO_PAY,
        note="will pay Friday",
        follow_up_on=TODAY,
        escalated=False,
        actor=make_user("carmen", "Counselor"),
    )
    return account


def test_account_page_shows_balance_aging_flags_funds_services_and_timeline(role_clients, account):
    response = role_clients[COUNSELOR].get(f"/accounts/{account.number}/")
    page = response.content.decode()
    ctx = response.context
    assert ctx["account"].balance == Decimal("155.00")
    assert (ctx["aging"].d61_90, ctx["aging"].current) == (Decimal("100.00"), Decimal("55.00"))
    codes = {f.code for f in ctx["flags"]}
    assert {"cash_only", "medical", "past_due_60"} <= codes
    assert "Life-support equipment" in page and "Cash only until" in page
    assert [r["fund"].code for r in ctx["funds"]] == ["WTR", "SWR"]
    assert ctx["balance_check"] == 0, "fund balances add up to the account balance"
    kinds = [item.kind for item in ctx["timeline"]]
    assert {"payment", "contact"} <= set(kinds)
    assert "will pay Friday" in page and "Sewer" in page
    assert "(***) ***-0100" in page and "555-0100" not in page.replace("***-0100", "")  # phone masked


def test_quick_actions_follow_the_role(role_clients, account):
    def labels(role: str) -> set[str]:
        return {a.label for a in role_clients[role].get(f"/accounts/{account.number}/").context["actions"]}

    assert {"Log contact", "Adjust"} <= labels(COUNSELOR) and "Move a payment" not in labels(COUNSELOR)
    assert "Move a payment" in labels(CASHIER) and "Adjust" not in labels(CASHIER)
    assert "Audit trail" in labels(SUPERVISOR) and "Audit trail" not in labels(COLLECTOR)


def test_account_page_query_count_is_fixed(role_clients, account, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = role_clients[COUNSELOR]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/accounts/{account.number}/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    reason = ReasonCode.objects.filter(kind="contact").first()
    for i in range(6):  # more history of every kind must not mean more queries
        charge(account, "10.00", due=TODAY - timedelta(days=i), code="SLW")
        pay(account, "5.00", on=TODAY - timedelta(days=i), reference=f"P{i}")
        contact_log(
            account_id=account.pk,
            channel="visit",
            inbound=True,
            reason_id=reason.pk,
            outcome=ContactOutcome.INFO_GIVEN,
            note=f"visit {i}",
            follow_up_on=None,
            escalated=False,
            actor=make_user(f"u{i}", "Cashier"),
        )
    # 5 are Django's own per request (session, user, 2 permission reads, session save), 13 the
    # page's (the last its policy decisions), 4 counseling's providers (pledges, arrangements,
    # interviews, enrollments), 6
    # collections' (latest shutoff decision, service orders, notices, deposit, recovery cases,
    # refunds).
    assert count() == before <= 28


@pytest.mark.parametrize(
    ("suffix", "allowed"),
    [
        ("", DESK),
        ("entries/", DESK),
        ("contact/", DESK),
        ("contact-details/", DESK),
        ("due-day/", DESK),
        ("adjust/", {COUNSELOR, COLLECTOR, SUPERVISOR}),
        ("transfer/", {CASHIER, SUPERVISOR}),
        ("service/start/", {COUNSELOR, CASHIER, SUPERVISOR}),
        ("service/stop/", {COUNSELOR, CASHIER, SUPERVISOR}),
    ],
)
def test_account_pages_by_role(role_clients, account, suffix, allowed):
    assert_access(role_clients, f"/accounts/{account.number}/{suffix}", allowed)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/accounts/", DESK),
        ("/accounts/follow-ups/", DESK),
        ("/accounts/adjustments/pending/", {SUPERVISOR}),
        ("/accounts/ledger-checks/", {SUPERVISOR}),
        ("/accounts/bills/import/", {ADMIN}),
        ("/api/v1/accounts/search?q=test", DESK),
        ("/api/v1/accounts/0000500001", DESK),
        ("/api/v1/accounts/0000500001/entries", DESK),
    ],
)
def test_account_desk_pages_and_api_by_role(role_clients, account, path, allowed):
    assert_access(role_clients, path, allowed)


def test_bill_import_api_refuses_desk_roles(role_clients):
    assert_access(role_clients, "/api/v1/bills/import", {ADMIN}, method="post", ok=400)


def test_unknown_account_is_404(role_clients):
    assert role_clients[COUNSELOR].get("/accounts/9999999999/").status_code == 404
    assert role_clients[COUNSELOR].get("/accounts/0000500001/service/explode/").status_code == 404


def test_account_page_prints_money_with_thousands_separators(role_clients):
    """Demo city: "$23280.00" on the account page (balance, aging, funds, ledger lines)."""
    big = AccountFactory(number="0000500099")
    charge(big, "23280.00", due=TODAY - timedelta(days=45), code="WTR")
    page = role_clients[COLLECTOR].get("/accounts/0000500099/").content.decode()
    assert "$23,280.00" in page
    assert "23280.00" not in page.replace('data-amount="23280.00"', "")  # only the machine value
    entries = role_clients[COLLECTOR].get("/accounts/0000500099/entries/").content.decode()
    assert "$23,280.00" in entries and ">23280.00<" not in entries
