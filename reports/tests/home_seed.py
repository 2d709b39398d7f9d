"""Rows for the supervisor home's tests, written straight to the tables (the figures read the
tables, whatever service wrote them), with the dates and times each figure counts by."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from accounts.models import Contact, ReasonCode
from accounts.tests.factories import AccountFactory
from collections_app.models import Notice, OrderKind, OrderStatus, ServiceOrder
from collections_app.models.orders import OrderOutcome
from counseling.models import (
    Agency,
    Arrangement,
    ArrangementStatus,
    HardshipInterview,
    Pledge,
    PovertyGuideline,
)
from payments.models import CounterTransaction, DrawerSession, Payment, PaymentStatus, ReturnedItem
from payments.tests.factories import drawer

_n = count()


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def seed_day(day: date, user: object, *, scale: int = 1, rnd: random.Random | None = None) -> None:
    """A few of every kind of record on `day` (and a few that must not count: voided, unsent,
    not completed, late evening on the day before)."""
    rnd = rnd or random.Random(day.toordinal())
    account = AccountFactory()
    k = lambda: f"home-seed-{next(_n)}"  # noqa: E731
    txn = CounterTransaction.objects.create(
        receipt_number=k(), idempotency_key=k(), total=Decimal("1"), created_by=user, business_date=day
    )
    for i in range(rnd.randint(1, 3) * scale):
        Payment.objects.create(
            transaction=txn, account=account, amount=Decimal(f"{rnd.randint(1, 500)}.{i:02d}"),
            tender_kind="cash", business_date=day,
        )  # fmt: skip
    Payment.objects.create(
        transaction=txn, account=account, amount=Decimal("999"), tender_kind="cash",
        business_date=day, status=PaymentStatus.VOIDED,
    )  # fmt: skip
    for over in (Decimal("-7.50"), Decimal(rnd.randint(-3, 3))):
        DrawerSession.objects.create(
            drawer=drawer(f"S{next(_n)}"), cashier=user, business_date=day, opening_float=Decimal("100"),
            status="closed", over_short=over, closed_at=at(day, 17),
        )  # fmt: skip
    for _ in range(rnd.randint(0, 2) * scale):
        ReturnedItem.objects.create(
            amount=Decimal("20"), returned_on=day, reason="NSF", fee_account=account, recorded_by=user,
            idempotency_key=k(),
        )  # fmt: skip
    for i in range(rnd.randint(1, 2) * scale):
        a = Arrangement.objects.create(
            account=account, counselor=user, status=ArrangementStatus.ACTIVE, total=Decimal("100"),
            installment_count=2, months=2, reason="test", idempotency_key=k(),
        )  # fmt: skip
        Arrangement.objects.filter(pk=a.pk).update(created_at=at(day, 9 + i))
    for _ in range(rnd.randint(0, 2) * scale):
        a = Arrangement.objects.create(
            account=account, counselor=user, status=ArrangementStatus.BROKEN, total=Decimal("100"),
            installment_count=2, months=2, reason="test", idempotency_key=k(), ended_on=day,
        )  # fmt: skip
        Arrangement.objects.filter(pk=a.pk).update(created_at=at(day - timedelta(days=60)))
    guideline = PovertyGuideline.objects.order_by("-year").first() or PovertyGuideline.objects.create(
        year=2026, first_person=Decimal("15650"), each_additional=Decimal("5500")
    )
    for _ in range(rnd.randint(0, 2) * scale):
        h = HardshipInterview.objects.create(
            account=account, counselor=user, household_size=2, hardship_reason="job_loss",
            guideline=guideline,
            annual_income=Decimal("20000"), poverty_line=Decimal("21150"), fpl_percent=Decimal("94.56"),
            low_income=True, monthly_surplus=Decimal("0"), balance_at_interview=Decimal("300"),
        )  # fmt: skip
        HardshipInterview.objects.filter(pk=h.pk).update(conducted_at=at(day, 11))
    reason = ReasonCode.objects.first() or ReasonCode.objects.create(
        kind="contact", code="Q", label="Question"
    )
    for hour in [8, 16, 23][: rnd.randint(1, 3)]:
        c = Contact.objects.create(
            account=account, channel="call", reason=reason, outcome="resolved", created_by=user
        )
        Contact.objects.filter(pk=c.pk).update(created_at=at(day, hour))
    for sent in (day, None):
        Notice.objects.create(
            account=account, kind="shutoff", addressee="X", idempotency_key=k(), sent_on=sent
        )
    for kind, hours in ((OrderKind.DISCONNECT, 3), (OrderKind.RECONNECT, rnd.randint(2, 30))):
        o = ServiceOrder.objects.create(
            account=account, kind=kind, reason="test", scheduled_for=day, idempotency_key=k(),
            status=OrderStatus.COMPLETED, outcome=OrderOutcome.DONE,
        )  # fmt: skip
        ServiceOrder.objects.filter(pk=o.pk).update(
            created_at=at(day, 20) - timedelta(hours=hours), completed_at=at(day, 20)
        )
    ServiceOrder.objects.create(
        account=account, kind=OrderKind.RECONNECT, reason="open", scheduled_for=day, idempotency_key=k()
    )
    agency = Agency.objects.first() or Agency.objects.create(name="Helping Hands", programs="LIHEAP")
    for _ in range(rnd.randint(0, 2) * scale):
        Pledge.objects.create(
            account=account, agency=agency, program="LIHEAP", amount=Decimal("75.25"), pledged_on=day,
            expected_by=day + timedelta(days=30), counselor=user,
        )  # fmt: skip
