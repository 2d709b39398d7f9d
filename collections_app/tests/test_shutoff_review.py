"""The officer's review of a list: tabs with every rule checked, exclusion with a reason, approval
into orders (once), CSV, live progress, and who may do what."""

import csv

import pytest
from django.utils import timezone

from collections_app.models import BatchRun, CandidateStatus, RunStatus, ShutoffCandidate
from collections_app.models.orders import OrderKind, OrderStatus, ServiceOrder
from collections_app.selectors.field_day import shutoff_business_date
from collections_app.selectors.shutoff import run_csv_rows
from collections_app.services.shutoff import candidate_exclude, shutoff_list_approve, shutoff_run
from collections_app.tests.export_jobs import export_job, job_csv
from collections_app.tests.shutoff_setup import business_day, delinquent, protect
from common.exceptions import DomainError
from common.models import AuditEvent, Job
from conftest import ROLE_NAMES, assert_access

pytestmark = pytest.mark.django_db
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES
DESK = {COLLECTOR, SUPERVISOR}


@pytest.fixture
def listed_run(make_user):  # type: ignore[no-untyped-def]
    day = business_day()
    counselor = make_user("carmen", "Counselor")
    a = delinquent(as_of=day, number="0000810001", first="Rosa", last="Delgado")
    b = delinquent(as_of=day, number="0000810002", first="Ana", last="Reyes", days=150, amount="320.00")
    held = delinquent(as_of=day, number="0000810003", first="Luz", last="Ortega")
    protect("pledge", held, as_of=day, user=counselor)
    later = delinquent(as_of=day, number="0000810004", notice_days=None)
    run = shutoff_run(business_date=day)
    return run, {"a": a, "b": b, "held": held, "later": later}


def test_exclusion_needs_a_reason_is_audited_and_idempotent(listed_run, make_user):
    run, accounts = listed_run
    olivia = make_user("olivia", "Collections officer")
    row = ShutoffCandidate.objects.get(run=run, account=accounts["a"])
    with pytest.raises(DomainError, match="Say why"):
        candidate_exclude(candidate_id=row.pk, reason="  ", actor=olivia)
    held = ShutoffCandidate.objects.get(run=run, account=accounts["held"])
    with pytest.raises(DomainError, match="Only an account on the list"):
        candidate_exclude(candidate_id=held.pk, reason="customer called", actor=olivia)
    done = candidate_exclude(candidate_id=row.pk, reason="Crew found a leak; billing review", actor=olivia)
    assert done.excluded and done.excluded_by == olivia and done.excluded_at is not None
    again = candidate_exclude(candidate_id=row.pk, reason="second click", actor=olivia)
    assert again.exclude_reason == "Crew found a leak; billing review"
    events = AuditEvent.objects.filter(verb="shutoff_candidate.exclude")
    assert events.count() == 1 and events.get().account_id == accounts["a"].pk


def test_approval_makes_one_order_per_listed_account_once(listed_run, make_user):
    run, accounts = listed_run
    olivia = make_user("olivia", "Collections officer")
    row = ShutoffCandidate.objects.get(run=run, account=accounts["a"])
    candidate_exclude(candidate_id=row.pk, reason="Crew found a leak; billing review", actor=olivia)
    approved, made = shutoff_list_approve(run_id=run.pk, actor=olivia)
    assert made == 1 and approved.status == RunStatus.APPROVED and approved.approved_by == olivia
    order = ServiceOrder.objects.get()
    assert (order.account, order.kind, order.status) == (
        accounts["b"],
        OrderKind.DISCONNECT,
        OrderStatus.OPEN,
    )
    assert order.candidate.run == run and order.scheduled_for == run.business_date
    assert "150 days delinquent, $320.00 past due" in order.reason
    assert shutoff_list_approve(run_id=run.pk, actor=olivia) == (approved, 0)
    assert ServiceOrder.objects.count() == 1
    assert AuditEvent.objects.filter(verb="shutoff_list.approve").count() == 1
    assert AuditEvent.objects.filter(verb="service_order.create", account_id=accounts["b"].pk).count() == 1
    with pytest.raises(DomainError, match="approved already"):
        candidate_exclude(
            candidate_id=ShutoffCandidate.objects.get(run=run, account=accounts["b"]).pk,
            reason="too late now",
            actor=olivia,
        )


