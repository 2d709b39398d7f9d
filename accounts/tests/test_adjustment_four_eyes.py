"""Four eyes on adjustments, for everyone: what one account's adjustments move in a business day,
credits and debits alike, by anyone, posted or pending, decides whether a second person approves,
and that second person is never the one who asked."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.models import Adjustment, AdjustmentStatus, ReasonCode
from accounts.services.adjustments import adjustment_decide, adjustment_request
from accounts.services.ledger import ledger_sum
from accounts.tests.factories import AccountFactory, fund
from common.exceptions import DomainError
from common.models import AuditEvent
from policy.tests.helpers import use_policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limit(db):
    use_policy(adjustments__approval_limit="100.00")


def _adjust(account, actor, amount: str):  # type: ignore[no-untyped-def]
    return adjustment_request(
        account_id=account.pk,
        fund_id=fund("WTR").pk,
        amount=Decimal(amount),
        reason_id=ReasonCode.objects.filter(kind="adjustment")[0].pk,
        note="goodwill credit",
        actor=actor,
        idempotency_key=uuid4(),
    )


def test_a_supervisors_own_large_adjustment_waits_for_another_person(make_user):
    supervisor = make_user("grace", "Supervisor")
    account = AccountFactory()
    adj = _adjust(account, supervisor, "-5000.00")
    account.refresh_from_db()
    assert adj.status == AdjustmentStatus.PENDING and adj.entry is None
    assert account.balance == 0 == ledger_sum(account.pk), "nothing posts before a second person approves"
    assert AuditEvent.objects.get(verb="adjustment.pending").actor == supervisor
    with pytest.raises(DomainError, match="second person"):
        adjustment_decide(adjustment_id=adj.pk, approve=True, note="", actor=supervisor)
    adjustment_decide(
        adjustment_id=adj.pk, approve=True, note="checked", actor=make_user("otto", "Supervisor")
    )
    account.refresh_from_db()
    assert account.balance == Decimal("-5000.00") == ledger_sum(account.pk)


def test_adjustments_split_below_the_limit_count_together_for_the_day(make_user):
    counselor = make_user("carmen", "Counselor")
    account = AccountFactory()
    first = [_adjust(account, counselor, "-25.00") for _ in range(4)]
    assert [a.status for a in first] == [AdjustmentStatus.POSTED] * 4  # $100.00: at the limit, not over
    fifth = _adjust(account, counselor, "-1.00")
    assert fifth.status == AdjustmentStatus.PENDING, "$101.00 of adjustments on one account in a day"


def test_four_credits_of_100_are_400_of_adjustments(make_user):
    officer = make_user("colin", "Collections officer")
    account = AccountFactory()
    statuses = [_adjust(account, officer, "-100.00").status for _ in range(4)]
    assert statuses == [AdjustmentStatus.POSTED] + [AdjustmentStatus.PENDING] * 3
    account.refresh_from_db()
    assert account.balance == Decimal("-100.00") == ledger_sum(account.pk)


def test_credits_and_debits_do_not_cancel_out(make_user):
    counselor = make_user("carmen", "Counselor")
    account = AccountFactory()
    assert _adjust(account, counselor, "+90.00").status == AdjustmentStatus.POSTED
    assert _adjust(account, counselor, "-90.00").status == AdjustmentStatus.PENDING


def test_everyones_adjustments_count_posted_or_pending_but_not_rejected(make_user):
    carmen, colin = make_user("carmen", "Counselor"), make_user("colin", "Collections officer")
    supervisor = make_user("grace", "Supervisor")
    account, other_account = AccountFactory(), AccountFactory()
    big = _adjust(account, carmen, "-150.00")  # pending, still counts
    assert _adjust(account, colin, "-10.00").status == AdjustmentStatus.PENDING
    adjustment_decide(adjustment_id=big.pk, approve=False, note="duplicate", actor=supervisor)
    small = _adjust(account, colin, "-10.00")
    # Rejected: $150 moved nothing; pending $10 + this $10 = $20.
    assert small.status == AdjustmentStatus.POSTED
    assert _adjust(other_account, colin, "-90.00").status == AdjustmentStatus.POSTED, "per account"


def test_yesterdays_adjustments_do_not_count_today(make_user):
    counselor = make_user("carmen", "Counselor")
    account = AccountFactory()
    old = _adjust(account, counselor, "-100.00")
    Adjustment.objects.filter(pk=old.pk).update(requested_at=timezone.now() - timedelta(days=1))
    assert _adjust(account, counselor, "-100.00").status == AdjustmentStatus.POSTED


def _queue_and_own_pending(make_user):  # type: ignore[no-untyped-def]
    supervisor = make_user("grace", "Supervisor")
    account = AccountFactory()
    return supervisor, _adjust(account, supervisor, "-5000.00")


def test_the_approvals_screen_does_not_offer_approve_on_your_own_request(make_user, client):
    supervisor, own = _queue_and_own_pending(make_user)
    other = make_user("otto", "Supervisor")
    client.force_login(supervisor)
    page = client.get("/accounts/adjustments/pending/").content.decode()
    assert own.account.number in page and "Your request: someone else decides." in page
    assert f"/accounts/adjustments/{own.pk}/decide/" not in page
    refused = client.post(f"/accounts/adjustments/{own.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "A second person must approve an adjustment you requested." in refused.content.decode()
    own.refresh_from_db()
    assert own.status == AdjustmentStatus.PENDING
    client.force_login(other)
    assert (
        f"/accounts/adjustments/{own.pk}/decide/"
        in client.get("/accounts/adjustments/pending/").content.decode()
    )


def test_the_adjust_form_says_a_supervisors_own_adjustment_waits(role_clients):
    account = AccountFactory()
    response = role_clients["Supervisor"].post(
        f"/accounts/{account.number}/adjust/",
        {
            "fund": fund("WTR").pk,
            "amount": "-5000.00",
            "reason": ReasonCode.objects.filter(kind="adjustment")[0].pk,
            "note": "goodwill",
            "idempotency_key": str(uuid4()),
        },
        follow=True,
    )
    assert "someone other than you must approve it" in response.content.decode()
    account.refresh_from_db()
    assert account.balance == 0
