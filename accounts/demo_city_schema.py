"""Indexes and constraints of the demo city's tables: read from the catalog, dropped for the bulk
load, rebuilt after it exactly as the migrations made them.

Primary keys go too: building a key once, sorted, costs less than maintaining it row by row,
and two sessions can build two indexes of one table at the same time. Foreign keys from other
apps into these tables (emptied by TRUNCATE ... CASCADE) must go first, or the keys could not.

A parallel load commits as it goes, so it leaves the definitions in `demo_city_restore` until
it is done: if it dies half way (Ctrl-C, a crash), the next run finds them and puts the schema
back before anything else. It also keeps autovacuum off these tables meanwhile: each commit would
otherwise send a worker to scan the half-loaded ledger, competing for the same two cores.
"""

# ruff: noqa: S608 -- SQL assembled from this code's own constants and integers, never from input

from dataclasses import dataclass

from django.db import connection

TABLES = (
    "accounts_customer",
    "accounts_premise",
    "accounts_account",
    "accounts_service",
    "accounts_bill",
    "accounts_ledgerentry",
)
# Partial indexes no demo row enters (the bulk history has no idempotency keys and no reversals):
# kept through the load, where they cost a predicate check a row, instead of two rebuilds that
# would scan the whole ledger to find nothing.
KEEP = {"ledger_idempotency_key", "ledger_reversed_once"}
MARKER = "demo_city_restore"
SCRATCH = ("demo_city_plan", "demo_city_month", "demo_city_slot", "demo_city_balance")

INDEXES_SQL = """
SELECT i.indrelid::regclass::text, c.relname, pg_get_indexdef(i.indexrelid), con.conname,
       pg_get_constraintdef(con.oid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
LEFT JOIN pg_constraint con
       ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
WHERE i.indrelid = ANY(%s::regclass[]) ORDER BY NOT i.indisprimary, 1, 2"""
FKS_SQL = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE contype = 'f' AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[]))
ORDER BY 1, 2"""
RELOPTIONS_SQL = """
SELECT oid::regclass::text, option_value FROM pg_class
LEFT JOIN LATERAL pg_options_to_table(reloptions) ON option_name = 'autovacuum_enabled'
WHERE oid = ANY(%s::regclass[]) ORDER BY 1"""


@dataclass(frozen=True)
class Index:
    table: str
    name: str  # the index, or the constraint it backs
    create: str
    is_constraint: bool
    primary: bool

    @property
    def drop(self) -> str:
        if self.is_constraint:
            return f"ALTER TABLE {self.table} DROP CONSTRAINT {_q(self.name)}"
        return f"DROP INDEX {_q(self.name)}"


@dataclass(frozen=True)
class ForeignKey:
    table: str
    name: str
    definition: str

    @property
    def references(self) -> str:
        return self.definition.split(" REFERENCES ", 1)[1].split("(", 1)[0]

    @property
    def drop(self) -> str:
        return f"ALTER TABLE {self.table} DROP CONSTRAINT {_q(self.name)}"

    @property
    def add_unchecked(self) -> str:
        # NOT VALID takes its locks for a moment only; VALIDATE then scans under a lock that lets
        # other tables' validations run at the same time (a checked ADD would block them).
        suffix = "" if self.definition.endswith("NOT VALID") else " NOT VALID"
        return f"ALTER TABLE {self.table} ADD CONSTRAINT {_q(self.name)} {self.definition}{suffix}"

    @property
    def validate(self) -> str | None:
        if self.definition.endswith("NOT VALID"):
            return None  # it was never validated: keep it that way
        return f"ALTER TABLE {self.table} VALIDATE CONSTRAINT {_q(self.name)}"


@dataclass(frozen=True)
class Schema:
    indexes: list[Index]
    fks: list[ForeignKey]
    autovacuum: dict[str, str | None]  # table: its autovacuum_enabled setting, if it had one

    def autovacuum_pause(self) -> list[str]:
        return [f"ALTER TABLE {table} SET (autovacuum_enabled = off)" for table in self.autovacuum]

    def autovacuum_restore(self) -> list[str]:
        return [
            f"ALTER TABLE {table} SET (autovacuum_enabled = {value})"
            if value
            else f"ALTER TABLE {table} RESET (autovacuum_enabled)"
            for table, value in self.autovacuum.items()
        ]


def schema_capture(cursor) -> Schema:  # type: ignore[no-untyped-def]
    cursor.execute(INDEXES_SQL, [list(TABLES)])
    indexes = [
        Index(
            table=table,
            name=constraint or name,
            create=f"ALTER TABLE {table} ADD CONSTRAINT {_q(constraint)} {condef}"
            if constraint
            else indexdef,
            is_constraint=bool(constraint),
            primary=(condef or "").startswith("PRIMARY KEY"),
        )
        for table, name, indexdef, constraint, condef in cursor.fetchall()
        if name not in KEEP
    ]
    cursor.execute(FKS_SQL, [list(TABLES), list(TABLES)])
    fks = [ForeignKey(table=t, name=n, definition=d) for t, n, d in cursor.fetchall()]
    cursor.execute(RELOPTIONS_SQL, [list(TABLES)])
    return Schema(indexes=indexes, fks=fks, autovacuum=dict(cursor.fetchall()))


def schema_strip(cursor, schema: Schema) -> None:  # type: ignore[no-untyped-def]
    for fk in schema.fks:
        cursor.execute(fk.drop)
    for index in reversed(schema.indexes):  # primary keys last: others may depend on them
        cursor.execute(index.drop)


def marker_save(cursor, schema: Schema) -> None:  # type: ignore[no-untyped-def]
    cursor.execute(f"CREATE TABLE {MARKER} (ord int PRIMARY KEY, kind text, name text, sql text)")
    rows = [(i, "index", x.name, x.create) for i, x in enumerate(schema.indexes)]
    rows += [
        (len(rows) + i, "fk", fk.name, f"ALTER TABLE {fk.table} ADD CONSTRAINT {_q(fk.name)} {fk.definition}")
        for i, fk in enumerate(schema.fks)
    ]
    rows += [(len(rows) + i, "setting", "", sql) for i, sql in enumerate(schema.autovacuum_restore())]
    cursor.executemany(f"INSERT INTO {MARKER} VALUES (%s, %s, %s, %s)", rows)


def marker_restore() -> bool:
    """After an interrupted parallel load: empty the tables and put back every index and key
    that is missing. Returns whether there was anything to restore."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER])
        if cursor.fetchone()[0] is None:
            return False
        cursor.execute(f"SELECT kind, name, sql FROM {MARKER} ORDER BY ord")
        saved = cursor.fetchall()
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        for kind, name, sql in saved:
            if kind == "setting":
                cursor.execute(sql)
                continue
            catalog, column = ("pg_class", "relname") if kind == "index" else ("pg_constraint", "conname")
            cursor.execute(f"SELECT 1 FROM {catalog} WHERE {column} = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql)
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(SCRATCH)}, {MARKER}")
    return True


def _q(name: str) -> str:
    return connection.ops.quote_name(name)
