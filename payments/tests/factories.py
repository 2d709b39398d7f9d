from decimal import Decimal
from uuid import uuid4

from payments.models import Drawer, DrawerSession
from payments.services.posting import Line, TenderSpec, transaction_post
from payments.services.sessions import session_open


def drawer(code: str = "T01") -> Drawer:
    return Drawer.objects.get_or_create(code=code, defaults={"name": f"Test {code}"})[0]


def open_session(cashier, code: str = "T01", float_: str = "100.00") -> DrawerSession:  # type: ignore[no-untyped-def]
    return session_open(drawer_id=drawer(code).pk, cashier=cashier, opening_float=Decimal(float_))


def cash(amount: str) -> TenderSpec:
    return TenderSpec(kind="cash", amount=Decimal(amount))


def check(amount: str, number: str = "1001") -> TenderSpec:
    return TenderSpec(kind="check", amount=Decimal(amount), check_number=number, bank_name="Desert Bank")


def post(session, cashier, *lines: tuple, tenders: list[TenderSpec], key=None):  # type: ignore[no-untyped-def]
    return transaction_post(
        lines=[Line(a.pk, Decimal(x)) for a, x in lines],
        tenders=tenders,
        actor=cashier,
        session_id=session.pk,
        idempotency_key=key or uuid4(),
    )
