"""Work done by staff on given days, made directly (the quality review reads it, never writes it)."""

from datetime import date, datetime, time
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

from accounts.models import Account, Adjustment, Contact, ReasonCode
from accounts.tests.factories import AccountFactory, fund
from counseling.models import Arrangement
from payments.models import CounterTransaction

_n = count(1)
PHOENIX = ZoneInfo("America/Phoenix")


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=PHOENIX)


def receipt(user, day: date, account: Account | None = None) -> CounterTransaction:  # type: ignore[no-untyped-def]
    n = next(_n)
    return CounterTransaction.objects.create(
        receipt_number=f"Q{n:08d}",
        idempotency_key=f"test:q:{n}",
        total=Decimal("10.00"),
        created_by=user,
        business_date=day,
    )


def contact(user, day: date, account: Account | None = None) -> Contact:  # type: ignore[no-untyped-def]
    c = Contact.objects.create(
        account=account or AccountFactory(),
        channel="call",
        reason=ReasonCode.objects.filter(kind="contact")[0],
        outcome="resolved",
        note="asked about the bill",
        created_by=user,
    )
    Contact.objects.filter(pk=c.pk).update(created_at=_noon(day))
    return c


def arrangement(user, day: date, account: Account | None = None) -> Arrangement:  # type: ignore[no-untyped-def]
    a = Arrangement.objects.create(
        account=account or AccountFactory(),
        counselor=user,
        status="active",
        total=Decimal("300.00"),
        installment_count=3,
        months=3,
        reason="job loss",
        idempotency_key=f"test:qa:{next(_n)}",
    )
    Arrangement.objects.filter(pk=a.pk).update(created_at=_noon(day))
    return a


def adjustment(user, day: date, account: Account | None = None) -> Adjustment:  # type: ignore[no-untyped-def]
    a = Adjustment.objects.create(
        account=account or AccountFactory(),
        fund=fund("WTR"),
        amount=Decimal("-5.00"),
        reason=ReasonCode.objects.filter(kind="adjustment")[0],
        note="leak",
        status="posted",
        requested_by=user,
        idempotency_key=f"test:qj:{next(_n)}",
    )
    Adjustment.objects.filter(pk=a.pk).update(requested_at=_noon(day))
    return a
