"""The nightly shutoff run: every protected account is held (or deferred) with the right rule, on a
real Celery worker; running it again changes nothing; a run killed midway and restarted gives the
same list; weekends and holidays defer the whole list."""

import threading
from datetime import timedelta

import pytest

from collections_app.models import BatchRun, CandidateStatus, RunStatus, ShutoffCandidate
from collections_app.selectors.facts import facts_for_accounts
from collections_app.services import shutoff as shutoff_service
from collections_app.services.shutoff import shutoff_chunk, shutoff_prefilter, shutoff_run
from collections_app.tasks.shutoff import shutoff_nightly
from collections_app.tests.shutoff_setup import (
    business_day,
    delinquent,
    protect,
    sessions_now,
    sessions_settle_to,
    wait_for_run,
    weekday_holiday,
)
from policy.selectors import current_policy
from policy_engine import engine

PROTECTED = {
    # kind: (status, deciding rule)
    "pledge": (CandidateStatus.HELD, "PLEDGE_PENDING"),
    "arrangement": (CandidateStatus.HELD, "ARRANGEMENT_GOOD_STANDING"),
    "medical": (CandidateStatus.HELD, "MEDICAL_CERTIFICATE"),
    "appeal": (CandidateStatus.HELD, "APPEAL_PENDING"),
    "bankruptcy": (CandidateStatus.HELD, "BANKRUPTCY_PRE_PETITION"),
}


def _city(day, user):  # type: ignore[no-untyped-def]
    """One account per case, keyed by what makes it special."""
    accounts = {
        "plain": delinquent(as_of=day),
        "plain_2": delinquent(as_of=day, days=200, amount="480.00"),
        "no_notice": delinquent(as_of=day, notice_days=None),
        "notice_too_recent": delinquent(as_of=day, notice_days=2),
        "too_recent_to_list": delinquent(as_of=day, days=20),  # not 60 days: not even a candidate
    }
    for kind in PROTECTED:
        accounts[kind] = delinquent(as_of=day)
        protect(kind, accounts[kind], as_of=day, user=user)
    return accounts


def _snapshot(run: BatchRun) -> dict[int, tuple]:  # type: ignore[type-arg]
    return {
        c.account_id: (c.pk, c.status, c.deciding_code, c.earliest_date, c.past_due, c.decided_at)
        for c in ShutoffCandidate.objects.filter(run=run)
    }


def _expected(day, account_ids) -> dict[int, tuple[str, str]]:  # type: ignore[no-untyped-def]
    """What the engine says for each account, asked directly (no run, no chunks)."""
    policy, _ = current_policy()
    facts = facts_for_accounts(account_ids, as_of=day)
    out = {}
    for account_id, f in facts.items():
        d = engine.decide(policy, f, day)
        out[account_id] = (str(shutoff_service.STATUS_OF[d.status]), d.deciding.code if d.deciding else "")
    return out


