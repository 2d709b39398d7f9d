"""Every collections page, action and API call, in one table: which roles it answers and that every
other role gets 403 from the server (not just a hidden button), and that an anonymous visitor is
sent to sign in (pages) or refused (API). A URL added to collections without a row here fails
`test_the_table_covers_every_collections_url`."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from collections_app.models import (
    AgencyReferral,
    Appeal,
    BankruptcyCase,
    BatchRun,
    CollectionAgency,
    DepositStatus,
    Notice,
    NoticeBatch,
    Refund,
    RunKind,
    RunStatus,
    SecurityDeposit,
    ShutoffCandidate,
    SmallClaim,
    WriteOff,
)
from collections_app.models.deposits import RefundMethod
from collections_app.models.orders import OrderKind, ServiceOrder
from collections_app.services.credit_letters import credit_letter_issue
from conftest import ROLE_NAMES, assert_access
from policy.models import Holiday

pytestmark = pytest.mark.django_db
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES
TODAY = timezone.localdate()

DESK = {COLLECTOR, SUPERVISOR}  # collections_app.COLLECTIONS_DESK
WHATIF = {COUNSELOR, COLLECTOR, SUPERVISOR}  # use_whatif; also medical certificates and appeals
POLICY_READERS = {COUNSELOR, COLLECTOR, SUPERVISOR, ADMIN}
POLICY_WRITERS = {SUPERVISOR, ADMIN}

# (url name, method, path, roles allowed, status an allowed role gets). Paths use the objects of
# the `objects` fixture; POSTs send no data, so an allowed role meets the form's own refusal.
TABLE = [
    # home, policy, what-if, protections
    ("collections_app:home", "get", "/collections/", {COLLECTOR, SUPERVISOR}, 200),  # their desk too
    ("collections_app:whatif", "get", "/collections/what-if/", WHATIF, 200),
    ("collections_app:whatif", "post", "/collections/what-if/", WHATIF, 200),
    ("collections_app:policy", "get", "/collections/policy/", POLICY_READERS, 200),
    ("collections_app:policy_new", "get", "/collections/policy/new/", POLICY_WRITERS, 200),
    ("collections_app:policy_new", "post", "/collections/policy/new/", POLICY_WRITERS, 200),
    ("collections_app:holiday_add", "post", "/collections/policy/holidays/add/", {ADMIN}, 302),
    (
        "collections_app:holiday_remove",
        "post",
        "/collections/policy/holidays/{holiday}/remove/",
        {ADMIN},
        302,
    ),
    ("collections_app:weather_add", "get", "/collections/policy/weather/add/", DESK, 200),
    ("collections_app:weather_add", "post", "/collections/policy/weather/add/", DESK, 200),
    ("collections_app:account_decision", "get", "/collections/accounts/{number}/decision/", WHATIF, 200),
    ("collections_app:medical_new", "get", "/collections/accounts/{number}/medical/", WHATIF, 200),
    ("collections_app:medical_new", "post", "/collections/accounts/{number}/medical/", WHATIF, 200),
    ("collections_app:appeal_new", "get", "/collections/accounts/{number}/appeal/", WHATIF, 200),
    ("collections_app:appeal_new", "post", "/collections/accounts/{number}/appeal/", WHATIF, 200),
    ("collections_app:appeal_resolve", "post", "/collections/appeals/{appeal}/resolve/", DESK, 302),
    (
        "collections_app:contact_attempt_new",
        "get",
        "/collections/accounts/{number}/contact-attempt/",
        DESK,
        200,
    ),
    (
        "collections_app:contact_attempt_new",
        "post",
        "/collections/accounts/{number}/contact-attempt/",
        DESK,
        200,
    ),
    # shutoff lists
    ("collections_app:shutoff_runs", "get", "/collections/shutoff/", DESK, 200),
    ("collections_app:shutoff_run_now", "post", "/collections/shutoff/run-now/", DESK, 302),
    ("collections_app:shutoff_run", "get", "/collections/shutoff/{run}/", DESK, 200),
    ("collections_app:shutoff_progress", "get", "/collections/shutoff/{run}/progress/", DESK, 200),
    ("collections_app:shutoff_csv", "post", "/collections/shutoff/{run}/export.csv", DESK, 302),
    (
        "collections_app:shutoff_exclude",
        "post",
        "/collections/shutoff/{run}/candidates/{candidate}/exclude/",
        DESK,
        302,
    ),
    ("collections_app:shutoff_approve", "post", "/collections/shutoff/{run}/approve/", DESK, 302),
    ("collections_app:shutoff_resume", "post", "/collections/shutoff/{run}/resume/", DESK, 302),
    # service orders
    ("collections_app:orders", "get", "/collections/orders/", DESK, 200),
    ("collections_app:orders_dispatch", "post", "/collections/orders/dispatch/", DESK, 302),
    ("collections_app:route_sheet_pdf", "get", "/collections/orders/route-sheet.pdf", DESK, 200),
    ("collections_app:route_sheet_csv", "get", "/collections/orders/route-sheet.csv", DESK, 200),
    ("collections_app:order", "get", "/collections/orders/{order}/", DESK, 200),
    ("collections_app:order_complete", "post", "/collections/orders/{order}/complete/", DESK, 302),
    ("collections_app:order_cancel", "post", "/collections/orders/{order}/cancel/", DESK, 302),
    ("collections_app:order_after_hours", "post", "/collections/orders/{order}/after-hours/", DESK, 302),
    ("collections_app:order_visit_new", "get", "/collections/accounts/{number}/field-visit/", DESK, 200),
    ("collections_app:order_visit_new", "post", "/collections/accounts/{number}/field-visit/", DESK, 200),
    # notices
    ("collections_app:notices", "get", "/collections/notices/", DESK, 200),
    ("collections_app:notice_batch_build", "post", "/collections/notices/build/", DESK, 302),
    ("collections_app:notice_batch", "get", "/collections/notices/batches/{batch}/", DESK, 200),
    ("collections_app:notice_batch_pdf", "post", "/collections/notices/batches/{batch}/pdf/", DESK, 302),
    ("collections_app:notice_batch_sent", "post", "/collections/notices/batches/{batch}/sent/", DESK, 302),
    ("collections_app:notice_pdf", "get", "/collections/notices/{notice}.pdf", DESK, 200),
    ("collections_app:account_notices", "get", "/collections/accounts/{number}/notices/", DESK, 200),
    ("collections_app:account_notices", "post", "/collections/accounts/{number}/notices/", DESK, 200),
    # deposits
    ("collections_app:deposits", "get", "/collections/deposits/", DESK, 200),
    ("collections_app:deposits_run", "post", "/collections/deposits/run/", DESK, 302),
    ("collections_app:deposit_waive", "post", "/collections/deposits/{deposit}/waive/", {SUPERVISOR}, 302),
    (
        "collections_app:deposit_check_issued",
        "post",
        "/collections/deposits/{refund}/check-issued/",
        DESK,
        302,
    ),
    ("collections_app:account_deposit", "get", "/collections/accounts/{number}/deposit/", DESK, 200),
    ("collections_app:account_deposit", "post", "/collections/accounts/{number}/deposit/", DESK, 200),
    # recovery
    ("collections_app:recovery", "get", "/collections/recovery/", DESK, 200),
    ("collections_app:write_offs", "get", "/collections/recovery/write-offs/", DESK, 200),
    ("collections_app:write_off_run", "post", "/collections/recovery/write-offs/run", DESK, 302),
    (
        "collections_app:write_off_decide",
        "post",
        "/collections/recovery/write-offs/{write_off}/decide",
        {SUPERVISOR},
        302,
    ),
    ("collections_app:write_off_new", "get", "/collections/accounts/{number}/write-off/", DESK, 200),
    ("collections_app:write_off_new", "post", "/collections/accounts/{number}/write-off/", DESK, 200),
    ("collections_app:referrals", "get", "/collections/recovery/referrals/", DESK, 200),
    ("collections_app:referral_run", "post", "/collections/recovery/referrals/run", DESK, 302),
    ("collections_app:referral_file", "post", "/collections/recovery/referrals/file.csv", DESK, 302),
    ("collections_app:remittance", "get", "/collections/recovery/referrals/remittance/", DESK, 200),
    ("collections_app:remittance", "post", "/collections/recovery/referrals/remittance/", DESK, 200),
    ("collections_app:referral", "get", "/collections/recovery/referrals/{referral}/", DESK, 200),
    (
        "collections_app:referral_recall",
        "post",
        "/collections/recovery/referrals/{referral}/recall",
        DESK,
        302,
    ),
    (
        "collections_app:referral_letter",
        "get",
        "/collections/recovery/referrals/{referral}/letter.pdf",
        DESK,
        200,
    ),
    ("collections_app:agencies", "get", "/collections/recovery/agencies/", {ADMIN}, 200),
    ("collections_app:agency_new", "get", "/collections/recovery/agencies/new", {ADMIN}, 200),
    ("collections_app:agency_new", "post", "/collections/recovery/agencies/new", {ADMIN}, 200),
    ("collections_app:agency_edit", "get", "/collections/recovery/agencies/{agency}/edit", {ADMIN}, 200),
    ("collections_app:agency_edit", "post", "/collections/recovery/agencies/{agency}/edit", {ADMIN}, 200),
    ("collections_app:bankruptcies", "get", "/collections/recovery/bankruptcies/", DESK, 200),
    ("collections_app:bankruptcy", "get", "/collections/recovery/bankruptcies/{case}/", DESK, 200),
    (
        "collections_app:bankruptcy_assurance",
        "post",
        "/collections/recovery/bankruptcies/{case}/assurance",
        DESK,
        302,
    ),
    (
        "collections_app:bankruptcy_setoff",
        "post",
        "/collections/recovery/bankruptcies/{case}/setoff",
        DESK,
        302,
    ),
    (
        "collections_app:bankruptcy_discharge",
        "post",
        "/collections/recovery/bankruptcies/{case}/discharge",
        DESK,
        302,
    ),
    (
        "collections_app:bankruptcy_dismiss",
        "post",
        "/collections/recovery/bankruptcies/{case}/dismiss",
        DESK,
        302,
    ),
    ("collections_app:bankruptcy_new", "get", "/collections/accounts/{other}/bankruptcy/", DESK, 200),
    ("collections_app:bankruptcy_new", "post", "/collections/accounts/{other}/bankruptcy/", DESK, 200),
    ("collections_app:claims", "get", "/collections/recovery/small-claims/", DESK, 200),
    ("collections_app:claim", "get", "/collections/recovery/small-claims/{claim}/", DESK, 200),
    ("collections_app:claim_step", "post", "/collections/recovery/small-claims/{claim}/hearing", DESK, 302),
    ("collections_app:claim_new", "get", "/collections/accounts/{number}/small-claim/", DESK, 200),
    ("collections_app:claim_new", "post", "/collections/accounts/{number}/small-claim/", DESK, 200),
    ("collections_app:credit_letter_new", "get", "/collections/accounts/{number}/credit-letter/", DESK, 200),
    ("collections_app:credit_letter_new", "post", "/collections/accounts/{number}/credit-letter/", DESK, 200),
    ("collections_app:credit_letter", "get", "/collections/recovery/credit-letters/{letter}.pdf", DESK, 200),
    ("collections_app:discontinuations", "get", "/collections/recovery/reports/discontinuations/", DESK, 200),
    (
        "collections_app:discontinuations_csv",
        "get",
        "/collections/recovery/reports/discontinuations.csv",
        DESK,
        200,
    ),
    # refunds: cashiers and the desk request, the desk reads the queue and register, supervisors decide
    ("collections_app:refunds", "get", "/collections/refunds/", DESK, 200),
    ("collections_app:refund_run", "post", "/collections/refunds/run/", DESK, 302),
    ("collections_app:refund_register", "get", "/collections/refunds/register/", DESK, 200),
    ("collections_app:refund_register_csv", "post", "/collections/refunds/register.csv", DESK, 302),
    (
        "collections_app:refund_decide",
        "post",
        "/collections/refunds/{credit_refund}/decide/",
        {SUPERVISOR},
        302,
    ),
    (
        "collections_app:refund_issue",
        "post",
        "/collections/refunds/{credit_refund}/issue/",
        {SUPERVISOR},
        302,
    ),
    (
        "collections_app:refund_cashed",
        "post",
        "/collections/refunds/{credit_refund}/cashed/",
        {SUPERVISOR},
        302,
    ),
    (
        "collections_app:refund_cancel",
        "post",
        "/collections/refunds/{credit_refund}/cancel/",
        {CASHIER, *DESK},
        302,
    ),
    ("collections_app:refund_new", "get", "/collections/accounts/{number}/refund/", {CASHIER, *DESK}, 200),
    ("collections_app:refund_new", "post", "/collections/accounts/{number}/refund/", {CASHIER, *DESK}, 200),
    # API
    ("api:policy-evaluate", "post", "/api/v1/policy/evaluate", WHATIF, 400),
    ("api:policy-presets", "get", "/api/v1/policy/presets", WHATIF, 200),
    ("api:policy-parameters", "get", "/api/v1/policy/parameters", WHATIF, 200),
    ("api:account-decision", "get", "/api/v1/accounts/{number}/decision", WHATIF, 200),
    ("api:shutoff-runs", "get", "/api/v1/shutoff-runs", DESK, 200),
    ("api:shutoff-candidates", "get", "/api/v1/shutoff-runs/{run}/candidates", DESK, 200),
    ("api:service-orders", "get", "/api/v1/service-orders", DESK, 200),
    ("api:service-order-complete", "post", "/api/v1/service-orders/{order}/complete", DESK, 400),
    ("api:service-order-after-hours", "post", "/api/v1/service-orders/{order}/after-hours", DESK, 400),
    ("api:account-notices", "get", "/api/v1/accounts/{number}/notices", DESK, 200),
    ("api:account-deposit", "get", "/api/v1/accounts/{number}/deposit", DESK, 200),
    ("api:account-bankruptcy", "get", "/api/v1/accounts/{number}/bankruptcy", DESK, 200),
    ("api:account-bankruptcy", "post", "/api/v1/accounts/{number}/bankruptcy", DESK, 400),
    ("api:agency-referrals", "get", "/api/v1/agency-referrals", DESK, 200),
]


@pytest.fixture
def objects(make_user):  # type: ignore[no-untyped-def]
    """One of each record a collections URL names, made directly (the services are tested
    elsewhere); `other` is an account with no bankruptcy case, so its form page shows."""
    officer = make_user("table_officer", COLLECTOR)
    requester = make_user("table_requester", COLLECTOR)
    account = AccountFactory(number="0000770001")
    other = AccountFactory(number="0000770002")
    run = BatchRun.objects.create(kind=RunKind.SHUTOFF, business_date=TODAY, status=RunStatus.FINISHED)
    candidate = ShutoffCandidate.objects.create(
        run=run, account=account, status="listed", past_due=Decimal("150.00"), days_delinquent=90
    )
    batch = NoticeBatch.objects.create(kind="shutoff", business_date=TODAY, created_by=officer)
    notice = Notice.objects.create(
        account=account,
        batch=batch,
        kind="shutoff",
        addressee="Maria Testperson",
        amount_due=Decimal("150.00"),
        idempotency_key="table-notice",
    )
    agency = CollectionAgency.objects.create(name="Desert Recovery Services")
    return {
        "number": account.number,
        "other": other.number,
        "holiday": Holiday.objects.create(date=TODAY + timedelta(days=400), name="Test day").pk,
        "appeal": Appeal.objects.create(
            account=account, opened_on=TODAY, subject="High bill", opened_by=officer
        ).pk,
        "run": run.pk,
        "candidate": candidate.pk,
        "order": ServiceOrder.objects.create(
            account=account,
            kind=OrderKind.FIELD_VISIT,
            reason="Post a notice",
            scheduled_for=TODAY,
            idempotency_key="table-order",
        ).pk,
        "batch": batch.pk,
        "notice": notice.pk,
        "deposit": SecurityDeposit.objects.create(
            account=account,
            required_amount=Decimal("120.00"),
            explanation={
                "code": "DEPOSIT",
                "amount": "120.00",
                "reason": "2 x the average bill",
                "citation": "",
                "monthly_bills": ["60.00"],
                "owner": False,
                "late_payments_12m": 2,
                "disconnections_12m": 0,
                "letter_of_credit": False,
                "policy_version": 1,
            },
            idempotency_key="table-deposit",
        ).pk,
        "refund": SecurityDeposit.objects.create(
            account=other,
            required_amount=Decimal("120.00"),
            status=DepositStatus.REFUNDED,
            refund_method=RefundMethod.CHECK,
            refunded_amount=Decimal("120.00"),
            idempotency_key="table-refund",
        ).pk,
        "write_off": WriteOff.objects.create(
            account=account,
            kind="uncollectible",
            amount=Decimal("80.00"),
            criteria="debtor_not_found",
            reason="Letters returned",
            requested_by=requester,
            idempotency_key="table-wo",
        ).pk,
        "referral": AgencyReferral.objects.create(
            account=account, agency=agency, referred_on=TODAY, principal=Decimal("200.00")
        ).pk,
        "agency": agency.pk,
        "case": BankruptcyCase.objects.create(
            account=account,
            chapter=7,
            case_number="26-10001",
            petition_date=TODAY - timedelta(days=5),
            assurance_deadline=TODAY + timedelta(days=15),
            recorded_by=officer,
        ).pk,
        "claim": SmallClaim.objects.create(
            account=account,
            court="Justice Court",
            filed_on=TODAY,
            claim_amount=Decimal("300.00"),
            created_by=officer,
        ).pk,
        "letter": credit_letter_issue(account_id=account.pk, addressed_to="Gas Co", actor=officer).pk,
        "credit_refund": Refund.objects.create(
            account=other,
            amount=Decimal("150.00"),
            method="check",
            payee="Maria Testperson",
            requested_by=requester,
            idempotency_key="table-credit-refund",
        ).pk,
    }


def _ids(row: tuple) -> str:  # type: ignore[type-arg]
    return f"{row[1].upper()} {row[2]}"


@pytest.mark.parametrize(("name", "method", "path", "allowed", "ok"), TABLE, ids=[_ids(r) for r in TABLE])
def test_each_role_gets_only_what_its_role_holds(role_clients, objects, name, method, path, allowed, ok):  # type: ignore[no-untyped-def]
    assert_access(role_clients, path.format(**objects), allowed, method=method, ok=ok)


@pytest.mark.parametrize(("name", "method", "path", "allowed", "ok"), TABLE, ids=[_ids(r) for r in TABLE])
def test_anonymous_visitors_sign_in_first(client, objects, name, method, path, allowed, ok):  # type: ignore[no-untyped-def]
    response = getattr(client, method)(path.format(**objects))
    if path.startswith("/api/"):
        assert response.status_code in (401, 403), f"{method.upper()} {path}: {response.status_code}"
    else:
        assert response.status_code == 302, f"{method.upper()} {path}: {response.status_code}"
        assert response["Location"].startswith("/login/")


def _names(patterns, namespace: str = ""):  # type: ignore[no-untyped-def]
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _names(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern) and p.name:
            module = getattr(p.callback, "__module__", "")
            if namespace == "collections_app" or (
                namespace == "api" and module.startswith("collections_app")
            ):
                yield f"{namespace}:{p.name}"


def test_the_table_covers_every_collections_url():
    names = set(_names(get_resolver().url_patterns))
    assert len(names) == 93, "the walk found the collections pages and API"
    assert names == {row[0] for row in TABLE}
