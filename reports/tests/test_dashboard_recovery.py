"""Write-offs, recoveries and agency referrals equal collections_app's recovery records, per
period and per agency; each number drills into exactly the records it counts; constant queries."""

from datetime import timedelta
from decimal import Decimal
from itertools import count
from urllib.parse import urlencode

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from collections_app.models.recovery import (
    AgencyReferral,
    AgencyRemittance,
    AgencyRemittanceLine,
    CollectionAgency,
    WriteOff,
    WriteOffRecovery,
)
from payments.models import CounterTransaction, Payment
from reports.tests.dash import breakdown, cell, column, periods, rollup

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = TODAY - timedelta(days=60)
_n = count()


def payment(user, account, amount, on):
    n = next(_n)
    txn = CounterTransaction.objects.create(
        receipt_number=f"W{n:06d}",
        idempotency_key=f"dash-w{n}",
        total=Decimal(amount),
        created_by=user,
        business_date=on,
    )
    return Payment.objects.create(
        transaction=txn, account=account, amount=Decimal(amount), tender_kind="cash", business_date=on
    )


def write_off(user, *, on, amount, status="posted", kind="uncollectible"):
    return WriteOff.objects.create(
        account=AccountFactory(),
        kind=kind,
        status=status,
        amount=Decimal(amount),
        reason="test",
        requested_by=user,
        posted_on=on if status == "posted" else None,
        idempotency_key=f"dash-wo{next(_n)}",
    )


def recover(user, wo, *, on, amount, reversed_=False):
    return WriteOffRecovery.objects.create(
        write_off=wo,
        payment=payment(user, wo.account, amount, on),
        amount=Decimal(amount),
        recovered_on=on,
        reversed=reversed_,
    )


def refer(user, agency, *, on, principal):
    return AgencyReferral.objects.create(
        account=AccountFactory(), agency=agency, referred_on=on, principal=Decimal(principal), created_by=user
    )


def remit(user, referral, *, on, amount, commission):
    remittance = AgencyRemittance.objects.create(
        agency=referral.agency, file_name="r.csv", sha256=f"{next(_n):064d}", imported_by=user
    )
    return AgencyRemittanceLine.objects.create(
        remittance=remittance,
        line_number=1,
        referral=referral,
        payment=payment(user, referral.account, amount, on),
        amount=Decimal(amount),
        commission=Decimal(commission),
        paid_on=on,
    )


@pytest.fixture
def officer(make_user):
    return make_user("oli", "Collections officer", first_name="Oli", last_name="Park")


@pytest.fixture
def agencies(db):
    return CollectionAgency.objects.create(name="Acme Recovery"), CollectionAgency.objects.create(name="Zeta")


def seed(officer, agencies, n=1):
    acme, zeta = agencies
    for _ in range(n):
        wo = write_off(officer, on=START + timedelta(days=2), amount="120.00")
        write_off(None, on=START + timedelta(days=40), amount="4.50", kind="small_balance")
        write_off(officer, on=START + timedelta(days=3), amount="99.00", status="pending")  # not posted
        old = write_off(officer, on=START - timedelta(days=30), amount="300.00")  # before the range
        recover(officer, wo, on=START + timedelta(days=35), amount="20.00")
        recover(officer, old, on=TODAY, amount="50.00")
        recover(
            officer, old, on=START + timedelta(days=10), amount="70.00", reversed_=True
        )  # a returned check
        a = refer(officer, acme, on=START + timedelta(days=5), principal="400.00")
        z = refer(None, zeta, on=START + timedelta(days=45), principal="250.00")
        refer(officer, zeta, on=START - timedelta(days=5), principal="999.00")  # before the range
        remit(officer, a, on=START + timedelta(days=31), amount="100.00", commission="25.00")
        remit(officer, z, on=TODAY, amount="80.00", commission="20.00")


def direct(agency=None) -> dict:
    wos = WriteOff.objects.filter(status="posted", posted_on__range=(START, TODAY))
    recs = WriteOffRecovery.objects.filter(reversed=False, recovered_on__range=(START, TODAY))
    refs = AgencyReferral.objects.filter(referred_on__range=(START, TODAY))
    lines = AgencyRemittanceLine.objects.filter(paid_on__range=(START, TODAY))
    if agency is not None:
        refs, lines = refs.filter(agency=agency), lines.filter(referral__agency=agency)

    def total(qs, field):
        return qs.aggregate(s=Sum(field))["s"] or Decimal("0.00")

    return {
        "Written off": wos.count(),
        "Written off ($)": total(wos, "amount"),
        "Recoveries": recs.count(),
        "Recovered ($)": total(recs, "amount"),
        "Referred": refs.count(),
        "Referred ($)": total(refs, "principal"),
        "Agency collected ($)": total(lines, "amount"),
        "Agency commission ($)": total(lines, "commission"),
    }


