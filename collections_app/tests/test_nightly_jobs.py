"""Nightly runs started by hand are jobs (issue 13: "one pattern for every long job ... nightly
runs started by hand"): the button stores a job and lands on its page at once; a real worker runs
the night's batch; a second click the same day shows the same job."""

import pytest
from django.utils import timezone

from collections_app.models import BatchRun
from common.models import Job
from conftest import wait_for_job

JOBS_DB = pytest.mark.django_db(transaction=True, databases=["default", "jobs"])

RUNS = [
    ("/collections/deposits/run/", "deposits", "Deposits for", "/collections/deposits/"),
    ("/collections/recovery/referrals/run", "agency", "Referral batch", "/collections/recovery/referrals/"),
    (
        "/collections/recovery/write-offs/run",
        "write_off",
        "Small-balance write-off",
        "/collections/recovery/write-offs/",
    ),
    ("/collections/refunds/run/", "refunds", "Refund run for", "/collections/refunds/"),
]


@JOBS_DB
@pytest.mark.parametrize(("url", "kind", "summary", "link"), RUNS)
def test_a_run_started_by_hand_is_a_job_a_worker_runs(
    client, make_user, celery_worker, url, kind, summary, link
):
    from collections_app.models import CollectionAgency

    CollectionAgency.objects.create(name="Desert Recovery Services", contact="(602) 555-0199")
    client.force_login(make_user("olga", "Collections officer", "Supervisor"))
    response = client.post(url)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    job = wait_for_job(job)
    assert job.status == "done", job.error
    assert job.result["summary"].startswith(summary) and job.result["link"] == link
    assert BatchRun.objects.filter(kind=kind, business_date=timezone.localdate()).count() == 1
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert summary in page

    again = client.post(url)  # a second click the same day: the same job, not a second run
    assert again["Location"] == f"/jobs/{job.pk}/" and Job.objects.count() == 1


@JOBS_DB
def test_a_run_the_policy_refuses_fails_its_job_with_the_reason(client, make_user, celery_worker):
    client.force_login(make_user("olga", "Collections officer"))
    client.post("/collections/recovery/referrals/run")  # no collection agency yet
    job = wait_for_job(Job.objects.get())
    assert job.status == "failed" and "Add an active collection agency" in job.error
    assert "Add an active collection agency" in client.get(f"/jobs/{job.pk}/").content.decode()
    assert not BatchRun.objects.filter(kind="agency").exists()


@pytest.mark.django_db
def test_the_button_never_runs_the_batch_inside_the_request(client, make_user, monkeypatch):
    """No worker here: the request only stores the job (the run happens on a worker)."""
    import collections_app.services.deposits_nightly as nightly

    def boom(**kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the run started inside the request")

    monkeypatch.setattr(nightly, "deposits_nightly_run", boom)
    client.force_login(make_user("olga", "Collections officer"))
    response = client.post("/collections/deposits/run/")
    assert response.status_code == 302 and Job.objects.get().status == "queued"
