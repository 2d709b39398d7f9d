"""An agency remittance with a payment date far in the past or in the future is refused by line,
all or nothing (issue 11), even for a referral placed long ago."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from collections_app.models import AgencyReferral, CollectionAgency
from collections_app.models.recovery import AgencyRemittance
from collections_app.services.agency import remittance_import
from common.exceptions import ImportRejected
from payments.models import Payment
from payments.services.files import PAID_ON_MAX_AGE_DAYS

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_a_remittance_refuses_stale_and_future_payment_dates_by_line(make_user):
    officer = make_user("olga", "Collections officer")
    agency = CollectionAgency.objects.create(name="Desert Recovery Services")
    account = AccountFactory(status="final", number="0000660001")
    referral = AgencyReferral.objects.create(
        account=account, agency=agency, referred_on=TODAY - timedelta(days=700), principal=Decimal("90.00")
    )
    oldest = TODAY - timedelta(days=PAID_ON_MAX_AGE_DAYS)
    head = "account_number,referral_id,amount,paid_on\n"
    data = (
        head
        + f"0000660001,{referral.pk},10.00,{oldest}\n"  # 2 ok
        + f"0000660001,{referral.pk},10.00,{TODAY - timedelta(days=400)}\n"  # 3 after the referral, too old
        + f"0000660001,{referral.pk},10.00,{TODAY + timedelta(days=30)}\n"  # 4 future
    ).encode()
    with pytest.raises(ImportRejected) as exc:
        remittance_import(data=data, file_name="remit.csv", agency_id=agency.pk, actor=officer)
    errors = dict(exc.value.errors)
    assert sorted(errors) == [3, 4]
    assert f"more than {PAID_ON_MAX_AGE_DAYS} days ago" in errors[3] and "in the future" in errors[4]
    assert not Payment.objects.exists() and not AgencyRemittance.objects.exists()