def test_figures_per_month_and_per_agency_equal_the_records(officer, agencies):
    seed(officer, agencies)
    rollup(START - timedelta(days=40), TODAY)
    table = periods("recovery", start=START, end=TODAY, grain="month")
    got = {label: sum(column(table, label)) for label in direct()}
    assert got == direct()
    assert got["Written off ($)"] == Decimal("124.50") and got["Recovered ($)"] == Decimal("70.00")
    assert got["Agency commission ($)"] == Decimal("45.00")
    per = breakdown("recovery", start=START, end=TODAY)
    assert [r.label for r in per.rows] == ["Acme Recovery", "Zeta"]
    for agency in agencies:
        want = direct(agency)
        for label in ("Referred", "Referred ($)", "Agency collected ($)", "Agency commission ($)"):
            assert cell(per, agency.name, label).value == want[label], (agency.name, label)
    # the employee filter: only the officer's write-offs and referrals
    mine = periods("recovery", start=START, end=TODAY, employee=str(officer.pk))
    assert sum(column(mine, "Written off")) == 1 and sum(column(mine, "Referred")) == 1
    assert sum(column(mine, "Recoveries")) == 0


def test_each_number_drills_into_exactly_its_records(client, make_user, officer, agencies):
    _acme, zeta = agencies
    seed(officer, agencies)
    rollup(START - timedelta(days=40), TODAY)
    client.force_login(make_user("sup", "Supervisor"))
    page = client.get(reverse("reports:dashboard", args=["recovery"]), {"start": START, "end": TODAY})
    per = page.context["breakdown"]
    z = next(r for r in per["rows"] if r["label"] == "Zeta")
    drilled = client.get(z["cells"][per["columns"].index("Agency commission ($)")]["href"])
    want = AgencyRemittanceLine.objects.filter(referral__agency=zeta, paid_on__range=(START, TODAY))
    assert [r[0]["text"] for r in drilled.context["rows"]] == [f"#{line.referral_id}" for line in want]
    assert drilled.context["rows"][0][0]["href"] == reverse(
        "collections_app:referral", args=[want[0].referral_id]
    )
    table = page.context["periods"]
    for row in table["rows"]:
        for label in ("Written off", "Recoveries", "Referred"):
            c = row["cells"][table["columns"].index(label)]
            csv = client.get(c["href"].replace("/drill/?", "/drill.csv?"))
            lines = b"".join(csv.streaming_content).decode().splitlines()
            assert len(lines) - 1 == int(c["text"].replace(",", "")), (row["label"], label)
    drill = {"metric": "recovery.recovered", "key": "", "from": START, "to": TODAY}
    rows = client.get(reverse("reports:drill", args=["recovery"]) + "?" + urlencode(drill)).context["rows"]
    want_recs = WriteOffRecovery.objects.filter(reversed=False, recovered_on__range=(START, TODAY)).order_by(
        "pk"
    )
    assert [r[0]["text"] for r in rows] == [r.payment.transaction.receipt_number for r in want_recs]


@pytest.mark.parametrize("n", [1, 3])
def test_queries_do_not_grow_with_rows(
    client, make_user, officer, agencies, n, django_assert_max_num_queries
):
    seed(officer, agencies, n)
    rollup(START - timedelta(days=40), TODAY)
    client.force_login(make_user("sup", "Supervisor"))
    params = {"start": START, "end": TODAY, "grain": "day"}
    with django_assert_max_num_queries(10):
        assert client.get(reverse("reports:dashboard", args=["recovery"]), params).status_code == 200
    for metric, rows in (
        ("recovery.written_off", 2 * n),
        ("recovery.collected", 2 * n),
        ("recovery.referred", 2 * n),
    ):
        drill = {**params, "metric": metric, "key": "", "from": START, "to": TODAY}
        with django_assert_max_num_queries(9):
            response = client.get(reverse("reports:drill", args=["recovery"]) + "?" + urlencode(drill))
        assert len(response.context["rows"]) == rows
