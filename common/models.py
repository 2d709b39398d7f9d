from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Capability(models.Model):
    """Holds the role-level permissions (no table).

    Fine-grained permissions live on the models they protect (later issues add them); these name
    the workspaces each role may enter, and are what the groups in `common.roles` are made of.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("use_counseling", "Can use the credit counseling desk"),
            ("use_cashiering", "Can use the cashier counter"),
            ("use_collections", "Can use collections"),
            ("use_supervision", "Can use supervisor dashboards, approvals and reviews"),
            ("use_administration", "Can administer users, roles and settings"),
            ("view_audit", "Can read the audit trail"),
        ]

    def __str__(self) -> str:
        return "capability"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_account(self, account_id: int) -> "AuditEventQuerySet":
        return self.filter(account_id=account_id)

    def by_actor(self, user_id: int) -> "AuditEventQuerySet":
        return self.filter(actor_id=user_id)


class AuditEvent(models.Model):
    """Who did what to which object, when and from where. Append-only (a trigger enforces it).

    Written by `common.audit.audit_record` inside the same transaction as the change it records,
    so a rolled-back change leaves no audit row and a committed one always has its row.
    `account_id` is a plain column, not a foreign key: common sits below the accounts app, and the
    trail must outlive anything it mentions.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    verb = models.CharField(max_length=64, db_index=True)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    account_id = models.BigIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account_id", "-id"], name="audit_account_idx"),
            models.Index(fields=["actor", "-id"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or 'system'} {self.verb}"


class IntegrationTokenQuerySet(models.QuerySet["IntegrationToken"]):
    def usable(self, *, at: datetime) -> "IntegrationTokenQuerySet":
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=at)
        )


class IntegrationToken(models.Model):
    """A key an integration (IVR, web portal, agency, crew) sends as `Authorization: Token <key>`.

    Only the key's sha256 is stored: the key itself is shown once, when it is issued, and a copy of
    the database cannot be used to call the API. A key is 160 random bits, so a plain (fast) hash
    is enough; there is nothing to guess. Tokens are revoked, never deleted, so the audit trail and
    `last_used_at` keep saying what each one did.
    """

    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'IVR vendor'.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="integration_tokens",
        help_text="The token acts as this user, with this user's roles.",
    )
    prefix = models.CharField(max_length=8, help_text="The key's first characters, to tell tokens apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: does not expire.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True, help_text="To the minute.")

    objects = IntegrationTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    def state(self, *, at: datetime) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= at:
            return "expired"
        return "active"


class ScheduledRun(models.Model):
    """When each task of the beat schedule last reached the broker (recorded as it is published,
    by beat or by anyone). Beat drops a run whose message cannot be sent (Redis down) and never
    sends it again; the watchdog (common.watchdog) compares this with the schedule and sends what
    was missed. Kept in PostgreSQL so it survives the Redis outage it is there to repair."""

    task = models.CharField(max_length=200, unique=True)
    last_sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.task} {self.last_sent_at:%Y-%m-%d %H:%M}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class JobManager(models.Manager["Job"]):
    def get_queryset(self) -> models.QuerySet["Job"]:
        # The uploaded input and the output file can be tens of megabytes: a list or a progress
        # poll never needs them. Reading `job.output_data` loads it (one query) when it is wanted.
        return super().get_queryset().defer("input_data", "output_data")


class Job(models.Model):
    """Long work (a notice batch, its PDF, an import, an export) done by a Celery worker, not in a
    request: see `common.jobs` for the pattern. `key` makes a repeated submission find this row.

    The output file is kept in the database (bytea), not on a disk: a worker on another machine
    can write it without a shared filesystem, it is committed together with `status=done` (a
    download never finds half a file), and the backups carry it. Parts of a job split across
    workers are `JobPart` rows until they are joined.
    """

    kind = models.CharField(max_length=64)
    key = models.CharField(max_length=200, unique=True, help_text="Idempotency key of the submission.")
    label = models.CharField(max_length=200, help_text="What staff see, e.g. 'Shutoff notices Oct 21: PDF'.")
    permission = models.CharField(max_length=100, help_text="Needed to see the job and download its output.")
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    input_data = models.BinaryField(null=True, blank=True, editable=False)
    input_name = models.CharField(max_length=200, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    parts = models.PositiveIntegerField(default=0, help_text="Parts run in parallel (0: one task).")
    parts_done = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True, help_text="Summary; errors with line numbers.")
    output_data = models.BinaryField(null=True, blank=True, editable=False)
    output_name = models.CharField(max_length=200, blank=True)
    output_type = models.CharField(max_length=100, blank=True)
    output_size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last progress reported.")

    objects = JobManager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["created_by", "-id"], name="job_user_idx")]

    def __str__(self) -> str:
        return self.label or f"{self.kind} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("job", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def last_sign_of_life(self) -> datetime:
        """The heartbeat (claimed, progress reported, a part stored, re-queued), else submission."""
        return self.heartbeat_at or self.created_at

    @property
    def is_stalled(self) -> bool:
        """Queued or running, but nothing moved for the watchdog's period (common.jobs_recovery)."""
        limit = timezone.now() - timedelta(minutes=settings.WATCHDOG_STALLED_MINUTES)
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING) and self.last_sign_of_life < limit


class JobPart(models.Model):
    """One part of a job split across workers (e.g. 200 notices of a 10,000-notice PDF): its
    parameters, then its output once rendered. Joined into the job's output, then deleted."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="job_parts")
    index = models.PositiveIntegerField()
    params = models.JSONField(default=dict)
    units = models.PositiveIntegerField(default=1, help_text="What the part counts for in the progress.")
    data = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["job", "index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="jobpart_once")]

    def __str__(self) -> str:
        return f"part {self.index} of job {self.job_id}"


class UtilityContact(models.Model):
    """How customers reach the utility, printed on every letter, notice and receipt.

    One row (id 1, a constraint keeps it so), edited by administrators in the admin and audited
    there; documents read it through `common.contact.utility_contact` and print it through
    templates/common/pdf/_contact.html, so a new phone number reaches every document at once.
    """

    name = models.CharField(max_length=100, help_text="As printed at the top, e.g. 'City Utilities'.")
    customer_service_phone = models.CharField(max_length=30)
    counseling_phone = models.CharField("credit counseling phone", max_length=30)
    emergency_phone = models.CharField(
        "emergency / after-hours phone", max_length=30, help_text="Outages, leaks, reconnections."
    )
    office_hours = models.CharField(max_length=120, help_text="e.g. 'Monday to Friday, 8 a.m. to 5 p.m.'")
    office_address = models.CharField(max_length=200, help_text="Where customers pay and meet counselors.")
    web = models.CharField("web address", max_length=120)
    email = models.EmailField()

    class Meta:
        verbose_name = "utility contact details"
        verbose_name_plural = "utility contact details"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="utilitycontact_one_row")]

    def __str__(self) -> str:
        return f"{self.name} contact details"
