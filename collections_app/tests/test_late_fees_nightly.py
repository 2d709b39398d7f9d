"""Late fees with real concurrency (payments racing the nightly statement), the SB 998 low-income
waiver's once-a-year memory, and the beat task on a real Celery worker."""

import threading
from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import connection

from accounts.models import Account, LedgerEntry
from accounts.services.ledger import ledger_sum
from accounts.tests.factories import AccountFactory
from collections_app.models import BatchRun, RunKind
from collections_app.services.late_fees import late_fees_run
from collections_app.tests.billing import bill, use_policy
from common.models import AuditEvent
from counseling.tests.factories import interview
from payments.services.posting import Line, TenderSpec, transaction_post

AS_OF = date(2026, 11, 18)


@pytest.mark.django_db(transaction=True)
def test_payments_racing_the_nightly_statement_keep_every_balance_equal_to_its_entries(make_user):
    use_policy("AZ_MESA")
    cashier = make_user("race_cashier", "Cashier")
    accounts = [AccountFactory() for _ in range(30)]
    for account in accounts:
        bill(account, "400.00", due=AS_OF - timedelta(days=1))
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def nightly() -> None:
        try:
            barrier.wait()
            late_fees_run(business_date=AS_OF)
        except BaseException as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    def cashiering() -> None:
        try:
            barrier.wait()
            # multi-account payments listed highest id first: the service locks in id order anyway
            for i in range(0, 30, 3):
                trio = sorted(accounts[i : i + 3], key=lambda a: -a.pk)
                transaction_post(
                    lines=[Line(a.pk, Decimal("400.00")) for a in trio],
                    tenders=[TenderSpec(kind="cash", amount=Decimal("1200.00"))],
                    actor=cashier,
                    idempotency_key=uuid4(),
                    business_date=AS_OF,
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=nightly), threading.Thread(target=cashiering)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    for account in Account.objects.filter(pk__in=[a.pk for a in accounts]):
        fees = list(
            LedgerEntry.objects.filter(account=account, kind="late_fee").values_list("amount", flat=True)
        )
        assert fees in ([], [Decimal("8.00")])  # paid before the lock: none; after: 2% of $400
        assert account.balance == ledger_sum(account.pk) == sum(fees, Decimal("0.00"))
    run = BatchRun.objects.get(kind=RunKind.LATE_FEES, business_date=AS_OF)
    assert run.counts["fees"] == LedgerEntry.objects.filter(kind="late_fee").count()


@pytest.mark.django_db
def test_sb998_waives_a_low_income_households_late_charge_once_every_12_months(make_user):
    use_policy("CA_SB998_WATER")
    counselor = make_user("li_counselor", "Counselor")
    low_income, other = AccountFactory(), AccountFactory()
    interview(low_income, counselor, benefits=["snap"])
    for account in (low_income, other):
        bill(account, "100.00", due=AS_OF - timedelta(days=1))
    first = late_fees_run(business_date=AS_OF)
    assert first.counts["waived"] == 1
    assert not LedgerEntry.objects.filter(account=low_income, kind="late_fee").exists()
    assert LedgerEntry.objects.filter(account=other, kind="late_fee").count() == 1
    assert AuditEvent.objects.filter(verb="late_fee.waived", account_id=low_income.pk).count() == 1
    # the waived bill is settled for good: the next night does not charge it after all
    late_fees_run(business_date=AS_OF + timedelta(days=1))
    assert not LedgerEntry.objects.filter(account=low_income, kind="late_fee").exists()

    # next month's bill: the waiver was used less than 12 months ago, so the fee is charged
    bill(low_income, "100.00", due=AS_OF + timedelta(days=30))
    late_fees_run(business_date=AS_OF + timedelta(days=31))
    assert LedgerEntry.objects.filter(account=low_income, kind="late_fee").count() == 1
    assert AuditEvent.objects.filter(verb="late_fee.waived", account_id=low_income.pk).count() == 1


def test_the_nightly_task_runs_on_a_real_worker_once_per_date(celery_worker):
    from collections_app.tasks.fees import late_fees

    use_policy("AZ_MESA")
    account = AccountFactory()
    bill(account, "100.00", due=AS_OF - timedelta(days=1))
    first = late_fees.delay(business_date=AS_OF.isoformat()).get(timeout=60)
    second = late_fees.delay(business_date=AS_OF.isoformat()).get(timeout=60)
    assert first == second == {"fees": 1, "amount": "5.00", "waived": 0, "accounts": 1}
    account.refresh_from_db()
    assert account.balance == Decimal("105.00") == ledger_sum(account.pk)
