"""The arrangement form as a counselor uses it (issue 16): the terms are previewed without the
"why" (asked only when proposing), the limits (the policy's longest term and the counselor's
credit authority, from the versioned policy) are said on the form before any preview, a schedule
outside the policy is refused at preview with one message, and no message is ever shown twice."""

import re
from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory, charge
from conftest import ROLE_NAMES
from counseling.models import Arrangement
from counseling.services.arrangements import offer
from policy.selectors import current_policy

pytestmark = pytest.mark.django_db
COUNSELOR = ROLE_NAMES[0]
NUMBER = "0000661601"
URL = f"/counseling/accounts/{NUMBER}/arrangement/"


@pytest.fixture
def account():
    account = AccountFactory(number=NUMBER)
    charge(account, "600.00", due=timezone.localdate() - timedelta(days=40))
    account.refresh_from_db()
    return account


def _post(client, action: str, installments: str, reason: str = ""):  # type: ignore[no-untyped-def]
    return client.post(
        URL,
        {
            "idempotency_key": str(uuid4()),
            "down_payment": "0",
            "installments": installments,
            "reason": reason,
            "action": action,
        },
    )


def _text(response) -> str:  # type: ignore[no-untyped-def]
    """The page as read: tags dropped, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_show_schedule_needs_only_the_terms_not_the_reason(role_clients, account):
    response = _post(role_clients[COUNSELOR], "preview", "6")
    page = response.content.decode()
    assert 'data-testid="schedule-preview"' in page
    assert "This field is required" not in page
    assert not Arrangement.objects.exists()


def test_propose_asks_for_the_reason_once(role_clients, account):
    response = _post(role_clients[COUNSELOR], "propose", "6")
    assert not Arrangement.objects.exists()
    assert _text(response).count("Record why the customer needs the arrangement.") == 1


def test_the_form_states_the_policy_limit_and_the_credit_authority_before_any_preview(role_clients, account):
    policy, _ = current_policy()
    _, limits = offer(account=account, today=timezone.localdate())
    amount = Decimal(policy.param("arrangements.counselor_authority_amount"))
    months = policy.param("arrangements.counselor_authority_months")
    response = role_clients[COUNSELOR].get(URL)
    help_text = response.context["form"].fields["installments"].help_text
    assert f"at most {limits.max_months} monthly installments" in help_text
    assert f"${amount:,.2f} over {months} months" in help_text
    assert f"at most {limits.max_months} monthly installments" in _text(response)


def test_a_schedule_outside_the_policy_is_refused_at_preview_with_one_message(role_clients, account):
    _, limits = offer(account=account, today=timezone.localdate())
    too_long = str(limits.max_months + 1)
    response = _post(role_clients[COUNSELOR], "preview", too_long)
    page = response.content.decode()
    assert 'data-testid="schedule-preview"' not in page
    message = f"Policy allows at most {limits.max_months} monthly installments."
    assert _text(response).count(message) == 1
    assert not Arrangement.objects.exists()


def test_proposing_outside_the_policy_says_the_refusal_once(role_clients, account):
    _, limits = offer(account=account, today=timezone.localdate())
    response = _post(role_clients[COUNSELOR], "propose", "60", reason="job loss")
    assert not Arrangement.objects.exists()
    page = response.content.decode()
    assert 'data-outcome="refused"' in page  # the stored refusal is still shown
    assert _text(response).count(f"Policy allows at most {limits.max_months} monthly installments.") == 1
