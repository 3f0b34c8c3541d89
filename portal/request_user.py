"""The user of a request, loaded in one pre-built query (issue 15).

Every logged-in request loads its user (``AuthenticationMiddleware``) and every page then needs the
user's roles and unread count for the navigation. Django's ORM compiled a fresh query for each, and
compiling cost more CPU than the database spent answering. Here one SQL statement, built once per
process and database connection, reads the user's row, role names and unread count together (on
PostgreSQL the roles and the count through the ``portal_roles_and_unread`` function, whose plans the
database keeps, so it does not plan a join on every request):

- the row holds every column but ``id_number_encrypted``: no page shows it, and a request's user
  object then carries no ID number (``User.id_number`` still reads it, with one query, for the
  services that must; ``save()`` of such a user writes only the columns it loaded);
- the role names and the unread count are kept on the user exactly as ``User.role_names`` keeps
  them: the count is read again when a notification was written since (the per-process
  generation, ``portal.models.notification_generation``).

The session's auth hash is still checked by Django (``django.contrib.auth.get_user``) against the
loaded password and ``credentials_epoch``; the backend still refuses an inactive user."""

from __future__ import annotations

import weakref

from django.db import connections

#: Plans by database connection: the SQL and the converters of its columns (the converters are bound
#: to the connection's backend).
_plans: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

#: Columns the request's user is loaded without.
SKIPPED = frozenset({"id_number_encrypted"})


class _Plan:
    def __init__(self, connection):
        from django.contrib.auth.models import Group

        from portal.models import Notification, User

        q = connection.ops.quote_name
        self.fields = [f for f in User._meta.concrete_fields if f.attname not in SKIPPED]
        self.names = [f.attname for f in self.fields]
        through = User.groups.through
        #: PostgreSQL: the roles and the count from ``portal_roles_and_unread`` (migration 0020), whose
        #: plans the database keeps: one row, and a query it plans in a few microseconds instead of a
        #: join and a subquery planned anew on every request. Elsewhere: the join, one row per role.
        self.function = connection.vendor == "postgresql"
        if self.function:
            self.user_sql = ("SELECT " + ", ".join(f"{q('u')}.{q(f.column)}" for f in self.fields)
                             + f", {q('r')}.{q('roles')}, {q('r')}.{q('unread')} "  # noqa: S608
                             f"FROM {q(User._meta.db_table)} {q('u')} "
                             f"CROSS JOIN LATERAL portal_roles_and_unread({q('u')}.{q('id')}) {q('r')} "
                             f"WHERE {q('u')}.{q('id')} = %s")
            self.roles_sql = 'SELECT "roles", "unread" FROM portal_roles_and_unread(%s)'
        else:
            # Identifiers from the models; the user's id is a parameter.
            roles_and_unread = (
                f"{q('g')}.{q('name')}, "  # noqa: S608
                f"(SELECT COUNT(*) FROM {q(Notification._meta.db_table)} {q('n')} "
                f"WHERE {q('n')}.{q('recipient_id')} = {q('u')}.{q('id')} AND {q('n')}.{q('read_at')} IS NULL) "
                f"FROM {q(User._meta.db_table)} {q('u')} "
                f"LEFT JOIN {q(through._meta.db_table)} {q('ug')} ON {q('ug')}.{q('user_id')} = {q('u')}.{q('id')} "
                f"LEFT JOIN {q(Group._meta.db_table)} {q('g')} ON {q('g')}.{q('id')} = {q('ug')}.{q('group_id')} "
                f"WHERE {q('u')}.{q('id')} = %s")
            self.user_sql = ("SELECT " + ", ".join(f"{q('u')}.{q(f.column)}" for f in self.fields) + ", "
                             + roles_and_unread)
            self.roles_sql = "SELECT " + roles_and_unread
        self.converters = []
        for position, field in enumerate(self.fields):
            col = field.get_col(User._meta.db_table)
            converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if converters:
                self.converters.append((position, converters, col))


def _plan(connection) -> _Plan:
    plan = _plans.get(connection)
    if plan is None:
        plan = _plans[connection] = _Plan(connection)
    return plan


def _roles_and_unread(plan: _Plan, rows, offset: int) -> tuple[set[str], int]:
    if plan.function:  # one row: the names as an array
        return set(rows[0][offset]), rows[0][offset + 1]
    return {row[offset] for row in rows if row[offset] is not None}, rows[0][offset + 1]


def load_user(user_id, using: str = "default"):
    """The user with this primary key, with its roles and unread count already read; None if there is
    none. One query."""
    from portal.models import User, notification_generation

    connection = connections[using]
    plan = _plan(connection)
    generation = notification_generation()
    with connection.cursor() as cursor:
        cursor.execute(plan.user_sql, [user_id])
        rows = cursor.fetchall()
    if not rows:
        return None
    values = list(rows[0][:len(plan.fields)])
    for position, converters, col in plan.converters:
        value = values[position]
        for converter in converters:
            value = converter(value, col, connection)
        values[position] = value
    user = User.from_db(using, plan.names, values)
    names, unread = _roles_and_unread(plan, rows, len(plan.fields))
    user._role_names = names
    user._unread_notifications = (generation, unread)
    return user


def roles_and_unread(user_pk, using: str = "default") -> tuple[set[str], int]:
    """The role names and the unread count of a user loaded otherwise (at login, by an API token, in a
    service). One query."""
    connection = connections[using]
    plan = _plan(connection)
    with connection.cursor() as cursor:
        cursor.execute(plan.roles_sql, [user_pk])
        rows = cursor.fetchall()
    if not rows:
        return set(), 0
    return _roles_and_unread(plan, rows, 0)
