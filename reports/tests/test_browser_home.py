"""The supervisor starts the day: the home shows an alarm for a drawer closed short beyond the
policy's tolerance; following it opens the sessions page at that drawer's sign-off."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import LedgerCheckRun
from collections_app.models import BatchRun, RunKind, RunStatus
from collections_app.selectors.field_day import shutoff_business_date
from common.models import ScheduledRun
from conftest import browser_sign_in
from payments.models import DrawerSession, SessionStatus
from payments.tests.factories import drawer
from policy.selectors import current_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_follows_a_short_drawer_alarm_to_the_drawer(page: Page, live_server, make_user, tmp_path):
    make_user("grace", "Supervisor")
    dale = make_user("dale", "Cashier")
    now, today = timezone.now(), timezone.localdate()
    # a calm night otherwise: the only alarm is the drawer
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        ScheduledRun.objects.update_or_create(task=entry["task"], defaults={"last_sent_at": now})
    LedgerCheckRun.objects.create(business_date=today, accounts_checked=1)
    BatchRun.objects.create(
        kind=RunKind.SHUTOFF, business_date=shutoff_business_date(today=today), status=RunStatus.FINISHED
    )
    limit = Decimal(str(current_policy()[0].param("cashiering.over_short_signoff")))
    short = DrawerSession.objects.create(
        drawer=drawer("D09"), cashier=dale, business_date=today - timedelta(days=1),
        opening_float=Decimal("200"),
        status=SessionStatus.PENDING_SIGNOFF, over_short=-(limit + Decimal("1234.50")),
        closed_at=now - timedelta(hours=3),
    )  # fmt: skip

    browser_sign_in(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/supervisor/")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Drawer D09")
    expect(alert).to_contain_text(f"short ${limit + Decimal('1234.50'):,.2f}")
    expect(page.get_by_test_id("home-figures")).to_contain_text("Payments posted")
    page.screenshot(path=str(tmp_path / "home-alarm.png"), full_page=True)
    alert.get_by_role("link", name=re.compile("Drawer D09")).click()
    expect(page).to_have_url(re.compile(rf"/cashier/sessions/#so-{short.pk}$"))
    pending = page.get_by_test_id("pending-signoff")
    expect(pending).to_contain_text("D09")
    expect(pending.locator(f"#so-{short.pk}")).to_be_visible()  # where the supervisor signs it off
    page.screenshot(path=str(tmp_path / "home-alarm-drawer.png"), full_page=True)
