"""Write-off decisions (rules.md §1.9): a request and an approval store what the policy found
(allowed with the amount, or refused) with every rule checked and the version that decided; a
refusal is stored although the refused write rolls back; the request form shows the Why."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.models import DecisionKind, DecisionOutcome, PolicyDecision
from accounts.tests.factories import AccountFactory, charge
from collections_app.models import ContactAttempt, WriteOff, WriteOffStatus
from collections_app.services import write_offs as write_off_services
from collections_app.services.write_offs import write_off_decide
from collections_app.tests.test_write_offs import (
    _ask,
    officer,  # noqa: F401 (fixture)
    supervisor,  # noqa: F401 (fixture)
    uncollectible,  # noqa: F401 (fixture)
)
from common.exceptions import DomainError
from conftest import ROLE_NAMES
from policy.tests.helpers import use_policy

pytestmark = pytest.mark.django_db
COLLECTOR = ROLE_NAMES[2]
TODAY = timezone.localdate()


def _decisions(account) -> list[PolicyDecision]:  # type: ignore[no-untyped-def]
    return list(PolicyDecision.objects.filter(account=account, kind=DecisionKind.WRITE_OFF).order_by("id"))


def test_a_request_and_its_approval_are_stored_as_allowed_with_every_rule_checked(
    uncollectible,  # noqa: F811
    officer,  # noqa: F811
    supervisor,  # noqa: F811
):
    version = use_policy("DEFAULT")
    request = _ask(uncollectible, officer, "debtor_not_found")
    write_off_decide(write_off_id=request.pk, approve=True, note="Skip trace attached", actor=supervisor)
    asked, approved = _decisions(uncollectible)
    for d, by in ((asked, officer), (approved, supervisor)):
        assert (d.outcome, d.amount, d.code) == (
            DecisionOutcome.ALLOWED,
            Decimal("200.00"),
            "UNCOLLECTIBLE_AGE",
        )
        assert d.policy_version == version and d.made_by == by and d.subject == f"write_off:{request.pk}"
        assert "$200.00 is past due more than" in d.reason and d.citation
    stored = {c["code"]: c["outcome"] for c in asked.checks}
    assert stored == {c["code"]: c["outcome"] for c in request.evidence["request"]["checks"]}
    assert stored["WRITE_OFF_EVIDENCE"] == "satisfied" and stored["WRITE_OFF_FINAL"] == "satisfied"


def test_a_refused_request_is_stored_though_nothing_else_is(officer):  # noqa: F811
    version = use_policy("DEFAULT")
    active = AccountFactory(number="0000450020")  # water on, never sent a disconnection notice
    charge(active, "180.00", due=TODAY - timedelta(days=150))
    with pytest.raises(DomainError, match="Not eligible for write-off"):
        _ask(active, officer)
    assert not WriteOff.objects.exists()
    (d,) = _decisions(active)
    assert (d.outcome, d.amount, d.code) == (DecisionOutcome.REFUSED, None, "WRITE_OFF_FINAL")
    assert d.reason.startswith("The account is active") and "no disconnection notice was sent" in d.reason
    assert d.policy_version == version and d.subject == f"account:{active.pk}" and d.made_by == officer
    assert {"code": "WRITE_OFF_FINAL", "outcome": "blocked"}.items() <= d.checks[1].items()


def test_an_approval_the_policy_no_longer_allows_is_stored_as_refused(
    uncollectible,  # noqa: F811
    officer,  # noqa: F811
    supervisor,  # noqa: F811
):
    request = _ask(uncollectible, officer, "debtor_not_found")
    ContactAttempt.objects.create(
        account=uncollectible, at=timezone.now(), method="phone", reached=True, made_by=officer
    )
    with pytest.raises(DomainError, match="no longer allows"):
        write_off_decide(write_off_id=request.pk, approve=True, note="", actor=supervisor)
    request.refresh_from_db()
    assert request.status == WriteOffStatus.PENDING
    refused = _decisions(uncollectible)[-1]
    assert (refused.outcome, refused.code, refused.made_by) == (
        DecisionOutcome.REFUSED,
        "WRITE_OFF_EVIDENCE",
        supervisor,
    )
    assert refused.subject == f"write_off:{request.pk}"


def test_a_request_that_rolls_back_for_another_reason_stores_no_decision(uncollectible, officer, monkeypatch):  # noqa: F811
    def boom(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("audit failed")

    monkeypatch.setattr(write_off_services, "audit_record", boom)
    with pytest.raises(RuntimeError):
        _ask(uncollectible, officer, "debtor_not_found")
    assert _decisions(uncollectible) == [] and not WriteOff.objects.exists()


def test_the_request_form_shows_the_stored_refusal(role_clients):
    active = AccountFactory(number="0000450024")
    charge(active, "180.00", due=TODAY - timedelta(days=150))
    form = {
        "idempotency_key": str(uuid4()),
        "criteria": "procedures_exhausted",
        "reason": "Tried",
        "document": "",
    }
    page = role_clients[COLLECTOR].post("/collections/accounts/0000450024/write-off/", form).content.decode()
    assert 'data-kind="write_off"' in page and 'data-outcome="refused"' in page
    assert "Why:</strong> The account is active" in page