def test_an_account_with_an_open_order_gets_no_second_one(listed_run, make_user):
    run, _ = listed_run
    olivia = make_user("olivia", "Collections officer")
    shutoff_list_approve(run_id=run.pk, actor=olivia)
    from datetime import timedelta

    next_day = run.business_date + timedelta(days=1)
    tomorrow = shutoff_run(business_date=next_day)
    assert ShutoffCandidate.objects.filter(run=tomorrow, status=CandidateStatus.LISTED).count() == 2
    _, made = shutoff_list_approve(run_id=tomorrow.pk, actor=olivia)
    assert made == 0 and ServiceOrder.objects.count() == 2


def test_an_unfinished_list_cannot_be_approved(make_user):
    run = BatchRun.objects.create(kind="shutoff", business_date=business_day(), status=RunStatus.RUNNING)
    with pytest.raises(DomainError, match="not finished"):
        shutoff_list_approve(run_id=run.pk, actor=make_user("olivia", "Collections officer"))


def test_run_page_tabs_show_why_with_every_rule(listed_run, client, make_user, django_assert_max_num_queries):
    run, _ = listed_run
    client.force_login(make_user("olivia", "Collections officer"))
    page = client.get(f"/collections/shutoff/{run.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "0000810001" in html and "0000810002" in html
    assert "0000810003" not in html, "held accounts are on their own tab"
    assert "Rosa Delgado" in html and "Approve list (2 accounts)" in html
    held = client.get(f"/collections/shutoff/{run.pk}/?tab=held").content.decode()
    assert "0000810003" in held and "pledge" in held.lower() and "utility policy" in held
    assert "16 TAC" not in held, "DEFAULT cites no Texas code (issue 12)"
    assert "Every rule checked" in held and "NOTICE_LEAD" in held and "DAYS_DELINQUENT" in held
    deferred = client.get(f"/collections/shutoff/{run.pk}/?tab=deferred").content.decode()
    assert "0000810004" in deferred and "not before" in deferred
    filtered = client.get(f"/collections/shutoff/{run.pk}/?tab=listed&q=Reyes").content.decode()
    assert "0000810002" in filtered and "0000810001" not in filtered
    for n in range(3, 20):  # more rows cost no more queries
        delinquent(as_of=run.business_date, number=f"00008200{n:02d}")
    BatchRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    shutoff_run(business_date=run.business_date)
    with django_assert_max_num_queries(14):
        assert client.get(f"/collections/shutoff/{run.pk}/").status_code == 200


def test_rule_dates_read_as_the_first_day_action_is_allowed(listed_run, client, make_user):
    # A rule's date is when it lets action happen: for a satisfied gate that is in the past, so
    # "satisfied until <date>" would tell the officer the opposite of the truth.
    run, accounts = listed_run
    client.force_login(make_user("olivia", "Collections officer"))
    listed = client.get(f"/collections/shutoff/{run.pk}/").content.decode()
    candidate = ShutoffCandidate.objects.get(run=run, account=accounts["a"])
    gate = next(c for c in candidate.decision["checks"] if c["code"] == "DAYS_DELINQUENT")
    assert gate["outcome"] == "satisfied" and gate["until"] < run.business_date.isoformat()
    assert "allows action from" in listed
    assert " until 20" not in listed and "until <" not in listed


def test_exclude_and_approve_through_the_pages(listed_run, client, make_user):
    run, accounts = listed_run
    client.force_login(make_user("olivia", "Collections officer"))
    row = ShutoffCandidate.objects.get(run=run, account=accounts["a"])
    bad = client.post(
        f"/collections/shutoff/{run.pk}/candidates/{row.pk}/exclude/", {"reason": "no"}, follow=True
    )
    assert "at least a few words" in bad.content.decode()
    row.refresh_from_db()
    assert not row.excluded
    client.post(
        f"/collections/shutoff/{run.pk}/candidates/{row.pk}/exclude/",
        {"reason": "Medical certificate arriving by fax"},
    )
    row.refresh_from_db()
    assert row.excluded and row.exclude_reason == "Medical certificate arriving by fax"
    excluded_tab = client.get(f"/collections/shutoff/{run.pk}/?tab=excluded").content.decode()
    assert "Medical certificate arriving by fax" in excluded_tab
    response = client.post(f"/collections/shutoff/{run.pk}/approve/", follow=True)
    assert "List approved: 1 disconnect order on the order board." in response.content.decode()
    assert ServiceOrder.objects.get().account == accounts["b"]


JOBS_DB = pytest.mark.django_db(transaction=True, databases=["default", "jobs"])


class _Echo:  # how the export view wrote the CSV before it was a job
    def write(self, value: str) -> str:
        return value

    @classmethod
    def writer(cls):  # type: ignore[no-untyped-def]
        return csv.writer(cls())


@JOBS_DB
def test_csv_export_of_a_tab_is_a_job_a_worker_makes(listed_run, client, make_user, celery_worker):
    """A city's list is tens of thousands of rows: the button stores a job (issue 13) and the
    worker stores the CSV; the same export of an unchanged tab shows the same job."""
    run, accounts = listed_run
    olivia = make_user("olivia", "Collections officer")
    client.force_login(olivia)
    url = f"/collections/shutoff/{run.pk}/export.csv"
    job = export_job(client, url, {"tab": "held"})
    data, rows = job_csv(client, job)
    assert rows[0][:3] == ["account", "name", "service address"]
    assert [r[0] for r in rows[1:]] == ["0000810003"]
    assert rows[1][9] == "PLEDGE_PENDING" and rows[1][12] == str(run.policy_version.version)
    # byte for byte what the streamed download sent: csv.writer's quoting and CRLF, UTF-8
    direct = "".join(_Echo.writer().writerow(r) for r in run_csv_rows(run=run, tab="held")).encode()
    assert data == direct and data.startswith(b"account,name,service address,")
    assert job.output_name == f"shutoff-{run.business_date}-held.csv" and job.total == 1 == job.done
    assert job.result["link"] == f"/collections/shutoff/{run.pk}/?tab=held"
    assert "1 accounts (Held)" in job.result["summary"]
    again = client.post(url, {"tab": "held"})
    assert again["Location"] == f"/jobs/{job.pk}/" and Job.objects.count() == 1

    listed = export_job(client, url, {"tab": "listed"})  # another tab: another job
    assert sorted(r[0] for r in job_csv(client, listed)[1][1:]) == ["0000810001", "0000810002"]
    row = ShutoffCandidate.objects.get(run=run, account=accounts["a"])
    candidate_exclude(candidate_id=row.pk, reason="Medical certificate arriving by fax", actor=olivia)
    changed = export_job(client, url, {"tab": "listed"})  # the rows changed: a new job, new rows
    assert changed.pk != listed.pk and [r[0] for r in job_csv(client, changed)[1][1:]] == ["0000810002"]


def test_the_export_button_never_builds_the_csv_in_the_request(listed_run, client, make_user, monkeypatch):
    import collections_app.selectors.shutoff as selectors

    monkeypatch.setattr(selectors, "run_csv_rows", lambda **kw: (_ for _ in ()).throw(AssertionError))
    run, _ = listed_run
    client.force_login(make_user("olivia", "Collections officer"))
    response = client.post(f"/collections/shutoff/{run.pk}/export.csv", {"tab": "bogus"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "queued" and job.params == {"run_id": run.pk, "tab": "listed"}
    assert client.get(f"/collections/shutoff/{run.pk}/export.csv").status_code == 405


def test_progress_partial_while_running_and_refresh_when_done(client, make_user):
    client.force_login(make_user("olivia", "Collections officer"))
    run = BatchRun.objects.create(
        kind="shutoff", business_date=business_day(), status=RunStatus.RUNNING, total=40, done=12
    )
    html = client.get(f"/collections/shutoff/{run.pk}/progress/", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="12"' in html and 'max="40"' in html and "every 2s" in html
    page = client.get("/collections/shutoff/").content.decode()
    assert "Run tonight&#x27;s list now" in page or "Run tonight's list now" in page
    assert "disabled" in page.split("Run tonight")[0][-200:], "the button is disabled while a run is going"
    BatchRun.objects.filter(pk=run.pk).update(status=RunStatus.FINISHED, done=40)
    done = client.get(f"/collections/shutoff/{run.pk}/progress/?was=running", HTTP_HX_REQUEST="true")
    assert done.headers.get("HX-Refresh") == "true"


def test_run_now_starts_the_task(client, make_user, monkeypatch):
    from collections_app.tasks import shutoff as tasks

    sent = []
    monkeypatch.setattr(tasks.shutoff_nightly, "delay", lambda **kw: sent.append(kw))
    user = make_user("olivia", "Collections officer")
    client.force_login(user)
    response = client.post("/collections/shutoff/run-now/", follow=True)
    assert "being computed" in response.content.decode()
    field_day = shutoff_business_date(today=timezone.localdate())
    assert sent == [{"business_date": field_day.isoformat(), "actor_id": user.pk}]


@pytest.mark.parametrize(
    ("path", "method", "allowed", "ok"),
    [
        ("/collections/shutoff/", "get", DESK, 200),
        ("/collections/shutoff/{run}/", "get", DESK, 200),
        ("/collections/shutoff/{run}/?tab=held", "get", DESK, 200),
        ("/collections/shutoff/{run}/progress/", "get", DESK, 200),
        ("/collections/shutoff/{run}/export.csv", "post", DESK, 302),
        ("/collections/shutoff/{run}/approve/", "post", DESK, 302),
        ("/collections/shutoff/{run}/candidates/{cand}/exclude/", "post", DESK, 302),
        ("/api/v1/shutoff-runs", "get", DESK, 200),
        ("/api/v1/shutoff-runs/{run}/candidates", "get", DESK, 200),
    ],
)
def test_shutoff_pages_by_role(role_clients, listed_run, path, method, allowed, ok):
    run, accounts = listed_run
    cand = ShutoffCandidate.objects.get(run=run, account=accounts["a"])
    assert_access(role_clients, path.format(run=run.pk, cand=cand.pk), allowed, method=method, ok=ok)


def test_run_now_by_role(role_clients, monkeypatch):
    from collections_app.tasks import shutoff as tasks

    monkeypatch.setattr(tasks.shutoff_nightly, "delay", lambda **kw: None)
    assert_access(role_clients, "/collections/shutoff/run-now/", DESK, method="post", ok=302)


def test_api_lists_runs_and_decisions(listed_run, role_clients):
    run, _ = listed_run
    body = role_clients[COLLECTOR].get("/api/v1/shutoff-runs").json()
    assert body["results"][0]["counts"]["by_status"]["listed"] == 2
    held = role_clients[COLLECTOR].get(f"/api/v1/shutoff-runs/{run.pk}/candidates?status=held").json()
    (row,) = held["results"]
    assert row["account_number"] == "0000810003" and row["deciding_code"] == "PLEDGE_PENDING"
    assert any(c["code"] == "PLEDGE_PENDING" for c in row["decision"]["checks"])
    bad = role_clients[COLLECTOR].get(f"/api/v1/shutoff-runs/{run.pk}/candidates?status=nope")
    assert bad.status_code == 400
