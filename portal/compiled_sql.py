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
from django.db.models.signals import post_save, pre_save

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


class CompiledSave:
    """``Model.save()`` of one model's rows — an INSERT of a new one, an UPDATE of some columns of a
    saved one — with its SQL compiled once per connection (and per set of columns) by the ORM's own
    compilers, then run with each save's values (issue 15: compiling them cost an autosave more than
    PostgreSQL spent running them). Each value goes through what ``save()`` passes it through: the
    field's ``pre_save`` (``auto_now`` included) and ``get_db_prep_save``; the returned columns
    (the id) through the ORM's converters.

    ``save()`` also sends ``pre_save`` and ``post_save``: while the model has a receiver of either,
    these calls are ``save()`` itself, so no receiver is ever skipped. Refused: a model whose own
    ``save()`` (or any step of it) does more than Django's (``User.save()`` sets ``name_key``), a
    model with parents, a field with its own placeholder, an expression (``F()``) as a value."""

    _STEPS = ("save", "save_base", "_save_table", "_do_update", "_do_insert", "_save_parents")

    def __init__(self, model):
        from django.db.models import Model

        if model._meta.parents:
            raise TypeError("a compiled save is of a model without parents")
        overridden = [name for name in self._STEPS if getattr(model, name) is not getattr(Model, name)]
        if overridden:
            raise TypeError(f"{model._meta.label} has its own {', '.join(overridden)}: save() does more")
        self.model = model
        meta = model._meta
        self._insert_fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
        self._updatable = {name: f for f in meta.local_concrete_fields if not f.generated and not f.primary_key
                           for name in (f.name, f.attname)}
        for field in meta.local_concrete_fields:
            if hasattr(field, "get_placeholder"):
                raise TypeError(f"{field.name}: a field with its own placeholder")
        self._plans: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _signalled(self) -> bool:
        return pre_save.has_listeners(self.model) or post_save.has_listeners(self.model)

    def _plan(self, connection, key, build):
        plans = self._plans.get(connection)
        if plans is None:
            plans = self._plans[connection] = {}
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = build(connection)
        return plan

    @staticmethod
    def _prepared(field, value, connection):
        if hasattr(value, "resolve_expression") or hasattr(value, "prepare_database_save"):
            raise TypeError(f"{field.name}: a compiled save takes plain values, not {value!r}")
        return field.get_db_prep_save(value, connection=connection)

    # --- INSERT ---------------------------------------------------------------------------

    def _build_insert(self, connection):
        from django.db.models.sql.subqueries import InsertQuery

        meta = self.model._meta
        query = InsertQuery(self.model)
        query.insert_values(self._insert_fields, [self.model()])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = returning = meta.db_returning_fields
        [(sql, params)] = compiler.as_sql()
        if len(params) != len(self._insert_fields):  # one "%s" per field, in their order (field_as_sql)
            raise TypeError("the ORM's INSERT does not take one parameter per field")
        converters = compiler.get_converters([f.get_col(meta.db_table) for f in returning])
        return sql, returning, converters

    def insert(self, obj, using: str = "default") -> None:
        """``obj.save(force_insert=True, using=using)`` of a new row (its id not set)."""
        if self._signalled() or obj._state.db not in (None, using) or obj.pk is not None:
            obj.save(force_insert=True, using=using)
            return
        obj._prepare_related_fields_for_save(operation_name="save")
        connection = connections[using]
        sql, returning, converters = self._plan(connection, "insert", self._build_insert)
        params = [self._prepared(f, f.pre_save(obj, True), connection) for f in self._insert_fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = list(connection.ops.fetch_returned_insert_columns(cursor, ()))
        for pos, (convs, expression) in converters.items():
            for converter in convs:
                row[pos] = converter(row[pos], expression, connection)
        for value, field in zip(row, returning, strict=True):
            setattr(obj, field.attname, value)
        obj._state.db, obj._state.adding = using, False

    # --- UPDATE ---------------------------------------------------------------------------

    def _update_fields(self, names) -> list:
        wanted = set(names)
        if not wanted or not wanted <= self._updatable.keys():
            raise ValueError(f"not columns of {self.model._meta.label} to update: {sorted(wanted)}")
        return [f for f in self.model._meta.local_concrete_fields
                if not f.generated and not f.primary_key and (f.name in wanted or f.attname in wanted)]

    def _build_update(self, fields, values, prepared, connection) -> str:
        """The ORM's UPDATE of ``fields`` by primary key, compiled with a first save's values (none
        None: the ORM writes a None as NULL in the SQL), checked to take exactly those values, in
        that order, then the id."""
        from django.db.models.sql.subqueries import UpdateQuery

        sentinel = _INT_BASE + 104729
        query = UpdateQuery(self.model)
        query.add_update_fields([(f, None, v) for f, v in zip(fields, values, strict=True)])
        query.add_filter("pk", sentinel)
        sql, params = query.get_compiler(connection=connection).as_sql()
        if tuple(params) != (*prepared, sentinel):
            raise TypeError("the ORM's UPDATE does not take the values then the id")
        return sql

    def update(self, obj, update_fields, using: str = "default") -> None:
        """``obj.save(update_fields=update_fields, using=using)`` of a saved row: its columns in
        ``update_fields`` (names or attribute names), in the model's order, as ``save()`` writes them."""
        if self._signalled():
            obj.save(update_fields=update_fields, using=using)
            return
        fields = self._update_fields(update_fields)
        obj._prepare_related_fields_for_save(operation_name="save", fields=fields)
        connection = connections[using]
        values = [f.pre_save(obj, False) for f in fields]
        params = [self._prepared(f, v, connection) for f, v in zip(fields, values, strict=True)]
        plans = self._plans.get(connection)
        if plans is None:
            plans = self._plans[connection] = {}
        key = ("update", *[f.attname for f in fields])
        sql = plans.get(key)
        if sql is None:
            if None in params:  # (compiled from a save without None; this one as the ORM writes it)
                obj.save(update_fields=update_fields, using=using)
                return
            sql = plans[key] = self._build_update(fields, values, params, connection)
        params.append(self.model._meta.pk.get_db_prep_value(obj.pk, connection))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            updated = cursor.rowcount
        if not updated:
            from django.db import DatabaseError

            raise DatabaseError("Save with update_fields did not affect any rows.")
        obj._state.db, obj._state.adding = using, False
