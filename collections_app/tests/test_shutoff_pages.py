"""The run page pages a tab by keyset (issue 15): every row once, in order, both ways, however many
rows share a bill cycle and an address; a constant number of queries on any page; an edited link
shows a page, never an error."""

import re

import pytest
from django.db import IntegrityError
from django.utils import timezone

from accounts.tests.factories import AccountFactory, CustomerFactory
from collections_app.models import BatchRun, CandidateStatus, RunKind, RunStatus, ShutoffCandidate
from collections_app.selectors.shutoff_page import END, PAGE_SIZE, SortKey, run_candidate_page
from collections_app.services.shutoff import shutoff_run
from collections_app.tests.shutoff_setup import business_day, delinquent
from conftest import ROLE_NAMES

pytestmark = pytest.mark.django_db
COLLECTOR = ROLE_NAMES[2]
TODAY = timezone.localdate()


def _run(n: int, *, status: str = CandidateStatus.DEFERRED) -> tuple[BatchRun, list[ShutoffCandidate]]:
    """A finished run of n rows on one tab, their sort keys full of ties (three cycles, four
    addresses: many accounts share both), and the rows in the page's order."""
    run = BatchRun.objects.create(
        kind=RunKind.SHUTOFF,
        business_date=TODAY,
        status=RunStatus.FINISHED,
        counts={"by_status": {status: n}},
    )
    rows = []
    for i in range(n):
        account = AccountFactory(customer=CustomerFactory(last_name=f"Person{i}"))
        rows.append(
            ShutoffCandidate(
                run=run,
                account=account,
                status=status,
                deciding_code="NOTICE_LEAD" if i % 5 else "OCCUPANT_NOTICE",
                reason="The shutoff notice lead runs on.",
                sort_cycle=3 - i % 3,  # not the accounts' order: ties are broken by account id
                sort_address=f"{10 + i % 4} ELM ST",
                search_text=f"{account.number} PERSON{i}, MARIA",
            )
        )
    ShutoffCandidate.objects.bulk_create(rows)
    return run, sorted(rows, key=lambda r: (r.sort_cycle, r.sort_address, r.account_id))


def _run_numbers(n: int) -> tuple[BatchRun, list[str]]:
    run, rows = _run(n)
    return run, [r.account.number for r in rows]


