"""A policy version stores each override under its canonical (catalogue) name, whichever name
the author used: rules.md §3's camelCase (`delinquency.clockStart`) or the catalogue's."""

import pytest

from common.exceptions import DomainError
from policy.selectors import current_policy
from policy.services import policy_version_create

pytestmark = pytest.mark.django_db


def test_section_3_names_are_stored_in_canonical_form(make_user) -> None:  # type: ignore[no-untyped-def]
    author = make_user("sup", "Supervisor")
    version = policy_version_create(
        name="clock from bill date",
        presets=["DEFAULT"],
        overrides={"delinquency.clockStart": "BILL_DATE", "nsf.cashOnly.count": 3, "late_fee.floor": "7.50"},
        note="rules.md §3 names",
        actor=author,
    )
    version.refresh_from_db()
    assert version.overrides == {
        "delinquency.clock_start": "BILL_DATE",
        "nsf.cash_only_count": 3,
        "late_fee.floor": "7.50",
    }
    policy, _ = current_policy()
    assert policy.param("delinquency.clock_start") == "BILL_DATE"


def test_a_parameter_under_both_names_is_refused(make_user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError, match="given twice"):
        policy_version_create(
            name="x",
            presets=["DEFAULT"],
            overrides={"nsf.feeFirst": 30, "nsf.fee_first": 35},
            note="typo",
            actor=make_user("sup", "Supervisor"),
        )
