"""A ``.values()`` query compiled once per process and database connection, run with each call's
parameters (issue 15).

Compiling a queryset (resolving its lookups, joins and columns into SQL) cost the pages more CPU
than PostgreSQL spent answering: about a millisecond for a query of a few joins, on every request.
The SQL does not change between requests, only its parameters. So::

    _ROWS = CompiledValues(
        lambda call_id, after: Application.objects.filter(call_id=call_id, pk__gt=after)
        .order_by("pk").values("pk", "status", "applicant__real_name")[:21],
        call_id=int, after=int)

    rows = _ROWS(call_id=call.pk, after=0)   # [{"pk": ..., "status": ..., "applicant__real_name": ...}]

The first call on a connection builds the queryset with a **sentinel** in place of each parameter
(a value no query would hold as a constant), has the ORM compile it — the SQL is the ORM's own, for
that connection's backend — and finds each sentinel among the compiled parameters by position. Every
call then runs that SQL with its own values in those positions, through the connection's cursor (so
the query is logged, wrapped and counted like any other), and returns the rows as ``.values()``
does: dicts of the same keys, each value through the same converters the ORM applies.

What a parameter may be, declared by keyword: ``int`` or ``str`` (a sentinel is made), a sentinel
value of one's own (for a field whose range a made one would leave), or ``InList(int, n)`` for an
``__in`` lookup of 1 to ``n`` values (the list is padded to ``n`` by repeating its last value, which
changes nothing in an IN list). A call's values must be of the declared type, and never None (the
ORM writes ``IS NULL`` for None, not a parameter). An integer must fit the column: the ORM folds a
value past a field's range away (no rows, or all) without asking the database, while the kept SQL
hands it over (SQLite refuses one past 64 bits) — check such values first (``fits_bigint``; an
id from a URL takes any number of digits), as the ORM did.

A parameter the ORM does not pass as it was given — transformed (``__contains`` wraps it in ``%``),
folded away (a sentinel outside the field's range), or not used — is refused when the SQL is built,
with an error naming it: such a query is not one to compile this way."""

from __future__ import annotations

import itertools
import secrets
import weakref
from collections.abc import Callable, Sequence

from django.db import connections
from django.db.models.query import QuerySet, ValuesIterable

#: A made string sentinel: a private-use character and a random tag no stored text holds.
_TAG = "\ue000compiled-sql-" + secrets.token_hex(6) + "-"
#: Made integer sentinels: distinct, within a 32-bit column's range (an IntegerField's lookups fold
#: a value outside it away), and unlike any constant a query holds.
_INT_BASE = 2_147_000_000


def fits_bigint(*values: int) -> bool:
    """Whether every value fits a 64-bit integer column (an ``id``). An id outside that range is no
    row's: the ORM answers an exact lookup of it without a query, where a compiled query would hand
    it to the database (SQLite raises OverflowError, a 500)."""
    return all(-(2**63) <= value < 2**63 for value in values)


class InList:
    """An ``__in`` lookup's values: 1 to ``size`` of ``kind`` (``int`` or ``str``)."""

    def __init__(self, kind: type, size: int):
        if kind not in (int, str) or size < 1:
            raise TypeError("InList holds int or str values, at least one")
        self.kind, self.size = kind, size


def _sentinels(params: dict) -> tuple[dict, dict]:
    """(the values to build the queryset with, {sentinel key: (name, index in the list or None)})."""
    counter = itertools.count(1)

    def made(kind):
        n = next(counter)
        if kind is int:
            return _INT_BASE + 7919 * n
        if kind is str:
            return f"{_TAG}{n}"
        raise TypeError(f"a compiled parameter is int, str, InList or a sentinel value, not {kind!r}")

    values, where = {}, {}
    for name, spec in params.items():
        if isinstance(spec, InList):
            values[name] = [made(spec.kind) for _ in range(spec.size)]
            for i, value in enumerate(values[name]):
                where[(type(value), value)] = (name, i)
        else:
            value = made(spec) if isinstance(spec, type) else spec
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise TypeError(f"parameter {name!r}: a sentinel is an int or a str")
            values[name] = value
            where[(type(value), value)] = (name, None)
    if len(where) != sum(len(v) if isinstance(v, list) else 1 for v in values.values()):
        raise ValueError("two parameters share a sentinel")
    return values, where


