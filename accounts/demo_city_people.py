"""Demo city SQL for the people and places: customers (account holders and landlords) and
premises (houses, shops, apartment buildings and their units)."""

# ruff: noqa: S608 -- SQL assembled from this code's own constants and integers, never from input

from accounts.demo_city_pools import (
    AREA_CODES,
    BUSINESS_HEADS,
    BUSINESS_KINDS,
    BUSINESS_SUFFIXES,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    HISPANIC_FIRST_NAMES,
    HISPANIC_SURNAMES,
    LANDLORD_KINDS,
    OTHER_CITIES,
    STREETS,
    SURNAMES,
    TAIL_ENDS,
    TAIL_HEADS,
    ZIPS,
    sql_array,
)
from accounts.demo_city_sql import BLOCK, City

CUSTOMER_COLUMNS = """id, kind, first_name, last_name, business_name, search_name, phone, phone_digits,
    alt_phone, email, mail_line1, mail_line2, mail_city, mail_state, mail_postal_code,
    preferred_language, id_document_type, id_last4, life_support, created_at"""


def _pick(c: City, pool: list[str], key: str, purpose: str, flatten: float | None = None) -> str:
    index = c.zipf(key, purpose, len(pool), flatten) if flatten else c.rint(key, purpose, len(pool))
    return f"({sql_array(pool)})[1 + {index}]"


def _person(c: City, key: str) -> str:
    """Columns hisp, first, last (upper-case) for a person keyed by `key`."""
    r = c.rnd
    tail = f"{_pick(c, TAIL_HEADS, key, 'tail head')} || {_pick(c, TAIL_ENDS, key, 'tail end')}"
    return f"""SELECT h.hisp,
        CASE WHEN h.hisp AND {r(key, "first pool")} < 0.7
             THEN {_pick(c, HISPANIC_FIRST_NAMES, key, "first", 4)}
             ELSE {_pick(c, FIRST_NAMES, key, "first", 8)} END AS first,
        CASE WHEN h.hisp THEN {_pick(c, HISPANIC_SURNAMES, key, "last", 4)}
             WHEN {r(key, "rare")} < 0.35 THEN {tail}
             ELSE {_pick(c, SURNAMES, key, "last", 6)} END AS last
    FROM (SELECT {r(key, "hispanic")} < 0.38 AS hisp) h"""


def _phone(c: City, key: str, purpose: str) -> tuple[str, str]:
    area = _pick(c, AREA_CODES, key, f"{purpose} area")
    exchange = f"(200 + {c.rint(key, f'{purpose} exchange', 800)})::text"
    line = f"lpad({c.rint(key, f'{purpose} line', 10000)}::text, 4, '0')"
    return f"'(' || {area} || ') ' || {exchange} || '-' || {line}", f"{area} || {exchange} || {line}"


def _elsewhere(c: City, key: str) -> str:
    """Columns line1, city, state, zip of an address outside the service area (office, new home)."""
    cities = [city for city, _, _ in OTHER_CITIES]
    states = [state for _, state, _ in OTHER_CITIES]
    prefixes = [prefix for _, _, prefix in OTHER_CITIES]
    i = c.zipf(key, "elsewhere city", len(OTHER_CITIES), 1.5)
    return f"""SELECT (100 + {c.rint(key, "elsewhere number", 9900)})::text || ' '
            || (ARRAY['N','S','E','W'])[1 + {c.rint(key, "elsewhere dir", 4)}] || ' '
            || {_pick(c, STREETS, key, "elsewhere street")} AS line1,
        ({sql_array(cities)})[1 + {i}] AS city, ({sql_array(states)})[1 + {i}] AS state,
        ({sql_array(prefixes)})[1 + {i}] || lpad({c.rint(key, "elsewhere zip", 100)}::text, 2, '0') AS zip"""


