"""The issue's budget holds for every registered dashboard at once (a dashboard added later is held
to it too): its page and the drill-down of each of its figures in 10 queries or fewer, session,
user, permissions and menu included, on data where every dashboard has figures."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from reports.dashboards import base
from reports.tests.test_monthly_pdf import FIRST, TODAY, seed

pytestmark = pytest.mark.django_db


def test_every_dashboard_and_drill_down_answers_in_ten_queries_or_fewer(
    client, make_user, django_assert_max_num_queries
):
    seed(make_user)
    client.force_login(make_user("sup", "Supervisor"))
    client.get(reverse("reports:home"))  # the first page after sign-in may write the session
    params = {"start": FIRST, "end": TODAY, "grain": "week"}
    drilled = 0
    for dash in base.dashboards():
        with django_assert_max_num_queries(10):
            response = client.get(reverse("reports:dashboard", args=[dash.slug]), params)
        assert response.status_code == 200, dash.slug
        links = {
            c["href"]
            for table in (response.context["periods"], *response.context["extra_tables"])
            for r in table["rows"]
            for c in r["cells"]
            if c.get("href")
        }
        assert links or dash.slug == "aging", f"{dash.slug}: the seed gave it no figure to drill into"
        for href in sorted(links)[:3]:
            url = urlsplit(href)
            with django_assert_max_num_queries(10):
                drill = client.get(url.path, dict(parse_qsl(url.query)))
            assert drill.status_code == 200, href
            drilled += 1
    assert len(base.dashboards()) >= 13 and drilled > 20
