"""What waits for a supervisor, counted on the supervisor home and in the menu badge (their own
requests left out), in a constant number of queries; the shutoff list linked to its own page; and
every desk the README gives supervisors opening to them from the menu."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collections_app.models import BatchRun, RunStatus
from policy.tests.helpers import use_policy
from reports.tests import approval_setup as made

pytestmark = pytest.mark.django_db
QUEUE, DECIDE, HOME = "/supervisor/approvals/", "/supervisor/approvals/decide/", "/supervisor/"


@pytest.fixture(autouse=True)
def _policy(db):
    use_policy("DEFAULT", adjustments__approval_limit="100.00")


@pytest.fixture
def people(make_user):
    return {
        "counselor": make_user("carmen", "Counselor"),
        "officer": make_user("olga", "Collections officer"),
        "grace": make_user("grace", "Supervisor"),
        "sam": make_user("sam", "Supervisor"),
    }


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _badge(page: str) -> str | None:
    marker = 'data-testid="nav-badge">'
    return page[page.index(marker) + len(marker) :].split("<")[0] if marker in page else None


def test_home_card_counts_the_total_and_each_kind_not_your_own(people, make_user):
    made.adjustment(people["counselor"])
    made.adjustment(people["grace"])  # grace's own: waits for sam, not for her
    made.arrangement(people["counselor"])
    made.write_off(people["officer"])
    made.drawer_and_void(make_user("dale", "Cashier"))
    page = _client(people["grace"]).get(HOME).content.decode()
    assert 'data-testid="pending-count">5<' in page  # adjustment, arrangement, write-off, drawer, void
    assert 'data-testid="pending-adjustment">1<' in page
    assert 'data-testid="pending-arrangement">1<' in page
    assert 'data-testid="pending-write_off">1<' in page
    assert 'data-testid="pending-refund">0<' in page
    assert 'data-testid="pending-drawer_signoff">1<' in page and 'data-testid="pending-void">1<' in page
    assert 'href="/supervisor/approvals/?kind=write_off"' in page
    assert _badge(page) == "5"
    sam = _client(people["sam"]).get(HOME).content.decode()
    assert 'data-testid="pending-count">6<' in sam and 'data-testid="pending-adjustment">2<' in sam
    assert _badge(sam) == "6"


def test_the_badge_drops_when_an_item_is_decided_and_is_absent_when_nothing_waits(people):
    grace = _client(people["grace"])
    assert _badge(grace.get(HOME).content.decode()) is None
    adj = made.adjustment(people["counselor"])
    made.adjustment(people["counselor"])
    assert _badge(grace.get(QUEUE).content.decode()) == "2"
    page = grace.post(DECIDE, {"kind": "adjustment", "pk": adj.pk, "decision": "approve"}, follow=True)
    assert _badge(page.content.decode()) == "1"


def test_no_badge_for_other_roles(role_clients, people):
    made.adjustment(people["counselor"])
    for role, client in role_clients.items():
        page = client.get("/jobs/").content.decode()
        assert (_badge(page) == "1") == (role == "Supervisor"), role


def _many(people, make_user, n: int, start: int) -> None:
    for i in range(start, start + n):
        made.adjustment(people["counselor"])
        made.arrangement(people["counselor"])
        made.write_off(people["officer"])
        made.refund(people["officer"])
        made.drawer_and_void(make_user(f"cashier{i}", "Cashier"), code=f"T{i:02d}")


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", [QUEUE, HOME, QUEUE + "?kind=void"])
def test_query_count_is_the_same_for_n_and_3n_items(people, make_user, path, django_assert_max_num_queries):
    grace = _client(people["grace"])
    _many(people, make_user, 2, 0)
    with CaptureQueriesContext(connection):  # warm the session and the permission cache
        grace.get(path)
    few = _queries(grace, path)
    _many(people, make_user, 4, 2)
    with django_assert_max_num_queries(few):
        page = grace.get(path).content.decode()
    assert _badge(page) == "36"  # 6 each of six kinds (a drawer and its void apiece)


def test_the_badge_is_one_query(people):
    made.adjustment(people["counselor"])
    grace = _client(people["grace"])
    grace.get("/jobs/")
    with CaptureQueriesContext(connection) as ctx:
        grace.get("/jobs/")
    counts = [q["sql"] for q in ctx.captured_queries if "UNION ALL" in q["sql"]]
    assert len(counts) == 1, counts


def test_a_shutoff_list_links_to_its_own_page_and_is_not_decided_in_the_queue(people):
    run = BatchRun.objects.create(
        kind="shutoff",
        business_date=timezone.localdate(),
        status=RunStatus.FINISHED,
        finished_at=timezone.now() - timedelta(hours=3),
        counts={"by_status": {"listed": 1234}},
        started_by=people["grace"],
    )
    grace = _client(people["grace"])
    page = grace.get(QUEUE).content.decode()
    row = page[page.index(f"approval-shutoff_list-{run.pk}") :].split("</tr>")[0]
    assert "1,234 accounts listed" in row and f'href="/collections/shutoff/{run.pk}/"' in row
    assert "Review on its page" in row and "<form" not in row
    assert "Yours" not in row  # pressing Run now asks for nothing: no four eyes on a list
    page = grace.post(DECIDE, {"kind": "shutoff_list", "pk": run.pk, "decision": "approve"}, follow=True)
    assert "Decide this on its own page" in page.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED
    assert _badge(page.content.decode()) == "1"


def test_a_supervisor_opens_every_desk_the_readme_gives_them_from_the_menu(people):
    grace = _client(people["grace"])
    home = grace.get(HOME)
    assert home.status_code == 200
    menu = home.content.decode().split("</nav>")[0]
    for desk in ("/collections/", "/counseling/", "/accounts/", QUEUE):
        assert f'href="{desk}"' in menu, desk
        assert grace.get(desk).status_code == 200, desk
    assert grace.get("/counseling/escalations/").status_code == 200
    # supervisors still land on their own desk, and the counseling desk stays closed to cashiers
    assert Client().get("/").status_code == 302
    assert grace.get("/").url == HOME