@pytest.mark.django_db(transaction=True)
def test_nightly_run_on_a_real_worker_holds_every_protected_account(celery_worker, make_user, settings):
    settings.SHUTOFF_CHUNK_SIZE = 3  # 9 candidates: three chunk tasks and the finish, as a chord
    user = make_user("carmen", "Counselor")
    day = business_day()
    accounts = _city(day, user)

    result = shutoff_nightly.delay(business_date=day.isoformat()).get(timeout=60)
    assert result["total"] == 9
    run = wait_for_run(day)
    assert run.status == RunStatus.FINISHED and (run.total, run.done) == (9, 9)

    rows = {c.account_id: c for c in ShutoffCandidate.objects.filter(run=run)}
    assert accounts["too_recent_to_list"].pk not in rows, "the prefilter leaves out what cannot qualify"
    for key in ("plain", "plain_2"):
        row = rows[accounts[key].pk]
        assert row.status == CandidateStatus.LISTED and row.earliest_date == day
        assert row.decision["policy_version"] == run.policy_version.version
    assert rows[accounts["plain"].pk].past_due == 150 and rows[accounts["plain"].pk].days_delinquent == 90
    for kind, (status, code) in PROTECTED.items():
        row = rows[accounts[kind].pk]
        assert (row.status, row.deciding_code) == (status, code), kind
        assert row.reason and row.citation, f"{kind}: the officer sees why, with the citation"
        assert any(c["code"] == code for c in row.decision["checks"])
    no_notice, too_recent = rows[accounts["no_notice"].pk], rows[accounts["notice_too_recent"].pk]
    assert (no_notice.status, no_notice.deciding_code) == (CandidateStatus.DEFERRED, "NOTICE_NOT_SENT")
    assert (too_recent.status, too_recent.deciding_code) == (CandidateStatus.DEFERRED, "NOTICE_LEAD")
    assert too_recent.earliest_date > day
    assert run.counts["by_status"] == {"listed": 2, "held": 5, "deferred": 2, "not_delinquent": 0}
    assert run.counts["by_code"]["PLEDGE_PENDING"] == 1

    # running the same business date again changes nothing
    before = _snapshot(run)
    counts = run.counts
    again = shutoff_nightly.delay(business_date=day.isoformat()).get(timeout=60)
    assert again["status"] == RunStatus.FINISHED
    run.refresh_from_db()
    assert _snapshot(run) == before and run.counts == counts
    assert BatchRun.objects.filter(kind="shutoff", business_date=day).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_chunk_that_fails_leaves_the_run_failed_and_a_rerun_finishes_the_same_list(
    celery_worker, make_user, settings, monkeypatch
):
    settings.SHUTOFF_CHUNK_SIZE = 2
    user = make_user("carmen", "Counselor")
    day = business_day()
    accounts = _city(day, user)
    real_chunk = shutoff_service.shutoff_chunk
    calls = []

    def dying_chunk(*, run_id, account_ids):  # type: ignore[no-untyped-def]
        calls.append(account_ids)
        if len(calls) == 3:  # the worker dies on the third chunk
            raise RuntimeError("worker lost")
        return real_chunk(run_id=run_id, account_ids=account_ids)

    monkeypatch.setattr(shutoff_service, "shutoff_chunk", dying_chunk)
    shutoff_nightly.delay(business_date=day.isoformat()).get(timeout=60)
    run = wait_for_run(day)
    assert run.status == RunStatus.FAILED and "worker lost" in run.error
    assert 0 < ShutoffCandidate.objects.filter(run=run).count() < 9

    monkeypatch.setattr(shutoff_service, "shutoff_chunk", real_chunk)
    shutoff_nightly.delay(business_date=day.isoformat()).get(timeout=60)
    run = wait_for_run(day)
    assert run.status == RunStatus.FINISHED and run.done == run.total == 9
    stored = {c.account_id: (c.status, c.deciding_code) for c in ShutoffCandidate.objects.filter(run=run)}
    candidates = [a.pk for k, a in accounts.items() if k != "too_recent_to_list"]
    assert stored == _expected(day, candidates)


@pytest.mark.django_db
def test_a_run_killed_after_some_chunks_resumes_with_the_same_list(make_user, settings):
    user = make_user("carmen", "Counselor")
    day = business_day()
    accounts = _city(day, user)
    policy, _ = current_policy()
    ids = shutoff_prefilter(policy=policy, as_of=day)
    assert len(ids) == 9
    # a worker decided the first chunk, then was killed: the run is left "running"
    run = shutoff_service.shutoff_run_open(business_date=day)
    BatchRun.objects.filter(pk=run.pk).update(total=9)
    assert shutoff_chunk(run_id=run.pk, account_ids=ids[:4]) == 4
    assert shutoff_chunk(run_id=run.pk, account_ids=ids[:4]) == 0, "a redelivered chunk stores nothing twice"
    first = _snapshot(run)

    resumed = shutoff_run(business_date=day)
    assert resumed.pk == run.pk and resumed.status == RunStatus.FINISHED and resumed.done == 9
    after = _snapshot(resumed)
    assert {k: after[k] for k in first} == first, "decisions made before the kill stand as they were"
    stored = {k: v[1:3] for k, v in after.items()}
    assert stored == _expected(day, [a.pk for k, a in accounts.items() if k != "too_recent_to_list"])


