"""The monthly report: one PDF with every registered dashboard's title, chart and tables for the
month, built by a stored job on a real worker; the request only stores the job."""

import os
import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.tests.factories import AccountFactory, charge
from collections_app.models import CollectionAgency
from common.models import Job
from conftest import wait_for_job
from counseling.tests.factories import agency
from reports.dashboards import base
from reports.dashboards.tables import time_table
from reports.monthly import month_filters
from reports.tests.dash import rollup
from reports.tests.test_dashboard_arrangements import arrangement
from reports.tests.test_dashboard_contacts import contact
from reports.tests.test_dashboard_fairness import notice
from reports.tests.test_dashboard_pledges import pledge
from reports.tests.test_dashboard_productivity import shift
from reports.tests.test_dashboard_recovery import refer, write_off
from reports.tests.test_dashboard_returns_drawers import returned
from reports.views_dashboards import render_tables

TODAY = timezone.localdate()
FIRST = TODAY.replace(day=1)
MONTH = FIRST.isoformat()[:7]
EMPTY = {"0", "$0.00", "—", ""}


def seed(make_user) -> None:
    """A figure for every dashboard in this month (its first day, so it is never in the future)."""
    ana = make_user("ana", "Counselor", first_name="Ana", last_name="Ruiz")
    arrangement(ana, created=FIRST, total="1234.56")
    pledge(ana, agency(), on=FIRST, amount="321.09")
    charge(AccountFactory(premise__postal_code="85077"), "777.77", due=FIRST - timedelta(days=45))
    notice(AccountFactory(premise__postal_code="85077"), FIRST)
    cam, dee = make_user("cam", "Cashier"), make_user("dee", "Cashier")
    contact(ana, FIRST)  # contacts, contacts by reason
    returned(cam, dee, kind="check", on=FIRST)  # returned items, per cashier and per tender
    shift(cam, "D01", day=FIRST, hours=2, payments=1)  # drawers (both) and productivity
    officer = make_user("oli", "Collections officer")
    write_off(officer, on=FIRST, amount="55.00")  # write-offs, recoveries and agencies
    refer(officer, CollectionAgency.objects.create(name="Acme Recovery"), on=FIRST, principal="88.00")
    rollup(FIRST - timedelta(days=1), TODAY)


def figures(filters) -> dict[str, list[str]]:
    """Each dashboard's non-zero period-table texts, as its page shows them."""
    out = {}
    for dash in base.dashboards():
        [table] = render_tables([time_table(dash, filters)], dash.slug, filters)
        out[dash.title] = [c["text"] for r in table["rows"] for c in r["cells"] if c["text"] not in EMPTY]
    return out


@pytest.mark.django_db
def test_the_request_stores_the_job_and_returns_at_once(client, make_user):
    client.force_login(make_user("sup", "Supervisor"))
    index = client.get(reverse("reports:dashboards"))
    assert b'action="/supervisor/dashboards/monthly/"' in index.content and b'type="month"' in index.content
    answer = client.post(reverse("reports:monthly"), {"month": MONTH, "utility": "water"})
    job = Job.objects.get()
    assert answer.status_code == 302 and answer["Location"] == job.get_absolute_url()
    assert job.status == "queued" and job.kind == "reports.monthly_pdf"
    assert job.params == {"month": MONTH, "utility": "water"} and job.permission == "common.use_supervision"
    again = client.post(reverse("reports:monthly"), {"month": MONTH, "utility": "water"})
    assert again["Location"] == job.get_absolute_url() and Job.objects.count() == 1  # a double click
    bad = client.post(reverse("reports:monthly"), {"month": "2026-13"})
    assert bad.status_code == 400 and b"Give the month as YYYY-MM" in bad.content
    future = (TODAY.replace(day=28) + timedelta(days=10)).isoformat()[:7]
    assert client.post(reverse("reports:monthly"), {"month": future}).status_code == 400
    client.force_login(make_user("carmen", "Counselor"))
    assert client.post(reverse("reports:monthly"), {"month": MONTH}).status_code == 403


@pytest.mark.django_db(transaction=True, databases=["default", "jobs"])
def test_a_worker_builds_one_pdf_with_every_dashboard_and_its_figures(celery_worker, client, make_user):
    seed(make_user)
    client.force_login(make_user("sup", "Supervisor"))
    client.post(reverse("reports:monthly"), {"month": MONTH})
    job = wait_for_job(Job.objects.get())
    assert job.status == "done", job.error
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Monthly report" in page and f"/jobs/{job.pk}/download" in page
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    data = b"".join(download.streaming_content) if download.streaming else download.content
    if path := os.environ.get("MONTHLY_PDF"):  # keep it to look at (pdftoppm)
        with open(path, "wb") as out:
            out.write(data)
    reader = PdfReader(BytesIO(data))
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in reader.pages))
    want = figures(month_filters({"month": MONTH}))
    assert len(want) == len(base.dashboards()) >= 4
    for title, texts in want.items():
        assert title in text, title
        assert texts, f"{title}: the seed gave it no figure"
        for t in texts:
            assert t in text, (title, t)
    assert "$1,234.56" in text and "$321.09" in text and "$777.77" in text
    assert len(reader.pages) >= len(want)  # a page (at least) per dashboard
