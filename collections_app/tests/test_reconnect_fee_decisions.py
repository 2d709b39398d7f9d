"""Reconnection-fee decisions (rules.md §1.3): completing a reconnect order stores the fee the
policy decided (charged, or waived at $0) with its reason, citation and version, in the
completion's transaction, and the order page shows it the way a shutoff decision is shown."""

from decimal import Decimal

import pytest

from accounts.models import DecisionKind, DecisionOutcome, PolicyDecision
from collections_app.services import orders as order_services
from collections_app.services.orders import order_complete, order_dispatch
from collections_app.tests.test_reconnect_fee import (
    _disconnected,
    _dispatch_before,
    _local,
    _past_business_day,
    _reconnect_order,
    people,  # noqa: F401 (fixture)
)
from conftest import ROLE_NAMES
from policy.models import PolicyVersion

pytestmark = pytest.mark.django_db
COLLECTOR = ROLE_NAMES[2]


def _version(**overrides) -> PolicyVersion:  # type: ignore[no-untyped-def]
    return PolicyVersion.objects.create(
        version=2,
        name="Reconnection fee test policy",
        presets=["DEFAULT"],
        overrides={"blackout.weekdays": [], "blackout.holidays": False, **overrides},
        note="test",
    )


def test_completion_stores_the_fee_decision_and_the_order_page_shows_why(people, role_clients):  # noqa: F811
    version = _version()
    day = _past_business_day()
    account = _disconnected("0000930011")
    order = _reconnect_order(account, people)
    _dispatch_before(order, day, people)
    done = order_complete(
        order_id=order.pk, outcome="done", completed_at=_local(day, 10), actor=people["olivia"]
    )
    (d,) = PolicyDecision.objects.filter(account=account, kind=DecisionKind.RECONNECT_FEE)
    assert (d.outcome, d.amount, d.code) == (DecisionOutcome.CHARGED, Decimal("25.00"), "RECONNECT_FEE")
    assert d.reason == done.fee.reason and d.reason.startswith("Reconnection during normal hours: $25.00")
    assert d.citation == done.fee.citation != ""
    assert d.policy_version == version and d.subject == f"order:{order.pk}" and d.as_of == day
    assert d.made_by == people["olivia"]
    assert d.checks == [
        {"code": "RECONNECT_FEE", "outcome": "satisfied", "reason": d.reason, "citation": d.citation}
    ]
    page = role_clients[COLLECTOR].get(f"/collections/orders/{order.pk}/").content.decode()
    assert 'data-kind="reconnect_fee"' in page and "Why:</strong> Reconnection during normal hours" in page
    assert "Reconnection fee test policy v2" in page


def test_a_zero_fee_is_stored_as_waived(people):  # noqa: F811
    _version(**{"reconnect.fee_normal": "0.00", "reconnect.fee_after_hours": "0.00"})
    account = _disconnected("0000930021")
    order = _reconnect_order(account, people)
    order_dispatch(order_ids=[order.pk], crew="Crew 7", actor=people["olivia"])
    order_complete(order_id=order.pk, outcome="done", actor=people["olivia"])
    (d,) = PolicyDecision.objects.filter(account=account, kind=DecisionKind.RECONNECT_FEE)
    assert (d.outcome, d.amount) == (DecisionOutcome.WAIVED, Decimal("0.00"))


def test_a_replayed_or_failed_completion_stores_no_decision(people, monkeypatch):  # noqa: F811
    _version()
    account = _disconnected("0000930031")
    order = _reconnect_order(account, people)
    order_dispatch(order_ids=[order.pk], crew="Crew 7", actor=people["olivia"])

    def boom(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("audit failed")

    with monkeypatch.context() as patched:
        patched.setattr(order_services, "audit_record", boom)
        with pytest.raises(RuntimeError):
            order_complete(order_id=order.pk, outcome="done", actor=people["olivia"])
    assert not PolicyDecision.objects.filter(account=account).exists()
    order_complete(order_id=order.pk, outcome="done", actor=people["olivia"])
    order_complete(order_id=order.pk, outcome="done", actor=people["olivia"])  # a replay
    assert PolicyDecision.objects.filter(account=account, kind=DecisionKind.RECONNECT_FEE).count() == 1
