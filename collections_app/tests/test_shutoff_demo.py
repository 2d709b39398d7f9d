"""The demo city's collections data makes a shutoff list with accounts on it, held and not yet."""

import pytest
from django.utils import timezone

from accounts.demo_city import demo_city_load
from collections_app.demo import demo_collections_load
from collections_app.models import CandidateStatus, MedicalCertificate, Notice
from collections_app.services.shutoff import shutoff_run
from collections_app.tests.shutoff_setup import any_day_policy
from common.demo import demo_users_create

pytestmark = pytest.mark.django_db


def test_demo_notices_certificates_and_appeals_make_a_varied_list(settings):
    settings.DEMO_ALLOWED = True
    today = timezone.localdate()
    demo_users_create()
    demo_city_load(seed=3, today=today, accounts=1500, months=12)
    made = demo_collections_load(today=today, seed=3)
    assert made["notices"] > 50 and made["medical"] >= 3 and made["appeals"] >= 3
    assert demo_collections_load(today=today, seed=3) == {"notices": 0, "medical": 0, "appeals": 0}
    assert Notice.objects.filter(sent_on__gte=today).count() == 0
    any_day_policy()  # so the list does not depend on the day of the week the suite runs
    run = shutoff_run(business_date=today)
    counts = run.counts["by_status"]
    assert counts[CandidateStatus.LISTED] > 10, counts
    assert counts[CandidateStatus.HELD] >= 3 and counts[CandidateStatus.DEFERRED] > 5, counts
    codes = run.counts["by_code"]
    assert "NOTICE_NOT_SENT" in codes and "NOTICE_LEAD" in codes, codes
    held_ids = set(run.candidates.filter(status="held").values_list("account_id", flat=True))
    assert held_ids & set(MedicalCertificate.objects.values_list("account_id", flat=True))
