"""A part of a notice batch's PDF (issue 13: 1,000 notices in <= 60 s) costs the same queries for
3 notices as for 9, and its render leaves the worker process as it found it."""

import gc
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from accounts.tests.factories import AccountFactory, PremiseFactory
from collections_app import pdf_notices
from collections_app.models import Notice, NoticeBatch
from collections_app.pdf_notices import batch_notice_ids, notices_pdf_part
from collections_app.tests.billing import use_policy
from conftest import pdf_text
from counseling.models import Agency

pytestmark = pytest.mark.django_db
DAY = date(2026, 10, 21)


def _notices(batch: NoticeBatch, n: int) -> None:
    for _ in range(n):
        account = AccountFactory(premise=PremiseFactory())  # each its own account and premise
        Notice.objects.create(
            account=account,
            batch=batch,
            kind="reminder",
            addressee="Pat Doe",
            address="1 Main St\nMesa, AZ 85201",
            amount_due="125.50",
            pay_by=DAY + timedelta(days=14),
            reason="test",
            citation="Mesa City Code 8-1-12",
            idempotency_key=f"t:{account.pk}",
        )


def _part_queries(batch: NoticeBatch) -> tuple[int, bytes]:
    ids = batch_notice_ids(batch)
    with CaptureQueriesContext(connection) as ctx:
        data = notices_pdf_part(ids, first=1, of=len(ids), title="t")
    return len(ctx.captured_queries), data


def test_a_part_costs_the_same_queries_for_3_notices_as_for_9():
    use_policy("DEFAULT")
    Agency.objects.create(name="City Human Services", programs="LIHEAP", phone="(602) 555-0101")
    batch = NoticeBatch.objects.create(kind="reminder", business_date=DAY)
    _notices(batch, 3)
    _part_queries(batch)  # the policy's caches, warmed as on a worker that has printed before
    with_3, _ = _part_queries(batch)
    _notices(batch, 6)
    with_9, data = _part_queries(batch)
    # notices, policy version, agencies, the utility's contact details (issue 16), and one more
    assert with_9 == with_3 <= 5, f"{with_3} queries for 3 notices, {with_9} for 9"
    assert len(PdfReader(BytesIO(data)).pages) == 9
    text = pdf_text(data)
    assert text.count("• Payment arrangement:") == 9 and text.count("• Your right to appeal:") == 9
    assert "City Human Services, (602) 555-0101" in text and "Notice 9 of 9" in text


def test_the_render_gives_the_garbage_collector_back_even_when_it_fails(monkeypatch):
    use_policy("DEFAULT")
    batch = NoticeBatch.objects.create(kind="reminder", business_date=DAY)
    _notices(batch, 1)
    assert gc.isenabled()
    notices_pdf_part(batch_notice_ids(batch), first=1, of=1, title="t")
    assert gc.isenabled()

    class Broken:
        def __init__(self, **kwargs: object) -> None:
            raise RuntimeError("out of memory")

    monkeypatch.setattr(pdf_notices, "HTML", Broken)
    with pytest.raises(RuntimeError):
        notices_pdf_part(batch_notice_ids(batch), first=1, of=1, title="t")
    assert gc.isenabled()
