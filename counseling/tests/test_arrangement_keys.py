"""A proposal form's key answers only for its own account (issue 11: no idempotency key answers
another caller's object)."""

from uuid import uuid4

import pytest

from common.exceptions import DomainError
from counseling.models import Arrangement
from counseling.tests.test_arrangements import _owing, _propose, counselor  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_a_key_used_for_one_account_does_not_answer_another_accounts_arrangement(counselor):  # noqa: F811
    first, second = _owing("300.00"), _owing("200.00")
    key = uuid4()
    arrangement = _propose(first, counselor, key=key)
    with pytest.raises(DomainError) as exc:
        _propose(second, counselor, key=key)
    assert exc.value.code == "arrangement.key_reused" and "another account" in exc.value.message
    assert Arrangement.objects.count() == 1 and arrangement.account_id == first.pk