@pytest.mark.django_db
def test_a_weekend_or_holiday_business_date_defers_the_whole_list(make_user):
    saturday = business_day() + timedelta(days=3)
    plain = delinquent(as_of=saturday)
    run = shutoff_run(business_date=saturday)
    row = ShutoffCandidate.objects.get(run=run, account=plain)
    assert (row.status, row.deciding_code) == (CandidateStatus.DEFERRED, "BLACKOUT")
    assert row.earliest_date == saturday + timedelta(days=2), "moved to Monday"

    holiday = weekday_holiday()
    other = delinquent(as_of=holiday)
    run = shutoff_run(business_date=holiday)
    row = ShutoffCandidate.objects.get(run=run, account=other)
    assert (row.status, row.deciding_code) == (CandidateStatus.DEFERRED, "BLACKOUT")
    assert row.earliest_date > holiday


@pytest.mark.django_db
def test_a_run_is_pinned_to_its_policy_version(make_user):
    from policy.models import PolicyVersion

    day = business_day()
    account = delinquent(as_of=day)
    run = shutoff_service.shutoff_run_open(business_date=day)
    pinned = run.policy_version.version
    # an administrator tightens the policy while the run is half done: 120 days before action
    PolicyVersion.objects.create(
        version=pinned + 1,
        name="stricter",
        presets=["DEFAULT"],
        overrides={"delinquency.min_days_before_disconnect": 120},
        note="test",
    )
    run = shutoff_run(business_date=day)
    row = ShutoffCandidate.objects.get(run=run, account=account)
    assert row.status == CandidateStatus.LISTED and row.decision["policy_version"] == pinned


@pytest.mark.django_db(transaction=True)
def test_an_inline_run_reads_the_next_chunk_ahead_on_its_own_connection_to_the_same_list(
    make_user, settings, monkeypatch
):
    """Outside a transaction an inline run reads the next chunks' fact rows on other threads (and
    connections) while it decides the current one; the list is the engine's, account by account,
    every chunk is decided once, and the reader's connection is closed when the run ends."""
    settings.SHUTOFF_CHUNK_SIZE = 2  # 9 candidates: five chunks, read ahead two at a time
    settings.SHUTOFF_READ_AHEAD = 2
    day = business_day()
    accounts = _city(day, make_user("carmen", "Counselor"))
    readers: list[tuple[str, tuple[int, ...]]] = []
    real_read = shutoff_service._read_facts

    def watched(account_ids, as_of):  # type: ignore[no-untyped-def]
        readers.append((threading.current_thread().name, tuple(account_ids)))
        return real_read(account_ids, as_of)

    monkeypatch.setattr(shutoff_service, "_read_facts", watched)
    before = sessions_now()

    run = shutoff_run(business_date=day, inline=True)

    assert run.status == RunStatus.FINISHED and run.total == run.done == 9
    stored = {c.account_id: (c.status, c.deciding_code) for c in ShutoffCandidate.objects.filter(run=run)}
    assert accounts["too_recent_to_list"].pk not in stored
    assert stored == _expected(day, list(stored)), "each decision is the engine's for that account"
    assert len(readers) == 5 and all(name.startswith("shutoff-facts") for name, _ in readers)
    assert sorted(i for _, ids in readers for i in ids) == sorted(stored), "each candidate read once"
    assert sessions_settle_to(before), "the reader threads' connections are closed"
