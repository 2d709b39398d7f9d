from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


class DailyFigure(models.Model):
    """One roll-up cell: what one metric counted on one day for one combination of dimensions.

    Filled only by set-based SQL (reports/rollup.py) from the base records; dashboards read it,
    drill-downs read the base records with the same filter definitions (reports/dashboards/base.py).
    `utilities` is the set of utilities the account is served (an account has several: a filter
    on one utility is `utilities @> {water}`, so no account is counted twice). `key` is the
    metric's own breakdown (an aging bucket, an agency id); '' when it has none.
    """

    day = models.DateField()
    metric = models.CharField(max_length=40)
    key = models.CharField(max_length=40, blank=True, default="")
    utilities = ArrayField(models.CharField(max_length=12), default=list)
    account_class = models.CharField(max_length=12)
    postal_code = models.CharField(max_length=10)
    low_income = models.BooleanField()
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    count = models.PositiveIntegerField()
    # a city-wide day of balances passes the 12 digits of MoneyField
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        indexes = [
            models.Index(fields=["metric", "day"], name="dailyfigure_metric_day"),
            # a ZIP code filter (and the fairness page's one ZIP) reads only that code's rows
            models.Index(fields=["metric", "postal_code", "day"], name="dailyfigure_metric_zip_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.metric}/{self.key}: {self.count} {self.amount}"


class DailyTotal(models.Model):
    """DailyFigure summed per day, metric, key and employee over every account (dimension ''),
    and per value of one account dimension (utility, class, low income): what a dashboard reads
    when it opens and when it is filtered on one of those. A city's day has thousands of
    DailyFigure rows per metric (one per ZIP code, class, utilities...) but only keys x employees
    here, so 90 days of contacts are read in tens of milliseconds, not a second (bench/README.md).
    A ZIP code, or two account filters at once, read DailyFigure. Written by the roll-up in the
    same transaction as the DailyFigure rows it sums (reports/rollup.py), never by hand.
    """

    day = models.DateField()
    metric = models.CharField(max_length=40)
    key = models.CharField(max_length=40, blank=True, default="")
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # '' (every account), 'utility', 'class' or 'low_income'; value: the utility, the class,
    # 'true'/'false'
    dimension = models.CharField(max_length=12, blank=True, default="")
    value = models.CharField(max_length=12, blank=True, default="")
    count = models.BigIntegerField()
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        indexes = [
            models.Index(fields=["metric", "dimension", "value", "day"], name="dailytotal_metric_dim_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.metric}/{self.key} ({self.dimension or 'all'} {self.value}): {self.count}"


class RollupRun(models.Model):
    """One run of the roll-up over a range of days (nightly, or today's 15-minute refresh)."""

    first_day = models.DateField()
    last_day = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["-finished_at"], name="rolluprun_finished")]

    def __str__(self) -> str:
        return f"Roll-up {self.first_day}..{self.last_day}"
