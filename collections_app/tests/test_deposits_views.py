"""Deposit screens, API and the account page: permissions per role, the compute-then-save form,
waivers by supervisors only, the flag, the notices on the timeline and the quick actions."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from collections_app.models import DepositStatus, SecurityDeposit
from collections_app.services.deposits import deposit_require
from collections_app.services.notices import notice_batch_build, notice_batch_mark_sent
from collections_app.tests.billing import bill, use_policy
from conftest import assert_access

pytestmark = pytest.mark.django_db
DESK = {"Collections officer", "Supervisor"}
TODAY = timezone.localdate()


@pytest.fixture
def account():
    use_policy("UT_ST_GEORGE")  # renters $125
    account = AccountFactory(occupancy="tenant")
    for i in range(3):
        bill(account, "60.00", due=TODAY - timedelta(days=30 * i + 5))
    return account


def _deposit(account, user):  # type: ignore[no-untyped-def]
    return deposit_require(
        account_id=account.pk, as_of=TODAY, actor=user, installments=1, idempotency_key="dep-1"
    )


def test_every_deposit_screen_and_endpoint_checks_its_permission(role_clients, account, make_user):
    n = account.number
    assert role_clients["Collections officer"].get(f"/api/v1/accounts/{n}/deposit").status_code == 404
    deposit = _deposit(account, make_user("req", "Collections officer"))
    assert_access(role_clients, "/collections/deposits/", DESK)
    assert_access(role_clients, f"/collections/accounts/{n}/deposit/", DESK)
    assert_access(role_clients, f"/api/v1/accounts/{n}/deposit", DESK)
    assert_access(role_clients, f"/collections/accounts/{n}/deposit/", DESK, method="post", ok=200)
    assert_access(role_clients, "/collections/deposits/run/", DESK, method="post", ok=302)
    assert_access(
        role_clients, f"/collections/deposits/{deposit.pk}/check-issued/", DESK, method="post", ok=302
    )
    assert_access(
        role_clients, f"/collections/deposits/{deposit.pk}/waive/", {"Supervisor"}, method="post", ok=302
    )
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.BILLING  # the bare waive post had no reason: nothing changed


def test_compute_shows_the_explanation_before_anything_is_saved(role_clients, account):
    client = role_clients["Collections officer"]
    url = f"/collections/accounts/{account.number}/deposit/"
    form = {"installments": "3", "credit_history_months": "", "key": "k-77"}
    page = client.post(url, {**form, "action": "preview"}).content.decode()
    assert "The policy requires $125.00" in page and "Flat renter deposit" in page and "renter" in page
    assert not SecurityDeposit.objects.exists()
    bad = client.post(url, {**form, "installments": "40", "action": "save"}).content.decode()
    assert "Ensure this value is less than or equal to 12" in bad and not SecurityDeposit.objects.exists()
    assert client.post(url, {**form, "action": "save"}).status_code == 302
    assert client.post(url, {**form, "action": "save"}).status_code == 302  # replayed: still one
    deposit = SecurityDeposit.objects.get()
    assert deposit.required_amount == Decimal("125.00") and deposit.schedule.count() == 3
    assert deposit.explanation["citation"] and deposit.explanation["owner"] is False
    api = client.get(f"/api/v1/accounts/{account.number}/deposit").json()
    assert api["status"] == "billing" and api["required_amount"] == "125.00" and len(api["schedule"]) == 3
    assert api["explanation"]["reason"].startswith("Flat renter deposit")


def test_only_a_supervisor_waives_and_must_say_why(role_clients, account, make_user):
    deposit = _deposit(account, make_user("req", "Collections officer"))
    url = f"/collections/deposits/{deposit.pk}/waive/"
    assert role_clients["Collections officer"].post(url, {"reason": "Long-time customer"}).status_code == 403
    page = role_clients["Supervisor"].post(url, {"reason": "no"}, follow=True).content.decode()
    assert "Give the reason for the waiver" in page
    role_clients["Supervisor"].post(url, {"reason": "Prior utility letter arrived late"})
    deposit.refresh_from_db()
    assert (
        deposit.status == DepositStatus.WAIVED
        and deposit.waiver_reason == "Prior utility letter arrived late"
    )


def test_the_account_page_shows_the_deposit_flag_notices_sent_and_the_quick_actions(role_clients, make_user):
    use_policy("AZ_MESA", **{"deposit__formula": "FLAT", "deposit__flat_renter": "150.00"})
    officer = make_user("pg", "Collections officer")
    account = AccountFactory(occupancy="tenant")
    bill(account, "90.00", due=date(2026, 9, 1))
    batch = notice_batch_build(kind="shutoff", business_date=date(2026, 10, 21), actor=officer)
    notice_batch_mark_sent(batch_id=batch.pk, sent_on=date(2026, 10, 21), method="mail", actor=officer)
    deposit_require(account_id=account.pk, as_of=TODAY, actor=officer, installments=2, idempotency_key="pg-1")
    page = role_clients["Collections officer"].get(f"/accounts/{account.number}/").content.decode()
    assert "Deposit due: $0.00 of $150.00 paid" in page
    assert "Shutoff notice sent (first-class mail)" in page and "disconnection not before" in page
    assert f"/collections/accounts/{account.number}/notices/" in page
    assert f"/collections/accounts/{account.number}/deposit/" in page
    cashier_page = role_clients["Cashier"].get(f"/accounts/{account.number}/").content.decode()
    assert f"/collections/accounts/{account.number}/deposit/" not in cashier_page  # no permission, no action


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_lists_cost_the_same_few_queries_however_many_rows(role_clients, make_user):
    use_policy("AZ_MESA", **{"deposit__formula": "FLAT", "deposit__flat_renter": "150.00"})
    officer = make_user("many", "Collections officer")
    client = role_clients["Collections officer"]

    def grow(n: int, start: int) -> None:
        for i in range(start, start + n):
            account = AccountFactory(occupancy="tenant")
            bill(account, "90.00", due=date(2026, 9, 1))
            deposit_require(
                account_id=account.pk, as_of=TODAY, actor=officer, installments=2, idempotency_key=f"m{i}"
            )

    grow(1, 0)
    batch = notice_batch_build(kind="shutoff", business_date=date(2026, 10, 21), actor=officer)
    urls = ["/collections/deposits/", "/collections/notices/", f"/collections/notices/batches/{batch.pk}/"]
    few = [_queries(client, url) for url in urls]
    grow(12, 1)
    batch = notice_batch_build(kind="shutoff", business_date=date(2026, 10, 21), actor=officer)
    assert batch.notices.count() == 13
    assert [_queries(client, url) for url in urls] == few  # no query per row
    assert max(few) <= 15


def test_the_deposit_explanation_adds_up_on_screen(role_clients):
    """Demo city: the quote listed every bill of the year (13 bills, 28 days apart) next to
    "2 x average monthly bill of 12": the parts shown did not give the total shown. The bills
    listed are the ones averaged, and they add up, to the cent, to the amount required."""
    import re

    use_policy("AZ_SCOTTSDALE")  # 2 x the average of the last 12 monthly bills
    account = AccountFactory(occupancy="tenant")
    amounts = ["100.01", "100.02", "100.04", "97.13", "55.55", "61.11", "70.07"]
    amounts += ["80.08", "90.09", "99.99", "12.34", "43.21", "77.77", "88.88"]
    for i, amount in enumerate(amounts):
        bill(account, amount, due=TODAY - timedelta(days=28 * i + 5))
    url = f"/collections/accounts/{account.number}/deposit/"
    form = {"installments": "3", "credit_history_months": "", "key": "k-sum", "action": "preview"}
    page = role_clients["Collections officer"].post(url, form).content.decode()

    def dollars(text: str) -> list[Decimal]:
        return [Decimal(m.replace(",", "")) for m in re.findall(r"\$([\d,]+\.\d\d)", text)]

    money = r"\$([\d,]+\.\d\d)"
    reason = re.search(rf"(\d+) × average monthly bill of (\d+) \({money}\) = {money}", page)
    assert reason, "the quote explains the amount"
    k, n = Decimal(reason[1]), int(reason[2])
    average, required = (Decimal(reason[i].replace(",", "")) for i in (3, 4))
    shown = re.search(r'data-testid="deposit-bills">(.*?)</span>, ÷', page, re.S)
    assert shown, "the bills averaged are listed"
    *parts, total = dollars(shown[1])
    assert len(parts) == n and sum(parts) == total  # the parts shown give the total shown
    assert (total / n).quantize(Decimal("0.01")) == average and k * average == required
