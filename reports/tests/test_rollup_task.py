"""The beat entries' tasks run in a real Celery worker and leave the same roll-up when sent twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Contact, ReasonCode
from accounts.tests.factories import AccountFactory, charge
from reports.models import DailyFigure, RollupRun
from reports.tasks import rollup_nightly, rollup_today

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_runs_the_nightly_and_today_roll_ups_idempotently(celery_worker, settings, make_user):
    settings.REPORTS_ROLLUP_DAYS = 3
    today = timezone.localdate()
    charge(AccountFactory(), "45.00", due=today - timedelta(days=40))
    reason, _ = ReasonCode.objects.get_or_create(
        kind="contact", code="billing", defaults={"label": "Billing"}
    )
    eva = make_user("eva", "Counselor")
    for days_ago in (0, 2):  # a call logged today and one two days ago: flows on both ends
        c = Contact.objects.create(
            account=AccountFactory(), channel="call", reason=reason, outcome="resolved", created_by=eva
        )
        Contact.objects.filter(pk=c.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    rows = rollup_nightly.delay().get(timeout=60)
    assert rows > 0
    stored = sorted(map(repr, DailyFigure.objects.values_list("day", "metric", "key", "count", "amount")))
    # the nightly run covers REPORTS_ROLLUP_DAYS days; the aging snapshot only its last (older
    # days keep their own night's), so the one charge shows on today's aging alone
    night = RollupRun.objects.get()
    assert (night.first_day, night.last_day) == (today - timedelta(days=2), today)
    assert set(DailyFigure.objects.filter(metric="aging").values_list("day", flat=True)) == {today}
    contacts = DailyFigure.objects.filter(metric="contacts.outcome").values_list("day", flat=True)
    assert set(contacts) == {today, today - timedelta(days=2)}
    assert rollup_today.delay().get(timeout=60) > 0
    assert (
        sorted(map(repr, DailyFigure.objects.values_list("day", "metric", "key", "count", "amount")))
        == stored
    )
    assert RollupRun.objects.filter(finished_at__isnull=False).count() == 2
