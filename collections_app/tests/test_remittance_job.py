"""An agency's remittance as a job (issue 13: a 50,000-line remittance could not be imported):
the page answers at once; a real worker posts every line or none; a bad line N is line N on the
job's page; the same file again finds its job."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import CustomerFactory
from collections_app.models import AgencyReferral, CollectionAgency
from collections_app.models.recovery import AgencyRemittance
from collections_app.services.agency import referral_batch_run
from collections_app.tests.test_agency import final_billed
from common.models import Job
from conftest import wait_for_job
from payments.models import Payment

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "jobs"])
TODAY = timezone.localdate()
HEADER = "account_number,referral_id,agency_ref,amount,paid_on,commission\n"


@pytest.fixture
def referral() -> AgencyReferral:
    CollectionAgency.objects.create(name="Desert Recovery Services", contact="(602) 555-0199")
    final_billed(100, "200.00", number="0000550001", customer=CustomerFactory())
    referral_batch_run(business_date=TODAY)
    return AgencyReferral.objects.get()


def _post(client: Client, referral: AgencyReferral, data: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        "/collections/recovery/referrals/remittance/",
        {"agency": referral.agency_id, "file": SimpleUploadedFile("remit.csv", data)},
    )


def test_a_worker_posts_the_remittance_and_the_same_file_finds_its_job(celery_worker, make_user, referral):
    client = Client()
    client.force_login(make_user("olga", "Collections officer"))
    data = (HEADER + f"0000550001,{referral.pk},,120.00,{TODAY},20.00\n").encode()
    answer = _post(client, referral, data)
    job = wait_for_job(Job.objects.get())
    assert answer["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "done", job.error
    assert job.result["summary"] == "1 agency payments posted ($120.00; commission $20.00)."
    referral.refresh_from_db()
    assert referral.collected_amount == Decimal("120.00") and Payment.objects.count() == 1
    assert _post(client, referral, data)["Location"] == f"/jobs/{job.pk}/" and Job.objects.count() == 1


def test_a_bad_line_n_is_line_n_and_nothing_is_posted(celery_worker, make_user, referral):
    client = Client()
    client.force_login(make_user("olga", "Collections officer"))
    data = (
        HEADER + f"0000550001,{referral.pk},,50.00,{TODAY},\n0000550001,{referral.pk},,ten,{TODAY},\n"
    ).encode()
    _post(client, referral, data)
    job = wait_for_job(Job.objects.get())
    assert job.status == "failed"
    assert job.result["errors"] == [{"line": 3, "message": "amount 'ten' is not an amount"}]
    assert "<td>3</td>" in client.get(f"/jobs/{job.pk}/").content.decode()
    assert not Payment.objects.exists() and not AgencyRemittance.objects.exists()
