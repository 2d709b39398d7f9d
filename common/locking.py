"""Row locks and inserts on the hot paths (the counter, the payments API) without building a query.

`Model.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")` cost about half a
millisecond of CPU to build and compile, every time, for a statement that never changes. The
statement is written here once per model from its fields and run with the ids as one array
parameter; the rows become model instances through `Model.from_db`, with each field's own
database converters (a JSONField's), exactly as a queryset would make them.

`rows_insert` is `bulk_create` for the same paths: one INSERT ... SELECT FROM UNNEST (one array a
column), as Django writes it for PostgreSQL, but written once per model (building and compiling
the insert cost 0.3-0.7 ms of CPU per table per posting).
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection
from django.db.models import NOT_PROVIDED, Model

_statements: dict[type[Model], tuple[str, list[str], list[tuple[int, Any, list[Callable[..., Any]]]]]] = {}


def _statement(model: type[Model]) -> tuple[str, list[str], list[tuple[int, Any, list[Callable[..., Any]]]]]:
    if model not in _statements:
        meta = model._meta
        fields = meta.concrete_fields
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in fields)
        pk = qn(meta.pk.column)
        sql = (
            f"SELECT {columns} FROM {qn(meta.db_table)} WHERE {pk} = ANY(%s) "  # noqa: S608 (names from the model)
            f"ORDER BY {pk} FOR NO KEY UPDATE"
        )
        converters = []
        for n, f in enumerate(fields):
            col = f.get_col(meta.db_table)
            if found := connection.ops.get_db_converters(col) + f.get_db_converters(connection):
                converters.append((n, col, found))
        _statements[model] = (sql, [f.attname for f in fields], converters)
    return _statements[model]


def rows_lock[M: Model](model: type[M], ids: Iterable[int]) -> dict[int, M]:
    """Lock the rows of `model` with these primary keys FOR NO KEY UPDATE, in key order (the order
    every lock of several rows in this project takes), inside the caller's transaction; returns
    those found by key."""
    sql, names, converters = _statement(model)
    with connection.cursor() as cursor:
        cursor.execute(sql, [sorted(set(ids))])
        rows = cursor.fetchall()
    out: dict[int, M] = {}
    for row in rows:
        if converters:
            row = list(row)
            for n, col, found in converters:
                for convert in found:
                    row[n] = convert(row[n], col, connection)
        obj = model.from_db(connection.alias, names, row)
        out[obj.pk] = obj
    return out


_inserts: dict[type[Model], tuple[str, list[Any]] | None] = {}


def _insert_statement(model: type[Model]) -> tuple[str, list[Any]] | None:
    """The INSERT for every concrete field but an auto primary key, or None for a model with a
    field this simple form does not handle the way bulk_create does (a database default, a
    generated column, a custom placeholder, a type PostgreSQL arrays are not known to take)."""
    if model not in _inserts:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
        plain = all(
            f.db_default is NOT_PROVIDED
            and not getattr(f, "generated", False)
            and not hasattr(f, "get_placeholder")
            and (f.target_field if f.is_relation else f).get_internal_type() in connection.data_types
            for f in fields
        )
        if not plain or meta.auto_field is None:
            _inserts[model] = None
        else:
            qn = connection.ops.quote_name
            columns = ", ".join(qn(f.column) for f in fields)
            # the types without their length (varchar[], not varchar(60)[]): nothing is truncated
            arrays = ", ".join(f"(%s)::{f.db_type(connection).split('(')[0]}[]" for f in fields)
            sql = (
                f"INSERT INTO {qn(meta.db_table)} ({columns}) SELECT * FROM UNNEST({arrays}) "  # noqa: S608
                f"RETURNING {qn(meta.auto_field.column)}"
            )
            _inserts[model] = (sql, fields)
    return _inserts[model]


def rows_insert[M: Model](objs: list[M]) -> list[M]:
    """Insert new instances of one model as `Model.objects.bulk_create(objs)` does (each field's
    pre_save, so auto_now_add stamps; its database preparation; the primary keys set from
    RETURNING, in the order given), in one statement; returns them."""
    if not objs:
        return objs
    model = type(objs[0])
    statement = _insert_statement(model)
    if statement is None:
        return model._default_manager.bulk_create(objs)  # type: ignore[attr-defined,no-any-return]
    sql, fields = statement
    columns: list[list[Any]] = [[] for _ in fields]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
        for column, f in zip(columns, fields, strict=True):
            column.append(f.get_db_prep_save(f.pre_save(obj, True), connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, columns)
        keys = cursor.fetchall()
    for obj, (pk,) in zip(objs, keys, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
