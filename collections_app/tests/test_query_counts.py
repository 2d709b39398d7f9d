"""Every collections list page and API list costs the same number of queries for N rows as for 3N:
the selectors own their select_related / prefetch_related, templates and serializers never query
in a loop. Each test renders the list with N rows, adds 2N more, and asserts the same count."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from collections_app.models import (
    AgencyReferral,
    BankruptcyCase,
    BatchRun,
    CollectionAgency,
    CreditReferenceLetter,
    DepositStatus,
    Notice,
    NoticeBatch,
    RunKind,
    RunStatus,
    SecurityDeposit,
    ShutoffCandidate,
    SmallClaim,
    WriteOff,
)
from collections_app.models.deposits import DepositInstallment, RefundMethod
from collections_app.models.orders import OrderKind, OrderStatus, ServiceOrder
from collections_app.services.shutoff import shutoff_run
from collections_app.tests.shutoff_setup import business_day, delinquent
from conftest import ROLE_NAMES

pytestmark = pytest.mark.django_db
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES
TODAY = timezone.localdate()
N = 3
_seq = count(1)


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return len(ctx.captured_queries)


def _constant(client, url: str, add: Callable[[int], None], django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    """N rows, then 3N rows: the same number of queries."""
    add(N)
    _queries(client, url)  # warm caches (content types, session) that a second request reuses
    with_n = _queries(client, url)
    add(2 * N)
    with django_assert_num_queries(with_n):
        assert client.get(url).status_code == 200


@pytest.fixture
def officer(role_clients):  # type: ignore[no-untyped-def]
    return role_clients[COLLECTOR]


@pytest.fixture
def supervisor(role_clients):  # type: ignore[no-untyped-def]
    return role_clients[SUPERVISOR]


def _user(role: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=role.lower().replace(" ", "_"))


# --- shutoff runs and their candidates -------------------------------------------------------


@pytest.fixture
def run(role_clients):  # type: ignore[no-untyped-def]
    day = business_day()
    for _ in range(N):
        delinquent(as_of=day)
    return shutoff_run(business_date=day)


def _add_candidates(run: BatchRun) -> Callable[[int], None]:
    model = ShutoffCandidate.objects.filter(run=run).first()
    assert model is not None and model.status == "listed"

    def add(n: int) -> None:
        if n == N:
            return  # the run's own N candidates
        for i in range(n):
            ShutoffCandidate.objects.create(
                run=run,
                account=AccountFactory(),
                status=model.status,
                earliest_date=model.earliest_date,
                deciding_code=model.deciding_code,
                reason=model.reason,
                citation=model.citation,
                past_due=model.past_due,
                days_delinquent=model.days_delinquent,
                decision=model.decision,
                excluded=bool(i % 2),
                exclude_reason="Customer paid at the counter" if i % 2 else "",
                excluded_by=_user(COLLECTOR) if i % 2 else None,
            )

    return add


def test_shutoff_run_candidates_page(run, officer, django_assert_num_queries):  # type: ignore[no-untyped-def]
    _constant(officer, f"/collections/shutoff/{run.pk}/", _add_candidates(run), django_assert_num_queries)


def test_shutoff_run_candidates_api(run, officer, django_assert_num_queries):  # type: ignore[no-untyped-def]
    _constant(
        officer, f"/api/v1/shutoff-runs/{run.pk}/candidates", _add_candidates(run), django_assert_num_queries
    )


def test_shutoff_run_csv(run, django_assert_num_queries):  # type: ignore[no-untyped-def]
    """What the export job's worker reads (collections_app.export_jobs), without the job around it."""
    from collections_app.export_jobs import csv_bytes, shutoff_csv_rows

    def export() -> bytes:
        _, total, rows = shutoff_csv_rows(run_id=run.pk, tab="listed")
        return csv_bytes(rows, total=total, progress=lambda *a, **k: None)  # type: ignore[arg-type]

    add = _add_candidates(run)
    add(N)
    with CaptureQueriesContext(connection) as ctx:
        before = export().count(b"\r\n")
    add(2 * N)
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert export().count(b"\r\n") > before  # the added rows are read (half are excluded)


