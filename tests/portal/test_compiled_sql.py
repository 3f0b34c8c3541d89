"""``portal.compiled_sql.CompiledValues`` (issue 15): a ``.values()`` query compiled once per
connection runs the ORM's own SQL with each call's parameters and returns what ``.values()`` returns.
Run on SQLite (the default) and on PostgreSQL (``DATABASE_URL``): each backend's SQL is its own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F

from portal.compiled_sql import CompiledValues, InList
from portal.models import CommitteeMember, Role, User
from review.models import Score
from tests.factories import UserFactory, bureau_officer
from tests.review.conftest import file_committee, make_application, make_call, score_submitted

pytestmark = pytest.mark.django_db


def users_query(user_id, name, active=True):
    return (User.objects.filter(pk__gte=user_id, is_active=active).exclude(real_name=name)
            .order_by("pk").values("pk", "real_name", "date_joined", "is_active", "muted", "language",
                                   roles=F("groups__name"))[:5])


USERS = CompiledValues(lambda user_id, name: users_query(user_id, name), user_id=int, name=str)


@pytest.fixture
def people():
    users = [UserFactory(roles=[Role.APPLICANT], muted=["sms:reminder"], language="ug",
                         date_joined=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)) for _ in range(4)]
    users[1].is_active = False
    users[1].save(update_fields=["is_active"])
    return users


def test_the_sql_is_the_orms_own_with_the_calls_parameters(people):
    for user_id, name in ((people[0].pk, people[2].real_name), (people[3].pk, "<&·>")):
        assert USERS.statement(user_id=user_id, name=name) == \
            users_query(user_id, name).query.get_compiler(connection=connection).as_sql()
    assert USERS.sql() == USERS.plan().sql
    # The backend's own quoting: the plan is per connection.
    assert connection.ops.quote_name("real_name") in USERS.sql()


def test_rows_are_those_of_values_converted_as_the_orm_converts_them(people):
    for user_id, name in ((people[0].pk, people[2].real_name), (people[1].pk, ""), (10**12, "x")):
        rows = USERS(user_id=user_id, name=name)
        assert rows == list(users_query(user_id, name))
    row = USERS(user_id=people[0].pk, name="")[0]
    assert row["muted"] == ["sms:reminder"] and row["is_active"] is True and row["roles"] == Role.APPLICANT
    assert row["date_joined"] == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def test_decimals_and_json_converted_as_the_orm_does():
    query = CompiledValues(lambda status: Score.objects.filter(status=status).values("total", "values"),
                           status=str)
    call = make_call(file_committee(bureau_officer("650100")))
    score_submitted(make_application(call), total="81.25")
    assert query(status=Score.Status.SUBMITTED) == list(Score.objects.filter(status="submitted")
                                                        .values("total", "values"))
    assert query(status="submitted")[0]["total"] == Decimal("81.25")


def test_compiled_once_per_connection_and_each_call_one_logged_query(people, django_assert_num_queries):
    built = []

    def build(user_id):
        built.append(user_id)
        return User.objects.filter(pk=user_id).values("real_name")

    query = CompiledValues(build, user_id=int)
    with django_assert_num_queries(3):
        names = [query(user_id=u.pk) for u in people[:3]]
    assert names == [[{"real_name": u.real_name}] for u in people[:3]]
    assert len(built) == 1 and built[0] not in {u.pk for u in people}  # built with a sentinel


def test_an_in_list_is_padded_with_its_last_value():
    query = CompiledValues(lambda ids: User.objects.filter(pk__in=ids).order_by("pk").values("pk"),
                           ids=InList(int, 4))
    users = [UserFactory() for _ in range(5)]
    for chosen in (users[:1], users[1:3], users[:4]):
        assert query(ids=[u.pk for u in chosen]) == [{"pk": u.pk} for u in chosen]
    with pytest.raises(ValueError, match="1 to 4"):
        query(ids=[])
    with pytest.raises(ValueError, match="1 to 4"):
        query(ids=[u.pk for u in users])


def test_text_choices_pass_as_their_text():
    query = CompiledValues(lambda role: CommitteeMember.objects.filter(role=role).values("pk"), role=str)
    assert query(role=CommitteeMember.Role.SECRETARY) == []
    params = query.statement(role=CommitteeMember.Role.SECRETARY)[1]
    assert params == ("secretary",) and type(params[0]) is str


@pytest.mark.parametrize("values", [{"user_id": None, "name": "x"}, {"user_id": True, "name": "x"},
                                    {"user_id": "1", "name": "x"}, {"user_id": 1, "name": 2},
                                    {"user_id": 1}, {"user_id": 1, "name": "x", "other": 3}])
def test_values_of_another_type_or_missing_are_refused(values):
    with pytest.raises(TypeError):
        USERS(**values)


@pytest.mark.parametrize("build", [
    lambda name: User.objects.filter(real_name__contains=name).values("pk"),  # transformed: "%name%"
    lambda name: User.objects.values("pk"),  # not used
])
def test_a_parameter_the_orm_does_not_pass_as_given_is_refused(build):
    with pytest.raises(ValueError, match="name"):
        CompiledValues(build, name=str).sql()


def test_only_values_querysets():
    with pytest.raises(TypeError, match="values"):
        CompiledValues(lambda user_id: User.objects.filter(pk=user_id), user_id=int).sql()
    with pytest.raises(TypeError, match="values"):
        CompiledValues(lambda user_id: User.objects.filter(pk=user_id).values_list("pk"), user_id=int).sql()


def test_fits_bigint_is_the_range_of_a_64_bit_id():
    from portal.compiled_sql import fits_bigint

    assert fits_bigint(0, 1, 2**63 - 1, -(2**63))
    assert not fits_bigint(2**63) and not fits_bigint(1, 10**20) and not fits_bigint(-(2**63) - 1)
    assert fits_bigint()


# --- CompiledSave: save()'s INSERT and UPDATE compiled once (issue 15) -------------------------

def _columns(obj, *leave_out) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields if f.name not in leave_out}


def test_compiled_insert_writes_the_row_save_writes():
    """An audit event inserted by ``CompiledSave.insert`` is the row ``save(force_insert=True)``
    inserts, with the SQL it runs, and comes back with its id as saved."""
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from portal.compiled_sql import CompiledSave
    from portal.models import AuditEvent

    actor = UserFactory()
    at = timezone.now()

    def event(n):
        return AuditEvent(actor_id=actor.pk, actor_label=actor.real_name, action="application.edit",
                          object_type="applications.application", object_id=str(n), object_label="工程师 · 1",
                          before={"summary": "前 <b>&"}, after={"summary": "后", "n": [1, None]}, created_at=at,
                          ip_address="203.0.113.9", digest_version=2)

    save = CompiledSave(AuditEvent)
    theirs, ours = event(1), event(1)
    with CaptureQueriesContext(connection) as orm:
        theirs.save(force_insert=True)
    for _ in range(2):  # built once, then run
        ours = event(1)
        with CaptureQueriesContext(connection) as compiled:
            save.insert(ours)
    assert ours.pk and ours.pk != theirs.pk and not ours._state.adding and ours._state.db == "default"
    assert [q["sql"] for q in compiled.captured_queries] == [q["sql"] for q in orm.captured_queries]
    stored = {e.pk: e for e in AuditEvent.objects.filter(pk__in=[ours.pk, theirs.pk])}
    assert _columns(stored[ours.pk], "id") == _columns(stored[theirs.pk], "id") == _columns(theirs, "id")


def test_compiled_update_writes_what_save_update_fields_writes():
    """``CompiledSave.update`` runs the SQL ``save(update_fields=...)`` runs (the columns in the
    model's order, ``auto_now`` set on the instance), with a None as well, and refuses a row that
    is gone as ``save()`` does."""
    from django.db import DatabaseError
    from django.test.utils import CaptureQueriesContext

    from applications.models import Application
    from portal.compiled_sql import CompiledSave

    call = make_call(file_committee(bureau_officer("650100")))
    application = make_application(call)
    save = CompiledSave(Application)
    application.summary, application.level = "总结 <b>&", "senior"
    stamp = application.updated_at
    with CaptureQueriesContext(connection) as orm:
        application.save(update_fields=["updated_at", "summary", "level"])
    assert application.updated_at > stamp
    for text in ("第二", "第三"):
        stamp = application.updated_at
        application.summary = text
        with CaptureQueriesContext(connection) as compiled:
            save.update(application, ["updated_at", "summary", "level"])
        assert application.updated_at > stamp  # auto_now, on the instance as save() sets it
        stored = Application.objects.get(pk=application.pk)
        assert (stored.summary, stored.level, stored.updated_at) == (text, "senior", application.updated_at)
    [theirs], [ours] = [q["sql"] for q in orm.captured_queries], [q["sql"] for q in compiled.captured_queries]
    # The same statement but for the values: the columns in the model's order, then the id.
    strip = lambda sql: sql.split(" SET ")[0] + " ".join(  # noqa: E731
        part.split(" = ")[0] for part in sql.split(" SET ")[1].split(", "))
    assert strip(ours) == strip(theirs) and ours.endswith(f'."id" = {application.pk}')
    assert ours.index('"level"') < ours.index('"summary"') < ours.index('"updated_at"')
    application.sponsor_id = None
    save.update(application, ["sponsor"])  # a None: NULL, through the same SQL
    assert Application.objects.get(pk=application.pk).sponsor_id is None
    gone = Application.objects.get(pk=application.pk)
    Application.objects.filter(pk=gone.pk).update(summary="x")
    gone.pk = 10**12
    with pytest.raises(DatabaseError):
        save.update(gone, ["summary"])
    with pytest.raises(TypeError):  # User.save() sets name_key: a compiled save would skip it
        CompiledSave(User)


def test_compiled_update_sets_auto_now_as_save_does():
    from applications.models import Application
    from portal.compiled_sql import CompiledSave

    field = Application._meta.get_field("updated_at")
    assert field.auto_now  # the autosave's updated_at: pre_save sets it on the instance, as save() does
    save = CompiledSave(Application)
    with pytest.raises(ValueError):
        save.update(Application(pk=1), ["id"])  # not a column to update
    with pytest.raises(ValueError):
        save.update(Application(pk=1), ["no_such_column"])


def test_compiled_save_runs_save_while_a_model_has_a_receiver(people):
    """A ``pre_save`` or ``post_save`` receiver of the model is never skipped: with one connected,
    the compiled save is ``save()`` itself."""
    from django.db.models.signals import post_save, pre_save

    from portal.compiled_sql import CompiledSave
    from portal.models import AuditEvent

    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append((sender, instance.pk, kwargs.get("update_fields")))

    from applications.models import Application

    application = make_application(make_call(file_committee(bureau_officer("650100"))))
    for signal in (pre_save, post_save):
        signal.connect(receiver, sender=Application)
        try:
            application.summary = f"收到 {signal is pre_save}"
            CompiledSave(Application).update(application, ["summary"])
        finally:
            signal.disconnect(receiver, sender=Application)
        assert seen.pop() == (Application, application.pk, frozenset({"summary"}))
    post_save.connect(receiver, sender=AuditEvent)
    try:
        event = AuditEvent(action="x.y", object_type="t", object_id="1", created_at=people[0].date_joined)
        CompiledSave(AuditEvent).insert(event)
    finally:
        post_save.disconnect(receiver, sender=AuditEvent)
    assert seen == [(AuditEvent, event.pk, None)] and event.pk


def test_no_receiver_of_the_autosaves_writes():
    """The autosave's UPDATE of an application and every audit event's INSERT are compiled saves
    (``CompiledSave``): they fall back to ``save()`` while the model has a ``pre_save`` or
    ``post_save`` receiver, and are fast only while it has none. If one appears, this fails: look
    at what it does and whether the peak (bench/peak.py) can afford it."""
    from django.db.models.signals import post_save, pre_save

    from applications.models import Application
    from portal.models import AuditEvent

    for model in (Application, AuditEvent):
        assert not pre_save.has_listeners(model) and not post_save.has_listeners(model), model
