"""Refund pages: the request form from the account page (cashiers, the desk; not counselors), the
queue (supervisors decide, never on their own request), the register and its CSV for accounts
payable, and a constant number of queries for the queue and register."""

from datetime import timedelta
from decimal import Decimal
from itertools import count
from uuid import uuid4

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import EntryKind, LedgerEntry
from accounts.tests.factories import AccountFactory, charge
from collections_app.models.refunds import Refund, RefundMethod
from collections_app.services.refunds import refund_issue, refund_request
from collections_app.tests.export_jobs import export_job, job_csv
from collections_app.tests.refund_setup import card_payment, in_credit
from common.models import Job
from conftest import ROLE_NAMES

pytestmark = pytest.mark.django_db
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES
TODAY = timezone.localdate()
_seq = count(1)


def user(role: str):  # type: ignore[no-untyped-def]
    return get_user_model().objects.get(username=role.lower().replace(" ", "_"))


def form(amount: str, method: str = "check", reason: str = "Overpaid the final bill") -> dict[str, str]:
    return {"idempotency_key": str(uuid4()), "amount": amount, "method": method, "reason": reason}


def test_a_cashier_requests_from_the_account_page_and_a_counselor_cannot(role_clients):
    account = in_credit("250.00", number="0000880001")
    page = role_clients[CASHIER].get(f"/accounts/{account.number}/").content.decode()
    assert "Request refund" in page
    assert (
        "Request refund" not in role_clients[COUNSELOR].get(f"/accounts/{account.number}/").content.decode()
    )
    assert role_clients[COUNSELOR].get(f"/collections/accounts/{account.number}/refund/").status_code == 403
    assert (
        role_clients[COUNSELOR]
        .post(f"/collections/accounts/{account.number}/refund/", form("10.00"))
        .status_code
        == 403
    )

    page = role_clients[CASHIER].get(f"/collections/accounts/{account.number}/refund/").content.decode()
    assert "Refundable credit" in page and "$250.00" in page and "Up to $100.00 is approved at once" in page
    response = role_clients[CASHIER].post(
        f"/collections/accounts/{account.number}/refund/", form("250.00"), follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/accounts/{account.number}/"
    assert "above the approval limit, a second person must approve it" in page
    assert "Refund of $250.00 awaiting approval" in page  # the account page's flag
    refund = Refund.objects.get()
    assert (refund.requested_by, refund.status, refund.amount) == (
        user(CASHIER),
        "requested",
        Decimal("250.00"),
    )


def test_no_refund_action_on_an_account_that_owes(role_clients):
    account = AccountFactory(number="0000880002")
    charge(account, "10.00", due=TODAY)
    assert "Request refund" not in role_clients[CASHIER].get(f"/accounts/{account.number}/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (form("abc"), "is not an amount"),  # the one amount parser's message (common.amounts)
        (form("0"), "Enter an amount more than zero."),
        (form("10.001"), "more than two digits after the point"),
        (form("10.00", method="wire"), "Choose how the refund is paid."),
        (form("10.00", reason=""), "Say why the credit is refunded."),
        (form("300.00"), "At most $250.00 can be refunded"),
        (form("10.00", method="original_payment"), "no card or electronic payment on this account"),
    ],
)
def test_bad_input_and_refusals_are_explained_and_save_nothing(role_clients, data, message):  # type: ignore[no-untyped-def]
    account = in_credit("250.00", number="0000880003")
    response = role_clients[CASHIER].post(f"/collections/accounts/{account.number}/refund/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Refund.objects.exists()


def test_the_supervisor_approves_and_issues_from_the_queue_but_not_their_own(role_clients, make_user):
    account = in_credit("250.00", number="0000880004")
    own = in_credit("180.00", number="0000880005")
    boss = role_clients[SUPERVISOR]
    role_clients[CASHIER].post(f"/collections/accounts/{account.number}/refund/", form("250.00"))
    boss.post(f"/collections/accounts/{own.number}/refund/", form("180.00"))
    cashiers, mine = Refund.objects.get(account=account), Refund.objects.get(account=own)

    page = role_clients[COLLECTOR].get("/collections/refunds/").content.decode()
    assert "0000880004" in page and "/decide/" not in page  # the desk reads the queue, does not decide
    page = boss.get("/collections/refunds/").content.decode()
    assert "Yours: a second person decides." in page
    assert (
        f"/collections/refunds/{cashiers.pk}/decide/" in page
        and f"/collections/refunds/{mine.pk}/decide/" not in page
    )
    response = boss.post(f"/collections/refunds/{mine.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "A second person must decide on a refund you requested" in response.content.decode()

    response = boss.post(f"/collections/refunds/{cashiers.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "Refund of $250.00 approved: issue it below." in response.content.decode()
    response = boss.post(f"/collections/refunds/{cashiers.pk}/issue/", {"check_number": ""}, follow=True)
    assert "Enter the check number" in response.content.decode()
    response = boss.post(f"/collections/refunds/{cashiers.pk}/issue/", {"check_number": "8001"}, follow=True)
    page = response.content.decode()
    assert "Refund of $250.00 issued to" in page
    assert 'data-testid="refund-outstanding"' in page and "8001" in page
    account.refresh_from_db()
    assert account.balance == 0
    response = boss.post(
        f"/collections/refunds/{cashiers.pk}/cashed/",
        {"check_number": "8001", "cashed_on": TODAY.isoformat()},
        follow=True,
    )
    assert "Check 8001 recorded as cashed." in response.content.decode()
    response = boss.post(f"/collections/refunds/{cashiers.pk}/decide/", {"decision": "maybe"}, follow=True)
    assert "Choose approve or reject." in response.content.decode()


def test_the_requesting_cashier_cancels_back_to_the_account_page(role_clients):
    account = in_credit("50.00", number="0000880006")
    role_clients[CASHIER].post(f"/collections/accounts/{account.number}/refund/", form("50.00"))
    refund = Refund.objects.get()
    # the cashier cannot open the supervisors' queue: the refund page offers the cancel instead
    page = role_clients[CASHIER].get(f"/collections/accounts/{account.number}/refund/").content.decode()
    assert 'data-testid="open-refund"' in page and f"/collections/refunds/{refund.pk}/cancel/" in page
    other = role_clients[COLLECTOR].get(f"/collections/accounts/{account.number}/refund/").content.decode()
    assert 'data-testid="open-refund"' in other and f"/collections/refunds/{refund.pk}/cancel/" not in other
    response = role_clients[CASHIER].post(
        f"/collections/refunds/{refund.pk}/cancel/", {"reason": "Will use it"}
    )
    assert response.status_code == 302 and response["Location"] == f"/accounts/{account.number}/"
    refund.refresh_from_db()
    assert refund.status == "cancelled"


def _issued_refunds():  # type: ignore[no-untyped-def]
    """One check refund issued today, one card refund, one still waiting."""
    cashier, boss = user(CASHIER), user(SUPERVISOR)
    by_check = in_credit("60.00", number="0000880010", customer__first_name="=HYPERLINK(1)")
    check = refund_request(
        account_id=by_check.pk,
        amount=Decimal("60.00"),
        method=RefundMethod.CHECK,
        reason="Overpaid",
        actor=cashier,
        idempotency_key=uuid4(),
    )
    refund_issue(refund_id=check.pk, check_number="9001", actor=boss)
    by_card = AccountFactory(status="final", number="0000880011")
    charge(by_card, "40.00", due=TODAY - timedelta(days=30))
    card_payment(cashier, by_card, "90.00")
    card = refund_request(
        account_id=by_card.pk,
        amount=Decimal("50.00"),
        method=RefundMethod.ORIGINAL_PAYMENT,
        reason="Overpaid",
        actor=cashier,
        idempotency_key=uuid4(),
    )
    refund_issue(refund_id=card.pk, check_number="", actor=boss)
    waiting = in_credit("500.00", number="0000880012")
    pending = refund_request(
        account_id=waiting.pk,
        amount=Decimal("500.00"),
        method=RefundMethod.CHECK,
        reason="Closed",
        actor=cashier,
        idempotency_key=uuid4(),
    )
    return check, card, pending


def _csv(client, query: str = "") -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The register's CSV as the job a worker made stores it (the button posts the filters)."""
    data = dict(pair.split("=") for pair in query.lstrip("?").split("&")) if query else {}
    job = export_job(client, "/collections/refunds/register.csv", data)
    return job_csv(client, job)[1]


JOBS_DB = pytest.mark.django_db(transaction=True, databases=["default", "jobs"])


@JOBS_DB
def test_the_register_csv_lists_what_accounts_payable_needs(role_clients, celery_worker):
    check, card, pending = _issued_refunds()
    rows = _csv(role_clients[SUPERVISOR])
    assert rows[0] == [
        "refund_id",
        "account_number",
        "payee",
        "mailing_address",
        "amount",
        "method",
        "fund",
        "status",
        "approved_by",
        "issued_on",
        "check_number",
    ]
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id[str(check.pk)] == [
        str(check.pk),
        "0000880010",
        "'" + check.payee,  # a payee a spreadsheet would run as a formula is quoted
        "100 W Main St, Phoenix, AZ 85004",
        "60.00",
        "check",
        "CR",
        "issued",
        "within limit",
        TODAY.isoformat(),
        "9001",
    ]
    card_row = by_id[str(card.pk)]
    assert card_row[3].startswith("Card ending 4242, receipt ") and card_row[4:9] == [
        "50.00",
        "original_payment",
        "CR",
        "issued",
        "within limit",
    ]
    assert by_id[str(pending.pk)][6:] == ["", "requested", "", "", ""]
    assert len(rows) == 4
    # filters: status, method, the issue dates
    assert [r[0] for r in _csv(role_clients[SUPERVISOR], "?status=requested")[1:]] == [str(pending.pk)]
    assert [r[0] for r in _csv(role_clients[SUPERVISOR], "?method=check&status=issued")[1:]] == [
        str(check.pk)
    ]
    today = TODAY.isoformat()
    issued = _csv(role_clients[SUPERVISOR], f"?issued_from={today}&issued_to={today}")[1:]
    assert sorted(r[0] for r in issued) == sorted([str(check.pk), str(card.pk)])
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert _csv(role_clients[SUPERVISOR], f"?issued_from={tomorrow}")[1:] == []
    jobs = Job.objects.count()
    bad = role_clients[SUPERVISOR].post(
        "/collections/refunds/register.csv", {"issued_from": tomorrow, "issued_to": today}
    )
    assert bad.status_code == 400 and "after the 'issued to' date" in bad.content.decode()
    assert Job.objects.count() == jobs  # refused in the request, before any job
    again = role_clients[SUPERVISOR].post("/collections/refunds/register.csv", {"status": "requested"})
    assert again["Location"] == f"/jobs/{Job.objects.get(params__status='requested').pk}/"  # unchanged rows
    assert LedgerEntry.objects.filter(kind=EntryKind.REFUND).count() == 2


def test_the_register_page_filters_and_links_its_csv(role_clients):
    _issued_refunds()
    page = (
        role_clients[COLLECTOR]
        .get("/collections/refunds/register/?method=check&status=issued")
        .content.decode()
    )
    assert "0000880010" in page and "0000880011" not in page and "0000880012" not in page
    csv_form = page.split('id="register-csv"')[1].split("</form>")[0]  # the CSV button posts the filters
    assert 'action="/collections/refunds/register.csv"' in csv_form
    assert '<input type="hidden" name="method" value="check">' in csv_form
    assert '<input type="hidden" name="status" value="issued">' in csv_form
    page = (
        role_clients[COLLECTOR].get("/collections/refunds/register/?issued_from=2026-13-01").content.decode()
    )
    assert "Enter a valid date." in page


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/collections/refunds/", "/collections/refunds/register/"])
def test_queue_and_register_cost_the_same_queries_for_more_rows(role_clients, url, django_assert_num_queries):  # type: ignore[no-untyped-def]
    def add(n: int) -> None:
        for _ in range(n):
            _issued_refunds_quick()

    boss = role_clients[SUPERVISOR]
    add(2)
    _queries(boss, url)
    with_n = _queries(boss, url)
    add(4)
    with django_assert_num_queries(with_n):
        assert boss.get(url).status_code == 200


def _issued_refunds_quick() -> None:
    """A requested, an approved and an issued check refund (every table of the queue)."""
    n = next(_seq)
    cashier, boss = user(CASHIER), user(SUPERVISOR)
    made = []
    for i, amount in enumerate(["300.00", "60.00", "70.00"]):
        account = in_credit(amount, number=f"00009{n:03d}{i:02d}")
        made.append(
            refund_request(
                account_id=account.pk,
                amount=Decimal(amount),
                method=RefundMethod.CHECK,
                reason="x",
                actor=cashier,
                idempotency_key=uuid4(),
            )
        )
    refund_issue(refund_id=made[2].pk, check_number=f"C{n}", actor=boss)


def test_the_register_csv_rows_cost_the_same_queries_for_more_rows(role_clients, django_assert_num_queries):  # type: ignore[no-untyped-def]
    """What the export job's worker reads (collections_app.export_jobs), without the job around it."""
    from collections_app.export_jobs import _register_qs, csv_bytes
    from collections_app.selectors.refunds import register_csv_rows

    params = {"issued_from": "", "issued_to": "", "status": "", "method": ""}

    def export() -> bytes:
        qs = _register_qs(params)
        return csv_bytes(register_csv_rows(qs), total=0, progress=lambda *a, **k: None)  # type: ignore[arg-type]

    for _ in range(2):
        _issued_refunds_quick()
    with CaptureQueriesContext(connection) as ctx:
        before = export().count(b"\r\n")
    for _ in range(4):
        _issued_refunds_quick()
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert export().count(b"\r\n") > before


def test_the_register_csv_button_never_builds_the_csv_in_the_request(role_clients, monkeypatch):
    import collections_app.export_jobs as export_jobs

    boom = lambda *a, **k: (_ for _ in ()).throw(AssertionError)  # noqa: E731
    monkeypatch.setattr(export_jobs, "csv_bytes", boom)
    monkeypatch.setattr(export_jobs, "register_csv_rows", boom)
    _issued_refunds()
    boss = role_clients[SUPERVISOR]
    response = boss.post("/collections/refunds/register.csv", {"method": "check", "issued_from": TODAY})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "queued" and job.kind == "collections.refund_register_csv"
    assert job.params == {"issued_from": TODAY.isoformat(), "issued_to": "", "status": "", "method": "check"}
    assert boss.get("/collections/refunds/register.csv").status_code == 405