def _numbers(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [row.account.number for row in page.rows]


@pytest.mark.parametrize(("code", "q"), [("", ""), ("NOTICE_LEAD", ""), ("", "person1")])
def test_keyset_pages_visit_every_row_once_in_order_both_ways(code, q):  # type: ignore[no-untyped-def]
    run, rows = _run(23)
    ordered = [
        r.account.number
        for r in rows
        if (not code or r.deciding_code == code) and (not q or q.upper() in r.search_text)
    ]
    filters = {"run": run, "tab": "deferred", "code": code, "q": q, "size": 4}

    page, seen = run_candidate_page(**filters), []
    assert not page.has_previous
    while True:
        seen += _numbers(page)
        if not page.has_next:
            break
        page = run_candidate_page(**filters, after=SortKey.parse(page.next_cursor))
        assert page.has_previous
    assert seen == ordered and len(ordered) > 4

    page, seen = run_candidate_page(**filters, before=END), []
    assert not page.has_next and len(page.rows) == 4  # the last page is a full one
    while True:
        seen = _numbers(page) + seen
        if not page.has_previous:
            break
        page = run_candidate_page(**filters, before=SortKey.parse(page.previous_cursor))
        assert page.has_next
    assert seen == ordered


def _links(html: str) -> dict[str, str]:
    """The pager's links by their rel (next, prev) or label (First, Last)."""
    nav = html[html.index('data-testid="pages"') :]
    links = {}
    for attrs, label in re.findall(r'<a class="page-link"([^>]*)>(\w+)</a>', nav):
        links[label] = re.search(r'href="([^"]*)"', attrs)[1].replace("&amp;", "&")  # type: ignore[index]
    return links


def _page_numbers(html: str) -> list[str]:
    return re.findall(r'<tr data-testid="candidate-(\d+)"', html)


def test_the_page_links_walk_the_tab_forward_and_back_keeping_the_filters(role_clients):
    run, ordered = _run_numbers(2 * PAGE_SIZE + 7)
    client = role_clients[COLLECTOR]
    url = f"/collections/shutoff/{run.pk}/"
    html = client.get(url, {"tab": "deferred", "q": "maria"}).content.decode()
    assert 'aria-current="page"' in html and 'aria-label="Pages of this tab"' in html
    seen, pages = [], []
    while True:
        pages.append(html)
        seen += _page_numbers(html)
        links = _links(html)
        if "Next" not in links:
            break
        assert "tab=deferred" in links["Next"] and "q=maria" in links["Next"]
        html = client.get(url + links["Next"]).content.decode()
    assert seen == ordered and len(pages) == 3
    assert set(_links(pages[0])) == {"Next", "Last"}  # First and Previous are shown disabled
    assert set(_links(pages[1])) == {"First", "Previous", "Next", "Last"}

    back: list[str] = []
    html = client.get(url + _links(pages[0])["Last"]).content.decode()
    assert _page_numbers(html) == ordered[-PAGE_SIZE:]
    while True:
        back = _page_numbers(html) + back
        links = _links(html)
        if "Previous" not in links:
            break
        html = client.get(url + links["Previous"]).content.decode()
    assert back == ordered
    first = client.get(url + _links(pages[2])["First"]).content.decode()
    assert _page_numbers(first) == ordered[:PAGE_SIZE]


def test_any_page_costs_the_same_few_queries(role_clients, django_assert_max_num_queries):
    run, ordered = _run_numbers(2 * PAGE_SIZE + 7)
    client = role_clients[COLLECTOR]
    url = f"/collections/shutoff/{run.pk}/"
    client.get(url)  # content types, the session: cached for the next requests
    middle = ShutoffCandidate.objects.get(run=run, account__number=ordered[PAGE_SIZE + 3])
    for params in (
        {"tab": "deferred"},
        {"tab": "deferred", "after": SortKey.of(middle).cursor},
        {"tab": "deferred", "last": "1"},
        {"tab": "deferred", "code": "NOTICE_LEAD", "q": "maria", "before": SortKey.of(middle).cursor},
    ):
        # session, user, permissions (2), run, page keys, page rows, rule counts, excluded count
        with django_assert_max_num_queries(9):
            response = client.get(url, params)
        assert response.status_code == 200 and _page_numbers(response.content.decode())


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "1.2",
        "99999.1.ELM ST",  # a cycle past the column's range
        "1.1234567890123456789.ELM ST",  # an account id past bigint
        "².1.ELM ST",  # a digit Python reads but the database does not
        "-1.-1.",
        "1.2." + "X" * 151,
    ],
)
def test_a_cursor_that_does_not_parse_shows_the_first_page(role_clients, cursor):
    run, ordered = _run_numbers(PAGE_SIZE + 5)
    client = role_clients[COLLECTOR]
    for name in ("after", "before"):
        response = client.get(f"/collections/shutoff/{run.pk}/", {"tab": "deferred", name: cursor})
        assert response.status_code == 200
        assert _page_numbers(response.content.decode()) == ordered[:PAGE_SIZE]


def test_a_nul_in_a_cursor_is_refused_with_a_clear_400(role_clients):
    run, _ = _run(3)
    response = role_clients[COLLECTOR].get(f"/collections/shutoff/{run.pk}/?after=1.2.%00")
    assert response.status_code == 400


