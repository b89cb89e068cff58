"""Reads compiled once: the version rows of cached pages, without the ORM's per-request build.

A page cached by what it shows first reads one small row that says whether its cached
body is current (a good's status and change times, a shop's, a belt's newest member).
Building that query through the ORM (annotations, subqueries, the compiler) costs more
Python than PostgreSQL takes to run it: at 1M goods, 1.5 ms against 0.6 ms for a product
page's row and 2.8 ms against 1.1 ms for a belt's (docs/performance.md, change 30), and
it is paid on every hit.

`CompiledQuery` builds the queryset once per process and database, with a marker in
place of the one value that varies (a public id, a slug), keeps Django's own SQL, its
result converters and the `.values()` names, and from then on only executes it. The rows
are what `.values().first()` would return (the same converters run: SQLite's datetimes,
decimals), which the tests check against the ORM on both databases.

Only for a `.values()` queryset whose varying value is a single parameter compared with
a field: the marker must reach the SQL as one parameter, which `compile` checks.

Prepared on PostgreSQL. With its SQL fixed, such a row is what prepared statements are
for, and PostgreSQL's planning was most of its cost: at 1M goods, 1.4 ms planning against
0.25 ms running for the dashboard's row, 0.7 against 0.07 for the header's roles, 0.3
against 0.05 for a product page's (docs/performance.md, change 38). Django's psycopg
cursors bind parameters on the client, which psycopg never prepares, so these queries
run on a server-binding cursor of the same connection, wrapped as Django wraps its own
cursors (`execute_wrapper` sees them). psycopg prepares such a query once its
connection's `prepare_threshold` allows, which Django leaves off and the settings set
to 0: each row's statement is prepared on its first run on a connection and reused
there (psycopg keeps the last 100). While Django logs queries (DEBUG, a test counting
them) a row runs on the connection's own cursor instead, whose log shows its SQL (a
prepared run leaves none to show); the SQL is the same.
"""

import threading
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, QuerySet

try:
    from django.db.backends.postgresql.base import ServerBindingCursor
except ImportError:  # no psycopg 3: nothing is prepared
    ServerBindingCursor = None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    marker_positions: tuple[int, ...]
    names: tuple[str, ...]
    converters: dict


class CompiledQuery:
    """`build(value)`'s rows as dicts, compiled once (see the module's note). The
    queryset is run as built: slice it where only the first rows are wanted.

    `field` is the model field the value is compared with: it turns the value into the
    database's form the way the ORM would (a UUID is a hex string on SQLite).
    """

    def __init__(self, build: Callable[[object], QuerySet], *, field: Field):
        self._build = build
        self._field = field
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def first(self, value, *, using: str = DEFAULT_DB_ALIAS) -> dict | None:
        rows = self.rows(value, using=using)
        return rows[0] if rows else None

    def rows(self, value, *, using: str = DEFAULT_DB_ALIAS) -> list[dict]:
        """Every row `build(value)` gives (as far as its own slice), as dicts."""
        compiled = self._compiled.get(using) or self._compile(using)
        connection = connections[using]
        prepared = self._field.get_db_prep_value(self._field.to_python(value), connection)
        params = list(compiled.params)
        for position in compiled.marker_positions:
            params[position] = prepared
        with _cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            found = cursor.fetchall()
        rows = []
        for row in found:
            row = list(row)
            for position, (converters, expression) in compiled.converters.items():  # as SQLCompiler's
                for converter in converters:
                    row[position] = converter(row[position], expression, connection)
            rows.append(dict(zip(compiled.names, row, strict=True)))
        return rows

    def _compile(self, using: str) -> _Compiled:
        with self._lock:
            if using in self._compiled:
                return self._compiled[using]
            connection = connections[using]
            marker = self._marker()
            queryset = self._build(marker)
            query = queryset.query
            if not query.values_select and not query.annotation_select:
                raise TypeError("CompiledQuery needs a .values() queryset")
            compiler = query.get_compiler(using)
            sql, params = compiler.as_sql()
            prepared = self._field.get_db_prep_value(marker, connection)
            positions = tuple(index for index, param in enumerate(params) if param == prepared)
            if len(positions) != 1:
                raise ValueError(f"the varying value must reach the SQL once, not {len(positions)} times")
            if _prepares(connection):
                sql = _inline_constants(connection, sql, params, positions[0])
                params, positions = [None], (0,)
            converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
            names = (*query.extra_select, *query.values_select, *query.annotation_select)
            compiled = _Compiled(sql, tuple(params), positions, names, converters)
            self._compiled[using] = compiled
            return compiled

    def _marker(self):
        """A value of the field's type that no constant of the query can equal."""
        kind = self._field.get_internal_type()
        if kind == "UUIDField":
            return uuid.uuid4()
        if kind in INTEGER_FIELDS:
            return -(uuid.uuid4().int >> 66)  # a negative 62-bit number: no id, limit or count
        return f"compiled-query-marker-{uuid.uuid4().hex}"


def _prepares(connection) -> bool:
    """Whether `connection` prepares the rows: PostgreSQL with psycopg 3, its preparing
    on (OPTIONS' `prepare_threshold`, which Django leaves off)."""
    return (
        connection.vendor == "postgresql"
        and ServerBindingCursor is not None
        and connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold") is not None
    )


def _inline_constants(connection, sql: str, params, position: int) -> str:
    """`sql` with its constant parameters written in as literals, the varying one left.

    A prepared statement's generic plan (the one PostgreSQL settles on after five runs, so
    that it stops planning) knows nothing of its parameters' values: with a status passed
    as a parameter it cannot use an index made for that status (the members' partial
    index), and PostgreSQL keeps planning every run. The constants are the query's own
    (`compile` checks that only the marker varies); psycopg quotes them.
    """
    marker = connection.ops.compose_sql("%s", [params[position]])
    composed = connection.ops.compose_sql(sql, params)
    if composed.count(marker) != 1:
        raise ValueError("the varying value's literal must stand once in the SQL")
    return composed.replace("%", "%%").replace(marker.replace("%", "%%"), "%s")


@contextmanager
def _cursor(connection):
    """The cursor a row runs on: where the rows are prepared (and Django is not logging
    queries), one of the same connection that binds on the server, so that psycopg
    prepares what it runs, wrapped like the connection's own; else the connection's own."""
    with connection.cursor() as cursor:  # opens and checks the connection as any query does
        if not _prepares(connection) or connection.queries_logged:
            yield cursor
            return
        with connection.make_cursor(ServerBindingCursor(connection.connection)) as prepared:
            yield prepared


INTEGER_FIELDS = {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "SmallAutoField"}