def _address(c: City, blk: str, ppos: str, bld: str) -> str:
    """Columns address, unit, zip of the premise at position `ppos` of block `blk`. A block is one
    street segment: neighbours share street and ZIP, house numbers step by 4 on one side."""
    street = c.zipf(blk, "street", len(STREETS), 3.0)
    hundred = f"(1 + {c.rint(blk, 'hundred', 180)})"
    return f"""SELECT
        (CASE WHEN {bld} THEN {hundred} * 100 + 1 ELSE {hundred} * 100 + 2 + {ppos} * 4 END)::text || ' '
            || (ARRAY['N','S','E','W'])[1 + {c.rint(blk, "dir", 4)}] || ' '
            || ({sql_array(STREETS)})[1 + {street}] AS address,
        CASE WHEN {bld} AND {ppos} > 0 THEN ((1 + ({ppos} - 1) / 6) * 100 + ({ppos} - 1) % 6 + 1)::text
             ELSE '' END AS unit,
        ({sql_array(ZIPS)})[1 + ({street} * 7 + {hundred} / 20) % {len(ZIPS)}] AS zip"""


def _ident(c: City, key: str, business: str, hisp: str) -> str:
    u = c.rnd(key, "id document")
    return f"""SELECT CASE WHEN {business} THEN (CASE WHEN {u} < 0.85 THEN 'ein' ELSE '' END)
        WHEN {u} < 0.55 THEN 'drivers_license' WHEN {u} < 0.65 THEN 'state_id' WHEN {u} < 0.69 THEN 'passport'
        WHEN {u} < 0.74 THEN (CASE WHEN {hisp} THEN 'matricula' ELSE 'drivers_license' END)
        WHEN {u} < 0.77 THEN 'itin' WHEN {u} < 0.87 THEN 'ssn' ELSE '' END AS doc"""


def _local_time(c: City, day: str, hour: str) -> str:
    return f"(({day}) + time '{hour}') AT TIME ZONE '{c.time_zone}'"


def _customer_select(c: City, key: str, business: str, business_name: str, mail: str, created: str) -> str:
    """The customer row for id `key`; `mail` is a subquery giving line1, line2, city, state, zip."""
    phone, digits = _phone(c, key, "phone")
    alt_phone, _ = _phone(c, key, "alt phone")
    email = f"""CASE WHEN {business} THEN (CASE WHEN {c.rnd(key, "email")} < 0.6
            THEN 'office' || {key} || '@' || {_pick(c, EMAIL_DOMAINS, key, "email domain")} ELSE '' END)
        WHEN {c.rnd(key, "email")} < 0.45
        THEN lower(n.first || '.' || n.last) || {c.rint(key, "email number", 100)} || '@'
            || {_pick(c, EMAIL_DOMAINS, key, "email domain")} ELSE '' END"""
    return f"""
SELECT {key}, CASE WHEN {business} THEN 'business' ELSE 'person' END,
    CASE WHEN {business} THEN '' ELSE initcap(n.first) END,
    CASE WHEN {business} THEN '' ELSE initcap(n.last) END,
    CASE WHEN {business} THEN {business_name} ELSE '' END,
    CASE WHEN {business} THEN upper({business_name}) ELSE n.last || ', ' || n.first END,
    CASE WHEN {c.rnd(key, "has phone")} < 0.92 THEN {phone} ELSE '' END,
    CASE WHEN {c.rnd(key, "has phone")} < 0.92 THEN {digits} ELSE '' END,
    CASE WHEN {c.rnd(key, "has alt phone")} < 0.1 THEN {alt_phone} ELSE '' END,
    {email}, ml.line1, ml.line2, ml.city, ml.state, ml.zip,
    CASE WHEN n.hisp AND NOT {business} AND {c.rnd(key, "spanish")} < 0.33 THEN 'es' ELSE 'en' END,
    d.doc, CASE WHEN d.doc <> '' THEN lpad({c.rint(key, "id last4", 10000)}::text, 4, '0') ELSE '' END,
    NOT {business} AND {c.rnd(key, "life support")} < 0.012,
    {created}
FROM ({_person(c, key)}) n, LATERAL ({mail}) ml, LATERAL ({_ident(c, key, business, "n.hisp")}) d"""


def _business_name(c: City, key: str) -> str:
    return (
        f"{_pick(c, BUSINESS_HEADS, key, 'business head', 4)} || ' ' || "
        f"{_pick(c, BUSINESS_KINDS, key, 'business kind', 6)} || {_pick(c, BUSINESS_SUFFIXES, key, 'suffix')}"
    )


