import pytest
from django.utils import timezone

from accounts.models import Account, LedgerCheckRun
from accounts.tasks import ledger_check
from accounts.tests.factories import AccountFactory, charge


@pytest.mark.django_db(transaction=True)
def test_nightly_ledger_check_runs_on_a_real_worker(celery_worker):
    good, bad = AccountFactory(), AccountFactory()
    charge(good, "10.00", due=timezone.localdate())
    Account.objects.filter(pk=bad.pk).update(balance="5.00")
    result = ledger_check.delay(business_date="2026-11-21").get(timeout=30)
    assert result == {"accounts_checked": 2, "discrepancies": 1}
    # a second run for the same business date changes nothing
    assert ledger_check.delay(business_date="2026-11-21").get(timeout=30) == result
    assert LedgerCheckRun.objects.count() == 1