def _add_runs(n: int) -> None:
    start = BatchRun.objects.filter(kind=RunKind.SHUTOFF).count()
    for i in range(n):
        BatchRun.objects.create(
            kind=RunKind.SHUTOFF,
            business_date=TODAY - timedelta(days=400 + start + i),
            status=RunStatus.APPROVED,
            total=3,
            done=3,
            counts={"by_status": {"listed": 1}},
            started_by=_user(COLLECTOR),
            approved_by=_user(SUPERVISOR),
            approved_at=timezone.now(),
        )


def test_shutoff_runs_page_and_api(officer, django_assert_num_queries):  # type: ignore[no-untyped-def]
    _constant(officer, "/collections/shutoff/", _add_runs, django_assert_num_queries)
    _constant(officer, "/api/v1/shutoff-runs", _add_runs, django_assert_num_queries)


# --- service orders --------------------------------------------------------------------------


def _add_orders(status: str) -> Callable[[int], None]:
    def add(n: int) -> None:
        for _ in range(n):
            ServiceOrder.objects.create(
                account=AccountFactory(),
                kind=OrderKind.DISCONNECT,
                status=status,
                reason="Shutoff list: 90 days delinquent",
                scheduled_for=TODAY,
                crew="Crew 7" if status != OrderStatus.OPEN else "",
                dispatched_at=timezone.now() if status != OrderStatus.OPEN else None,
                dispatched_by=_user(COLLECTOR) if status != OrderStatus.OPEN else None,
                created_by=_user(COLLECTOR),
                idempotency_key=f"qc-order-{next(_seq)}",
            )

    return add


@pytest.mark.parametrize("status", [OrderStatus.OPEN, OrderStatus.DISPATCHED])
def test_orders_board(officer, status, django_assert_num_queries):  # type: ignore[no-untyped-def]
    _constant(officer, f"/collections/orders/?tab={status}", _add_orders(status), django_assert_num_queries)


def test_orders_api_and_route_sheet(officer, django_assert_num_queries):  # type: ignore[no-untyped-def]
    add = _add_orders(OrderStatus.DISPATCHED)
    _constant(officer, "/api/v1/service-orders?status=dispatched", add, django_assert_num_queries)
    _constant(officer, "/collections/orders/route-sheet.csv", add, django_assert_num_queries)


# --- notices ---------------------------------------------------------------------------------


def _add_notices(batch: NoticeBatch | None, account=None) -> Callable[[int], None]:  # type: ignore[no-untyped-def]
    def add(n: int) -> None:
        for _ in range(n):
            Notice.objects.create(
                account=account or AccountFactory(),
                batch=batch,
                kind="shutoff",
                addressee="Maria Testperson",
                address="100 W Main St",
                amount_due=Decimal("150.00"),
                pay_by=TODAY + timedelta(days=10),
                earliest_action=TODAY + timedelta(days=12),
                sent_on=TODAY if batch is None else None,
                sent_by=_user(COLLECTOR) if batch is None else None,
                created_by=_user(COLLECTOR),
                idempotency_key=f"qc-notice-{next(_seq)}",
            )

    return add


def test_notice_batch_page(officer, django_assert_num_queries):  # type: ignore[no-untyped-def]
    batch = NoticeBatch.objects.create(kind="shutoff", business_date=TODAY, created_by=_user(COLLECTOR))
    _constant(
        officer, f"/collections/notices/batches/{batch.pk}/", _add_notices(batch), django_assert_num_queries
    )


def test_notice_batches_list(officer, django_assert_num_queries):  # type: ignore[no-untyped-def]
    def add(n: int) -> None:
        start = NoticeBatch.objects.count()
        for i in range(n):
            batch = NoticeBatch.objects.create(
                kind="shutoff",
                business_date=TODAY - timedelta(days=start + i),
                created_by=_user(COLLECTOR),
                sent_by=_user(SUPERVISOR),
                sent_on=TODAY - timedelta(days=start + i),
            )
            _add_notices(batch)(2)

    _constant(officer, "/collections/notices/", add, django_assert_num_queries)


def test_account_notices_page_and_api(officer, django_assert_num_queries):  # type: ignore[no-untyped-def]
    account = AccountFactory()
    add = _add_notices(None, account)
    _constant(officer, f"/collections/accounts/{account.number}/notices/", add, django_assert_num_queries)
    _constant(officer, f"/api/v1/accounts/{account.number}/notices", add, django_assert_num_queries)


