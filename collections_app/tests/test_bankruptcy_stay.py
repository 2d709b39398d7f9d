"""A bankruptcy filed after a notice batch was built (11 U.S.C. 362, 366): the unsent batch no
longer holds the account's notice, a sent notice stays as history, the shutoff flag shows the stay
instead of a shutoff date, and the open disconnect order is cancelled with the engine's reason."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import LedgerEntry
from accounts.tests.factories import AccountFactory, CustomerFactory
from collections_app.models import (
    BatchRun,
    Notice,
    RunKind,
    RunStatus,
    ShutoffCandidate,
)
from collections_app.models.orders import OrderStatus, ServiceOrder
from collections_app.pdf_notices import notice_batch_pdf
from collections_app.selectors.notices import batch_summary
from collections_app.services.bankruptcy import bankruptcy_record
from collections_app.services.notices import notice_batch_build, notice_batch_mark_sent, notice_record
from collections_app.tests.billing import bill, use_policy
from common.models import AuditEvent
from conftest import ROLE_NAMES, pdf_text

pytestmark = pytest.mark.django_db
COLLECTOR = ROLE_NAMES[2]
BUILT = date(2026, 10, 21)  # the DEFAULT shutoff notice for a bill due Sep 1 is due this day
PETITION = date(2026, 10, 22)


@pytest.fixture
def officer(make_user):
    return make_user("olive", "Collections officer")


def _debtor(number: str, last: str):  # type: ignore[no-untyped-def]
    account = AccountFactory(number=number, customer=CustomerFactory(last_name=last))
    bill(account, "180.00", due=date(2026, 9, 1), billed=date(2026, 8, 11))
    return account


def test_filing_pulls_the_unsent_notices_and_the_flag_follows_the_stay(officer, role_clients):
    use_policy("DEFAULT")
    debtor, other = _debtor("0000350001", "Debtorson"), _debtor("0000350002", "Otherly")
    reminder = notice_record(
        account_id=debtor.pk,
        kind="reminder",
        method="mail",
        sent_on=date(2026, 9, 15),
        actor=officer,
        idempotency_key="r-1",
    )
    batch = notice_batch_build(kind="shutoff", business_date=BUILT, actor=officer)
    assert sorted(batch.notices.values_list("account_id", flat=True)) == [debtor.pk, other.pk]
    # the nightly list decided the account before the filing: on the list, shutoff not before a date
    run = BatchRun.objects.create(kind=RunKind.SHUTOFF, business_date=BUILT, status=RunStatus.FINISHED)
    ShutoffCandidate.objects.create(
        run=run,
        account=debtor,
        status="deferred",
        earliest_date=date(2026, 11, 2),
        reason="The shutoff notice lead runs until Nov 02.",
        citation="HSC 116908",
        past_due=Decimal("180.00"),
        days_delinquent=50,
    )
    order = ServiceOrder.objects.create(
        account=debtor, kind="disconnect", reason="On the list", scheduled_for=date(2026, 11, 2)
    )

    case = bankruptcy_record(
        account_id=debtor.pk,
        chapter=7,
        case_number="26-bk-20001",
        court="D. Ariz.",
        petition_date=PETITION,
        order_for_relief_date=None,
        actor=officer,
    )

    # the unsent batch no longer holds the debtor's notice: count, totals and PDF follow
    pulled = Notice.objects.get(batch=batch, account=debtor)
    assert pulled.voided and pulled.sent_on is None
    assert batch_summary(batch) == {"n": 1, "amount": Decimal("180.00"), "fees": Decimal("0.00")}
    text = pdf_text(notice_batch_pdf(batch))
    assert "Otherly" in text and "Debtorson" not in text
    assert AuditEvent.objects.filter(
        verb="notice.void", account_id=debtor.pk, target_id=str(pulled.pk)
    ).exists()
    record = AuditEvent.objects.get(verb="bankruptcy.record", account_id=debtor.pk)
    assert (record.data["notices_pulled"], record.data["orders_cancelled"]) == (1, 1)
    # a notice already sent stays on the account as history
    reminder.refresh_from_db()
    assert not reminder.voided and reminder.sent_on == date(2026, 9, 15)
    # the open disconnect order for the pre-petition debt is cancelled with the engine's reason
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancelled_code.startswith("BANKRUPTCY")
    assert order.cancelled_reason.startswith("Cancelled at bankruptcy filing:")
    # marking the batch sent later dates and charges only the notices still in it
    notice_batch_mark_sent(batch_id=batch.pk, sent_on=BUILT, method="mail", actor=officer)
    pulled.refresh_from_db()
    assert pulled.sent_on is None and pulled.fee_amount == 0
    assert not LedgerEntry.objects.filter(account=debtor, reference__startswith="NOTICE FEE").exists()

    flags = {f.code: f for f in role_clients[COLLECTOR].get(f"/accounts/{debtor.number}/").context["flags"]}
    assert "shutoff_deferred" not in flags and "disconnect_order" not in flags
    held = flags["shutoff_held"]
    assert "bankruptcy ch. 7 filed Oct 22, 2026" in held.label and "Nov 02" not in held.label + held.meaning
    assert case.pk and "bankruptcy" in flags


def test_a_batch_built_from_a_plan_read_before_the_filing_leaves_the_debtor_out(officer, monkeypatch):
    """The plan is read outside the write transaction: a filing recorded meanwhile is not in it."""
    use_policy("DEFAULT")
    debtor = _debtor("0000350003", "Latefiler")
    from collections_app.services import notices

    real_plan = notices.notice_batch_plan

    def plan_then_file(**kw):  # type: ignore[no-untyped-def]
        planned = real_plan(**kw)
        bankruptcy_record(
            account_id=debtor.pk,
            chapter=13,
            case_number="26-bk-20002",
            court="",
            petition_date=PETITION - timedelta(days=1),
            order_for_relief_date=None,
            actor=officer,
        )
        return planned

    monkeypatch.setattr(notices, "notice_batch_plan", plan_then_file)
    batch = notice_batch_build(kind="shutoff", business_date=BUILT, actor=officer)
    assert not batch.notices.filter(account=debtor).exists()
