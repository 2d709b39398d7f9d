"""Service orders: the engine's re-check at dispatch and completion, completion through the pages
and the API, reconnection when a disconnected account qualifies (its fee charged on completion:
test_reconnect_fee.py), route sheets."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import LedgerEntry, Service
from collections_app.models.orders import OrderKind, OrderStatus, ServiceOrder
from collections_app.selectors.facts import facts_for_account
from collections_app.services.orders import (
    field_visit_create,
    order_cancel,
    order_complete,
    order_dispatch,
)
from collections_app.services.reconnect import reconnect_sweep
from collections_app.services.reconnect_fee import fee_quote
from collections_app.services.shutoff import shutoff_list_approve, shutoff_run
from collections_app.tests.shutoff_setup import any_day_policy, delinquent, protect
from common.exceptions import DomainError
from common.models import AuditEvent
from conftest import ROLE_NAMES, assert_access, pdf_text
from counseling.services.agencies import pledge_record
from counseling.tests.factories import agency
from payments.models import DrawerSession
from payments.services.bulk_posting import BulkItem, transactions_post_many
from payments.services.posting import TenderSpec
from payments.tests.factories import cash, open_session, post
from policy.models import PolicyVersion
from policy.selectors import current_policy
from policy_engine import amounts

pytestmark = pytest.mark.django_db
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES
DESK = {COLLECTOR, SUPERVISOR}
TODAY = timezone.localdate()


@pytest.fixture
def people(make_user):  # type: ignore[no-untyped-def]
    return {
        "olivia": make_user("olivia", "Collections officer"),
        "cass": make_user("cass", "Cashier"),
        "carmen": make_user("carmen", "Counselor"),
    }


@pytest.fixture
def orders(people):  # type: ignore[no-untyped-def]
    """Today's approved list (a policy without blackout days, so the suite runs any day): two
    disconnect orders, open."""
    any_day_policy()
    a = delinquent(as_of=TODAY, number="0000910001", first="Rosa", last="Delgado")
    b = delinquent(as_of=TODAY, number="0000910002", first="Ana", last="Reyes", amount="275.50")
    Service.objects.filter(account=a).update(meter_number="WM-1001")
    Service.objects.filter(account=b).update(meter_number="WM-1002")
    run = shutoff_run(business_date=TODAY)
    shutoff_list_approve(run_id=run.pk, actor=people["olivia"])
    return {o.account.number: o for o in ServiceOrder.objects.select_related("account")}


def _pay(account, amount, cashier):  # type: ignore[no-untyped-def]
    session = DrawerSession.objects.filter(cashier=cashier, status="open").first() or open_session(cashier)
    return post(session, cashier, (account, amount), tenders=[cash(amount)])


def test_a_payment_before_dispatch_cancels_the_order_with_the_engines_reason(orders, people):
    rosa, ana = orders["0000910001"], orders["0000910002"]
    _pay(rosa.account, "150.00", people["cass"])
    result = order_dispatch(order_ids=[rosa.pk, ana.pk], crew="Crew 7", actor=people["olivia"])
    assert [o.pk for o in result.dispatched] == [ana.pk] and [o.pk for o in result.cancelled] == [rosa.pk]
    rosa.refresh_from_db()
    assert rosa.status == OrderStatus.CANCELLED and rosa.cancelled_by == people["olivia"]
    assert rosa.cancelled_reason.startswith("Cancelled at dispatch: Nothing is past due")
    assert rosa.cancelled_code == "NOT_DELINQUENT"
    ana.refresh_from_db()
    assert (ana.status, ana.crew, ana.dispatched_by) == (OrderStatus.DISPATCHED, "Crew 7", people["olivia"])
    assert AuditEvent.objects.filter(verb="service_order.cancel", account_id=rosa.account_id).count() == 1
    again = order_dispatch(order_ids=[rosa.pk, ana.pk], crew="Crew 8", actor=people["olivia"])
    assert not again.dispatched and len(again.skipped) == 2, "a double click dispatches nothing twice"
    with pytest.raises(DomainError, match="Name the crew"):
        order_dispatch(order_ids=[ana.pk], crew=" ", actor=people["olivia"])


def test_a_blackout_day_keeps_the_order_waiting_instead_of_cancelling(orders, people):
    rosa = orders["0000910001"]
    PolicyVersion.objects.create(version=3, name="weekends off", presets=["DEFAULT"], note="back to default")
    saturday = TODAY + timedelta(days=(5 - TODAY.weekday()) % 7 or 7)
    result = order_dispatch(order_ids=[rosa.pk], crew="Crew 7", actor=people["olivia"], today=saturday)
    assert [o.pk for o in result.waiting] == [rosa.pk]
    rosa.refresh_from_db()
    assert rosa.status == OrderStatus.OPEN and rosa.scheduled_for == saturday + timedelta(days=2)


def test_completion_turns_the_service_off_and_a_replay_changes_nothing(orders, people):
    ana = orders["0000910002"]
    order_dispatch(order_ids=[ana.pk], crew="Crew 7", actor=people["olivia"])
    done = order_complete(
        order_id=ana.pk,
        outcome="done",
        meter_reading="004512",
        note="locked at curb stop",
        actor=people["olivia"],
    )
    assert done.result == "completed" and done.order.status == OrderStatus.COMPLETED
    assert Service.objects.get(account=ana.account).status == "disconnected"
    assert facts_for_account(ana.account_id, as_of=TODAY).disconnections_12m == 1
    replay = order_complete(order_id=ana.pk, outcome="done", actor=people["olivia"])
    assert replay.result == "replay"
    assert AuditEvent.objects.filter(verb="service_order.complete").count() == 1


def test_a_pledge_before_completion_cancels_instead_of_completing(orders, people):
    ana = orders["0000910002"]
    order_dispatch(order_ids=[ana.pk], crew="Crew 7", actor=people["olivia"])
    pledge_record(
        account_id=ana.account_id,
        agency_id=agency().pk,
        program="LIHEAP",
        amount=Decimal("200.00"),
        pledged_on=TODAY,
        expected_by=TODAY + timedelta(days=20),
        reference="V-77",
        counselor=people["carmen"],
    )
    done = order_complete(order_id=ana.pk, outcome="done", actor=people["olivia"])
    assert done.result == "cancelled" and "pledge" in done.reason.lower()
    assert done.order.status == OrderStatus.CANCELLED and done.order.cancelled_code == "PLEDGE_PENDING"
    assert Service.objects.get(account=ana.account).status == "connected"


def test_no_access_puts_the_order_back_on_the_board(orders, people):
    ana = orders["0000910002"]
    order_dispatch(order_ids=[ana.pk], crew="Crew 7", actor=people["olivia"])
    done = order_complete(order_id=ana.pk, outcome="no_access", note="dog in yard", actor=people["olivia"])
    assert done.result == "no_access" and done.order.status == OrderStatus.OPEN
    with pytest.raises(DomainError, match="Dispatch the order"):
        order_complete(order_id=ana.pk, outcome="done", actor=people["olivia"])
    with pytest.raises(DomainError, match="future"):
        order_dispatch(order_ids=[ana.pk], crew="Crew 7", actor=people["olivia"])
        order_complete(
            order_id=ana.pk,
            outcome="done",
            completed_at=timezone.now() + timedelta(hours=2),
            actor=people["olivia"],
        )


def test_an_officer_cancels_an_order_with_a_reason(orders, people):
    rosa = orders["0000910001"]
    with pytest.raises(DomainError, match="Say why"):
        order_cancel(order_id=rosa.pk, reason="", actor=people["olivia"])
    order_cancel(order_id=rosa.pk, reason="Wrong premise on the order", actor=people["olivia"])
    rosa.refresh_from_db()
    assert rosa.status == OrderStatus.CANCELLED and rosa.cancelled_code == "OFFICER"


def test_api_completion_says_why_it_stopped(orders, people, role_clients):
    rosa, ana = orders["0000910001"], orders["0000910002"]
    order_dispatch(order_ids=[rosa.pk, ana.pk], crew="Crew 7", actor=people["olivia"])
    api = role_clients[COLLECTOR]
    listed = api.get("/api/v1/service-orders?crew=Crew%207").json()["results"]
    assert {o["account_number"] for o in listed} == {"0000910001", "0000910002"}
    assert {o["meter"] for o in listed} == {"WM-1001", "WM-1002"}
    done = api.post(
        f"/api/v1/service-orders/{ana.pk}/complete",
        {"outcome": "done", "meter_reading": "1234", "note": "locked"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["result"] == "completed"
    assert done.json()["status"] == "completed"
    _pay(rosa.account, "150.00", people["cass"])  # paid at the counter while the crew drove there
    stopped = api.post(
        f"/api/v1/service-orders/{rosa.pk}/complete", {"outcome": "done"}, content_type="application/json"
    )
    body = stopped.json()
    assert stopped.status_code == 409 and body["result"] == "cancelled" and body["status"] == "cancelled"
    assert "Nothing is past due" in body["reason"]
    assert Service.objects.get(account=rosa.account).status == "connected"
    replay = api.post(
        f"/api/v1/service-orders/{rosa.pk}/complete", {"outcome": "done"}, content_type="application/json"
    )
    assert replay.status_code == 409 and replay.json()["result"] == "replay"
    bad = api.post(
        f"/api/v1/service-orders/{ana.pk}/complete", {"outcome": "maybe"}, content_type="application/json"
    )
    assert bad.status_code == 400
    missing = api.post(
        "/api/v1/service-orders/999999/complete", {"outcome": "done"}, content_type="application/json"
    )
    assert missing.status_code == 404


def test_a_payment_on_a_disconnected_account_orders_its_reconnection_and_completion_charges_the_fee(
    orders, people
):
    ana = orders["0000910002"]
    order_dispatch(order_ids=[ana.pk], crew="Crew 7", actor=people["olivia"])
    order_complete(order_id=ana.pk, outcome="done", actor=people["olivia"])
    _pay(ana.account, "100.00", people["cass"])  # not enough: still past due
    assert not ServiceOrder.objects.filter(kind=OrderKind.RECONNECT).exists()
    _pay(ana.account, "175.50", people["cass"])
    reconnect = ServiceOrder.objects.get(kind=OrderKind.RECONNECT)
    policy, _ = current_policy()
    fee = amounts.reconnect_fee(
        policy, facts_for_account(ana.account_id, as_of=TODAY), after_hours=False, on=TODAY
    )
    assert reconnect.payment is not None and "Nothing is past due" in reconnect.reason
    # ordering charges nothing: the fee is quoted, and charged when the crew has done the work
    assert reconnect.fee_amount == 0 and not reconnect.after_hours and not reconnect.after_hours_requested
    assert f"${fee.amount}" in reconnect.fee_quote and fee.citation in reconnect.fee_quote
    assert not LedgerEntry.objects.filter(
        account=ana.account, reference=f"Reconnection #{reconnect.pk}"
    ).exists()
    ana.account.refresh_from_db()
    assert ana.account.balance == 0
    assert facts_for_account(ana.account_id, as_of=TODAY).payments[-1].restored_service
    _pay(ana.account, "5.00", people["cass"])
    assert ServiceOrder.objects.filter(kind=OrderKind.RECONNECT).count() == 1, (
        "one reconnection per disconnection"
    )
    order_dispatch(order_ids=[reconnect.pk], crew="Crew 7", actor=people["olivia"])
    done = order_complete(order_id=reconnect.pk, outcome="done", actor=people["olivia"])
    assert done.result == "completed" and done.fee is not None and done.fee.amount == fee.amount > 0
    assert Service.objects.get(account=ana.account).status == "connected"
    reconnect.refresh_from_db()
    # no after-hours request on the order: the normal rate, whatever the hour of completion
    assert reconnect.fee_amount == fee.amount and not reconnect.after_hours
    assert reconnect.fee_reason.startswith(fee.reason) and reconnect.fee_citation == fee.citation
    entry = LedgerEntry.objects.get(account=ana.account, reference=f"Reconnection #{reconnect.pk}")
    assert entry.amount == fee.amount and entry.kind == "fee"
    ana.account.refresh_from_db()
    assert ana.account.balance == fee.amount - Decimal("5.00")


def test_the_sweep_reconnects_an_account_once_an_arrangement_is_made(orders, people):
    ana = orders["0000910002"]
    order_dispatch(order_ids=[ana.pk], crew="Crew 7", actor=people["olivia"])
    order_complete(order_id=ana.pk, outcome="done", actor=people["olivia"])
    assert reconnect_sweep() == 0
    ana.account.refresh_from_db()
    protect("arrangement", ana.account, as_of=TODAY, user=people["carmen"])
    assert reconnect_sweep() == 1
    order = ServiceOrder.objects.get(kind=OrderKind.RECONNECT)
    assert "arrangement" in order.reason.lower() and order.payment is None
    assert order.fee_amount == 0 and not LedgerEntry.objects.filter(kind="fee").exists(), (
        "the sweep never charges"
    )
    assert reconnect_sweep() == 0


def test_route_sheet_pdf_and_csv(orders, people, client):
    rosa, ana = orders["0000910001"], orders["0000910002"]
    order_dispatch(order_ids=[rosa.pk], crew="North", actor=people["olivia"])
    order_dispatch(order_ids=[ana.pk], crew="South", actor=people["olivia"])
    client.force_login(people["olivia"])
    text = pdf_text(client.get("/collections/orders/route-sheet.pdf").content)
    assert "Field service route sheet" in text and "Crew: North" in text and "Crew: South" in text
    assert "WM-1001" in text and "0000910002" in text and "$275.50" in text and "Rosa Delgado" in text
    south = pdf_text(client.get("/collections/orders/route-sheet.pdf?crew=South").content)
    assert "Crew: South" in south and "North" not in south
    rows = client.get("/collections/orders/route-sheet.csv?crew=North").content.decode().splitlines()
    assert rows[0].startswith("crew,route,order,kind,account") and len(rows) == 2
    assert "North" in rows[1] and "WM-1001" in rows[1] and "150.00" in rows[1]


def test_dispatch_groups_the_orders_it_stops_by_reason(people, client):
    # Approving a night's list can stop dozens of orders for one reason at dispatch: the officer
    # gets one message per reason naming a few orders, not an alert per order.
    any_day_policy()
    accounts = [delinquent(as_of=TODAY, number=f"00009300{n:02d}") for n in range(8)]
    shutoff_list_approve(run_id=shutoff_run(business_date=TODAY).pk, actor=people["olivia"])
    Service.objects.filter(account__in=accounts[1:]).update(status="disconnected")  # done meanwhile
    ids = list(ServiceOrder.objects.order_by("pk").values_list("pk", flat=True))
    client.force_login(people["olivia"])
    html = client.post("/collections/orders/dispatch/", {"orders": ids, "crew": "East"}, follow=True)
    html = html.content.decode()
    assert "1 dispatched to East." in html
    assert html.count("orders cancelled") == 1 and "7 orders cancelled: Cancelled at dispatch" in html
    assert "Service is already disconnected." in html and "and 2 more." in html
    assert f"#{ids[1]} (0000930001)" in html and f"#{ids[7]} (0000930007)" not in html
    assert ServiceOrder.objects.filter(status=OrderStatus.CANCELLED).count() == 7


def test_the_board_and_an_order_page(orders, people, client, django_assert_max_num_queries):
    client.force_login(people["olivia"])
    with django_assert_max_num_queries(12):  # session, user, permissions, orders, counts, crews
        board = client.get("/collections/orders/?tab=open").content.decode()
    assert "0000910001" in board and "Dispatch selected" in board
    rosa = orders["0000910001"]
    response = client.post(
        "/collections/orders/dispatch/", {"orders": [rosa.pk], "crew": "Crew 7"}, follow=True
    )
    assert "1 dispatched to Crew 7." in response.content.decode()
    page = client.get(f"/collections/orders/{rosa.pk}/").content.decode()
    assert "Record completion" in page and "Crew 7" in page
    response = client.post(
        f"/collections/orders/{rosa.pk}/complete/", {"outcome": "done", "meter_reading": "77"}, follow=True
    )
    assert "Completed." in response.content.decode()
    assert Service.objects.get(account=rosa.account).status == "disconnected"


def test_field_visit_through_the_page_is_idempotent(people, client):
    account = delinquent(as_of=TODAY, number="0000910009")
    client.force_login(people["olivia"])
    key = str(uuid4())
    data = {"reason": "Post the 48-hour notice", "scheduled_for": TODAY.isoformat(), "idempotency_key": key}
    client.post("/collections/accounts/0000910009/field-visit/", data)
    client.post("/collections/accounts/0000910009/field-visit/", data)
    assert ServiceOrder.objects.filter(account=account, kind=OrderKind.FIELD_VISIT).count() == 1
    with pytest.raises(DomainError, match="past"):
        field_visit_create(
            account_id=account.pk,
            reason="x",
            scheduled_for=TODAY - timedelta(days=1),
            actor=people["olivia"],
            idempotency_key="k2",
        )


def test_account_page_shows_the_list_and_the_order(people, client):
    any_day_policy()
    listed = delinquent(as_of=TODAY, number="0000910011")
    held = delinquent(as_of=TODAY, number="0000910012")
    protect("medical", held, as_of=TODAY, user=people["olivia"])
    run = shutoff_run(business_date=TODAY)
    client.force_login(people["olivia"])
    page = client.get("/accounts/0000910011/").content.decode()
    assert "On tonight&#x27;s shutoff list" in page or "On tonight's shutoff list" in page
    held_page = client.get("/accounts/0000910012/").content.decode()
    assert "Shutoff: held — " in held_page and "medical" in held_page.lower()
    shutoff_list_approve(run_id=run.pk, actor=people["olivia"])
    page = client.get("/accounts/0000910011/").content.decode()
    assert "Disconnect order open" in page and "Disconnect order #" in page
    assert ServiceOrder.objects.get(account=listed).status == OrderStatus.OPEN


@pytest.mark.parametrize(
    ("path", "method", "allowed", "ok"),
    [
        ("/collections/orders/", "get", DESK, 200),
        ("/collections/orders/?tab=dispatched", "get", DESK, 200),
        ("/collections/orders/{order}/", "get", DESK, 200),
        ("/collections/orders/route-sheet.pdf", "get", DESK, 200),
        ("/collections/orders/route-sheet.csv", "get", DESK, 200),
        ("/collections/orders/dispatch/", "post", DESK, 302),
        ("/collections/orders/{order}/complete/", "post", DESK, 302),
        ("/collections/orders/{order}/cancel/", "post", DESK, 302),
        ("/collections/accounts/0000910001/field-visit/", "get", DESK, 200),
        ("/api/v1/service-orders", "get", DESK, 200),
        ("/api/v1/service-orders/{order}/complete", "post", DESK, 400),
    ],
)
def test_order_pages_by_role(role_clients, orders, path, method, allowed, ok):
    order = orders["0000910001"]
    assert_access(role_clients, path.format(order=order.pk), allowed, method=method, ok=ok)


def test_openapi_documents_completion_and_its_refusal(role_clients):
    schema = role_clients[COLLECTOR].get("/api/schema/?format=json").json()
    complete = schema["paths"]["/api/v1/service-orders/{order_id}/complete"]["post"]
    assert {"200", "409"} <= set(complete["responses"])
    body = schema["components"]["schemas"]["CompleteIn"]["properties"]
    assert {"outcome", "completed_at", "meter_reading", "note"} <= set(body)
    assert "/api/v1/shutoff-runs/{run_id}/candidates" in schema["paths"]


def _lockbox(accounts, actor, tag, amount=None):  # type: ignore[no-untyped-def]
    items = [
        BulkItem(
            n,
            a.pk,
            amount or a.balance,
            TenderSpec(kind="lockbox", amount=amount or a.balance, reference="x"),
            f"{tag}{n}",
            TODAY,
        )
        for n, a in enumerate(accounts)
    ]
    posted, errors = transactions_post_many(items=items, actor=actor)
    assert errors == []
    return posted


def test_a_lockbox_file_reconnects_as_single_payments_do_in_a_fixed_number_of_statements(people):
    """Issue 13: the reconnection hook ran the engine with ~6 statements a disconnected account,
    so 100,000 lockbox lines took minutes; a file's round now decides its accounts together."""
    any_day_policy()
    policy, _ = current_policy()
    statements = []
    for count in (2, 6):
        accounts = [delinquent(as_of=TODAY, first=f"P{count}{n}") for n in range(count)]
        Service.objects.filter(account__in=accounts).update(status="disconnected")
        for a in accounts:
            a.refresh_from_db()
        with CaptureQueriesContext(connection) as ctx:
            posted = _lockbox(accounts, people["olivia"], f"lb{count}-")
        statements.append(len(ctx.captured_queries))
        orders = {
            o.account_id: o
            for o in ServiceOrder.objects.filter(kind=OrderKind.RECONNECT, account__in=accounts)
        }
        assert set(orders) == {a.pk for a in accounts}
        for n, a in enumerate(accounts):
            order = orders[a.pk]
            assert order.reason == f"Payment {posted[n].receipt_number}: Nothing is past due."
            assert order.payment.transaction_id == posted[n].pk and order.fee_amount == 0
            assert order.fee_quote == fee_quote(policy, facts_for_account(a.pk, as_of=TODAY), TODAY)
            assert AuditEvent.objects.filter(verb="service_order.create", account_id=a.pk).count() == 1
        # paying again orders nothing more: one reconnection per disconnection
        _lockbox(accounts, people["olivia"], f"again{count}-", amount=Decimal("1.00"))
        assert ServiceOrder.objects.filter(kind=OrderKind.RECONNECT, account__in=accounts).count() == count
    assert statements[0] == statements[1], "a statement ran once per account"
