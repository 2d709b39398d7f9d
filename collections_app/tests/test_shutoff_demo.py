"""The demo city's collections data makes a shutoff list with accounts on it, held and not yet, and
gives every recovery page real work."""

import pytest
from django.utils import timezone

from accounts.demo_city import demo_city_load
from collections_app.demo import demo_collections_load
from collections_app.demo_recovery import demo_recovery_load
from collections_app.models import (
    AgencyReferral,
    BankruptcyCase,
    CandidateStatus,
    CollectionAgency,
    MedicalCertificate,
    Notice,
    SmallClaim,
)
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

    made = demo_recovery_load(today=today)
    referrals = AgencyReferral.objects.count()
    assert CollectionAgency.objects.count() == 2 and made["cases"] == 2
    assert made["referred"] == referrals > 0
    assert set(AgencyReferral.objects.values_list("account__status", flat=True)) <= {"final", "closed"}
    assert BankruptcyCase.objects.count() == 1 and SmallClaim.objects.count() == 1
    assert demo_recovery_load(today=today)["cases"] == 0 and AgencyReferral.objects.count() == referrals
