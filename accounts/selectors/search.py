"""Account search by number, bill number, phone, name or service address, typo-tolerant.

Names and addresses use pg_trgm's word similarity (`q <% text`, GIN indexed), so a misspelled
surname ("Jonson") or street finds its account; ranked best first, then by account id, and paged
by keyset on (rank, id) so page 50 costs what page 1 does.
"""

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

    @property
    def cursor(self) -> str:
        return f"{self.rank}:{self.account_id}"


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

TEXT_IDS = """
SELECT a.id FROM accounts_account a WHERE a.customer_id IN (
    SELECT id FROM accounts_customer WHERE %(q)s <%% search_name)
UNION
SELECT a.id FROM accounts_account a WHERE a.premise_id IN (
    SELECT id FROM accounts_premise WHERE %(q)s <%% search_address)
"""
TEXT_RANK = (
    "ROUND(GREATEST(word_similarity(%(q)s, c.search_name), "
    "word_similarity(%(q)s, p.search_address))::numeric, 4)"
)

NUMBER_IDS = """
SELECT id FROM accounts_account WHERE number >= %(lo)s AND number < %(hi)s
UNION SELECT account_id FROM accounts_bill WHERE number = %(raw)s
UNION SELECT a.id FROM accounts_account a WHERE a.customer_id IN (
    SELECT id FROM accounts_customer WHERE phone_digits = %(phone)s)
"""
NUMBER_RANK = "(CASE WHEN a.number = %(digits)s THEN 1.0 ELSE 0.9 END)::numeric(5,4)"


def _prefix_bounds(prefix: str) -> tuple[str, str]:
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def account_search(*, q: str, after: str = "", limit: int = PAGE) -> list[SearchHit]:
    q = " ".join(q.split())[:100]
    if len(q) < 2:
        return []
    params: dict[str, object] = {"limit": limit, "q": q.upper()}
    compact = re.sub(r"[\s\-().]", "", q).upper()
    if compact.isdigit() or re.fullmatch(r"B\d{4,}", compact):
        digits = compact.lstrip("B")
        params["raw"] = compact  # a scanned bill stub carries the bill number
        phone = digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
        lo, hi = _prefix_bounds(digits)
        params.update(digits=digits, lo=lo, hi=hi, phone=phone)
        ids, rank = NUMBER_IDS, NUMBER_RANK
    else:
        ids, rank = TEXT_IDS, TEXT_RANK
    after_sql = ""
    if after and re.fullmatch(r"\d+(\.\d+)?:\d+", after):
        after_rank, after_id = after.split(":")
        params.update(after_rank=Decimal(after_rank), after_id=int(after_id))
        after_sql = f"AND ({rank} < %(after_rank)s OR ({rank} = %(after_rank)s AND a.id > %(after_id)s))"
    sql = SELECT.format(rank=rank, ids=ids, after=after_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [SearchHit(*row) for row in cursor.fetchall()]