def holders_sql(c: City, lo: int, hi: int) -> str:
    """Account holders: customer id = account id (building owners' accounts use the landlord).
    Mail goes to the service address, except after a move-out (forwarding) or to a PO box."""
    mail = f"""SELECT CASE WHEN mk.k = 'forward' THEN e.line1 WHEN mk.k = 'box' THEN 'PO BOX ' || (1000 + {
        c.rint("s.a", "po box", 90000)
    }) ELSE ad.address END AS line1,
        CASE WHEN mk.k = 'same' AND ad.unit <> '' THEN 'APT ' || ad.unit ELSE '' END AS line2,
        CASE WHEN mk.k = 'forward' THEN e.city ELSE 'PHOENIX' END AS city,
        CASE WHEN mk.k = 'forward' THEN e.state ELSE 'AZ' END AS state,
        CASE WHEN mk.k = 'forward' THEN e.zip ELSE ad.zip END AS zip
    FROM (SELECT CASE WHEN s.status <> 'active' AND {c.rnd("s.a", "forward")} < 0.8 THEN 'forward'
                      WHEN {c.rnd("s.a", "po box")} < 0.04 THEN 'box' ELSE 'same' END AS k) mk,
         LATERAL ({_address(c, "s.blk", f"(s.premise_id - 1 - s.blk * {BLOCK})", "s.bld")}) ad,
         LATERAL ({_elsewhere(c, "s.a")}) e"""
    select = _customer_select(
        c,
        "s.a",
        "(s.klass = 'commercial')",
        _business_name(c, "s.a"),
        mail,
        _local_time(c, "s.opened_on", "10:00"),
    )
    return f"""INSERT INTO accounts_customer ({CUSTOMER_COLUMNS})
SELECT q.* FROM demo_city_plan s CROSS JOIN LATERAL ({select}) q
WHERE NOT s.master AND s.a BETWEEN {lo} AND {hi}"""


def landlords_sql(c: City) -> str:
    """Landlords (ids after the accounts): mostly property companies, mail to an office elsewhere."""
    name = (
        f"{_pick(c, BUSINESS_HEADS, 'g.k', 'business head', 4)} || ' ' || "
        f"{_pick(c, LANDLORD_KINDS, 'g.k', 'landlord kind')}"
    )
    mail = f"SELECT e.line1, '' AS line2, e.city, e.state, e.zip FROM ({_elsewhere(c, 'g.k')}) e"
    created = _local_time(
        c, f"'{c.today}'::date - (400 + {c.rint('g.k', 'landlord since', 4000)})::int", "10:00"
    )
    select = _customer_select(c, "g.k", f"({c.rnd('g.k', 'company')} < 0.7)", name, mail, created)
    return f"""INSERT INTO accounts_customer ({CUSTOMER_COLUMNS})
SELECT q.* FROM generate_series({c.accounts + 1}::bigint, {c.accounts + c.landlords}::bigint) g(k)
CROSS JOIN LATERAL ({select}) q"""


def premises_sql(c: City, lo: int, hi: int) -> str:
    """One premise per account, except that a successor moves into its predecessor's premise.
    Rentals belong to a landlord; otherwise the owner is whoever lives there now."""
    return f"""INSERT INTO accounts_premise
    (id, address, unit, city, state, postal_code, parent_id, owner_id, search_address)
SELECT s.a, ad.address, ad.unit, 'PHOENIX', 'AZ', ad.zip,
    CASE WHEN s.bld AND s.pos > 0 THEN s.blk * {BLOCK} + 1 END,
    CASE WHEN s.bld THEN {c.landlord("s.blk")} WHEN s.rental THEN {c.landlord("s.a")}
         WHEN s.has_succ THEN s.a + 1 ELSE s.a END,
    ad.address || CASE WHEN ad.unit <> '' THEN ' #' || ad.unit ELSE '' END
FROM demo_city_plan s CROSS JOIN LATERAL ({_address(c, "s.blk", "s.pos", "s.bld")}) ad
WHERE NOT s.succ AND s.a BETWEEN {lo} AND {hi}"""
