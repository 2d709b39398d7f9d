"""Lockbox and agency files as jobs (issue 13: a 50,000-line file could not be imported at all):
the page answers at once with the job; a real worker posts all lines or none; a bad line N is
line N on the job's page; the same file again finds its job. And the bulk path posts each
payment exactly as a single posting does (entries, distribution, allocation, key, balance)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import LedgerEntry
from accounts.services.ledger import ledger_sum
from accounts.tests.factories import AccountFactory, charge
from common.models import AuditEvent, Job
from conftest import wait_for_job
from payments.models import CounterTransaction, Payment, PaymentDistribution, PaymentFile, TenderAllocation
from payments.services.bulk_posting import BulkItem, transactions_post_many
from payments.services.posting import Line, TenderSpec, _transaction_post

TODAY = timezone.localdate()
HEADER = "external_id,account_number,amount,paid_on,reference\n"
REAL_WORKER = pytest.mark.django_db(transaction=True, databases=["default", "jobs"])


def _client(make_user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user("grace", "Supervisor"))
    return client


def _upload(client: Client, data: bytes):  # type: ignore[no-untyped-def]
    files = {"file": SimpleUploadedFile("lockbox.csv", data), "source": "lockbox"}
    return client.post("/cashier/files/", files)


@REAL_WORKER
def test_the_page_answers_at_once_with_the_job(make_user):
    a = AccountFactory()
    answer = _upload(_client(make_user), (HEADER + f"LB-1,{a.number},25.00,{TODAY},\n").encode())
    job = Job.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "queued" and job.params == {"source": "lockbox"}
    assert not Payment.objects.exists() and not PaymentFile.objects.exists()


@REAL_WORKER
def test_a_worker_posts_the_file_and_the_same_file_finds_its_job(celery_worker, make_user):
    client = _client(make_user)
    a, b = AccountFactory(), AccountFactory()
    data = (HEADER + f"LB-1,{a.number},25.00,{TODAY},chk 1\nLB-2,{b.number},30.50,{TODAY},\n").encode()
    _upload(client, data)
    job = wait_for_job(Job.objects.get())
    assert job.status == "done", job.error
    assert job.result["summary"] == "2 payments posted ($55.50); 0 already posted from earlier files."
    assert _upload(client, data)["Location"] == f"/jobs/{job.pk}/" and Job.objects.count() == 1
    assert Payment.objects.count() == 2
    a.refresh_from_db()
    assert a.balance == Decimal("-25.00") == ledger_sum(a.pk)


@REAL_WORKER
def test_a_bad_line_n_is_line_n_and_nothing_is_posted(celery_worker, make_user):
    client = _client(make_user)
    a = AccountFactory()
    a.cash_only_until = TODAY + timedelta(days=30)  # a check on line 3 is refused by the posting
    a.save()
    good = AccountFactory()
    data = (HEADER + f"LB-1,{good.number},25.00,{TODAY},\nLB-2,{a.number},30.50,{TODAY},\n").encode()
    _upload(client, data)
    job = wait_for_job(Job.objects.get())
    assert job.status == "failed" and [e["line"] for e in job.result["errors"]] == [3]
    assert "takes certified funds only" in job.result["errors"][0]["message"]
    assert "<td>3</td>" in client.get(f"/jobs/{job.pk}/").content.decode()
    assert not Payment.objects.exists() and not CounterTransaction.objects.exists()
    assert not LedgerEntry.objects.filter(kind="payment").exists() and not PaymentFile.objects.exists()


def _shape(payment: Payment) -> tuple:  # type: ignore[type-arg]
    dist = sorted(
        (d.fund_id, d.amount, d.entry.amount, d.entry.effective_date, d.entry.is_debit)
        for d in PaymentDistribution.objects.filter(payment=payment).select_related("entry")
    )
    allocated = sorted(t.amount for t in TenderAllocation.objects.filter(distribution__payment=payment))
    return payment.amount, payment.tender_kind, payment.is_recovery, dist, allocated


@pytest.mark.django_db
def test_the_bulk_path_posts_as_single_postings_do(make_user):
    actor = make_user("grace", "Supervisor")
    single, bulk = AccountFactory(), AccountFactory()
    for account in (single, bulk):  # two charges on two funds: a payment settles the oldest first
        charge(account, "40.00", code="WTR", due=TODAY - timedelta(days=20))
        charge(account, "30.00", code="SWR", due=TODAY - timedelta(days=5))
    payments = [Decimal("50.00"), Decimal("35.00")]  # the second one leaves a credit
    for i, amount in enumerate(payments):
        _transaction_post(
            lines=[Line(single.pk, amount)],
            tenders=[TenderSpec(kind="lockbox", amount=amount, reference="x")],
            actor=actor,
            idempotency_key=f"s{i}",
            session_id=None,
            payer_name="P",
            business_date=TODAY,
        )
    items = [
        BulkItem(
            i, bulk.pk, amount, TenderSpec(kind="lockbox", amount=amount, reference="x"), f"b{i}", TODAY, "P"
        )
        for i, amount in enumerate(payments)
    ]
    posted, errors = transactions_post_many(items=items, actor=actor)
    assert errors == [] and len(posted) == 2
    singles = list(Payment.objects.filter(account=single).order_by("pk"))
    bulks = list(Payment.objects.filter(account=bulk).order_by("pk"))
    assert [_shape(p) for p in singles] == [_shape(p) for p in bulks]
    single.refresh_from_db()
    bulk.refresh_from_db()
    assert single.balance == bulk.balance == ledger_sum(bulk.pk) == Decimal("-15.00")
    keys = sorted(
        LedgerEntry.objects.filter(account=bulk, kind="payment").values_list("idempotency_key", flat=True)
    )
    assert keys == [
        f"txn:b0:{bulk.pk}:0",
        f"txn:b0:{bulk.pk}:1",
        f"txn:b1:{bulk.pk}:0",
        f"txn:b1:{bulk.pk}:1",
    ]
    assert AuditEvent.objects.filter(verb="payment.post", account_id=bulk.pk).count() == 2
    # the same keys again: the first transactions, nothing posted twice
    again, errors = transactions_post_many(items=items, actor=actor)
    assert errors == [] and {t.pk for t in again.values()} == {t.pk for t in posted.values()}
    assert Payment.objects.filter(account=bulk).count() == 2
