"""Small claims: filing charges the court fee, then hearing, judgment and satisfaction, or dismissal."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import EntryKind, LedgerEntry
from accounts.services.ledger import ledger_sum
from accounts.tests.factories import AccountFactory, charge
from collections_app.models import SmallClaimStatus
from collections_app.services.small_claims import (
    claim_dismiss,
    claim_file,
    claim_hearing,
    claim_judgment,
    claim_satisfy,
)
from common.exceptions import DomainError
from common.models import AuditEvent

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def officer(make_user):
    return make_user("olga", "Collections officer")


@pytest.fixture
def account():
    account = AccountFactory(number="0000220001", status="final")
    charge(account, "640.00", due=TODAY - timedelta(days=200))
    return account


def file(account, officer, **kw):  # type: ignore[no-untyped-def]
    args = {
        "court": "Maricopa County Justice Court",
        "case_number": "CC2026-0412",
        "filed_on": TODAY - timedelta(days=30),
        "claim_amount": Decimal("640.00"),
        "filing_fee": Decimal("51.00"),
        **kw,
    }
    return claim_file(account_id=account.pk, actor=officer, **args)


def test_claim_lifecycle_filed_hearing_judgment_satisfied(account, officer):
    claim = file(account, officer)
    assert claim.status == SmallClaimStatus.FILED
    fee = LedgerEntry.objects.get(account=account, reference=f"SMALL CLAIM FILING FEE C{claim.pk}")
    assert (fee.kind, fee.fund.code, fee.amount) == (EntryKind.FEE, "FEE", Decimal("51.00"))
    account.refresh_from_db()
    assert account.balance == Decimal("691.00") == ledger_sum(account.pk)

    claim = claim_hearing(claim_id=claim.pk, hearing_on=TODAY + timedelta(days=14), actor=officer)
    assert claim.status == SmallClaimStatus.HEARING_SET
    with pytest.raises(DomainError, match="cannot satisfy"):
        claim_satisfy(claim_id=claim.pk, satisfied_on=TODAY, actor=officer)
    claim = claim_judgment(claim_id=claim.pk, judgment_on=TODAY, amount=Decimal("691.00"), actor=officer)
    assert (claim.status, claim.judgment_amount) == (SmallClaimStatus.JUDGMENT, Decimal("691.00"))
    with pytest.raises(DomainError, match="cannot dismiss"):
        claim_dismiss(claim_id=claim.pk, dismissed_on=TODAY, note="x", actor=officer)
    claim = claim_satisfy(claim_id=claim.pk, satisfied_on=TODAY, actor=officer)
    assert claim.status == SmallClaimStatus.SATISFIED and claim.satisfied_on == TODAY
    verbs = list(
        AuditEvent.objects.filter(account_id=account.pk, verb__startswith="claim.").values_list(
            "verb", flat=True
        )
    )
    assert sorted(verbs) == ["claim.file", "claim.hearing", "claim.judgment", "claim.satisfy"]


def test_dismissal_needs_a_reason(account, officer):
    claim = file(account, officer)
    with pytest.raises(DomainError, match="why"):
        claim_dismiss(claim_id=claim.pk, dismissed_on=TODAY, note=" ", actor=officer)
    claim = claim_dismiss(claim_id=claim.pk, dismissed_on=TODAY, note="Defendant not served", actor=officer)
    assert claim.status == SmallClaimStatus.DISMISSED and "Defendant not served" in claim.note
    # a new claim may be filed once the first is closed
    assert file(account, officer, case_number="CC2026-0500").status == SmallClaimStatus.FILED


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"court": " "}, "court"),
        ({"claim_amount": Decimal("0")}, "more than zero"),
        ({"filing_fee": Decimal("-1")}, "negative"),
        ({"filed_on": TODAY + timedelta(days=1)}, "future"),
    ],
)
def test_bad_filings_are_explained_and_charge_nothing(account, officer, kw, message):
    with pytest.raises(DomainError, match=message):
        file(account, officer, **kw)
    assert not LedgerEntry.objects.filter(kind=EntryKind.FEE).exists() and not account.small_claims.exists()


def test_one_claim_in_court_at_a_time(account, officer):
    file(account, officer)
    with pytest.raises(DomainError, match="already has a claim"):
        file(account, officer)


def test_claim_pages_walk_the_lifecycle(account, role_clients):
    officer = role_clients["Collections officer"]
    response = officer.post(
        "/collections/accounts/0000220001/small-claim/",
        {
            "court": "Justice Court",
            "case_number": "CC-1",
            "filed_on": TODAY.isoformat(),
            "claim_amount": "640.00",
            "filing_fee": "51.00",
            "note": "",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "filing fee $51.00 charged" in page and 'data-testid="claim-status">Filed<' in page
    claim = account.small_claims.get()
    page = officer.post(
        f"/collections/recovery/small-claims/{claim.pk}/judgment",
        {"on": TODAY.isoformat(), "amount": "691.00"},
        follow=True,
    ).content.decode()
    assert "Judgment recorded." in page and "Judgment entered" in page
    listing = officer.get("/collections/recovery/small-claims/?status=open").content.decode()
    assert "0000220001" in listing and "691.00" in listing


@pytest.mark.parametrize(
    ("path", "allowed", "method", "ok"),
    [
        ("/collections/recovery/small-claims/", {"Collections officer", "Supervisor"}, "get", 200),
        ("/collections/accounts/0000220001/small-claim/", {"Collections officer", "Supervisor"}, "get", 200),
        ("/collections/recovery/small-claims/{pk}/", {"Collections officer", "Supervisor"}, "get", 200),
        (
            "/collections/recovery/small-claims/{pk}/hearing",
            {"Collections officer", "Supervisor"},
            "post",
            302,
        ),
    ],
)
def test_claim_pages_by_role(role_clients, account, officer, path, allowed, method, ok):
    from conftest import assert_access

    claim = file(account, officer)
    assert_access(role_clients, path.format(pk=claim.pk), allowed, method=method, ok=ok)


def test_account_page_recovery_costs_one_query_whatever_the_history(account, officer, role_clients):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from collections_app.models import AgencyReferral, CollectionAgency
    from collections_app.selectors.recovery import account_recovery
    from collections_app.services.bankruptcy import bankruptcy_record

    client = role_clients["Collections officer"]

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/accounts/0000220001/").status_code == 200
        return len(ctx.captured_queries)

    before = page_queries()
    claim = file(account, officer)
    claim_dismiss(claim_id=claim.pk, dismissed_on=TODAY, note="settled", actor=officer)
    file(account, officer, case_number="CC-2")
    agency = CollectionAgency.objects.create(name="Desert Recovery Services")
    AgencyReferral.objects.create(
        account=account, agency=agency, referred_on=TODAY, principal=Decimal("640.00")
    )
    bankruptcy_record(
        account_id=account.pk,
        chapter=13,
        case_number="26-bk-1",
        court="",
        petition_date=TODAY,
        order_for_relief_date=None,
        actor=officer,
    )
    assert page_queries() == before
    with CaptureQueriesContext(connection) as ctx:
        info = account_recovery(account_id=account.pk)
    assert len(ctx.captured_queries) == 1
    assert info.bankruptcy.label == "26-bk-1" and info.referral.label == "Desert Recovery Services"
    assert [c.status for c in info.claims] == ["filed", "dismissed"]
    page = client.get("/accounts/0000220001/").content.decode()
    assert "At collection agency Desert Recovery Services" in page and "Small claim filed (Maricopa" in page