class _Plan:
    """The SQL for one connection, where each parameter goes, the row's keys and converters."""

    def __init__(self, build: Callable[..., QuerySet], params: dict, connection):
        values, where = _sentinels(params)
        queryset = build(**values)
        if not isinstance(queryset, QuerySet) or queryset._iterable_class is not ValuesIterable:
            raise TypeError("a compiled query is a .values() queryset")
        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        self.sql, compiled = compiler.as_sql()
        #: Per compiled parameter: (name, index in an InList or None, None) for a call's value, or
        #: (None, None, the constant).
        self.slots: list[tuple[str | None, int | None, object]] = []
        placed = set()
        for value in compiled:
            key = (type(value), value) if isinstance(value, (int, str)) else None
            if key is not None and key in where:
                self.slots.append((*where[key], None))
                placed.add(key)
            else:
                self.slots.append((None, None, value))
        missing = sorted({where[key][0] for key in where.keys() - placed})
        if missing:
            raise ValueError(f"the ORM did not pass {', '.join(missing)} as given: not a query to compile")
        self.names = (list(query.selected) if query.selected
                      else [*query.extra_select, *query.values_select, *query.annotation_select])
        self.width = compiler.col_count
        fields = [s[0] for s in compiler.select[0:compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise TypeError("a compiled query selects no composite field")
        self.converters = list(compiler.get_converters(fields).items())


class CompiledValues:
    """``build(**params)`` (a ``.values()`` queryset) compiled once per connection; call it with the
    parameters' values for the rows as dicts. See the module's docstring."""

    def __init__(self, build: Callable[..., QuerySet], **params):
        self.build, self.params = build, params
        self._plans: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._kinds = {name: (spec if isinstance(spec, type) else spec.kind if isinstance(spec, InList)
                              else type(spec)) for name, spec in params.items()}

    def plan(self, using: str = "default") -> _Plan:
        connection = connections[using]
        plan = self._plans.get(connection)
        if plan is None:
            plan = self._plans[connection] = _Plan(self.build, self.params, connection)
        return plan

    def sql(self, using: str = "default") -> str:
        return self.plan(using).sql

    def _arguments(self, values: dict) -> dict:
        if values.keys() != self.params.keys():
            raise TypeError(f"compiled parameters are {sorted(self.params)}, given {sorted(values)}")
        for name, value in values.items():
            kind, spec = self._kinds[name], self.params[name]
            if isinstance(spec, InList):
                if not isinstance(value, Sequence) or isinstance(value, str) or not 0 < len(value) <= spec.size:
                    raise ValueError(f"{name}: 1 to {spec.size} values")
                value = [_checked(name, kind, v) for v in value]
                values[name] = [*value, *[value[-1]] * (spec.size - len(value))]
            else:
                values[name] = _checked(name, kind, value)
        return values

    def statement(self, using: str = "default", **values) -> tuple[str, tuple]:
        """The SQL and the parameters a call with these values runs."""
        values = self._arguments(values)
        plan = self.plan(using)
        return plan.sql, tuple(constant if name is None else values[name] if index is None else values[name][index]
                               for name, index, constant in plan.slots)

    def __call__(self, using: str = "default", **values) -> list[dict]:
        sql, params = self.statement(using, **values)
        plan, connection = self.plan(using), connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        names, width, converters = plan.names, plan.width, plan.converters
        out = []
        for row in rows:
            if converters:
                row = list(row)
                for pos, (convs, expression) in converters:
                    value = row[pos]
                    for converter in convs:
                        value = converter(value, expression, connection)
                    row[pos] = value
            out.append(dict(zip(names, row[:width], strict=True)))
        return out



def _checked(name: str, kind: type, value):
    """``value`` as the plain ``kind`` the ORM would pass (a TextChoices member as its text); never
    None, nor a bool for an int."""
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"{name}: a {kind.__name__}, not {value!r}")
    return value if type(value) is kind else kind(value)
