"""The supervisors' approvals queue: every kind listed with its fields, decided from the queue with
each app's own service (same effect as its own screen), reasons stored and audited, four eyes held
on the page and on the server, bad input refused with nothing changed."""

from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import Adjustment, AdjustmentStatus
from collections_app.models import WriteOff, WriteOffStatus
from collections_app.models.refunds import Refund, RefundStatus
from common.models import AuditEvent
from counseling.models import Arrangement, ArrangementStatus
from payments.models import DrawerSession, Payment, PaymentStatus, SessionStatus
from policy.tests.helpers import use_policy
from reports.tests import approval_setup as made

pytestmark = pytest.mark.django_db
QUEUE, DECIDE = "/supervisor/approvals/", "/supervisor/approvals/decide/"


@pytest.fixture(autouse=True)
def _policy(db):
    use_policy("DEFAULT", adjustments__approval_limit="100.00")


@pytest.fixture
def people(make_user):
    return {
        "counselor": make_user("carmen", "Counselor"),
        "cashier": make_user("dale", "Cashier"),
        "officer": make_user("olga", "Collections officer"),
        "grace": make_user("grace", "Supervisor"),
        "sam": make_user("sam", "Supervisor"),
    }


@pytest.fixture
def waiting(people):
    """kind -> the waiting object, one of each kind the queue decides inline."""
    drawer, txn = made.drawer_and_void(people["cashier"])
    return {
        "adjustment": made.adjustment(people["counselor"]),
        "arrangement": made.arrangement(people["counselor"]),
        "write_off": made.write_off(people["officer"]),
        "refund": made.refund(people["cashier"]),
        "drawer_signoff": drawer,
        "void": txn,
    }


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _decide(client, kind, pk, decision, reason=""):  # type: ignore[no-untyped-def]
    return client.post(
        DECIDE, {"kind": kind, "pk": pk, "decision": decision, "reason": reason}, follow=True
    ).content.decode()


def test_every_kind_is_listed_oldest_first_with_its_fields(people, waiting):
    page = _client(people["grace"]).get(QUEUE).content.decode()
    for kind, obj in waiting.items():
        assert f'data-testid="approval-{kind}-{obj.pk}"' in page, kind
    adj = waiting["adjustment"]
    row = page[page.index(f"approval-adjustment-{adj.pk}") :].split("</tr>")[0]
    assert "carmen" in row and "-$250.00" in row and f"…{adj.account.number[-4:]}" in row
    assert adj.account.number not in row.replace(f"/accounts/{adj.account.number}/", "")  # masked
    assert "Credit to WTR" in row and 'name="decision" value="reject"' in row
    wo = waiting["write_off"]
    assert "180.00" in page and "olga" in page and "Write-off (debtor not found)" in page
    assert f"approval-write_off-{wo.pk}" in page
    assert "Void receipt " + waiting["void"].receipt_number in page
    assert "-$10.00" in page and "Sign off" in page  # the drawer closed short
    order = [page.index(f"approval-{k}-{o.pk}") for k, o in waiting.items()]
    assert order[4] < order[0], "the drawer (made first) is listed before the adjustment"


def test_filter_by_kind(people, waiting):
    page = _client(people["grace"]).get(QUEUE + "?kind=write_off").content.decode()
    assert f"approval-write_off-{waiting['write_off'].pk}" in page
    assert f"approval-adjustment-{waiting['adjustment'].pk}" not in page


def _state(kind, obj):  # type: ignore[no-untyped-def]
    if kind == "void":
        return set(Payment.objects.filter(transaction=obj).values_list("status", flat=True))
    obj.refresh_from_db()
    return obj.status


