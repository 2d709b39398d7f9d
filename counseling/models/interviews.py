from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from common.formatting import format_codes
from common.money import MoneyField


class PovertyGuideline(models.Model):
    """HHS poverty guideline for one year and region: first person plus each additional person.
    An administrator adds each new year when HHS publishes it (January)."""

    class Region(models.TextChoices):
        CONTIGUOUS = "contiguous", "48 contiguous states and DC"
        ALASKA = "alaska", "Alaska"
        HAWAII = "hawaii", "Hawaii"

    year = models.PositiveSmallIntegerField()
    region = models.CharField(max_length=10, choices=Region.choices, default=Region.CONTIGUOUS)
    first_person = models.DecimalField(max_digits=10, decimal_places=2)
    each_additional = models.DecimalField(max_digits=10, decimal_places=2)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "region"], name="guideline_year_region")]
        ordering = ["-year", "region"]

    def __str__(self) -> str:
        return f"{self.year} {self.get_region_display()}"

    def for_household(self, size: int) -> Decimal:
        return self.first_person + self.each_additional * (max(size, 1) - 1)


class HardshipReason(models.TextChoices):
    JOB_LOSS = "job_loss", "Job loss or reduced hours"
    ILLNESS = "illness", "Illness or injury"
    DEATH = "death", "Death in the household"
    DISASTER = "disaster", "Disaster (fire, flood, storm)"
    DIVORCE = "divorce", "Separation or divorce"
    HIGH_BILL = "high_bill", "Unusually high bill (leak, usage)"
    FIXED_INCOME = "fixed_income", "Fixed income does not cover costs"
    OTHER = "other", "Other"


class BenefitProgram(models.TextChoices):
    SNAP = "snap", "SNAP / CalFresh"
    MEDICAID = "medicaid", "Medicaid / Medi-Cal"
    SSI = "ssi", "SSI / SSP"
    WIC = "wic", "WIC"
    LIHEAP = "liheap", "LIHEAP"
    TANF = "tanf", "TANF / CalWORKs"
    GA = "ga", "General Assistance"
    SCHOOL_LUNCH = "school_lunch", "Free school lunch"


class HardshipInterview(models.Model):
    """One hardship interview, kept as it was: a later interview is a new row, so a counselor can
    compare a household's situation over time."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="interviews")
    counselor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    conducted_at = models.DateTimeField(auto_now_add=True)
    household_size = models.PositiveSmallIntegerField()
    region = models.CharField(
        max_length=10, choices=PovertyGuideline.Region.choices, default=PovertyGuideline.Region.CONTIGUOUS
    )
    hardship_reason = models.CharField(max_length=16, choices=HardshipReason.choices)
    hardship_note = models.TextField(blank=True)
    # Documented undue hardship (HSC 116910(b)): a longer plan where the policy allows it
    # (arrangements.hardship_max_months). The evidence seen is required with it.
    documented_hardship = models.BooleanField(default=False)
    hardship_evidence = models.TextField(blank=True)
    benefits = ArrayField(
        models.CharField(max_length=16, choices=BenefitProgram.choices), default=list, blank=True
    )
    documents_seen = models.TextField(
        blank=True, help_text="e.g. pay stubs, award letter, termination notice"
    )
    # monthly household expenses
    housing = MoneyField(default=0)
    utilities_other = MoneyField("other utilities", default=0)
    food = MoneyField(default=0)
    medical = MoneyField(default=0)
    transportation = MoneyField(default=0)
    childcare = MoneyField(default=0)
    debt_payments = MoneyField(default=0)
    other_expenses = MoneyField(default=0)
    # computed when the interview is saved, with the guideline used, so it never changes afterwards
    guideline = models.ForeignKey(PovertyGuideline, on_delete=models.PROTECT, related_name="+")
    annual_income = MoneyField()
    poverty_line = MoneyField()
    fpl_percent = models.DecimalField(max_digits=7, decimal_places=1)
    low_income = models.BooleanField()
    monthly_surplus = MoneyField(help_text="monthly income less expenses; negative means a shortfall")
    recommended_down_payment = MoneyField(null=True, blank=True)
    recommended_installments = models.PositiveSmallIntegerField(null=True, blank=True)
    recommended_monthly = MoneyField(null=True, blank=True)
    recommendation_note = models.TextField(blank=True)
    balance_at_interview = MoneyField()

    class Meta:
        indexes = [
            models.Index(fields=["account", "-conducted_at"], name="interview_account"),
            # a day's figures (supervisor home, dashboards' roll-up) read a date range of the whole table
            models.Index(fields=["conducted_at"], name="interview_conducted_at"),
        ]

    def __str__(self) -> str:
        return f"Interview {self.account_id} {self.conducted_at:%Y-%m-%d}"

    def get_benefits_display(self) -> str:
        """The programs by their labels ("SNAP / CalFresh, WIC"), never the stored codes."""
        return format_codes(self.benefits, BenefitProgram.choices)

    @property
    def monthly_expenses(self) -> Decimal:
        return (
            self.housing
            + self.utilities_other
            + self.food
            + self.medical
            + self.transportation
            + self.childcare
            + self.debt_payments
            + self.other_expenses
        )


class HouseholdMember(models.Model):
    interview = models.ForeignKey(HardshipInterview, on_delete=models.CASCADE, related_name="members")
    first_name = models.CharField(max_length=60)
    relationship = models.CharField(max_length=30, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    disabled = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.first_name


class IncomeFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
    SEMIMONTHLY = "semimonthly", "Twice a month"
    MONTHLY = "monthly", "Monthly"
    ANNUALLY = "annually", "Yearly"


PERIODS_PER_YEAR = {"weekly": 52, "biweekly": 26, "semimonthly": 24, "monthly": 12, "annually": 1}


class IncomeSource(models.Model):
    class Kind(models.TextChoices):
        WAGES = "wages", "Wages"
        SELF_EMPLOYMENT = "self_employment", "Self-employment"
        UNEMPLOYMENT = "unemployment", "Unemployment benefits"
        SOCIAL_SECURITY = "social_security", "Social Security"
        SSI = "ssi", "SSI / disability"
        PENSION = "pension", "Pension / retirement"
        CHILD_SUPPORT = "child_support", "Child support / alimony"
        TANF = "tanf", "Cash assistance"
        OTHER = "other", "Other"

    interview = models.ForeignKey(HardshipInterview, on_delete=models.CASCADE, related_name="incomes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    earner = models.CharField(max_length=60, blank=True)
    amount = MoneyField()
    frequency = models.CharField(max_length=12, choices=IncomeFrequency.choices)
    annual = MoneyField()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.frequency}"
