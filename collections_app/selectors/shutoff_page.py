"""One page of a shutoff run's tab, paged by keyset.

A city's "not yet" tab holds 50,000 decisions with about 3 KB of decision JSON each. Sorting the
whole tab with its JSON to show 50 rows, then skipping to page 250 with OFFSET (and counting the
tab for the paginator), took seconds. Here the ordering and paging read only the narrow sort keys,
from the index `candidate_run_tab_order` (run, status, excluded, sort_cycle, sort_address,
account): a page is one range of that index, found from a cursor (the key of the row it starts
after or ends before), never an OFFSET, and nothing is counted. The wide rows (the JSON, the
account, its customer and premise) are then read for the page's accounts only, through the
(run, account) unique index.
"""

import re
from dataclasses import dataclass

from django.db import connection

from collections_app.models import BatchRun, ShutoffCandidate
from collections_app.selectors.shutoff import TABS

PAGE_SIZE = 50

# {position}: the keyset condition; {direction} ASC going forward, DESC going back (and for the
# last page). The search matches a piece of what the officer sees on the row, in any case: the
# account number or the customer's name (search_text), or the service address, both stored
# upper-case. Every column it reads is in the index: a search that matches little reads the
# tab's range of the index once, never the wide rows or the accounts (joining those per row
# took 400 ms on a 50,000-row tab; UPPER() per row doubled the 30 ms this takes).
KEYS_SQL = """
SELECT c.sort_cycle, c.sort_address, c.account_id
FROM collections_app_shutoffcandidate c
WHERE c.run_id = %(run_id)s AND c.status = %(status)s AND c.excluded = %(excluded)s
  {code} {position} {search}
ORDER BY c.sort_cycle {direction}, c.sort_address {direction}, c.account_id {direction}
LIMIT %(limit)s
"""
CODE = "AND c.deciding_code = %(code)s"
AFTER = "AND (c.sort_cycle, c.sort_address, c.account_id) > (%(cycle)s, %(address)s, %(account_id)s)"
BEFORE = "AND (c.sort_cycle, c.sort_address, c.account_id) < (%(cycle)s, %(address)s, %(account_id)s)"
SEARCH = "AND (c.search_text LIKE UPPER(%(contains)s) OR c.sort_address LIKE UPPER(%(contains)s))"

# cycle.account.address: the address last, so whatever it contains (dots too) parses
CURSOR = re.compile(r"(\d{1,5})\.(\d{1,18})\.([^\x00]{0,150})", re.ASCII | re.DOTALL)


@dataclass(frozen=True)
class SortKey:
    """Where a row stands in its tab: bill cycle, service address, then the account (unique in a
    run, so no two rows tie)."""

    cycle: int
    address: str
    account_id: int

    @property
    def cursor(self) -> str:
        return f"{self.cycle}.{self.account_id}.{self.address}"

    @classmethod
    def parse(cls, raw: str) -> "SortKey | None":
        """The key in a page link; None for anything else (an edited or cut-off link)."""
        match = CURSOR.fullmatch(raw)
        if match is None or int(match[1]) > 32767:  # a smallint column
            return None
        return cls(int(match[1]), match[3], int(match[2]))

    @classmethod
    def of(cls, row: ShutoffCandidate) -> "SortKey":
        return cls(row.sort_cycle, row.sort_address, row.account_id)


@dataclass(frozen=True)
class CandidatePage:
    rows: list[ShutoffCandidate]
    has_previous: bool
    has_next: bool

    @property
    def previous_cursor(self) -> str:
        return SortKey.of(self.rows[0]).cursor if self.rows else ""

    @property
    def next_cursor(self) -> str:
        return SortKey.of(self.rows[-1]).cursor if self.rows else ""

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next


# `before=END`: the last page (the tab read backwards from its end)
END = SortKey(-1, "", -1)


def _keys(
    *, run: BatchRun, tab: str, code: str, q: str, after: SortKey | None, before: SortKey | None, limit: int
) -> list[SortKey]:
    """The keys of up to `limit` rows after `after` (or, going back, before `before`, or at the end
    of the tab when `before` is the tab's end), in the tab's order."""
    _, status, excluded = TABS.get(tab, TABS["listed"])
    params: dict[str, object] = {"run_id": run.pk, "status": status, "excluded": excluded, "limit": limit}
    backwards = before is not None
    key = before or after
    if key is not None and key is not END:
        params.update(cycle=key.cycle, address=key.address, account_id=key.account_id)
    if code:
        params["code"] = code
    if q:
        pattern = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["contains"] = f"%{pattern}%"
    sql = KEYS_SQL.format(
        code=CODE if code else "",
        position="" if key is None or key is END else (BEFORE if backwards else AFTER),
        search=SEARCH if q else "",
        direction="DESC" if backwards else "ASC",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [SortKey(*row) for row in cursor.fetchall()]
    return keys[::-1] if backwards else keys


def _rows(*, run: BatchRun, keys: list[SortKey]) -> list[ShutoffCandidate]:
    """The wide rows for one page's keys, in the keys' order (one query)."""
    order = {k.account_id: i for i, k in enumerate(keys)}
    rows = ShutoffCandidate.objects.filter(run=run, account_id__in=order).select_related(
        "account", "account__customer", "account__premise", "excluded_by"
    )
    return sorted(rows, key=lambda row: order[row.account_id])


def run_candidate_page(
    *,
    run: BatchRun,
    tab: str,
    code: str = "",
    q: str = "",
    after: SortKey | None = None,
    before: SortKey | None = None,
    size: int = PAGE_SIZE,
) -> CandidatePage:
    """The page of a tab that starts after `after`, or ends before `before` (`END`: the last page);
    the first page without either. One more key than the page is read to learn whether the tab
    goes on. A cursor past either end (rows deleted since, a made-up link) gives the first or the
    last page, not an empty one."""

    def keys(*, after: SortKey | None = None, before: SortKey | None = None) -> list[SortKey]:
        return _keys(run=run, tab=tab, code=code, q=q, after=after, before=before, limit=size + 1)

    def page(found: list[SortKey], *, has_previous: bool, has_next: bool) -> CandidatePage:
        return CandidatePage(_rows(run=run, keys=found), has_previous=has_previous, has_next=has_next)

    if before is not None and (found := keys(before=before)):
        return page(found[-size:], has_previous=len(found) > size, has_next=before is not END)
    if after is not None and (found := keys(after=after)):
        return page(found[:size], has_previous=True, has_next=len(found) > size)
    if after is not None:  # nothing after it: the last page
        found = keys(before=END)
        return page(found[-size:], has_previous=len(found) > size, has_next=False)
    found = keys()  # the first page (also when nothing lies before `before`)
    return page(found[:size], has_previous=False, has_next=len(found) > size)
