"""Notice screens and API: who may do what, the forms end to end, nothing saved on bad input."""

from datetime import date
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from collections_app.models import Notice, NoticeBatch
from collections_app.services.notices import notice_batch_build, notice_record
from collections_app.tests.billing import bill, use_policy
from common.models import Job
from conftest import assert_access, pdf_text, wait_for_job

pytestmark = pytest.mark.django_db
DESK = {"Collections officer", "Supervisor"}
DAY = date(2026, 10, 21)


@pytest.fixture
def batch(make_user):
    use_policy("AZ_MESA")
    account = AccountFactory()
    bill(account, "150.00", due=date(2026, 9, 1))
    return notice_batch_build(
        kind="shutoff", business_date=DAY, actor=make_user("builder", "Collections officer")
    )


def test_every_notice_screen_and_endpoint_checks_its_permission(role_clients, batch):
    notice = batch.notices.get()
    number = notice.account.number
    assert_access(role_clients, "/collections/notices/", DESK)
    assert_access(role_clients, f"/collections/notices/batches/{batch.pk}/", DESK)
    assert_access(role_clients, f"/collections/notices/batches/{batch.pk}/pdf/", DESK, method="post", ok=302)
    assert_access(role_clients, f"/collections/notices/{notice.pk}.pdf", DESK)
    assert_access(role_clients, f"/collections/accounts/{number}/notices/", DESK)
    assert_access(role_clients, f"/api/v1/accounts/{number}/notices", DESK)
    # writes: everyone else is refused before anything happens (the desk gets a redirect)
    assert_access(role_clients, "/collections/notices/build/", DESK, method="post", ok=302)
    assert_access(role_clients, f"/collections/notices/batches/{batch.pk}/sent/", DESK, method="post", ok=302)
    assert_access(role_clients, f"/collections/accounts/{number}/notices/", DESK, method="post", ok=200)
    assert NoticeBatch.objects.get(pk=batch.pk).sent_on is None  # the bare posts changed nothing


@pytest.mark.django_db(transaction=True, databases=["default", "jobs"])
def test_officer_builds_downloads_and_marks_a_batch_sent(role_clients, celery_worker):
    use_policy("AZ_MESA")
    account = AccountFactory()
    bill(account, "150.00", due=date(2026, 9, 1))
    client = role_clients["Collections officer"]
    form = {"kind": "shutoff", "business_date": "2026-10-21", "key": str(uuid4())}
    response = client.post("/collections/notices/build/", form)  # a job: the request returns at once
    job = Job.objects.get(kind="notices.batch_build")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert client.post("/collections/notices/build/", form)["Location"] == f"/jobs/{job.pk}/"  # double click
    job = wait_for_job(job)
    batch = NoticeBatch.objects.get(kind="shutoff", business_date=DAY)
    assert job.result["link"] == f"/collections/notices/batches/{batch.pk}/" and job.total == 1
    assert (
        f'href="/collections/notices/batches/{batch.pk}/"' in client.get(f"/jobs/{job.pk}/").content.decode()
    )
    page = client.get(job.result["link"]).content.decode()
    assert account.number in page and "150.00" in page and "Mark sent" in page
    client.post(f"/collections/notices/batches/{batch.pk}/pdf/")
    printing = wait_for_job(Job.objects.get(kind="notices.batch_pdf"))
    pdf = client.get(f"/jobs/{printing.pk}/download/")
    assert pdf["Content-Type"] == "application/pdf" and account.number in pdf_text(pdf.content)
    client.post(f"/collections/notices/batches/{batch.pk}/sent/", {"sent_on": "2026-10-21", "method": "mail"})
    batch.refresh_from_db()
    assert batch.sent_on == DAY
    listing = client.get("/collections/notices/").content.decode()
    assert "Sent Oct 21" in listing
    api = client.get(f"/api/v1/accounts/{account.number}/notices").json()
    assert (
        api[0]["kind"] == "shutoff" and api[0]["sent_on"] == "2026-10-21" and api[0]["fee_amount"] == "3.00"
    )


def test_bad_input_says_why_and_saves_nothing(role_clients, batch):
    client = role_clients["Collections officer"]
    response = client.post(
        "/collections/notices/build/", {"kind": "letter", "business_date": "x"}, follow=True
    )
    assert (
        "The batch was not built. Notice: Select a valid choice. letter is not one of the available "
        "choices. For: Enter a valid date." in response.content.decode()
    )
    response = client.post(
        f"/collections/notices/batches/{batch.pk}/sent/",
        {"sent_on": "2026-10-25", "method": "mail"},
        follow=True,
    )
    assert "build a new batch" in response.content.decode()
    assert NoticeBatch.objects.get(pk=batch.pk).sent_on is None
    number = batch.notices.get().account.number
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    response = client.post(
        f"/collections/accounts/{number}/notices/",
        {"kind": "shutoff", "method": "phone", "sent_on": tomorrow, "note": "", "key": "k-1"},
    )
    assert "before it is given" in response.content.decode()
    assert Notice.objects.filter(sent_on__isnull=False).count() == 0


def test_recording_a_phone_notice_by_hand(role_clients, batch):
    number = batch.notices.get().account.number
    client = role_clients["Collections officer"]
    data = {"kind": "shutoff", "method": "phone", "sent_on": timezone.localdate().isoformat(),
            "note": "Offered the written policy; discussed a plan", "key": "k-2"}  # fmt: skip
    assert client.post(f"/collections/accounts/{number}/notices/", data).status_code == 302
    assert client.post(f"/collections/accounts/{number}/notices/", data).status_code == 302  # replayed
    phone = Notice.objects.get(method="phone")
    assert phone.sent_on == timezone.localdate() and phone.reason.startswith("Offered")
    assert "Phone" in client.get(f"/collections/accounts/{number}/notices/").content.decode()


def test_a_notice_given_outside_a_batch_prints_alone(role_clients):
    # rules.md §1.3: a notice recorded by hand (a door hanger, one letter) is a notice like any
    # other; its PDF printed 500 because the page read the batch's date it does not have.
    use_policy("AZ_MESA")
    account = AccountFactory()
    bill(account, "150.00", due=date(2026, 9, 1))
    notice = notice_record(
        account_id=account.pk, kind="shutoff", method="mail", sent_on=DAY,
        actor=None, idempotency_key=str(uuid4()),
    )  # fmt: skip
    assert notice.batch_id is None
    response = role_clients["Collections officer"].get(f"/collections/notices/{notice.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert account.number in text and "October 21, 2026" in text and "Page 1 of 1" in text
