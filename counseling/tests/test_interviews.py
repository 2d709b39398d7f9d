from decimal import Decimal

import pytest

from accounts.tests.factories import AccountFactory, charge
from common.exceptions import DomainError
from counseling.models import PovertyGuideline
from counseling.services.interviews import annualize, fpl_percent, guideline_for, recommend
from counseling.tests.factories import interview

pytestmark = pytest.mark.django_db


def test_shipped_2026_guidelines_match_hhs():
    g = guideline_for(year=2026, region="contiguous")
    assert (g.year, g.for_household(1), g.for_household(4), g.for_household(8)) == (
        2026,
        Decimal("15960.00"),
        Decimal("33000.00"),
        Decimal("55720.00"),
    )
    assert guideline_for(year=2026, region="alaska").for_household(8) == Decimal("69650.00")
    assert guideline_for(year=2026, region="hawaii").for_household(2) == Decimal("24890.00")


def test_a_later_year_uses_the_newest_table_entered():
    PovertyGuideline.objects.create(
        year=2027, region="contiguous", first_person=Decimal("16500"), each_additional=Decimal("5800")
    )
    assert guideline_for(year=2027, region="contiguous").first_person == Decimal("16500.00")
    assert guideline_for(year=2028, region="contiguous").year == 2027  # until HHS publishes 2028
    with pytest.raises(DomainError, match="No poverty guideline"):
        guideline_for(year=2019, region="contiguous")


@pytest.mark.parametrize(
    ("amount", "frequency", "annual"),
    [
        ("500.00", "weekly", "26000.00"),
        ("1000.00", "biweekly", "26000.00"),
        ("1000.00", "semimonthly", "24000.00"),
        ("1234.56", "monthly", "14814.72"),
        ("9000.00", "annually", "9000.00"),
    ],
)
def test_income_is_annualized(amount, frequency, annual):
    assert annualize(Decimal(amount), frequency) == Decimal(annual)


def test_percent_of_poverty_line():
    g = guideline_for(year=2026, region="contiguous")
    assert fpl_percent(annual_income=Decimal("33000"), household_size=4, guideline=g) == Decimal("100.0")
    assert fpl_percent(annual_income=Decimal("24000"), household_size=3, guideline=g) == Decimal("87.8")
    assert fpl_percent(annual_income=Decimal("0"), household_size=1, guideline=g) == Decimal("0.0")


def test_interview_computes_status_and_terms_and_keeps_history(make_user):
    counselor = make_user("carmen", "Counselor")
    account = AccountFactory()
    charge(account, "600.00", due=account.opened_on)
    first = interview(account, counselor, size=3, monthly_income="2000.00")  # 24,000 / 27,320 = 87.8%
    assert (
        first.annual_income == Decimal("24000.00")
        and first.fpl_percent == Decimal("87.8")
        and first.low_income
    )
    assert first.monthly_surplus == Decimal("700.00")  # 2000 - 900 - 400
    assert first.recommended_down_payment == 0  # low income: no down payment
    assert first.recommended_installments == 1 and first.recommended_monthly == Decimal("600.00")
    second = interview(account, counselor, size=2, monthly_income="6000.00")  # 72,000 / 21,640 = 332.7%
    assert not second.low_income and second.fpl_percent == Decimal("332.7")
    assert second.recommended_down_payment == Decimal("150.00")  # 25% of the balance, within capacity
    first.refresh_from_db()
    assert first.fpl_percent == Decimal("87.8"), "an interview is never rewritten by a later one"


def test_benefits_make_a_household_low_income_whatever_the_income(make_user):
    counselor = make_user("carmen", "Counselor")
    rich = interview(AccountFactory(), counselor, size=1, monthly_income="9000.00", benefits=["snap"])
    assert rich.low_income and rich.fpl_percent > 200


def test_recommendation_when_nothing_is_left_each_month():
    rec = recommend(
        balance=Decimal("900.00"),
        monthly_surplus=Decimal("50.00"),
        average_bill=Decimal("80.00"),
        low_income=True,
        max_months=12,
    )
    assert (rec.installments, rec.monthly, rec.capacity) == (12, Decimal("75.00"), Decimal("0.00"))
    assert "refer to assistance agencies" in rec.note


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("size", 0, "between 1 and 30"),
        ("monthly_income", "-5", "cannot be negative"),
    ],
)
def test_bad_interview_input_is_refused(make_user, field, value, message):
    with pytest.raises(DomainError, match=message):
        interview(AccountFactory(), make_user("carmen", "Counselor"), **{field: value})
