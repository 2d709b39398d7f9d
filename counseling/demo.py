"""Demo counseling data on a loaded demo city: agencies, and a few interviews, pledges and
arrangements made through the real services, so every counseling screen has something to show."""

import random
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Account
from common.exceptions import DomainError
from counseling.models import Agency
from counseling.services.agencies import pledge_record
from counseling.services.arrangements import arrangement_propose
from counseling.services.interviews import IncomeIn, interview_record

AGENCIES = [
    ("Valley Community Action", "LIHEAP, emergency utility assistance", "(602) 555-0150", 30),
    ("Salvation Army Southwest", "Project SHARE utility assistance", "(602) 555-0177", 21),
    ("St. Vincent de Paul", "Emergency rent and utility help", "(602) 555-0133", 14),
    ("Area Agency on Aging", "Senior utility assistance", "(602) 555-0199", 45),
    ("City Human Services", "City utility assistance fund", "(602) 555-0101", 20),
]


def demo_counseling_load(*, seed: int = 1, cases: int = 30) -> dict[str, int]:
    rng = random.Random(seed)
    agencies = [
        Agency.objects.get_or_create(name=n, defaults={"programs": p, "phone": ph, "days_to_pay": d})[0]
        for n, p, ph, d in AGENCIES
    ]
    counselor = get_user_model().objects.get(username="counselor")
    today = timezone.localdate()
    owing = list(
        Account.objects.filter(status="active", balance__gt=150)
        .order_by("id")
        .values_list("id", flat=True)[: cases * 3]
    )
    balances = dict(Account.objects.filter(pk__in=owing).values_list("id", "balance"))
    rng.shuffle(owing)
    made = {"interviews": 0, "pledges": 0, "arrangements": 0}
    for i, account_id in enumerate(owing[:cases]):
        size = rng.randint(1, 6)
        monthly = Decimal(rng.choice([900, 1400, 1900, 2600, 3400, 4800]))
        try:
            interview = interview_record(
                account_id=account_id,
                counselor=counselor,
                household_size=size,
                region="contiguous",
                hardship_reason=rng.choice(["job_loss", "illness", "fixed_income", "high_bill"]),
                hardship_note="",
                benefits=rng.choice([[], [], ["snap"], ["medicaid", "wic"]]),
                documents_seen="pay stubs",
                incomes=[IncomeIn("wages", monthly, "monthly")],
                members=[],
                year=today.year,
                expenses={"housing": monthly * Decimal("0.45"), "food": Decimal(120 * size)},
            )
            made["interviews"] += 1
            if i % 3 == 0:
                pledge_record(
                    account_id=account_id,
                    agency_id=agencies[i % len(agencies)].pk,
                    program="",
                    # an agency pledges toward what is owed, never more (pledge_record refuses it)
                    amount=min(Decimal(rng.choice([75, 100, 150, 200])), balances[account_id]),
                    pledged_on=today - timedelta(days=i % 20),
                    expected_by=None,
                    reference=f"DEMO-{i}",
                    counselor=counselor,
                )
                made["pledges"] += 1
            elif i % 3 == 1 and interview.recommended_installments:
                arrangement_propose(
                    account_id=account_id,
                    counselor=counselor,
                    down_payment=interview.recommended_down_payment or Decimal(0),
                    installments=interview.recommended_installments,
                    reason="Demo hardship case",
                    idempotency_key=UUID(int=seed * 100000 + i),
                    interview_id=interview.pk,
                )
                made["arrangements"] += 1
        except DomainError:
            continue  # an account the rules refuse is simply skipped, as a counselor would
    return made