APPROVED = {
    "adjustment": AdjustmentStatus.POSTED,
    "arrangement": ArrangementStatus.ACTIVE,
    "write_off": WriteOffStatus.POSTED,
    "refund": RefundStatus.APPROVED,
    "drawer_signoff": SessionStatus.SIGNED_OFF,
    "void": {PaymentStatus.VOIDED},
}
REJECTED = {
    "adjustment": AdjustmentStatus.REJECTED,
    "arrangement": ArrangementStatus.REJECTED,
    "write_off": WriteOffStatus.REJECTED,
    "refund": RefundStatus.REJECTED,
    "void": {PaymentStatus.POSTED},
}
VERBS = {
    "adjustment": ("adjustment.approve", "adjustment.reject"),
    "arrangement": ("arrangement.approve", "arrangement.reject"),
    "write_off": ("write_off.approve", "write_off.reject"),
    "refund": ("refund.approve", "refund.reject"),
    "drawer_signoff": ("drawer.signoff", None),
    "void": ("payment.void", "payment.void_rejected"),
}


def _audited_with(verb: str, reason: str) -> bool:
    audited = AuditEvent.objects.filter(verb=verb).values_list("data", flat=True)
    return any(reason in str(data) for data in audited)


@pytest.mark.parametrize("kind", list(APPROVED))
def test_each_kind_is_approved_from_the_queue(people, waiting, kind):
    obj = waiting[kind]
    page = _decide(_client(people["grace"]), kind, obj.pk, "approve", "checked the file")
    assert "approved." in page, page[page.find("alert") : page.find("alert") + 300]
    assert _state(kind, obj) == APPROVED[kind]
    assert _audited_with(VERBS[kind][0], "checked the file")
    assert f"approval-{kind}-{obj.pk}" not in _client(people["grace"]).get(QUEUE).content.decode()


@pytest.mark.parametrize("kind", list(REJECTED))
def test_each_kind_is_rejected_with_a_reason_stored_and_audited(people, waiting, kind):
    obj = waiting[kind]
    page = _decide(_client(people["grace"]), kind, obj.pk, "reject", "no proof of hardship")
    assert "rejected." in page
    assert _state(kind, obj) == REJECTED[kind]
    assert _audited_with(VERBS[kind][1], "no proof of hardship")
    if kind != "void":
        obj.refresh_from_db()
        assert obj.decision_note == "no proof of hardship"


def test_the_drawer_signoff_has_no_reject_and_needs_a_reason(people, waiting):
    drawer = waiting["drawer_signoff"]
    page = _decide(_client(people["grace"]), "drawer_signoff", drawer.pk, "reject", "x")
    assert "this decision is not offered" in page
    page = _decide(_client(people["grace"]), "drawer_signoff", drawer.pk, "approve", "")
    assert "Give the reason for the over/short." in page
    assert DrawerSession.objects.get(pk=drawer.pk).status == SessionStatus.PENDING_SIGNOFF


def test_reject_without_a_reason_is_refused_and_nothing_changes(people, waiting):
    client = _client(people["grace"])
    for kind in REJECTED:
        page = _decide(client, kind, waiting[kind].pk, "reject", "   ")
        assert "Give the reason for rejecting." in page, kind
    assert Adjustment.objects.get(pk=waiting["adjustment"].pk).status == AdjustmentStatus.PENDING
    assert WriteOff.objects.get(pk=waiting["write_off"].pk).status == WriteOffStatus.PENDING
    assert Payment.objects.get(transaction=waiting["void"]).status == PaymentStatus.VOID_PENDING
    assert not AuditEvent.objects.filter(verb__endswith=".reject").exists()


def test_an_item_already_decided_by_someone_else_says_so_and_changes_nothing(people, waiting):
    arr = waiting["arrangement"]
    _decide(_client(people["sam"]), "arrangement", arr.pk, "approve", "fine")
    page = _decide(_client(people["grace"]), "arrangement", arr.pk, "reject", "too long")
    assert "This arrangement was already decided." in page
    arr.refresh_from_db()
    assert arr.status == ArrangementStatus.ACTIVE and arr.decided_by == people["sam"]
    txn = waiting["void"]
    _decide(_client(people["sam"]), "void", txn.pk, "reject", "receipt stands")
    page = _decide(_client(people["grace"]), "void", txn.pk, "approve", "void it")
    assert "This void request was already decided." in page
    assert Payment.objects.get(transaction=txn).status == PaymentStatus.POSTED
    page = _decide(_client(people["grace"]), "void", txn.pk, "reject", "again")
    assert "This void request was already decided." in page
    assert AuditEvent.objects.filter(verb="payment.void_rejected").count() == 1


