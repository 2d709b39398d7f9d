"""The crew may report what a reconnection actually cost; where the policy caps the fee at the
actual cost (SB 998: a low-income household's fee is capped at $50 / $150 "or the actual cost if
lower", rules.md §1.8, HSC 116914(a)(1); reconnect.cap_at_actual_cost) the fee charged at
completion is at most that. Bad input is refused, with nothing saved."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from collections_app.models.orders import OrderStatus, ServiceOrder
from collections_app.services.orders import order_complete
from collections_app.tests.test_reconnect_fee import (
    _disconnected,
    _dispatch_before,
    _fees,
    _local,
    _low_income,
    _past_business_day,
    _reconnect_order,
)
from common.exceptions import DomainError
from common.models import AuditEvent
from policy.tests.helpers import use_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):  # type: ignore[no-untyped-def]
    return {
        "olivia": make_user("olivia", "Collections officer"),
        "cass": make_user("cass", "Cashier"),
        "carmen": make_user("carmen", "Counselor"),
    }


def _sb998(people, number: str):  # type: ignore[no-untyped-def]
    use_policy("CA_SB998_WATER", **{"blackout__weekdays": [], "blackout__holidays": False})
    day = _past_business_day()
    account = _disconnected(number)
    _low_income(account, people["carmen"], on=day)
    order = _reconnect_order(account, people)
    _dispatch_before(order, day, people)
    return account, order, day


def test_sb998_fee_is_capped_at_the_actual_cost(people):
    account, order, day = _sb998(people, "0000930001")
    done = order_complete(
        order_id=order.pk,
        outcome="done",
        completed_at=_local(day, 10),
        actual_cost=Decimal("18.40"),
        actor=people["olivia"],
    )
    assert done.fee is not None and done.fee.amount == Decimal("18.40")
    assert "actual cost $18.40" in done.fee.reason and done.fee.citation == "HSC 116914(a)(1)"
    assert [e.amount for e in _fees(account)] == [Decimal("18.40")]
    audit = AuditEvent.objects.get(verb="service_order.complete", target_id=str(order.pk))
    assert audit.data["actual_cost"] == "18.40" and audit.data["fee"] == "18.40"


def test_without_an_actual_cost_the_fee_is_the_policys(people):
    account, order, day = _sb998(people, "0000930002")
    done = order_complete(
        order_id=order.pk, outcome="done", completed_at=_local(day, 10), actor=people["olivia"]
    )
    assert done.fee is not None and done.fee.amount > Decimal("18.40")
    assert [e.amount for e in _fees(account)] == [done.fee.amount]


def test_api_takes_the_actual_cost_and_refuses_bad_values_saving_nothing(people):
    account, order, day = _sb998(people, "0000930003")
    api = APIClient()
    api.force_authenticate(people["olivia"])
    url = f"/api/v1/service-orders/{order.pk}/complete"
    body = {"outcome": "done", "completed_at": _local(day, 10).isoformat()}
    for bad in ("-1.00", "ten dollars", "NaN"):
        response = api.post(url, {**body, "actual_cost": bad}, format="json")
        assert response.status_code == 400 and "actual_cost" in response.json(), response.content
    order.refresh_from_db()
    assert order.status == OrderStatus.DISPATCHED and _fees(account) == []
    response = api.post(url, {**body, "actual_cost": "12.00"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["fee_amount"] == "12.00"
    assert [e.amount for e in _fees(account)] == [Decimal("12.00")]


def test_order_page_takes_the_actual_cost_and_explains_a_bad_one(people, client):
    account, order, day = _sb998(people, "0000930004")
    client.force_login(people["olivia"])
    url = f"/collections/orders/{order.pk}/complete/"
    page = client.get(f"/collections/orders/{order.pk}/")
    assert 'name="actual_cost"' in page.content.decode()
    body = {"outcome": "done", "completed_at": _local(day, 10).strftime("%Y-%m-%dT%H:%M")}
    html = client.post(url, {**body, "actual_cost": "-5"}, follow=True).content.decode()
    assert "greater than or equal to 0" in html
    assert ServiceOrder.objects.get(pk=order.pk).status == OrderStatus.DISPATCHED and _fees(account) == []
    html = client.post(url, {**body, "actual_cost": "9.99"}, follow=True).content.decode()
    assert "Reconnection fee $9.99 charged" in html
    assert [e.amount for e in _fees(account)] == [Decimal("9.99")]


def test_the_service_refuses_a_negative_actual_cost(people):
    account, order, day = _sb998(people, "0000930005")
    with pytest.raises(DomainError) as exc:
        order_complete(
            order_id=order.pk,
            outcome="done",
            completed_at=_local(day, 10),
            actual_cost=Decimal("-1"),
            actor=people["olivia"],
        )
    assert exc.value.code == "order.actual_cost"
    assert ServiceOrder.objects.get(pk=order.pk).status == OrderStatus.DISPATCHED and _fees(account) == []