# --- deposits --------------------------------------------------------------------------------


def _deposit(account=None, **kw) -> SecurityDeposit:  # type: ignore[no-untyped-def]
    deposit = SecurityDeposit.objects.create(
        account=account or AccountFactory(),
        required_amount=Decimal("120.00"),
        installments=3,
        created_by=_user(COLLECTOR),
        idempotency_key=f"qc-deposit-{next(_seq)}",
        **kw,
    )
    for i in range(3):
        DepositInstallment.objects.create(
            deposit=deposit, number=i + 1, due_date=TODAY + timedelta(days=30 * i), amount=Decimal("40.00")
        )
    return deposit


def test_deposits_page(officer, django_assert_num_queries):  # type: ignore[no-untyped-def]
    def add(n: int) -> None:
        for _ in range(n):
            _deposit(status=DepositStatus.BILLING, billed_amount=Decimal("40.00"))
            _deposit(status=DepositStatus.HELD, held_amount=Decimal("120.00"), held_since=TODAY)
            _deposit(
                status=DepositStatus.REFUNDED,
                refund_method=RefundMethod.CHECK,
                refunded_amount=Decimal("120.00"),
                closed_on=TODAY,
            )
            _deposit(
                status=DepositStatus.WAIVED, waiver_reason="Long-time customer", waived_by=_user(SUPERVISOR)
            )

    _constant(officer, "/collections/deposits/", add, django_assert_num_queries)


def test_account_deposit_page(officer, django_assert_num_queries):  # type: ignore[no-untyped-def]
    account = AccountFactory()
    _deposit(account, status=DepositStatus.BILLING)

    def add(n: int) -> None:
        for _ in range(n):
            _deposit(
                account,
                status=DepositStatus.WAIVED,
                waiver_reason="Letter of credit",
                waived_by=_user(SUPERVISOR),
                closed_on=TODAY,
            )

    _constant(officer, f"/collections/accounts/{account.number}/deposit/", add, django_assert_num_queries)


# --- recovery --------------------------------------------------------------------------------


def test_write_offs_page(supervisor, django_assert_num_queries):  # type: ignore[no-untyped-def]
    def add(n: int) -> None:
        for _ in range(n):
            for status in ("pending", "posted"):
                WriteOff.objects.create(
                    account=AccountFactory(),
                    kind="uncollectible",
                    status=status,
                    amount=Decimal("80.00"),
                    criteria="debtor_not_found",
                    reason="Letters returned, phone disconnected",
                    requested_by=_user(COLLECTOR),
                    decided_by=_user(SUPERVISOR) if status == "posted" else None,
                    decided_at=timezone.now() if status == "posted" else None,
                    posted_on=TODAY if status == "posted" else None,
                    idempotency_key=f"qc-wo-{next(_seq)}",
                )

    _constant(supervisor, "/collections/recovery/write-offs/", add, django_assert_num_queries)


def _add_referrals(n: int) -> None:
    agency = CollectionAgency.objects.get_or_create(name="Desert Recovery Services")[0]
    for _ in range(n):
        AgencyReferral.objects.create(
            account=AccountFactory(status="final"),
            agency=agency,
            referred_on=TODAY,
            principal=Decimal("200.00"),
            fee_amount=Decimal("40.00"),
            created_by=_user(COLLECTOR),
        )


@pytest.mark.parametrize(
    "url",
    [
        "/collections/recovery/referrals/?status=referred",
        "/api/v1/agency-referrals",
    ],
)
def test_agency_referral_lists(officer, url, django_assert_num_queries):  # type: ignore[no-untyped-def]
    _constant(officer, url, _add_referrals, django_assert_num_queries)


def _constant_export(export: Callable[[], bytes], add: Callable[[int], None], assert_queries) -> None:  # type: ignore[no-untyped-def]
    """What an export job's worker reads (collections_app.export_jobs): N rows, then 3N rows."""
    add(N)
    with CaptureQueriesContext(connection) as ctx:
        before = export().count(b"\r\n")
    add(2 * N)
    with assert_queries(len(ctx.captured_queries)):
        assert export().count(b"\r\n") > before  # the added rows are read


