"""Account search by number, bill number, phone, name or service address, typo-tolerant.

Names and addresses are ranked by pg_trgm's word similarity to what was typed (`q <% text`
keeps those above the threshold), best first, then by account id, paged by keyset on (rank, id).

Ranking every name above the threshold was the slow part at a million accounts: "GARCA" is
close to 26,500 GARCIAs, and all were read and scored before the top 25 were kept. So the
candidates come from words instead:
1. each typed word of three or more characters (house numbers too: 4038 is close to 4036)
   finds its closest words in `SearchWord` (every word of every name and address, thousands of
   rows; a GiST nearest-neighbour scan); one- or two-letter words ("E", "ST") match as typed;
2. customers and premises holding those words (their `search_words` GIN index, `@>`), at most
   a pool's worth per combination: all typed words together, and each word alone;
3. their accounts are ranked exactly as before and the page is cut from them.
A common name thus costs what a rare one does. Where more accounts tie at the top than the pool
holds (an exact common surname), the page shows the pool's lowest account ids, not the city's:
staff narrow such a search by first name or address. The pool grows with the depth of paging
(the cursor carries how many rows were shown). `bench/desk_latency.py` measures the recall of
this against the exhaustive ranking of the same query.
"""

# ruff: noqa: S608 -- SQL assembled from this module's own constants; what was typed is a parameter

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

PAGE = 25


@dataclass(frozen=True)
class SearchHit:
    account_id: int
    number: str
    name: str
    address: str
    balance: Decimal
    status: str
    rank: Decimal

    shown: int = 0  # rows up to and including this one, for the next page's pool

    @property
    def cursor(self) -> str:
        return f"{self.rank}:{self.account_id}:{self.shown}"


SELECT = """
SELECT a.id, a.number,
       CASE WHEN c.kind = 'business' THEN c.business_name ELSE c.first_name || ' ' || c.last_name END,
       p.address || CASE WHEN p.unit <> '' THEN ' #' || p.unit ELSE '' END || ', ' || p.city,
       a.balance, a.status, {rank} AS rank
FROM accounts_account a
JOIN accounts_customer c ON c.id = a.customer_id
JOIN accounts_premise p ON p.id = a.premise_id
WHERE a.id IN ({ids}) {after}
ORDER BY rank DESC, a.id
LIMIT %(limit)s
"""

# {terms}: one CTE a typed word, its closest dictionary words; {probes}: the word combinations.
TEXT_IDS = """
WITH {terms},
probes AS ({probes}),
-- each side keeps its pool's best by its own similarity before any account is read: a street's
-- thousands of premises are scored on one short column, not joined twice
cust AS (
    SELECT id FROM (
        SELECT DISTINCT c.id, c.search_name FROM probes CROSS JOIN LATERAL (
            SELECT id, search_name FROM accounts_customer WHERE search_words @> probes.words
            LIMIT %(pool)s) c
    ) c ORDER BY word_similarity(%(q)s, c.search_name) DESC, c.id LIMIT %(pool)s
),
prem AS (
    SELECT id FROM (
        SELECT DISTINCT p.id, p.search_address FROM probes CROSS JOIN LATERAL (
            SELECT id, search_address FROM accounts_premise WHERE search_words @> probes.words
            LIMIT CASE WHEN probes.street THEN %(street_pool)s ELSE %(pool)s END) p
    ) p ORDER BY word_similarity(%(q)s, p.search_address) DESC, p.id LIMIT %(pool)s
),
-- materialized: the threshold below is checked on these few accounts, never through the
-- trigram indexes (which would read every name above it again)
cands AS MATERIALIZED (
    SELECT a.id FROM accounts_account a WHERE a.customer_id IN (SELECT id FROM cust)
    UNION SELECT a.id FROM accounts_account a WHERE a.premise_id IN (SELECT id FROM prem)
)
SELECT a.id FROM cands JOIN accounts_account a ON a.id = cands.id
JOIN accounts_customer c ON c.id = a.customer_id JOIN accounts_premise p ON p.id = a.premise_id
WHERE %(q)s <%% c.search_name OR %(q)s <%% p.search_address
"""
TERMS = """t{n} AS (
    SELECT word, row_number() OVER (ORDER BY word <-> %(w{n})s, word) AS nearness
    FROM (SELECT word FROM accounts_searchword ORDER BY word <-> %(w{n})s LIMIT {k}) w
)"""
TEXT_RANK = (
    "ROUND(GREATEST(word_similarity(%(q)s, c.search_name), "
    "word_similarity(%(q)s, p.search_address))::numeric, 4)"
)
POOL = 300  # names or premises per word combination for the first page; deeper pages read more
STREET_POOL = 2000  # premises on one street: the median street holds 353, the longest 15,000
MAX_FUZZY = 3  # typed words looked up in the dictionary; more add combinations, not precision


