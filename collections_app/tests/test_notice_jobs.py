"""Notice batches as jobs (issue 13): the build and the PDF run on a real worker; the PDF is
rendered in parts in parallel and joined, numbered over the whole batch (rules.md §1.3: every
notice states the amount, the pay-by and the earliest disconnection date); a failed build
leaves no batch and no notice behind."""

from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from accounts.tests.factories import AccountFactory
from collections_app import notice_jobs
from collections_app.models import Notice, NoticeBatch
from collections_app.services import notices as notice_services
from collections_app.tests.billing import bill, use_policy
from common.models import AuditEvent, Job
from conftest import pdf_text, wait_for_job

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "jobs"])
DAY = date(2026, 10, 21)


def test_the_batch_pdf_renders_in_parallel_parts_joined_in_print_order(celery_worker, make_user, monkeypatch):
    monkeypatch.setattr(notice_jobs, "PDF_PART", 2)  # 5 notices: 3 parts
    use_policy("AZ_MESA")
    officer = make_user("olive", "Collections officer")
    accounts = [AccountFactory() for _ in range(5)]
    for i, account in enumerate(accounts):
        bill(account, f"{100 + i}.25", due=date(2026, 9, 1))
    build = wait_for_job(
        notice_jobs.notice_batch_build_submit(kind="shutoff", business_date=DAY, actor=officer, key="k")
    )
    assert build.status == "done" and (build.done, build.total) == (5, 5), build.error
    batch = NoticeBatch.objects.get()
    job = wait_for_job(notice_jobs.notice_batch_pdf_submit(batch=batch, actor=officer))
    assert job.status == "done" and (job.parts, job.parts_done, job.done, job.total) == (3, 3, 5, 5)
    data = bytes(Job.objects.get(pk=job.pk).output_data)
    assert len(PdfReader(BytesIO(data)).pages) == 5
    text = pdf_text(data)
    printed = [n.account.number for n in batch.notices.select_related("account")]
    for k in range(1, 6):
        assert f"Notice {k} of 5" in text
    positions = [text.index(f"Notice {k} of 5") for k in range(1, 6)]
    assert positions == sorted(positions)  # the parts joined in order
    for number in printed:
        assert number in text
    assert "$100.25" in text and "$104.25" in text and "earliest disconnection date" in text
    # the same batch asked again: the same job and file, nothing rendered again
    assert notice_jobs.notice_batch_pdf_submit(batch=batch, actor=officer).pk == job.pk
    assert Job.objects.filter(kind="notices.batch_pdf").count() == 1


def test_a_failed_build_leaves_no_batch_and_no_notice(celery_worker, make_user, monkeypatch):
    use_policy("AZ_MESA")
    officer = make_user("olive", "Collections officer")
    for _ in range(3):
        bill(AccountFactory(), "150.00", due=date(2026, 9, 1))

    def broken(**kwargs: object) -> None:  # the last write of the build: its audit rows
        raise RuntimeError("disk full")

    monkeypatch.setattr(notice_services, "audit_record_many", broken)
    job = wait_for_job(
        notice_jobs.notice_batch_build_submit(kind="shutoff", business_date=DAY, actor=officer, key="k")
    )
    assert job.status == "failed" and job.error == "RuntimeError: disk full"
    assert not NoticeBatch.objects.exists() and not Notice.objects.exists()
    assert not AuditEvent.objects.filter(verb="notice.batch_build").exists()