def test_agency_referral_file(officer, django_assert_num_queries):  # type: ignore[no-untyped-def]
    from collections_app.export_jobs import csv_bytes
    from collections_app.selectors.recovery import referral_file_rows

    _constant_export(
        lambda: csv_bytes(referral_file_rows(), total=0, progress=lambda *a, **k: None),  # type: ignore[arg-type]
        _add_referrals,
        django_assert_num_queries,
    )


def test_bankruptcy_list(officer, django_assert_num_queries):  # type: ignore[no-untyped-def]
    def add(n: int) -> None:
        for _ in range(n):
            BankruptcyCase.objects.create(
                account=AccountFactory(),
                chapter=7,
                case_number=f"26-{next(_seq)}",
                petition_date=TODAY - timedelta(days=5),
                pre_petition_balance=Decimal("150.00"),
                assurance_deadline=TODAY + timedelta(days=15),
                recorded_by=_user(COLLECTOR),
            )

    _constant(officer, "/collections/recovery/bankruptcies/", add, django_assert_num_queries)


def test_account_bankruptcy_api(officer, django_assert_num_queries):  # type: ignore[no-untyped-def]
    account = AccountFactory()

    def add(n: int) -> None:
        for _ in range(n):
            BankruptcyCase.objects.create(
                account=account,
                chapter=13,
                case_number=f"26-{next(_seq)}",
                petition_date=TODAY - timedelta(days=400),
                assurance_deadline=TODAY - timedelta(days=380),
                status="dismissed",
                closed_on=TODAY - timedelta(days=100),
                recorded_by=_user(COLLECTOR),
            )

    _constant(officer, f"/api/v1/accounts/{account.number}/bankruptcy", add, django_assert_num_queries)


@pytest.mark.parametrize("status", ["open", ""])
def test_small_claims_list(officer, status, django_assert_num_queries):  # type: ignore[no-untyped-def]
    def add(n: int) -> None:
        for _ in range(n):
            SmallClaim.objects.create(
                account=AccountFactory(),
                court="Justice Court",
                case_number=f"SC-{next(_seq)}",
                filed_on=TODAY,
                claim_amount=Decimal("300.00"),
                created_by=_user(COLLECTOR),
            )

    _constant(officer, f"/collections/recovery/small-claims/?status={status}", add, django_assert_num_queries)


def test_credit_letters_of_an_account(officer, django_assert_num_queries):  # type: ignore[no-untyped-def]
    account = AccountFactory()

    def add(n: int) -> None:
        for _ in range(n):
            CreditReferenceLetter.objects.create(
                account=account, addressed_to="Gas Co", issued_on=TODAY, issued_by=_user(COLLECTOR)
            )

    _constant(
        officer, f"/collections/accounts/{account.number}/credit-letter/", add, django_assert_num_queries
    )


def test_agencies_list(role_clients, django_assert_num_queries):  # type: ignore[no-untyped-def]
    def add(n: int) -> None:
        for _ in range(n):
            CollectionAgency.objects.create(name=f"Agency {next(_seq)}")

    _constant(role_clients[ADMIN], "/collections/recovery/agencies/", add, django_assert_num_queries)


def test_referral_page_with_its_remittance_lines(officer, django_assert_num_queries):  # type: ignore[no-untyped-def]
    from collections_app.services.agency import remittance_import

    _add_referrals(1)
    referral = AgencyReferral.objects.get()
    referral.referred_on = TODAY - timedelta(days=30)
    referral.save(update_fields=["referred_on"])

    files = count(0)

    def add(n: int) -> None:
        start = next(files) * 10  # each file pays on other days, after the referral date
        lines = "".join(
            f"{referral.account.number},{referral.pk},1.00,{TODAY - timedelta(days=start + i)}\n"
            for i in range(n)
        )
        remittance_import(
            data=f"account_number,referral_id,amount,paid_on\n{lines}".encode(),
            file_name=f"remit-{start}.csv",
            agency_id=referral.agency_id,
            actor=_user(COLLECTOR),
        )

    _constant(officer, f"/collections/recovery/referrals/{referral.pk}/", add, django_assert_num_queries)
