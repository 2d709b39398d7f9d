"""Credit reference letters (history counts, masked personal data) and the regulator's annual
count of discontinuations."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory, CustomerFactory, charge, pay
from collections_app.models import CreditReferenceLetter, SecurityDeposit, ServiceOrder
from collections_app.selectors.regulatory import DISCONTINUATION_COLUMNS, credit_history, discontinuations
from collections_app.services.credit_letters import credit_letter_issue
from common.exceptions import DomainError
from conftest import pdf_text
from payments.services.returns import tender_return
from payments.tests.factories import check, open_session, post

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
_keys = count()


def order(account, kind: str, completed: datetime | None, status: str = "completed", utility: str = "water"):  # type: ignore[no-untyped-def]
    return ServiceOrder.objects.create(
        account=account,
        kind=kind,
        status=status,
        utility=utility,
        reason="test",
        scheduled_for=(completed or timezone.now()).date(),
        completed_at=completed,
        idempotency_key=f"order-test-{next(_keys)}",
    )


def ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def history(make_user):
    customer = CustomerFactory(first_name="Lena", last_name="Moss", id_document_type="ssn", id_last4="6789")
    account = AccountFactory(number="0000110042", customer=customer)
    charge(account, "100.00", due=TODAY - timedelta(days=500))
    pay(account, "100.00", on=TODAY - timedelta(days=480))  # late (24 months)
    charge(account, "100.00", due=TODAY - timedelta(days=300))
    pay(account, "100.00", on=TODAY - timedelta(days=305))  # on time
    charge(account, "100.00", due=TODAY - timedelta(days=200))
    pay(account, "100.00", on=TODAY - timedelta(days=190))  # late
    charge(account, "100.00", due=TODAY - timedelta(days=100))
    pay(account, "100.00", on=TODAY - timedelta(days=95))  # late
    charge(account, "100.00", due=TODAY - timedelta(days=20))  # unpaid: late
    cashier = make_user("cass", "Cashier")
    txn = post(open_session(cashier), cashier, (account, "40.00"), tenders=[check("40.00")])
    tender_return(
        tender_id=txn.tenders.get().pk,
        returned_on=TODAY,
        reason="NSF",
        actor=cashier,
        idempotency_key=uuid4(),
    )
    order(account, "disconnect", ago(240))
    order(account, "disconnect", ago(540))
    order(account, "disconnect", None, status="cancelled")
    SecurityDeposit.objects.create(
        account=account,
        required_amount=Decimal("150.00"),
        held_amount=Decimal("150.00"),
        status="held",
        held_since=TODAY - timedelta(days=400),
        idempotency_key="dep-test",
    )
    account.refresh_from_db()
    return account


def test_credit_history_counts(history):
    h = credit_history(account=history, as_of=TODAY)
    assert h.months_of_service == (TODAY.year - 2020) * 12 + TODAY.month - 1  # opened Jan 1, 2020
    assert (h.late_12, h.late_24) == (3, 4)
    assert (h.returned_12, h.returned_24) == (1, 1)
    assert (h.disconnections_12, h.disconnections_24) == (1, 2)
    assert h.deposit_held == Decimal("150.00")
    assert h.balance == history.balance == Decimal("125.00")  # 100 unpaid + the 25.00 NSF fee


def test_letter_pdf_states_the_history_without_identity_numbers(history, role_clients):
    response = role_clients["Collections officer"].post(
        "/collections/accounts/0000110042/credit-letter/",
        {"addressed_to": "Salt River Project, New Accounts", "months": "24"},
        follow=True,
    )
    letter = CreditReferenceLetter.objects.get()
    assert letter.summary["late_12"] == 3 and letter.summary["disconnections_24"] == 2
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Utility credit reference" in text and "Salt River Project, New Accounts" in text
    assert "Lena Moss" in text and "account ending 0042" in text
    assert "Late payments 3 4" in text and "Returned payments 1 1" in text
    assert "Disconnections for non-payment 1 2" in text
    assert "Current balance $125.00" in text and "Security deposit held $150.00" in text
    assert "0000110042" not in text and "6789" not in text and "555-0100" not in text


def test_a_twelve_month_letter_and_bad_input(history, make_user):
    officer = make_user("olga", "Collections officer")
    with pytest.raises(DomainError, match="addressed"):
        credit_letter_issue(account_id=history.pk, addressed_to=" ", actor=officer)
    letter = credit_letter_issue(account_id=history.pk, addressed_to="APS", months=12, actor=officer)
    assert letter.months_covered == 12 and letter.summary["months_of_service"] > 70


def test_annual_discontinuation_count_by_month_utility_and_class(role_clients):
    home = AccountFactory()
    shop = AccountFactory(account_class="commercial")
    year = TODAY.year
    tz = timezone.get_current_timezone()
    jan = datetime(year, 1, 15, 10, tzinfo=tz)
    mar = datetime(year, 3, 3, 9, tzinfo=tz)
    order(home, "disconnect", jan)
    order(AccountFactory(), "disconnect", jan)
    order(home, "reconnect", jan + timedelta(days=2))
    order(shop, "disconnect", mar)
    order(home, "low_flow", mar)
    order(shop, "disconnect", mar, utility="sewer")
    order(home, "disconnect", datetime(year - 1, 12, 31, 12, tzinfo=tz))  # last year
    order(home, "disconnect", None, status="open")

    rows = {(r.month, r.utility, r.customer_class): r for r in discontinuations(year=year)}
    assert set(rows) == {
        (1, "water", "residential"),
        (3, "water", "non-residential"),
        (3, "water", "residential"),
        (3, "sewer", "non-residential"),
    }
    jan_res = rows[(1, "water", "residential")]
    assert (jan_res.disconnections, jan_res.low_flow, jan_res.reconnections) == (2, 0, 1)
    assert rows[(3, "water", "residential")].low_flow == 1

    page = role_clients["Supervisor"].get(f"/collections/recovery/reports/discontinuations/?year={year}")
    assert page.status_code == 200
    totals = {(r.utility, r.customer_class): r for r in page.context["totals"]}
    assert totals[("water", "residential")].disconnections == 2
    assert totals[("water", "non-residential")].disconnections == 1
    response = role_clients["Collections officer"].get(
        f"/collections/recovery/reports/discontinuations.csv?year={year}"
    )
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == DISCONTINUATION_COLUMNS
    assert [str(year), "1", "water", "residential", "2", "0", "1"] in lines
    assert len(lines) == 5


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/collections/accounts/0000110042/credit-letter/", {"Collections officer", "Supervisor"}),
        ("/collections/recovery/credit-letters/{pk}.pdf", {"Collections officer", "Supervisor"}),
        ("/collections/recovery/reports/discontinuations/", {"Collections officer", "Supervisor"}),
        ("/collections/recovery/reports/discontinuations.csv", {"Collections officer", "Supervisor"}),
    ],
)
def test_letter_and_report_pages_by_role(role_clients, history, make_user, path, allowed):
    from conftest import assert_access

    letter = credit_letter_issue(
        account_id=history.pk, addressed_to="APS", actor=make_user("olga", "Collections officer")
    )
    assert_access(role_clients, path.format(pk=letter.pk), allowed)
