"""The counselor's arrangement form cites only the law of the presets in force (issue 12; rules.md
§2, §3): under DEFAULT the limits are the utility's own policy, not California's HSC 116910."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory, charge
from conftest import ROLE_NAMES
from policy.tests.helpers import use_policy

pytestmark = pytest.mark.django_db
COUNSELOR = ROLE_NAMES[0]
URL = "/counseling/accounts/0000660101/arrangement/"


@pytest.fixture
def account():
    account = AccountFactory(number="0000660101")
    charge(account, "300.00", due=timezone.localdate() - timedelta(days=40))
    return account


def test_under_default_the_arrangement_form_cites_utility_policy_not_california(role_clients, account):
    page = role_clients[COUNSELOR].get(URL).content.decode()
    assert "(utility policy)" in page
    assert "HSC" not in page and "116910" not in page


def test_under_sb998_the_arrangement_form_still_cites_the_statute(role_clients, account):
    use_policy("CA_SB998_WATER")
    page = role_clients[COUNSELOR].get(URL).content.decode()
    assert "HSC 116910" in page
