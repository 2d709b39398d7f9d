from decimal import Decimal

from django.utils import timezone

from counseling.models import Agency
from counseling.services.interviews import IncomeIn, interview_record


def agency(name: str = "Valley Community Action", days: int = 30) -> Agency:
    return Agency.objects.get_or_create(
        name=name, defaults={"programs": "LIHEAP", "days_to_pay": days, "phone": "(602) 555-0150"}
    )[0]


def interview(
    account,
    counselor,
    *,
    size: int = 3,
    monthly_income: str = "2000.00",
    housing: str = "900.00",  # type: ignore[no-untyped-def]
    benefits=(),
    year: int | None = None,
):
    return interview_record(
        account_id=account.pk,
        counselor=counselor,
        household_size=size,
        region="contiguous",
        hardship_reason="job_loss",
        hardship_note="laid off in September",
        benefits=list(benefits),
        documents_seen="termination letter",
        year=year or timezone.localdate().year,
        members=[],
        incomes=[IncomeIn("unemployment", Decimal(monthly_income), "monthly", "adult 1")],
        expenses={"housing": Decimal(housing), "food": Decimal("400.00")},
    )