def test_own_requests_show_no_buttons_and_the_server_refuses_them(people):
    grace = people["grace"]
    own = {
        "adjustment": made.adjustment(grace),
        "write_off": made.write_off(grace),
        "refund": made.refund(grace),
    }
    drawer, txn = made.drawer_and_void(grace)  # a supervisor's own receipt and drawer
    own |= {"drawer_signoff": drawer, "void": txn}
    client = _client(grace)
    page = client.get(QUEUE).content.decode()
    for kind, obj in own.items():
        row = page[page.index(f"approval-{kind}-{obj.pk}") :].split("</tr>")[0]
        assert "Yours: another supervisor must decide." in row and "<form" not in row, kind
        # a drawer sign-off has no reject (the drawer's count stands): only approve is offered
        for decision in ("approve",) if kind == "drawer_signoff" else ("approve", "reject"):
            answer = _decide(client, kind, obj.pk, decision, "looks right")
            assert "second person" in answer or "Another supervisor" in answer, (kind, decision)
    assert Adjustment.objects.get(pk=own["adjustment"].pk).status == AdjustmentStatus.PENDING
    assert WriteOff.objects.get(pk=own["write_off"].pk).status == WriteOffStatus.PENDING
    assert Refund.objects.get(pk=own["refund"].pk).status == RefundStatus.REQUESTED
    assert DrawerSession.objects.get(pk=drawer.pk).status == SessionStatus.PENDING_SIGNOFF
    assert Payment.objects.get(transaction=txn).status == PaymentStatus.VOID_PENDING
    # the badge counts what waits for you: not your own requests
    assert 'data-testid="nav-badge"' not in page
    other = _client(people["sam"]).get(QUEUE).content.decode()
    assert 'data-testid="nav-badge">5<' in other


def test_an_arrangement_of_a_supervisor_waits_for_another(people, make_user):
    grace = people["grace"]
    arr = made.arrangement(grace)
    answer = _decide(_client(grace), "arrangement", arr.pk, "approve", "")
    assert "A second person must approve an arrangement you proposed." in answer
    assert Arrangement.objects.get(pk=arr.pk).status == ArrangementStatus.PENDING_APPROVAL


def test_only_supervisors_open_or_post_to_the_queue(role_clients, people, waiting):
    adj = waiting["adjustment"]
    for role, client in role_clients.items():
        expected = 200 if role == "Supervisor" else 403
        assert client.get(QUEUE).status_code == expected, role
        data = {"kind": "adjustment", "pk": adj.pk, "decision": "approve", "reason": ""}
        assert client.post(DECIDE, data).status_code == (302 if role == "Supervisor" else 403), role
    assert Adjustment.objects.get(pk=adj.pk).status == AdjustmentStatus.POSTED  # the supervisor's
    assert Client().get(QUEUE).status_code == 302  # to the sign-in page
    assert _client(people["grace"]).get(DECIDE).status_code == 405


def test_bad_input_says_what_is_wrong(people, waiting):
    client = _client(people["grace"])
    assert "Choose approve or reject" in _decide(client, "adjustment", "abc", "approve")
    assert "Choose approve or reject" in _decide(client, "adjustment", waiting["adjustment"].pk, "maybe")
    assert "Unknown kind of approval." in _decide(client, "nonsense", 1, "approve")
    assert Adjustment.objects.get(pk=waiting["adjustment"].pk).status == AdjustmentStatus.PENDING


def test_the_amount_shows_thousands_separators(people):
    made.arrangement(people["counselor"], total="12345.60")
    assert "12,345.60" in _client(people["grace"]).get(QUEUE).content.decode()


def test_decimal_fields_are_money(waiting):
    assert isinstance(waiting["adjustment"].amount, Decimal)
