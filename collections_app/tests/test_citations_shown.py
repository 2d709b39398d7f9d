"""What a customer reads cites only the law of the presets in force (issue 12; rules.md §2, §3):
under DEFAULT a disconnection notice cites "utility policy", never a California statute; under
the SB 998 preset it still cites HSC 116908."""

import re
from datetime import date
from uuid import uuid4

import pytest
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from collections_app.pdf_notices import notice_batch_pdf
from collections_app.services.notices import notice_batch_build, notice_record
from collections_app.tests.billing import bill, use_policy
from conftest import pdf_text

pytestmark = pytest.mark.django_db
CALIFORNIA = re.compile(r"HSC|Health|1169\d\d|PUC|CPUC|Cal\.")


@pytest.fixture
def officer(make_user):
    return make_user("olive", "Collections officer")


def _notice_text(officer) -> tuple[str, str]:
    bill(AccountFactory(), "180.00", due=date(2026, 9, 1), billed=date(2026, 8, 11))
    batch = notice_batch_build(kind="shutoff", business_date=date(2026, 10, 21), actor=officer)
    return batch.notices.get().citation, " ".join(pdf_text(notice_batch_pdf(batch)).split())


def test_under_default_the_notice_pdf_cites_no_california_statute(officer):
    use_policy("DEFAULT")
    citation, text = _notice_text(officer)
    assert citation == "utility policy"
    assert "This notice is given under utility policy" in text
    assert not CALIFORNIA.search(text)


def test_under_sb998_the_notice_pdf_cites_the_statute(officer):
    use_policy("CA_SB998_WATER")
    citation, text = _notice_text(officer)
    assert citation == "HSC 116908(a)(1)(A)" and "HSC 116908(a)(1)(A)" in text


def test_a_phone_notice_under_default_cites_utility_policy(officer):
    use_policy("DEFAULT")
    account = AccountFactory()
    bill(account, "140.00", due=date(2026, 8, 1))
    notice = notice_record(
        account_id=account.pk, kind="shutoff", method="phone", sent_on=timezone.localdate(),
        actor=officer, idempotency_key=str(uuid4()),
    )  # fmt: skip
    assert not CALIFORNIA.search(notice.citation) and "utility policy" in notice.citation


def test_the_write_off_page_cites_no_other_citys_ordinance(role_clients):
    use_policy("DEFAULT")
    page = role_clients["Supervisor"].get("/collections/recovery/write-offs/").content.decode()
    assert "written off without further action (utility policy)" in page and "Union City" not in page


def test_the_policy_page_cites_the_preset_in_force_not_the_catalogue(role_clients):
    use_policy("AZ_PHOENIX_WATER")
    page = role_clients["Supervisor"].get("/collections/policy/").content.decode()
    assert "Fox10 (City of Phoenix, Jan 2022)" in page  # 31 days: Phoenix's own source
    assert "HSC" not in page and "16 TAC" not in page and "Pa. Code" not in page
