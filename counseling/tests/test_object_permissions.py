"""Counseling objects are acted on by their owner or a supervisor, and nobody approves their own
proposal: arrangements (cancel, approve) and escalated calls (done)."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.models import ReasonCode
from accounts.services.contacts import contact_log
from accounts.tests.factories import AccountFactory, charge
from common.exceptions import DomainError
from counseling.models import ArrangementStatus, CreditAuthority
from counseling.services.arrangements import arrangement_cancel, arrangement_decide, arrangement_propose

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _propose(counselor, balance: str = "300.00"):  # type: ignore[no-untyped-def]
    account = AccountFactory()
    charge(account, balance, due=TODAY - timedelta(days=20))
    return arrangement_propose(
        account_id=account.pk,
        counselor=counselor,
        down_payment=Decimal(0),
        installments=3,
        reason="job loss",
        idempotency_key=uuid4(),
    )


def test_nobody_approves_an_arrangement_they_proposed(make_user, client):
    grace = make_user("grace", "Supervisor")
    CreditAuthority.objects.create(user=grace, max_amount=Decimal("100.00"), max_months=6)
    own = _propose(grace)
    assert own.status == ArrangementStatus.PENDING_APPROVAL
    with pytest.raises(DomainError, match="A second person must approve an arrangement you proposed"):
        arrangement_decide(arrangement_id=own.pk, approve=True, note="", actor=grace)
    client.force_login(grace)
    page = client.get("/counseling/approvals/").content.decode()
    assert own.account.number in page and "Your proposal: another supervisor decides." in page
    assert f"/counseling/approvals/{own.pk}/decide/" not in page
    otto = make_user("otto", "Supervisor")
    assert arrangement_decide(arrangement_id=own.pk, approve=True, note="", actor=otto).status == "active"


def test_only_its_counselor_or_a_supervisor_cancels_an_arrangement(make_user, client):
    carmen, connie = make_user("carmen", "Counselor"), make_user("connie", "Counselor")
    arrangement = _propose(carmen)
    with pytest.raises(DomainError, match="Only the counselor who made this arrangement, or a supervisor"):
        arrangement_cancel(arrangement_id=arrangement.pk, reason="customer asked", actor=connie)
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.ACTIVE
    client.force_login(connie)
    url = f"/counseling/arrangements/{arrangement.pk}/"
    assert "Cancel arrangement" not in client.get(url).content.decode()
    refused = client.post(f"{url}cancel/", {"reason": "customer asked"}, follow=True).content.decode()
    assert "Only the counselor who made this arrangement, or a supervisor, can cancel it." in refused
    client.force_login(carmen)
    assert "Cancel arrangement" in client.get(url).content.decode()
    grace = make_user("grace", "Supervisor")
    cancelled = arrangement_cancel(arrangement_id=arrangement.pk, reason="customer asked", actor=grace)
    assert cancelled.status == ArrangementStatus.CANCELLED


def test_the_escalated_calls_queue_offers_done_only_to_its_owner(make_user, client):
    carmen = make_user("carmen", "Counselor")
    contact = contact_log(
        account_id=AccountFactory().pk,
        channel="call",
        inbound=True,
        reason_id=ReasonCode.objects.filter(kind="contact")[0].pk,
        outcome="escalated",
        note="angry about the shutoff notice",
        follow_up_on=TODAY,
        escalated=True,
        actor=carmen,
    )
    done_url = f"/accounts/follow-ups/{contact.pk}/done/"
    client.force_login(make_user("connie", "Counselor"))
    page = client.get("/counseling/escalations/").content.decode()
    assert "angry about the shutoff notice" in page and done_url not in page
    client.force_login(carmen)
    assert done_url in client.get("/counseling/escalations/").content.decode()
    back = client.post(done_url, {"next": "/counseling/escalations/"})
    assert back.status_code == 302 and back.url == "/counseling/escalations/"
    contact.refresh_from_db()
    assert contact.follow_up_done_at is not None
