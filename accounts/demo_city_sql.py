"""SQL building blocks for the demo city: seeded pseudo-random numbers and the per-account plan.

Every "random" choice is a hash of (seed, a key such as the account id, a purpose), computed
inside PostgreSQL with `hashint8extended`. So the same seed gives the same rows on any run, no
Python loop touches an account, and any statement can recompute a value another one used (the
ledger recomputes the charges the bills summed) instead of joining for it.

`demo_city_plan` is a scratch table with one row per account: the plan every table is written from
(class, status, billing months, payment behaviour, services, premise and customer ids).
"""

# ruff: noqa: S608 -- SQL assembled from this code's own constants and integers, never from input

import zlib
from dataclasses import dataclass
from datetime import date

# Accounts are laid out in blocks of 16 consecutive ids: a block is one street segment (same
# street, bill cycle and route), or an apartment building (the first id is the owner's house
# account on the building premise, the next ones its units).
BLOCK = 16
UTILITIES = ("water", "sewer", "solid_waste", "electric", "gas", "stormwater", "irrigation")
FUND_CODES = ("WTR", "SWR", "SLW", "ELC", "GAS", "STM", "IRR")
MAX_MONTHS = 240  # month numbers must fit the 8 bits the charge keys leave them


@dataclass(frozen=True)
class City:
    accounts: int
    months: int
    seed: int
    today: date
    time_zone: str

    @property
    def landlords(self) -> int:
        return max(1, self.accounts // 40)

    @property
    def today_month(self) -> int:
        return self.today.year * 12 + self.today.month - 1

    def rnd(self, key: str, purpose: str) -> str:
        """Uniform float in [0, 1), fixed by (seed, key, purpose)."""
        bits53 = f"(hashint8extended({key}, {self._salt(purpose)}) & 9007199254740991)"
        return f"({bits53}::float8 / 9007199254740992.0)"

    def rint(self, key: str, purpose: str, n: int | str) -> str:
        """Integer in [0, n), fixed by (seed, key, purpose)."""
        return f"((hashint8extended({key}, {self._salt(purpose)}) & 2147483647) % ({n}))"

    def zipf(self, key: str, purpose: str, n: int, flatten: float) -> str:
        """Index in [0, n), P(i) ~ 1 / (i + flatten): a few entries are very common, most rare."""
        ratio = (n + flatten) / flatten
        return f"LEAST({n - 1}, floor({flatten} * power({ratio}, {self.rnd(key, purpose)}) - {flatten})::int)"

    def _salt(self, purpose: str) -> int:
        # crc32 keeps a purpose's numbers stable when other purposes are added or reordered
        return (self.seed * 1_000_003 + zlib.crc32(purpose.encode())) % (2**62)

    def landlord(self, key: str) -> str:
        # squared: a few big property managers own many premises, most landlords own one or two
        return (
            f"({self.accounts + 1} + floor({self.landlords} * power({self.rnd(key, 'landlord')}, 2))::bigint)"
        )


def bill_date_sql(month_index: str, day: str) -> str:
    return f"make_date(({month_index}) / 12, ({month_index}) % 12 + 1, {day})"


def plan_sql(c: City) -> str:
    """The `demo_city_plan` plan: one row per account. Successors (a new customer moving into the
    premise the previous account closed at) need the previous account's row, hence windows."""
    m = c.months
    r, ri = c.rnd, c.rint
    return f"""
CREATE UNLOGGED TABLE demo_city_plan AS
WITH l1 AS MATERIALIZED (
    SELECT g.a, g.blk, g.pos, b.nunits, b.cycle, b.bldblk AND g.pos < b.nunits AS bld,
           {c.today_month} - (CASE WHEN {c.today.day} >= b.cycle THEN 0 ELSE 1 END) - {m - 1} AS mi0
    FROM (SELECT a, (a - 1) / {BLOCK} AS blk, (a - 1) % {BLOCK} AS pos
          FROM generate_series(1::bigint, {c.accounts}::bigint) a) g
    CROSS JOIN LATERAL (SELECT 3 + {ri("g.blk", "units", BLOCK - 2)} AS nunits,
                               1 + {ri("g.blk", "cycle", 20)}::int AS cycle,
                               {r("g.blk", "building")} < 0.3 AS bldblk OFFSET 0) b
), l2 AS MATERIALIZED (
    SELECT t.*, k.master, x.klass, x.isnew, x.m_first, st.status, e.m_end
    FROM l1 t
    CROSS JOIN LATERAL (SELECT t.bld AND t.pos = 0 AS master OFFSET 0) k
    CROSS JOIN LATERAL (
        SELECT CASE WHEN k.master THEN 'multi_unit' WHEN t.bld THEN 'residential'
                    WHEN {r("t.a", "commercial")} < 0.12 THEN 'commercial' ELSE 'residential' END AS klass,
               NOT k.master AND {r("t.a", "new")} < 0.12 AS isnew,
               {r("t.a", "status")} AS u_st OFFSET 0) x0
    CROSS JOIN LATERAL (
        SELECT x0.klass, x0.isnew, x0.u_st,
               CASE WHEN x0.isnew THEN {ri("t.a", "first month", m)}::int ELSE 0 END AS m_first OFFSET 0) x
    CROSS JOIN LATERAL (
        SELECT CASE WHEN k.master THEN 'active' WHEN x.u_st < 0.035 THEN 'final'
                    WHEN x.u_st < 0.085 AND x.m_first <= {m - 3} THEN 'closed' ELSE 'active' END AS status
        OFFSET 0) st
    CROSS JOIN LATERAL (
        SELECT CASE st.status
            WHEN 'closed' THEN x.m_first + {ri("t.a", "last month", f"{m - 2} - x.m_first")}::int
            WHEN 'final' THEN GREATEST(x.m_first, {m - 12})
                              + {ri("t.a", "last month", f"{m} - GREATEST(x.m_first, {m - 12})")}::int
            ELSE {m - 1} END AS m_end) e
), l3 AS MATERIALIZED (
    SELECT l2.*,
        CASE WHEN isnew THEN {bill_date_sql("mi0 + m_first", "cycle")} - (12 + {ri("a", "opened", 20)})::int
             ELSE {bill_date_sql("mi0", "cycle")} - (30 + {ri("a", "opened", 5475)})::int END AS opened0,
        CASE WHEN status <> 'active'
             THEN {bill_date_sql("mi0 + m_end", "cycle")} - (2 + {ri("a", "closed", 9)})::int END AS closed0,
        bld OR (klass = 'commercial' AND {r("a", "rental")} < 0.6)
            OR (klass = 'residential' AND {r("a", "rental")} < 0.3) AS rental0
    FROM l2
), l4 AS MATERIALIZED (
    SELECT l3.*,
        a % 2 = 0 AND NOT lag(master) OVER w AND lag(bld) OVER w = bld AND lag(status) OVER w <> 'active'
            AND {r("a", "successor")} < 0.75 AS succ,
        lag(klass) OVER w AS p_klass, lag(m_end) OVER w AS p_m_end, lag(closed0) OVER w AS p_closed,
        lag(rental0) OVER w AS p_rental
    FROM l3 WINDOW w AS (ORDER BY a)
), l5 AS MATERIALIZED (
    SELECT a, blk, pos, nunits, cycle, bld, mi0, master, succ,
        COALESCE(lead(succ) OVER (ORDER BY a), false) AS has_succ,
        CASE WHEN succ THEN p_klass ELSE klass END AS klass,
        CASE WHEN succ THEN 'active' ELSE status END AS status,
        CASE WHEN succ THEN p_m_end + 1 ELSE m_first END AS m_first,
        CASE WHEN succ THEN {m - 1} ELSE m_end END AS m_end,
        CASE WHEN succ THEN LEAST('{c.today}'::date, p_closed + {ri("a", "moved in", 7)}::int)
             ELSE opened0 END AS opened_on,
        CASE WHEN succ THEN NULL ELSE closed0 END AS closed_on,
        CASE WHEN succ THEN p_rental ELSE rental0 END AS rental,
        CASE WHEN succ THEN a - 1 ELSE a END AS premise_id,
        CASE WHEN master THEN {c.landlord("blk")} ELSE a END AS cust_id
    FROM l4
)
SELECT l5.*, b.beh, b.lag_base, b.lag_jit, b.m_paid_last, v.svc, v.slots, v.scale, v.flat,
    CASE WHEN b.beh = 'credit' THEN 2500 + {ri("a", "credit", 17500)} ELSE 0 END AS credit_cents,
    CASE WHEN b.beh = 'credit' THEN m_first + {ri("a", "credit month", f"GREATEST(1, {m} - m_first)")}::int
         ELSE -1 END AS m_credit,
    CASE WHEN b.beh <> 'delinquent' THEN 'connected'
         WHEN {m - 1} - b.m_paid_last >= 5 AND {r("a", "cut")} < 0.5 THEN 'disconnected'
         WHEN {m - 1} - b.m_paid_last >= 5 OR {r("a", "cut")} < 0.2 THEN 'low_flow'
         ELSE 'connected' END AS water_state
FROM l5
CROSS JOIN LATERAL (
    SELECT CASE WHEN l5.status = 'closed' THEN 'good' WHEN l5.status = 'final' THEN 'final'
                WHEN u < 0.70 THEN 'good' WHEN u < 0.90 THEN 'late' WHEN u < 0.97 THEN 'delinquent'
                ELSE 'credit' END AS beh
    FROM (SELECT {r("a", "behaviour")} AS u OFFSET 0) u0 OFFSET 0) b0
CROSS JOIN LATERAL (
    SELECT b0.beh,
        -- good payers pay before the due date (21 days); late ones 18-87 days after the bill
        CASE b0.beh WHEN 'late' THEN 18 + {ri("a", "lag", 45)}
                    WHEN 'delinquent' THEN 10 + {ri("a", "lag", 30)}
                    WHEN 'credit' THEN 0 ELSE 4 + {ri("a", "lag", 14)} END::int AS lag_base,
        CASE b0.beh WHEN 'late' THEN 26 WHEN 'delinquent' THEN 16 WHEN 'credit' THEN 1 ELSE 4 END AS lag_jit,
        CASE b0.beh WHEN 'delinquent' THEN {m - 1} - (3 + {ri("a", "stopped", 6)})::int
                    WHEN 'final' THEN l5.m_end - (1 + {ri("a", "stopped", 3)})::int
                    ELSE l5.m_end END AS m_paid_last OFFSET 0) b
CROSS JOIN LATERAL (
    SELECT svc, ARRAY(SELECT s FROM generate_series(0, 6) s WHERE svc & (1 << s) <> 0) AS slots,
        CASE WHEN l5.master THEN 0.25 * l5.nunits
             WHEN l5.klass = 'commercial' THEN 1.5 + 6 * power({r("a", "scale")}, 2)
             WHEN l5.bld THEN 0.45 + 0.3 * {r("a", "scale")}
             ELSE 0.7 + 0.8 * {r("a", "scale")} END::float8 AS scale,
        CASE WHEN l5.master THEN 1 + l5.nunits / 4
             WHEN l5.klass = 'commercial' THEN 1 + {ri("a", "bins", 4)} ELSE 1 END::float8 AS flat
    -- Services as bits (water 1, sewer 2, solid waste 4, electric 8, gas 16, stormwater 32,
    -- irrigation 64). Everyone has water; outlying homes are on septic, many use a private hauler
    -- or an HOA contract for trash, and the city sells electricity and gas to few. That keeps
    -- a bill at about 2.5 lines, the ledger near 100M rows for a million accounts over 24 months.
    FROM (SELECT 1
        | (CASE WHEN l5.bld OR {r("a", "sewer")} < (CASE l5.klass WHEN 'commercial' THEN 0.9 ELSE 0.8 END)
                THEN 2 ELSE 0 END)
        | (CASE WHEN l5.master OR (NOT l5.bld AND {r("a", "trash")}
                < (CASE l5.klass WHEN 'commercial' THEN 0.35 ELSE 0.65 END)) THEN 4 ELSE 0 END)
        | (CASE WHEN NOT l5.master AND {r("a", "electric")} < 0.04 THEN 8 ELSE 0 END)
        | (CASE WHEN NOT l5.master AND {r("a", "gas")}
                < (CASE l5.klass WHEN 'commercial' THEN 0.1 ELSE 0.05 END) THEN 16 ELSE 0 END)
        | (CASE WHEN l5.master OR {r("a", "storm")}
                < (CASE l5.klass WHEN 'commercial' THEN 0.3 ELSE 0.02 END) THEN 32 ELSE 0 END)
        | (CASE WHEN (l5.master AND {r("a", "irrigation")} < 0.5) OR (NOT l5.bld AND {r("a", "irrigation")}
                < (CASE l5.klass WHEN 'commercial' THEN 0.15 ELSE 0.02 END)) THEN 64 ELSE 0 END) AS svc
        OFFSET 0) s0
    OFFSET 0) v
ORDER BY a
"""
