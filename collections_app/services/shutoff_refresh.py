"""A list prepared ahead is recomputed on each later night until its field day.

The nightly run prepares the list for the next field day (collections_app.selectors.field_day):
Saturday's and Sunday's nights both prepare Monday's. Without this, Monday's list would be the one
decided early on Saturday, blind to the weekend's payments, pledges and certificates. So a list
that is finished but not yet approved, and was computed on an earlier night than tonight, is
decided again tonight under the policy in force. What officers did to it carries over: excluded
candidates are kept as they are (an exclusion is a person's decision, with its reason) and only the
other accounts are decided again. An approved list is never touched (its orders exist)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from collections_app.models import BatchRun, RunKind, RunStatus, ShutoffCandidate
from common.audit import audit_record
from policy.selectors import current_version


def shutoff_run_refresh(*, business_date: date, tonight: date) -> bool:
    """Reopen the finished, unapproved list for `business_date` if it was computed before
    `tonight`; True when it was reopened (the caller then runs it as usual)."""
    if business_date < tonight:
        return False  # a past field day's list is history
    with transaction.atomic(durable=True):
        run = (
            BatchRun.objects.select_for_update(no_key=True)
            .filter(kind=RunKind.SHUTOFF, business_date=business_date, status=RunStatus.FINISHED)
            .first()
        )
        if run is None or timezone.localtime(run.started_at).date() >= tonight:
            return False
        dropped, _ = ShutoffCandidate.objects.filter(run=run, excluded=False).delete()
        kept = ShutoffCandidate.objects.filter(run=run).count()
        now = timezone.now()
        BatchRun.objects.filter(pk=run.pk).update(
            status=RunStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
            error="",
            total=kept,
            done=kept,
            counts={},
            policy_version=current_version(),
        )
        audit_record(
            actor=None,
            verb="shutoff_run.refresh",
            target=run,
            data={"decided_again": dropped, "exclusions_kept": kept, "tonight": tonight.isoformat()},
        )
    return True
