from datetime import date, timedelta
from decimal import Decimal

import factory
from django.db import transaction

from accounts.models import Account, Customer, EntryKind, Fund, Premise, Service
from accounts.services.ledger import EntrySpec, _post, accounts_lock


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    first_name = "Maria"
    last_name = factory.Sequence(lambda n: f"Testperson{n}")
    search_name = factory.LazyAttribute(lambda c: f"{c.last_name}, {c.first_name}".upper())
    phone = "(602) 555-0100"
    phone_digits = "6025550100"
    email = "maria@example.com"
    mail_line1 = "100 W Main St"
    mail_city = "Phoenix"
    mail_state = "AZ"
    mail_postal_code = "85004"


class PremiseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Premise

    address = factory.Sequence(lambda n: f"{100 + n} W Main St")
    city = "Phoenix"
    state = "AZ"
    postal_code = "85004"
    search_address = factory.LazyAttribute(lambda p: p.address.upper())


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account
        skip_postgeneration_save = True  # the related water service does not change the account

    number = factory.Sequence(lambda n: f"{9000000000 + n:010d}")
    customer = factory.SubFactory(CustomerFactory)
    premise = factory.SubFactory(PremiseFactory)
    opened_on = date(2020, 1, 1)
    water = factory.RelatedFactory("accounts.tests.factories.ServiceFactory", "account", utility="water")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    utility = "water"
    started_on = date(2020, 1, 1)


def fund(code: str) -> Fund:
    return Fund.objects.get(code=code)


_seq = iter(range(10**9))


def post(account: Account, *specs: EntrySpec) -> None:
    """Test helper: append entries through the ledger's own posting path."""
    with transaction.atomic():
        locked = accounts_lock([account.pk])[account.pk]
        _post(account=locked, specs=list(specs), actor=None, key_prefix=f"test:{next(_seq)}")
    account.refresh_from_db()


def charge(
    account: Account, amount: str, *, due: date, code: str = "WTR", billed: date | None = None
) -> None:
    post(
        account,
        EntrySpec(
            fund_id=fund(code).pk,
            kind=EntryKind.CHARGE,
            amount=Decimal(amount),
            effective_date=billed or due - timedelta(days=21),
            due_date=due,
        ),
    )


def pay(account: Account, amount: str, *, on: date, code: str = "WTR", reference: str = "PAY-1") -> None:
    post(
        account,
        EntrySpec(
            fund_id=fund(code).pk,
            kind=EntryKind.PAYMENT,
            amount=-Decimal(amount),
            effective_date=on,
            reference=reference,
        ),
    )
