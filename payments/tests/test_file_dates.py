"""Lockbox and agency files: a payment date far in the past or in the future is refused by line,
and nothing of the file is saved (issue 11)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from common.exceptions import ImportRejected
from payments.models import Payment, PaymentFile
from payments.services.files import PAID_ON_MAX_AGE_DAYS, payment_file_import

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
HEAD = "external_id,account_number,amount,paid_on\n"


@pytest.mark.parametrize("source", ["lockbox", "agency"])
def test_old_and_future_payment_dates_are_refused_by_line(make_user, source):
    supervisor = make_user("grace", "Supervisor")
    a = AccountFactory()
    oldest = TODAY - timedelta(days=PAID_ON_MAX_AGE_DAYS)
    data = (
        HEAD
        + f"D1,{a.number},10.00,{TODAY}\n"  # 2 ok
        + f"D2,{a.number},10.00,{oldest}\n"  # 3 ok: the oldest date taken
        + f"D3,{a.number},10.00,{oldest - timedelta(days=1)}\n"  # 4 a day too old
        + f"D4,{a.number},10.00,2015-03-01\n"  # 5 the wrong year
        + f"D5,{a.number},10.00,{TODAY + timedelta(days=1)}\n"  # 6 tomorrow
        + f"D6,{a.number},10.00,2099-03-01\n"  # 7 far in the future
    ).encode()
    with pytest.raises(ImportRejected) as exc:
        payment_file_import(data=data, file_name="dates.csv", source=source, actor=supervisor)
    errors = dict(exc.value.errors)
    assert sorted(errors) == [4, 5, 6, 7]
    assert f"more than {PAID_ON_MAX_AGE_DAYS} days ago" in errors[4] and "2015-03-01" in errors[5]
    assert "in the future" in errors[6] and "2099-03-01" in errors[7]
    assert not PaymentFile.objects.exists() and not Payment.objects.exists()

    good = (HEAD + f"D1,{a.number},10.00,{TODAY}\n" + f"D2,{a.number},10.00,{oldest}\n").encode()
    record = payment_file_import(data=good, file_name="good.csv", source=source, actor=supervisor)
    assert record.posted == 2
    assert sorted(Payment.objects.values_list("business_date", flat=True)) == [oldest, TODAY]
