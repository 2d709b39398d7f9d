"""The bill import as a job (issue 13: a 50,000-line import answered 500 at 30 s after committing
every bill). The page stores the file and answers at once with the job's page; a real worker
imports all or nothing; a bad line N is shown as line N with nothing saved; the same file again
finds its job."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Bill, BillImport, LedgerEntry
from accounts.tests.factories import AccountFactory
from common.models import Job
from common.tokens import token_issue
from conftest import wait_for_job

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "jobs"])
HEADER = "bill_number,account_number,period_start,period_end,bill_date,due_date,fund_code,amount,final\n"


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def _client(make_user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user("sam", "Administrator"))
    return client


def _upload(client: Client, data: bytes):  # type: ignore[no-untyped-def]
    return client.post("/accounts/bills/import/", {"file": SimpleUploadedFile("nov.csv", data)})


def test_the_page_answers_at_once_with_the_job_and_imports_nothing_itself(make_user):
    a = AccountFactory()
    data = _csv(f"B1,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,41.20,")
    answer = _upload(_client(make_user), data)  # no worker: the request must not do the work
    job = Job.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "queued" and job.kind == "accounts.bill_import" and job.input_name == "nov.csv"
    assert bytes(Job.objects.only("input_data").get().input_data) == data
    assert not Bill.objects.exists() and not BillImport.objects.exists()


def test_a_worker_imports_the_file_and_the_same_file_finds_its_job(celery_worker, make_user):
    client = _client(make_user)
    accounts = [AccountFactory() for _ in range(3)]
    data = _csv(
        *(
            f"B{i},{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,10.00,"
            for i, a in enumerate(accounts)
        )
    )
    _upload(client, data)
    job = wait_for_job(Job.objects.get())
    assert job.status == "done", job.error
    assert job.result["summary"] == "3 bills imported, 0 already there (skipped)."
    assert (job.done, job.total) == (3, 3) and Bill.objects.count() == 3
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "3 bills imported" in page
    again = _upload(client, data)  # the same file again: its job, nothing imported twice
    assert again["Location"] == f"/jobs/{job.pk}/" and Job.objects.count() == 1
    assert Bill.objects.count() == 3 and LedgerEntry.objects.count() == 3


def test_a_bad_line_n_is_shown_as_line_n_and_nothing_is_saved(celery_worker, make_user):
    client = _client(make_user)
    a = AccountFactory()
    data = _csv(
        f"B1,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,10.00,",  # line 2: good
        f"B2,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,10.00,",  # line 3: good
        f"B3,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,WTR,ten,",  # line 4: bad
    )
    _upload(client, data)
    job = wait_for_job(Job.objects.get())
    assert job.status == "failed" and job.error == "Nothing was imported: 1 problem(s) in the file."
    assert job.result["errors"] == [{"line": 4, "message": "amount 'ten' is not an amount"}]
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Nothing was saved." in page and "<td>4</td>" in page
    assert not Bill.objects.exists() and not LedgerEntry.objects.exists() and not BillImport.objects.exists()
    a.refresh_from_db()
    assert a.balance == Decimal("0.00")


def test_the_api_answers_202_with_the_job_and_the_client_polls_it(celery_worker, make_user):
    """`POST /api/v1/bills/import` imported inside the request (issue 13): now 202 and the job,
    polled at `GET /api/v1/jobs/{id}` by a token client; bad lines come back by their file line."""
    admin = make_user("billing-engine", "Administrator")
    _token, key = token_issue(user=admin, name="test", actor=admin)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    a = AccountFactory()
    good = _csv(f"B55,{a.number},2026-10-01,2026-10-31,2026-11-01,2026-11-22,SWR,15.00,")
    answer = api.post("/api/v1/bills/import", {"file": SimpleUploadedFile("b.csv", good)})
    job = Job.objects.get()
    assert answer.status_code == 202 and answer["Location"] == f"/api/v1/jobs/{job.pk}"
    assert answer.json()["status"] in {"queued", "running", "done"} and answer.json()["id"] == job.pk
    wait_for_job(job)
    polled = api.get(f"/api/v1/jobs/{job.pk}").json()
    assert polled["status"] == "done" and polled["summary"] == "1 bills imported, 0 already there (skipped)."
    assert (polled["done"], polled["total"], polled["percent"]) == (1, 1, 100)
    assert polled["output_url"] is None
    before = a.balance
    a.refresh_from_db()
    assert a.balance == before + Decimal("15.00") and Bill.objects.filter(account=a, number="B55").exists()
    bad = good.replace(b"15.00", b"x").replace(b"B55", b"B56")
    answer = api.post("/api/v1/bills/import", {"file": SimpleUploadedFile("b.csv", bad)})
    failed = wait_for_job(Job.objects.get(pk=answer.json()["id"]))
    polled = api.get(f"/api/v1/jobs/{failed.pk}").json()
    assert polled["status"] == "failed" and polled["error"].startswith("Nothing was imported")
    assert polled["errors"] == [{"line": 2, "message": "amount 'x' is not an amount"}]
    assert not Bill.objects.filter(number="B56").exists()
    assert api.post("/api/v1/bills/import", {}).json() == {"file": "Attach the bill CSV as `file`."}
    # the job's permission holds on the API: a counselor may not read an import's job
    counselor = make_user("carmen", "Counselor")
    _t, other = token_issue(user=counselor, name="c", actor=admin)
    assert Client(HTTP_AUTHORIZATION=f"Token {other}").get(f"/api/v1/jobs/{job.pk}").status_code == 403
    assert api.get("/api/v1/jobs/999999").status_code == 404