def _text_ids(words: list[str], params: dict[str, object]) -> str | None:
    """The candidate statement for these typed words (None: nothing to look for)."""
    fuzzy = [w for w in words if len(w) >= 3][:MAX_FUZZY]
    exact = [w for w in words if len(w) < 3]  # a fourth long word is left to the ranking
    params["exact"] = exact
    params.update({f"w{n}": w for n, w in enumerate(fuzzy)})
    if not fuzzy:
        if not exact:
            return None
        return TEXT_IDS.format(
            terms="t AS (SELECT 1)", probes="SELECT %(exact)s::varchar[] AS words, false AS street"
        )
    # one word: its four closest spellings; two: three each; three: two each (8 combinations)
    k = {1: 4, 2: 3}.get(len(fuzzy), 2)
    terms = ",\n".join(TERMS.format(n=n, k=k) for n in range(len(fuzzy)))
    probes = [_combined(range(len(fuzzy)), street=False)]
    if len(fuzzy) == 1:
        # two of its spellings in one name: a typed JACKKSON is closest to JACKSON, JACK, whom
        # a pool of 300 of the city's 20,000 JACKSONs would likely miss
        probes.append("SELECT ARRAY[x.word, y.word]::varchar[], false FROM t0 x JOIN t0 y ON x.word < y.word")
    if len(words) > 1:  # a word that matches nothing (a first name misremembered) must not hide the rest
        probes += [
            f"SELECT ARRAY[word]::varchar[], false FROM t{n} WHERE nearness = 1" for n in range(len(fuzzy))
        ]
    # The street without the house number, every premise on it: near numbers (5410, 15414 for
    # 5414) rank close, and trigram neighbours of a number are not the ranking's neighbours.
    street = [n for n, w in enumerate(fuzzy) if not w.isdigit()]
    if street and len(street) < len(words):
        probes.append(_combined(street, street=True))
    return TEXT_IDS.format(terms=terms, probes="\n    UNION ALL ".join(probes))


def _combined(ns: "range | list[int]", *, street: bool) -> str:
    """Every combination of the closest spellings of these typed words, with the short words."""
    every = ", ".join(f"t{n}.word" for n in ns)
    tables = ", ".join(f"t{n}" for n in ns)
    words = f"(ARRAY[{every}] || %(exact)s::varchar[])::varchar[]"
    return f"SELECT {words} AS words, {street} AS street FROM {tables}"


# Each branch an index lookup: the number's unique index (its prefix, or the number with its
# leading zeros left off: "184" is 0000000184), the bill number's, the phone's, and the
# expression index on a phone's last four digits (`customer_phone_last4`).
NUMBER_IDS = """
SELECT id FROM accounts_account WHERE number >= %(lo)s AND number < %(hi)s
UNION SELECT id FROM accounts_account WHERE number = ANY(%(padded)s)
UNION SELECT account_id FROM accounts_bill WHERE number = %(raw)s
UNION SELECT a.id FROM accounts_account a WHERE a.customer_id IN (
    SELECT id FROM accounts_customer WHERE phone_digits = %(phone)s
    UNION SELECT id FROM accounts_customer WHERE right(phone_digits, 4) = %(last4)s)
"""
NUMBER_RANK = "(CASE WHEN a.number = ANY(%(exact)s) THEN 1.0 ELSE 0.9 END)::numeric(5,4)"
NUMBER_WIDTH = 12  # Account.number's max_length: the widest a number typed short may stand for


def _prefix_bounds(prefix: str) -> tuple[str, str]:
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def account_search(*, q: str, after: str = "", limit: int = PAGE) -> list[SearchHit]:
    q = " ".join(q.split())[:100]
    if len(q) < 2:
        return []
    params: dict[str, object] = {"limit": limit, "q": q.upper(), "pool": POOL, "street_pool": STREET_POOL}
    compact = re.sub(r"[\s\-().]", "", q).upper()
    if compact.isdigit() or re.fullmatch(r"B\d{4,}", compact):
        digits = compact.lstrip("B")
        params["raw"] = compact  # a scanned bill stub carries the bill number
        phone = digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
        lo, hi = _prefix_bounds(digits)
        padded = [digits.rjust(width, "0") for width in range(len(digits) + 1, NUMBER_WIDTH + 1)]
        params.update(
            lo=lo,
            hi=hi,
            phone=phone,
            padded=padded,
            exact=[digits, *padded],
            last4=digits if len(digits) == 4 else None,  # NULL: no phone ends in it
        )
        ids, rank = NUMBER_IDS, NUMBER_RANK
    else:
        # words as `words_of` splits the stored ones: runs of letters (any alphabet) and digits
        ids, rank = _text_ids(re.findall(r"[^\W_]+", q.upper()), params), TEXT_RANK
        if ids is None:
            return []
    after_sql, shown = "", 0
    cursor_match = re.fullmatch(r"(\d+(?:\.\d+)?):(\d+)(?::(\d{1,6}))?", after or "")
    if cursor_match:
        after_rank, after_id, shown_text = cursor_match.groups()
        shown = int(shown_text or 0)
        params.update(after_rank=Decimal(after_rank), after_id=int(after_id), pool=POOL + shown)
        after_sql = f"AND ({rank} < %(after_rank)s OR ({rank} = %(after_rank)s AND a.id > %(after_id)s))"
    sql = SELECT.format(rank=rank, ids=ids, after=after_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [SearchHit(*row, shown=shown + n) for n, row in enumerate(cursor.fetchall(), start=1)]


@dataclass(frozen=True)
class Lookup:
    """What a typed account reference stands for where one account is needed (the counter)."""

    hits: list[SearchHit]  # the best matches, at most the limit asked for
    more: bool  # more matched than the limit
    sure: bool  # exactly one account has this number, a number beginning so, or this phone

    @property
    def account_id(self) -> int | None:
        return self.hits[0].account_id if self.sure else None


def account_lookup(*, ref: str, limit: int = 8) -> Lookup:
    """The accounts a reference typed at a desk may mean, as the search finds them: a number or
    phone (any part of them search takes) decides when exactly one account matches; a name or
    an address never decides alone (the search is typo-tolerant), it only offers choices."""
    hits = account_search(q=ref, limit=limit + 1)
    compact = re.sub(r"[\s\-().]", "", ref).upper()
    numeric = compact.isdigit() or bool(re.fullmatch(r"B\d{4,}", compact))
    return Lookup(hits=hits[:limit], more=len(hits) > limit, sure=numeric and len(hits) == 1)