def test_a_cursor_past_either_end_shows_the_last_or_the_first_page(role_clients):
    run, ordered = _run_numbers(PAGE_SIZE + 5)
    rows = {r.account.number: r for r in ShutoffCandidate.objects.filter(run=run).select_related("account")}
    past_the_end = run_candidate_page(run=run, tab="deferred", after=SortKey.of(rows[ordered[-1]]))
    assert _numbers(past_the_end) == ordered[-PAGE_SIZE:] and not past_the_end.has_next
    before_the_start = run_candidate_page(run=run, tab="deferred", before=SortKey.of(rows[ordered[0]]))
    assert _numbers(before_the_start) == ordered[:PAGE_SIZE] and not before_the_start.has_previous
    assert run_candidate_page(run=run, tab="held", after=SortKey(1, "A", 1)).rows == []  # an empty tab


def test_a_cursor_reads_back_whatever_the_address_holds():
    key = SortKey(12, "12.5 N 1ST ST #A.2 · ÑANDÚ", 9000000123)
    assert SortKey.parse(key.cursor) == key


def test_search_reads_number_name_and_address_in_any_case_and_wildcards_literally():
    run, ordered = _run_numbers(12)
    row = ShutoffCandidate.objects.select_related("account").get(run=run, account__number=ordered[4])

    def found(q: str) -> list[str]:
        return _numbers(run_candidate_page(run=run, tab="deferred", q=q))

    assert found(row.account.number) == [row.account.number]
    assert found(row.search_text.split()[1].lower().rstrip(",")) == [row.account.number]
    assert len(found("elm st")) == 12 and len(found("11 elm")) == 3
    assert found("%") == [] and found("_") == []


def test_the_nightly_run_stores_each_rows_sort_and_search_keys():
    day = business_day()
    account = delinquent(as_of=day, number="0000930001", first="Rosa", last="Delgado")
    row = ShutoffCandidate.objects.get(run=shutoff_run(business_date=day), account=account)
    assert row.sort_cycle == account.bill_cycle
    assert row.sort_address == account.premise.search_address.upper()
    assert row.search_text == "0000930001 DELGADO, ROSA"


def test_only_a_listed_account_can_be_excluded_so_each_tab_is_one_index_range():
    run, _ = _run(2, status=CandidateStatus.HELD)
    with pytest.raises(IntegrityError):
        ShutoffCandidate.objects.filter(run=run).update(excluded=True)


def test_a_tab_where_every_row_ties_pages_by_account():
    run, rows = _run(9)
    ShutoffCandidate.objects.filter(run=run).update(sort_cycle=1, sort_address="1 ELM ST")
    ordered = [r.account.number for r in sorted(rows, key=lambda r: r.account_id)]
    pages = [run_candidate_page(run=run, tab="deferred", size=4)]
    while pages[-1].has_next:
        after = SortKey.parse(pages[-1].next_cursor)
        pages.append(run_candidate_page(run=run, tab="deferred", size=4, after=after))
    assert [n for p in pages for n in _numbers(p)] == ordered and len(pages) == 3


def test_the_rule_filter_counts_come_from_the_run_and_follow_exclusions(role_clients, make_user):
    from collections_app.selectors.shutoff import shutoff_run_counts, tab_codes
    from collections_app.services.shutoff import candidate_exclude

    run, rows = _run(10, status=CandidateStatus.LISTED)
    counted = tab_codes(run=run, tab="listed")  # no stored counts (a run finished before them)
    assert counted == [("NOTICE_LEAD", 8), ("OCCUPANT_NOTICE", 2)]
    run.counts = shutoff_run_counts(run_id=run.pk)
    run.save(update_fields=["counts"])
    officer = make_user("olivia", "Collections officer")
    occupant = next(r for r in rows if r.deciding_code == "OCCUPANT_NOTICE")
    candidate_exclude(candidate_id=occupant.pk, reason="Tenant paid at the counter", actor=officer)
    assert tab_codes(run=run, tab="listed") == [("NOTICE_LEAD", 8), ("OCCUPANT_NOTICE", 1)]
    assert tab_codes(run=run, tab="excluded") == [("OCCUPANT_NOTICE", 1)]
    assert tab_codes(run=run, tab="held") == []
