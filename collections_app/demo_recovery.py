"""Recovery demo data, made through the real services so the pages show real work: two collection
agencies and tonight's recovery batches (small balances written off, final bills 90 days old
referred), one bankruptcy case and one small claim. Safe to run twice: the batches are once per
business date and the cases are made only when there are none."""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from accounts.models import Account
from collections_app.models import BankruptcyCase, CollectionAgency, SmallClaim
from collections_app.services.agency import collection_agency_save, referral_batch_run
from collections_app.services.bankruptcy import bankruptcy_record
from collections_app.services.small_claims import claim_file
from collections_app.services.write_offs import small_balance_run

AGENCIES = (
    ("Desert Recovery Services", "(602) 555-0144 · accounts@desertrecovery.example", None),
    ("Valley Credit Bureau", "(480) 555-0160 · intake@valleycredit.example", Decimal("0.18")),
)


def _owing(status: str, *, exclude: set[int]) -> Account | None:
    """The lowest-numbered account in `status` owing something, not used by another demo case."""
    return (
        Account.objects.filter(status=status, balance__gt=100)
        .exclude(pk__in=exclude)
        .exclude(agency_referrals__isnull=False)
        .order_by("id")
        .first()
    )


def demo_recovery_load(*, today: date) -> dict[str, int]:
    officer = get_user_model().objects.get(username="collector")
    admin = get_user_model().objects.get(username="admin")
    if not CollectionAgency.objects.exists():
        for name, contact, fee in AGENCIES:
            collection_agency_save(
                agency_id=None, name=name, contact=contact, fee_pct=fee, active=True, actor=admin
            )
    written = small_balance_run(business_date=today, actor=None).done
    referred = referral_batch_run(business_date=today, actor=None).counts.get("referred", 0)
    used: set[int] = set()
    cases = 0
    if not BankruptcyCase.objects.exists() and (debtor := _owing("active", exclude=used)):
        bankruptcy_record(
            account_id=debtor.pk,
            chapter=7,
            case_number="2:26-bk-04417",
            court="U.S. Bankruptcy Court, District of Arizona",
            petition_date=today - timedelta(days=12),
            order_for_relief_date=today - timedelta(days=12),
            actor=officer,
        )
        used.add(debtor.pk)
        cases += 1
    if not SmallClaim.objects.exists() and (defendant := _owing("final", exclude=used)):
        claim_file(
            account_id=defendant.pk,
            court="Maricopa County Justice Courts, Encanto",
            case_number="CC2026-118204",
            filed_on=today - timedelta(days=20),
            claim_amount=defendant.balance,
            filing_fee=Decimal("70.00"),
            actor=officer,
            note="Final bill unpaid after the agency returned the account.",
        )
        cases += 1
    return {"written_off": written, "referred": referred, "cases": cases}
