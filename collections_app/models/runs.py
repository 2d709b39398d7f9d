from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from common.money import MoneyField


class RunKind(models.TextChoices):
    SHUTOFF = "shutoff", "Shutoff list"
    LATE_FEES = "late_fees", "Late fees"
    NOTICES = "notices", "Notices"
    DEPOSITS = "deposits", "Deposit billing, interest and refunds"
    WRITE_OFF = "write_off", "Small-balance write-off"
    AGENCY = "agency", "Agency referral and interest"
    REFUNDS = "refunds", "Credit refund proposals and unclaimed checks"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"
    APPROVED = "approved", "Approved"  # shutoff list approved into disconnect orders


class BatchRun(models.Model):
    """One nightly batch for one business date. Unique per (kind, date): running it again resumes
    or does nothing, never doubles. `total`/`done` drive the progress bar."""

    kind = models.CharField(max_length=12, choices=RunKind.choices)
    business_date = models.DateField()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    policy_version = models.ForeignKey(
        "policy.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # Moved on every sign of life (started, resumed, a chunk stored): a running run whose
    # heartbeat is older than WATCHDOG_STALLED_MINUTES has stopped and is shown as stalled.
    heartbeat_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "business_date"], name="batchrun_once_per_day")
        ]
        ordering = ["-business_date", "kind"]
        permissions = [("approve_shutoff_list", "Can approve a shutoff list into disconnect orders")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.business_date:%Y-%m-%d}"

    @property
    def is_stalled(self) -> bool:
        """Running, but nothing moved for the watchdog's period (its worker died)."""
        limit = timedelta(minutes=settings.WATCHDOG_STALLED_MINUTES)
        return self.status == RunStatus.RUNNING and self.heartbeat_at < timezone.now() - limit


class CandidateStatus(models.TextChoices):
    LISTED = "listed", "On the list"
    HELD = "held", "Held (protected)"
    DEFERRED = "deferred", "Not yet (timing)"
    NOT_DELINQUENT = "not_delinquent", "Not delinquent"


class ShutoffCandidate(models.Model):
    """The engine's decision for one prefiltered account in one shutoff run, with its facts'
    outcome frozen (`decision` JSON) so the officer sees exactly why, under which policy version."""

    run = models.ForeignKey(BatchRun, on_delete=models.PROTECT, related_name="candidates")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="shutoff_candidates"
    )
    status = models.CharField(max_length=16, choices=CandidateStatus.choices)
    earliest_date = models.DateField(null=True, blank=True)
    deciding_code = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)
    citation = models.CharField(max_length=200, blank=True)
    past_due = MoneyField(default=0)
    days_delinquent = models.IntegerField(default=0)
    action = models.CharField(max_length=10, default="disconnect")
    decision = models.JSONField(default=dict)
    excluded = models.BooleanField(default=False)
    exclude_reason = models.TextField(blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    excluded_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(default=timezone.now)
    # What the run page sorts and searches by, copied from the account, its premise and customer
    # when the row is decided (the list is decided again every night): crews work a bill cycle
    # street by street; officers look an account up by number, name or address. On the row (and
    # in `candidate_run_tab_order`), a tab's page is one range of that index and a search one
    # pass over it, instead of the whole tab joined to the accounts (50,000 rows on a city's
    # "not yet" tab) and sorted with its decision JSON.
    sort_cycle = models.PositiveSmallIntegerField(default=0)
    # upper-case, as the search compares them (UPPER() per row doubled a search's time)
    sort_address = models.CharField(max_length=150, blank=True, default="")  # premise.search_address
    search_text = models.CharField(max_length=220, blank=True, default="")  # "<number> <search_name>"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "account"], name="candidate_once_per_run"),
            # only an account on the list can be excluded (candidate_exclude): so every tab is
            # one (status, excluded) pair, an equality prefix of the index below
            models.CheckConstraint(
                condition=models.Q(excluded=False) | models.Q(status="listed"),
                name="candidate_excluded_only_listed",
            ),
        ]
        indexes = [
            # deciding_code and search_text ride along so the code filter, the search and the
            # per-tab code counts read the index alone (index-only scans), never the wide rows
            models.Index(
                fields=["run", "status", "excluded", "sort_cycle", "sort_address", "account"],
                include=["deciding_code", "search_text"],
                name="candidate_run_tab_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.status}"
