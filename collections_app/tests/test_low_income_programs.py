"""Which benefit programs deem a household low income is one policy parameter,
`low_income.programs`, read through the engine by counseling (the hardship interview) and by the
engine's own low-income test (caps, waivers) alike (issue 12). DEFAULT lists the federal programs
counseling records; SB 998 lists California's (rules.md §1.10: CalWORKs, CalFresh, GA, Medi-Cal,
SSI/SSP, WIC; HSC 116914(b)), so LIHEAP alone does not deem a household low income there, while
SNAP does (CalFresh is California's SNAP)."""

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory, charge
from collections_app.selectors.facts import facts_for_account
from counseling.tests.factories import interview
from policy.selectors import current_policy
from policy.tests.helpers import use_policy
from policy_engine.core import is_low_income

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("preset", "benefit", "low"),
    [
        ("DEFAULT", "liheap", True),
        ("CA_SB998_WATER", "liheap", False),
        ("DEFAULT", "snap", True),
        ("CA_SB998_WATER", "snap", True),
        ("CA_SB998_WATER", "tanf", True),
        ("CA_SB998_WATER", "school_lunch", False),
    ],
)
def test_counseling_and_the_engine_agree_on_the_deeming_programs(make_user, preset, benefit, low):
    use_policy(preset)
    account = AccountFactory()
    charge(account, "300.00", due=account.opened_on)
    # 9,000 a month for one person: far above any poverty-line test, so only the program counts
    done = interview(
        account, make_user("carmen", "Counselor"), size=1, monthly_income="9000.00", benefits=[benefit]
    )
    policy, _ = current_policy()
    facts = facts_for_account(account.pk, as_of=timezone.localdate())
    assert done.low_income is low
    assert is_low_income(policy.layers[0], facts) is low


def test_a_utility_that_narrows_the_list_is_followed_by_counseling_too(make_user):
    use_policy("DEFAULT", low_income__programs=["SNAP"])
    account = AccountFactory()
    charge(account, "300.00", due=account.opened_on)
    done = interview(
        account, make_user("carmen", "Counselor"), size=1, monthly_income="9000.00", benefits=["wic"]
    )
    policy, _ = current_policy()
    assert done.low_income is False
    assert is_low_income(policy.layers[0], facts_for_account(account.pk, as_of=timezone.localdate())) is False
