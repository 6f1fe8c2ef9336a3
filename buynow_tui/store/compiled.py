"""Queries built once: a peewee query made SQL once per database, then run with new values.

Peewee spends 70-160 µs of CPU building the SQL of one statement, against a few µs to
run it; on the checkout path that time is spent holding SQLite's one write lock (the
checkout ran 4x faster once its statements were made once, `bench/README.md`). A
`Compiled` takes a function that builds the query from the models, with a `Param`
where each value goes; the SQL it renders for the bound database (its dialect, quoting,
RETURNING) and the order of its parameters are kept, and a run only fills in the
values and executes them through the database as peewee would (its errors included).
It is made again when `init_db` binds another database.

A SELECT's rows come back as dicts keyed by column name, the field's name or its alias
(`Product.id.alias("product_id")`), read the way peewee reads them (`python_value`), so
a caller never depends on the order of the columns. `tests/test_compiled_queries.py`
checks that the SQL, the parameters and the rows equal what peewee makes afresh.

Checked against peewee 4.5: `Param` renders through `Context.value` with the
comparison's converter (`ctx.state.converter`), as a plain value in its place would be.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from peewee import Context, Database, Field, Insert, Node, Query

from buynow_tui.store.db import bound

#: One row of a compiled SELECT: column name -> value.
Row = dict[str, Any]


class Param(Node):
    """A named value in a query that `Compiled` turns into SQL once.

    Converted the way peewee converts a plain value in the same place: by the field on
    the left of a comparison (`Product.stock >= Param("qty")`), or by `field` where
    there is none, as in an INSERT's values (`{Order.user: Param("user", Order.user)}`).
    """

    def __init__(self, name: str, field: Field | None = None) -> None:
        super().__init__()
        self.name = name
        self.converter = field.db_value if field is not None else None

    def __sql__(self, ctx: Context) -> Context:
        slot = _Slot(self.name, self.converter or ctx.state.converter)
        done: Context = ctx.value(slot, converter=False)  # the slot stands where the value goes
        return done


class _Slot:
    __slots__ = ("converter", "name")

    def __init__(self, name: str, converter: Callable[[Any], Any] | None) -> None:
        self.name = name
        self.converter = converter


@dataclass(frozen=True)
class _Made:
    db: Database
    sql: str
    params: list[Any]  # constants of the query, and a `_Slot` for each `Param`
    returns_id: bool
    #: A SELECT's columns: (name, how to read the value or None).
    columns: tuple[tuple[str, Callable[[Any], Any] | None], ...]


def _columns(query: Query) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    """Each selected column's name (a field's name, or its alias) and reader."""
    columns = []
    for selected in getattr(query, "selected_columns", None) or []:
        node = selected.unwrap()
        if not (selected.is_alias() or isinstance(node, Field)):
            raise ValueError(f"give the selected column {selected!r} an alias: rows are by name")
        reader = node.python_value if isinstance(node, Field) else None
        columns.append((str(selected.name), reader))
    names = [name for name, _ in columns]
    if len(set(names)) != len(names):
        raise ValueError(f"two selected columns share a name ({', '.join(names)}): alias one")
    return tuple(columns)


class Compiled:
    """A peewee query made SQL once per bound database (see the module's docstring)."""

    def __init__(self, build: Callable[[], Query]) -> None:
        self._build = build
        self._made: _Made | None = None

    def _for_bound(self) -> _Made:
        db = bound()
        made = self._made
        if made is None or made.db is not db:
            query = self._build()
            sql, params = query.sql()
            made = self._made = _Made(
                db,
                sql,
                params,
                # peewee adds RETURNING to an INSERT where the dialect has it
                returns_id=isinstance(query, Insert) and " RETURNING " in sql,
                columns=_columns(query),
            )
        return made

    def sql(self, values: Mapping[str, Any]) -> tuple[str, list[Any]]:
        """The SQL and parameters a run with `values` (by `Param` name) executes."""
        made = self._for_bound()
        return made.sql, [_fill(p, values) for p in made.params]

    def _run(self, values: Mapping[str, Any]) -> tuple[_Made, Any]:
        made = self._for_bound()
        params = [_fill(p, values) for p in made.params]
        return made, made.db.execute_sql(made.sql, params)  # type: ignore[no-untyped-call]

    def execute(self, values: Mapping[str, Any]) -> Any:
        """Run with `values` by `Param` name; the driver's cursor."""
        return self._run(values)[1]

    def rowcount(self, values: Mapping[str, Any]) -> int:
        """Rows an UPDATE or DELETE changed."""
        made, cursor = self._run(values)
        return int(made.db.rows_affected(cursor))  # type: ignore[no-untyped-call]

    def insert_id(self, values: Mapping[str, Any]) -> int:
        """The new row's id (RETURNING where the dialect has it, else the last row id)."""
        made, cursor = self._run(values)
        if made.returns_id:
            return int(cursor.fetchone()[0])
        return int(made.db.last_insert_id(cursor))  # type: ignore[no-untyped-call]

    def rows(self, values: Mapping[str, Any]) -> list[Row]:
        """A SELECT's rows by column name, values read as peewee reads them."""
        made, cursor = self._run(values)
        columns = made.columns
        return [
            {
                name: value if read is None or value is None else read(value)
                for (name, read), value in zip(columns, row, strict=True)
            }
            for row in cursor.fetchall()
        ]

    def first(self, values: Mapping[str, Any]) -> Row | None:
        rows = self.rows(values)
        return rows[0] if rows else None


def _fill(param: Any, values: Mapping[str, Any]) -> Any:
    if type(param) is not _Slot:
        return param  # a constant of the query, already converted
    value = values[param.name]
    return value if param.converter is None else param.converter(value)
