"""A pledge records the billing period it was received in, and the facts carry it (issue 12):
under Texas a pledge holds disconnection for that billing period even if it leaves part of the
past due uncovered (rules.md §1.4.3, 16 TAC 7.460(b)(2); after it, 16 TAC 25.483)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Service
from accounts.tests.factories import AccountFactory, charge
from collections_app.models import Notice
from collections_app.selectors.facts import facts_for_account, facts_for_accounts
from common.exceptions import DomainError
from counseling.models import Pledge
from counseling.services.agencies import pledge_record
from counseling.tests.factories import agency
from policy.selectors import current_policy
from policy.tests.helpers import use_policy
from policy_engine import engine

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def counselor(make_user):
    return make_user("carmen", "Counselor")


def _owing_electric():  # type: ignore[no-untyped-def]
    account = AccountFactory()
    Service.objects.filter(account=account).update(utility="electric")
    charge(account, "300.00", due=TODAY - timedelta(days=60))
    Notice.objects.create(
        account=account,
        kind="shutoff",
        method="mail",
        addressee="X",
        sent_on=TODAY - timedelta(days=50),
        idempotency_key=f"n-{account.pk}",
    )
    return account


def _pledge(account, counselor, **kw):  # type: ignore[no-untyped-def]
    return pledge_record(
        account_id=account.pk,
        agency_id=agency().pk,
        program="LIHEAP",
        amount=Decimal("100.00"),
        pledged_on=TODAY - timedelta(days=2),
        expected_by=TODAY - timedelta(days=1),
        reference="V-1",
        counselor=counselor,
        **kw,
    )


def test_tx_pledge_holds_through_the_billing_period_recorded_with_it(counselor):
    use_policy("TX_PUC_ELECTRIC")
    account = _owing_electric()
    start, end = TODAY - timedelta(days=5), TODAY + timedelta(days=20)
    pledge = _pledge(account, counselor, period_start=start, period_end=end)
    assert (pledge.period_start, pledge.period_end) == (start, end)
    facts = facts_for_account(account.pk, as_of=TODAY)
    assert facts == facts_for_accounts([account.pk], as_of=TODAY)[account.pk]
    (fact,) = facts.pledges
    assert (fact.period_start, fact.period_end) == (start, end)
    policy, _ = current_policy()
    decision = engine.decide(policy, facts, TODAY)
    # expected yesterday and $200 uncovered, yet held through the period recorded (16 TAC 7.460(b)(2))
    held = next(c for c in decision.checks if c.code == "PLEDGE_PENDING")
    assert held.until == end + timedelta(days=1)
    assert "$200.00 of the past-due balance is not covered" in held.reason


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ((-5, None), "both the first and the last day"),
        ((0, -10), "ends before it starts"),
        ((5, 20), "outside the billing period"),
    ],
)
def test_a_pledge_period_that_cannot_be_is_refused_with_a_clear_message(counselor, days, message):
    account = _owing_electric()
    start = TODAY + timedelta(days=days[0])
    end = None if days[1] is None else TODAY + timedelta(days=days[1])
    with pytest.raises(DomainError, match=message) as exc:
        _pledge(account, counselor, period_start=start, period_end=end)
    assert exc.value.code == "pledge.period"
    assert not Pledge.objects.exists()


def test_the_pledge_form_takes_the_period_and_explains_a_wrong_one(client, counselor):
    account = _owing_electric()
    client.force_login(counselor)
    url = f"/counseling/accounts/{account.number}/pledge/"
    body = {
        "agency": agency().pk,
        "amount": "100.00",
        "pledged_on": TODAY.isoformat(),
        "period_start": (TODAY + timedelta(days=10)).isoformat(),
        "period_end": TODAY.isoformat(),
    }
    response = client.post(url, body)
    assert response.status_code == 200 and "The billing period ends before it starts." in response.text
    assert not Pledge.objects.exists()
    response = client.post(url, {**body, "period_start": (TODAY - timedelta(days=3)).isoformat()})
    assert response.status_code == 302, response.text
    pledge = Pledge.objects.get()
    assert (pledge.period_start, pledge.period_end) == (TODAY - timedelta(days=3), TODAY)
