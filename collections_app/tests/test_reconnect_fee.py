"""The reconnection fee is charged when the reconnection is done, at the rate for when it is done
(after hours only when the customer asked for it), with the policy's caps, once; ordering a
reconnection (a payment at the counter, the 15-minute sweep) charges nothing, and the counter
tells the cashier before posting that the service is off and what fee will follow."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import LedgerEntry, Service
from collections_app.models.orders import OrderKind, OrderStatus, ServiceOrder
from collections_app.selectors.counter_notes import preview_counter_notes, receipt_counter_notes
from collections_app.selectors.facts import facts_for_account
from collections_app.services.orders import order_cancel, order_complete, order_dispatch
from collections_app.services.reconnect import reconnect_after_hours_request, reconnect_sweep
from collections_app.tests.shutoff_setup import any_day_policy, delinquent, protect
from common.exceptions import DomainError
from common.models import AuditEvent
from conftest import ROLE_NAMES, pdf_text
from counseling.models import HardshipInterview
from counseling.tests.factories import interview
from payments.models import CounterTransaction, DrawerSession
from payments.tests.factories import cash, drawer, open_session, post
from policy.models import Holiday, PolicyVersion
from policy.selectors import current_policy
from policy_engine import engine
from policy_engine.calendar import Calendar

pytestmark = pytest.mark.django_db
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES
TODAY = timezone.localdate()


def _local(day, hour: int, minute: int = 0) -> datetime:  # type: ignore[no-untyped-def]
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _past_business_day():  # type: ignore[no-untyped-def]
    """A Wednesday before today that is not a holiday: completions at 10 a.m. and 6 p.m. of it
    are both in the past, whatever day and hour the suite runs."""
    cal = Calendar(Holiday.objects.values_list("date", flat=True))
    day = TODAY - timedelta(days=1)
    while day.weekday() != 2 or not cal.is_business_day(day):
        day -= timedelta(days=1)
    return day


@pytest.fixture
def people(make_user):  # type: ignore[no-untyped-def]
    return {
        "olivia": make_user("olivia", "Collections officer"),
        "cass": make_user("cass", "Cashier"),
        "carmen": make_user("carmen", "Counselor"),
    }


def _disconnected(number: str, amount: str = "150.00", **kw):  # type: ignore[no-untyped-def]
    account = delinquent(as_of=TODAY, number=number, amount=amount, **kw)
    Service.objects.filter(account=account).update(status="disconnected")
    return account


def _low_income(account, counselor, *, on):  # type: ignore[no-untyped-def]
    """A household of 3 at about 85% of the poverty line (2026: $27,320 for 3), interviewed
    before `on`."""
    done = interview(account, counselor, size=3, monthly_income="1935.00", year=2026)
    HardshipInterview.objects.filter(pk=done.pk).update(conducted_at=_local(on - timedelta(days=10), 9))
    done.refresh_from_db()
    assert done.low_income and 80 < done.fpl_percent < 90
    return done


def _pay(account, amount: str, cashier):  # type: ignore[no-untyped-def]
    session = DrawerSession.objects.filter(cashier=cashier, status="open").first() or open_session(cashier)
    return post(session, cashier, (account, amount), tenders=[cash(amount)])


def _reconnect_order(account, people) -> ServiceOrder:  # type: ignore[no-untyped-def]
    """Paid in full at the counter: the reconnect order, dispatched the day before `day`."""
    _pay(account, str(account.balance), people["cass"])
    return ServiceOrder.objects.get(account=account, kind=OrderKind.RECONNECT)


def _dispatch_before(order: ServiceOrder, day, people) -> None:  # type: ignore[no-untyped-def]
    order_dispatch(order_ids=[order.pk], crew="Crew 7", actor=people["olivia"])
    ServiceOrder.objects.filter(pk=order.pk).update(dispatched_at=_local(day - timedelta(days=1), 8))


def _fees(account) -> list[LedgerEntry]:  # type: ignore[no-untyped-def]
    return list(LedgerEntry.objects.filter(account=account, kind="fee"))


# --- ordering charges nothing ---------------------------------------------------------------------


def test_the_5_pm_sweep_orders_reconnections_and_charges_nothing(people):
    """The defect: at 5 p.m. the sweep charged $50 'after hours' fees, one of them to a household
    at 85% of the poverty line on an arrangement."""
    any_day_policy()
    household = _disconnected("0000920001", first="Lupe", last="Ortiz")
    _low_income(household, people["carmen"], on=TODAY)
    protect("arrangement", household, as_of=TODAY, user=people["carmen"])
    pledged = _disconnected("0000920002")
    protect("pledge", pledged, as_of=TODAY, user=people["carmen"])
    assert reconnect_sweep(now=_local(TODAY, 17)) == 2
    for account in (household, pledged):
        order = ServiceOrder.objects.get(account=account, kind=OrderKind.RECONNECT)
        assert order.fee_amount == 0 and not order.after_hours and not order.after_hours_requested
        assert "$25.00 charged when the crew restores service during normal hours" in order.fee_quote
        assert _fees(account) == [], "the sweep never charges"
        account.refresh_from_db()
        assert account.balance == Decimal("150.00")
    audit = AuditEvent.objects.get(verb="service_order.create", account_id=household.pk)
    assert "fee" not in audit.data and audit.data["fee_quote"]


def test_paying_in_full_at_5_08_pm_leaves_nothing_owed_and_the_counter_says_what_follows(
    people, role_clients, monkeypatch
):
    """The defect: a payment in full at 5:08 p.m. on a disconnected account left a new $50
    balance, and neither the preview nor the receipt said the service was off."""
    any_day_policy()
    account = _disconnected("0000920011", first="Ana", last="Reyes")
    disconnect = ServiceOrder.objects.create(
        account=account,
        kind=OrderKind.DISCONNECT,
        status=OrderStatus.COMPLETED,
        reason="Tonight's list",
        scheduled_for=TODAY - timedelta(days=20),
        completed_at=_local(TODAY - timedelta(days=20), 11),
        idempotency_key="test-disconnect-0000920011",
    )
    five_08 = _local(TODAY, 17, 8)
    client = role_clients[CASHIER]
    cashier = client.session["_auth_user_id"]
    monkeypatch.setattr(timezone, "now", lambda: five_08)
    # signed in again at 5:08 p.m.: a session from the real clock's time has expired by then
    # (30 minutes idle) whenever the suite runs before 4:38 p.m.
    client.force_login(get_user_model().objects.get(pk=cashier))
    client.post("/cashier/", {"drawer": drawer("R1").pk, "opening_float": "100.00"})
    key = str(uuid4())
    form = {
        "line-TOTAL_FORMS": "4",
        "line-INITIAL_FORMS": "0",
        "tender-TOTAL_FORMS": "3",
        "tender-INITIAL_FORMS": "0",
        "line-0-account": account.number,
        "line-0-amount": "150.00",
        "tender-0-kind": "cash",
        "tender-0-amount": "160.00",
        "idempotency_key": key,
    }
    preview = client.post("/cashier/post/", {**form, "action": "preview"}).content.decode()
    since = f"{timezone.localtime(disconnect.completed_at):%b %d, %Y}"
    assert f"Service is OFF (water disconnected since {since})" in preview
    assert "This payment orders a reconnection — a reconnection fee will follow" in preview
    assert "$25.00 charged when the crew restores service during normal hours" in preview
    assert "$50.00 only if the customer asks for after-hours service" in preview
    assert (
        "Reconnection during normal hours" in preview and "(utility policy)" in preview
    )  # DEFAULT cites no other city (issue 12)
    assert not CounterTransaction.objects.exists()

    client.post("/cashier/post/", {**form, "action": "post"})
    txn = CounterTransaction.objects.get()
    account.refresh_from_db()
    assert account.balance == 0 and _fees(account) == [], "no fee until the reconnection is done"
    order = ServiceOrder.objects.get(account=account, kind=OrderKind.RECONNECT)
    assert order.payment.transaction_id == txn.pk and order.fee_amount == 0

    screen = client.get(f"/cashier/receipts/{txn.receipt_number}/").content.decode()
    assert "Service was OFF (water disconnected since" in screen
    assert f"Reconnection ordered (#{order.pk}); the reconnection fee is charged when it is done" in screen
    assert "$25.00 charged when the crew restores service" in screen
    pdf = pdf_text(client.post(f"/cashier/receipts/{txn.receipt_number}/print/pdf/").content)
    assert "Service was OFF" in pdf and f"Reconnection ordered (#{order.pk})" in pdf and "$25.00" in pdf
    slip = client.post(f"/cashier/receipts/{txn.receipt_number}/print/80mm/").content.decode()
    assert "Service was OFF" in slip and f"Reconnection ordered (#{order.pk})" in slip


def test_the_preview_says_when_a_payment_does_not_restore_service(people, role_clients):
    any_day_policy()
    account = _disconnected("0000920021", amount="275.50")
    notes = preview_counter_notes(lines=[(account.pk, Decimal("100.00"))], as_of=TODAY)[account.pk]
    assert [n.code for n in notes] == ["service_off", "reconnect_not_ordered"]
    assert "since a date not on record" in notes[0].title
    assert "$175.50 would still be past due" in notes[1].text
    connected = delinquent(as_of=TODAY, number="0000920022")
    assert preview_counter_notes(lines=[(connected.pk, Decimal("10.00"))], as_of=TODAY) == {}


def test_counter_notes_take_the_same_queries_for_one_account_or_three(people):
    any_day_policy()
    accounts = [_disconnected(f"00009200{30 + n}") for n in range(3)]

    def count(lines) -> int:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as ctx:
            assert len(preview_counter_notes(lines=lines, as_of=TODAY)) == len(lines)
        return len(ctx.captured_queries)

    count([(accounts[1].pk, Decimal("150.00"))])  # warms the policy cache
    one = count([(accounts[0].pk, Decimal("150.00"))])
    three = count([(a.pk, Decimal("150.00")) for a in accounts])
    assert one == three, f"{one} queries for one account, {three} for three"

    txns = [_pay(a, "150.00", people["cass"]) for a in accounts]
    payments = [t.payments.get() for t in txns]
    with CaptureQueriesContext(connection) as ctx:
        notes = receipt_counter_notes(payments=payments, at=timezone.now())
    assert len(notes) == 3 and len(ctx.captured_queries) <= 3


# --- completion charges the fee ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "requested", "fee", "after_hours"),
    [
        (10, False, "25.00", False),  # business hours
        (10, True, "25.00", False),  # asked for after hours, but done during business hours
        (18, False, "25.00", False),  # done after hours without the customer asking: normal rate
        (18, True, "50.00", True),  # asked for, and done after hours
    ],
)
def test_completion_charges_the_fee_at_the_rate_for_when_it_is_done(
    people, hour, requested, fee, after_hours
):
    any_day_policy()
    day = _past_business_day()
    account = _disconnected("0000920041")
    order = _reconnect_order(account, people)
    if requested:
        reconnect_after_hours_request(order_id=order.pk, requested=True, actor=people["olivia"])
    _dispatch_before(order, day, people)
    assert _fees(account) == []
    done = order_complete(
        order_id=order.pk, outcome="done", completed_at=_local(day, hour), actor=people["olivia"]
    )
    assert done.result == "completed" and done.fee.amount == Decimal(fee)
    order.refresh_from_db()
    assert (order.fee_amount, order.after_hours) == (Decimal(fee), after_hours)
    when = "after hours" if after_hours else "during normal hours"
    assert order.fee_reason.startswith(f"Reconnection {when}: ${fee}") and order.fee_citation
    (entry,) = _fees(account)
    assert (entry.amount, entry.effective_date, entry.reference) == (
        Decimal(fee),
        day,
        f"Reconnection #{order.pk}",
    )
    account.refresh_from_db()
    assert account.balance == Decimal(fee)
    audit = AuditEvent.objects.get(verb="service_order.complete", account_id=account.pk)
    assert audit.data["fee"] == fee and audit.data["after_hours_requested"] is requested
    assert audit.data["rule"].startswith("Reconnection") and audit.data["citation"]


def test_the_low_income_household_gets_the_policys_cap(people):
    """85% of the poverty line: the SB 998 caps ($50 normal, $150 after hours) apply under a
    policy whose fees are higher; another household pays the full fee."""
    PolicyVersion.objects.create(
        version=2,
        name="High reconnection fees",
        presets=["DEFAULT"],
        overrides={
            "blackout.weekdays": [],
            "blackout.holidays": False,
            "reconnect.fee_normal": "75.00",
            "reconnect.fee_after_hours": "200.00",
        },
        note="caps bite",
    )
    day = _past_business_day()
    results = {}
    for number, low, requested, hour in (
        ("0000920051", True, False, 10),
        ("0000920052", True, True, 18),
        ("0000920053", False, False, 10),
    ):
        account = _disconnected(number)
        if low:
            _low_income(account, people["carmen"], on=day)
        order = _reconnect_order(account, people)
        reconnect_after_hours_request(order_id=order.pk, requested=requested, actor=people["olivia"])
        _dispatch_before(order, day, people)
        done = order_complete(
            order_id=order.pk, outcome="done", completed_at=_local(day, hour), actor=people["olivia"]
        )
        results[number] = done
    assert results["0000920051"].fee.amount == Decimal("50.00")
    assert "low-income cap $50.00" in results["0000920051"].fee.reason
    assert results["0000920051"].fee.citation == "utility policy"  # a DEFAULT cap: no California law
    assert results["0000920052"].fee.amount == Decimal("150.00")
    assert "low-income cap $150.00" in results["0000920052"].fee.reason
    assert results["0000920053"].fee.amount == Decimal("75.00")


def test_the_defects_household_pays_the_normal_fee_the_morning_after_and_stays_in_its_plan(people):
    """The household at 85% on an arrangement, reconnected by the 5 p.m. sweep: when the crew
    restores the water the next business morning it pays the normal fee, due with its plan's next
    installment, and the plan stays in good standing the day after."""
    any_day_policy()
    day = _past_business_day()
    household = _disconnected("0000920061", first="Lupe", last="Ortiz")
    _low_income(household, people["carmen"], on=day)
    protect("arrangement", household, as_of=day, user=people["carmen"])
    assert reconnect_sweep(now=_local(day - timedelta(days=1), 17)) == 1
    order = ServiceOrder.objects.get(account=household, kind=OrderKind.RECONNECT)
    _dispatch_before(order, day, people)
    done = order_complete(
        order_id=order.pk, outcome="done", completed_at=_local(day, 9), actor=people["olivia"]
    )
    assert done.fee.amount == Decimal("25.00")
    (entry,) = _fees(household)
    first_installment = day + timedelta(days=30)
    assert entry.due_date == first_installment and f"Due {first_installment:%b %d, %Y}" in done.fee.reason
    policy, _ = current_policy()
    after = day + timedelta(days=1)
    decision = engine.decide(policy, facts_for_account(household.pk, as_of=after), after)
    assert decision.deciding.code == "ARRANGEMENT_GOOD_STANDING", decision.deciding


def test_the_fee_is_charged_once_even_if_completion_is_retried(people, role_clients):
    any_day_policy()
    account = _disconnected("0000920071")
    order = _reconnect_order(account, people)
    order_dispatch(order_ids=[order.pk], crew="Crew 7", actor=people["olivia"])
    api = role_clients[COLLECTOR]
    first = api.post(
        f"/api/v1/service-orders/{order.pk}/complete", {"outcome": "done"}, content_type="application/json"
    )
    assert first.status_code == 200 and first.json()["fee_amount"] == "25.00"
    assert "Reconnection during normal hours" in first.json()["fee_reason"]
    again = api.post(
        f"/api/v1/service-orders/{order.pk}/complete", {"outcome": "done"}, content_type="application/json"
    )
    assert again.json()["result"] == "replay" and again.json()["fee_amount"] is None
    assert order_complete(order_id=order.pk, outcome="done", actor=people["olivia"]).result == "replay"
    assert len(_fees(account)) == 1
    account.refresh_from_db()
    assert account.balance == Decimal("25.00")
    client = role_clients[COLLECTOR]
    timeline = client.get(f"/accounts/{account.number}/").content.decode()
    assert "Fee: Reconnection during normal hours: $25.00" in timeline
    listed = api.get("/api/v1/service-orders?status=completed&kind=reconnect").json()["results"]
    assert listed[0]["fee_amount"] == "25.00" and listed[0]["fee_reason"].startswith("Reconnection")


def test_an_order_charged_at_creation_before_this_change_is_not_charged_again(people):
    """Orders made by the old code had their fee posted under the same key at creation."""
    from collections_app.services.charges import charge_post

    any_day_policy()
    account = _disconnected("0000920081")
    order = _reconnect_order(account, people)
    charge_post(
        account_id=account.pk,
        kind="fee",
        amount=Decimal("50.00"),
        on=TODAY,
        reference=f"Reconnection #{order.pk}",
        idempotency_key=f"reconnect-fee:{order.pk}",
        actor=None,
    )
    ServiceOrder.objects.filter(pk=order.pk).update(fee_amount=Decimal("50.00"))
    order_dispatch(order_ids=[order.pk], crew="Crew 7", actor=people["olivia"])
    done = order_complete(order_id=order.pk, outcome="done", actor=people["olivia"])
    assert done.result == "completed" and done.fee is None
    assert [e.amount for e in _fees(account)] == [Decimal("50.00")]


def test_no_fee_when_the_reconnection_is_not_done(people):
    any_day_policy()
    account = _disconnected("0000920091")
    order = _reconnect_order(account, people)
    order_dispatch(order_ids=[order.pk], crew="Crew 7", actor=people["olivia"])
    assert order_complete(order_id=order.pk, outcome="no_access", actor=people["olivia"]).fee is None
    order_cancel(order_id=order.pk, reason="Customer moved out", actor=people["olivia"])
    with pytest.raises(DomainError, match="closed"):
        reconnect_after_hours_request(order_id=order.pk, requested=True, actor=people["olivia"])
    assert _fees(account) == []
    assert Service.objects.get(account=account).status == "disconnected"


# --- staff record the customer's after-hours request --------------------------------------------------


def test_staff_record_the_after_hours_request_on_the_order_page(people, client):
    any_day_policy()
    account = _disconnected("0000920101")
    order = _reconnect_order(account, people)
    client.force_login(people["olivia"])
    page = client.get(f"/collections/orders/{order.pk}/").content.decode()
    assert "Charged when the crew completes it" in page and "$25.00 charged when the crew" in page
    assert "Customer asks for after-hours service" in page
    client.post(f"/collections/orders/{order.pk}/after-hours/", {"requested": "1"})
    order.refresh_from_db()
    assert order.after_hours_requested
    assert (
        AuditEvent.objects.filter(verb="service_order.after_hours_request", account_id=account.pk).count()
        == 1
    )
    page = client.get(f"/collections/orders/{order.pk}/").content.decode()
    assert "customer asked for after hours" in page
    account_page = client.get(f"/accounts/{account.number}/").content.decode()
    assert "after hours at the customer&#x27;s request. Fee on completion: $25.00 charged" in account_page
    bad = client.post(f"/collections/orders/{order.pk}/after-hours/", {"requested": "maybe"}, follow=True)
    assert "Say whether the customer asks" in bad.content.decode()
    visit = ServiceOrder.objects.create(
        account=account,
        kind=OrderKind.FIELD_VISIT,
        reason="Post a notice",
        scheduled_for=TODAY,
        idempotency_key="v1",
    )
    with pytest.raises(DomainError, match="Only a reconnection"):
        reconnect_after_hours_request(order_id=visit.pk, requested=True, actor=people["olivia"])
    api = client.post(
        f"/api/v1/service-orders/{order.pk}/after-hours",
        {"requested": False},
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["after_hours_requested"] is False


def test_completing_on_the_order_page_says_which_fee_was_charged(people, client):
    any_day_policy()
    account = _disconnected("0000920111")
    order = _reconnect_order(account, people)
    order_dispatch(order_ids=[order.pk], crew="Crew 7", actor=people["olivia"])
    client.force_login(people["olivia"])
    page = client.post(f"/collections/orders/{order.pk}/complete/", {"outcome": "done"}, follow=True)
    html = page.content.decode()
    assert "Completed. Reconnection fee $25.00 charged: Reconnection during normal hours" in html
    assert 'data-testid="reconnect-fee"><b>$25.00 charged</b>' in html
    assert [e.amount for e in _fees(account)] == [Decimal("25.00")]
