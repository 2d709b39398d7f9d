"""The write-off queue offers no decision on a supervisor's own request (the service refuses it:
test_write_offs.test_a_supervisor_cannot_approve_her_own_request)."""

from datetime import timedelta
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.tests.factories import charge
from collections_app.services.write_offs import write_off_request
from collections_app.tests.test_write_offs import final, unreachable

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_the_queue_offers_no_decision_on_your_own_request(make_user, client):
    account = final()  # eligible as the policy requires: final, service ended, debtor not found
    charge(account, "180.00", due=TODAY - timedelta(days=150))
    sam = make_user("sam", "Supervisor")
    unreachable(account, sam)
    own = write_off_request(
        account_id=account.pk,
        criteria="debtor_not_found",
        reason="mail returned",
        actor=sam,
        idempotency_key=uuid4(),
    )
    decide = f"/collections/recovery/write-offs/{own.pk}/decide"
    client.force_login(sam)
    page = client.get("/collections/recovery/write-offs/").content.decode()
    assert (
        account.number in page and "Your request: another supervisor decides." in page and decide not in page
    )
    refused = client.post(decide, {"decision": "approve", "note": ""}, follow=True).content.decode()
    assert "A second person must approve a write-off you requested." in refused
    client.force_login(make_user("tess", "Supervisor"))
    assert decide in client.get("/collections/recovery/write-offs/").content.decode()
